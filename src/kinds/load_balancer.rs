//! An application or network load balancer.

use super::*;
use crate::providers::Lifecycle;
use crate::providers::NewLoadBalancer;
use crate::providers::Tags;

pub const TYPE: Field = Field::force_new("type");
pub const SCHEME: Field = Field::force_new("scheme");
pub const SUBNETS: Field = Field::updatable("subnets");
pub const SECURITY_GROUPS: Field = Field::updatable("securityGroups");

pub const DEF: KindDef = KindDef {
    kind: Kind::LoadBalancer,
    scope: Scope::Regional,
    tagging: Tagging::Kept(TagService::Elbv2),
    after_region: false,
    fields: &[TYPE, SCHEME, SUBNETS, SECURITY_GROUPS],
    desired,
    index: Some(index),
    discovery: Discovery::InRegion(observe),
    ops: &LoadBalancer,
};
/// Its AWS ids and tags, for the index that resolves references to logical ids.
fn index(snap: &Snapshot) -> Vec<(&str, &Tags)> {
    let all = snap.load_balancing.load_balancers.iter();
    all.map(|l| (l.arn.as_str(), &l.tags)).collect()
}

fn observe(m: &mut Mapper<'_>, snap: &Snapshot) {
    for l in &snap.load_balancing.load_balancers {
        let Some(id) = tag_id(&l.tags) else { continue };
        let subnets: Vec<String> = l.subnets.iter().map(|x| m.name(x)).collect();
        let groups: Vec<String> = l.security_groups.iter().map(|x| m.name(x)).collect();
        let f = fields([
            (TYPE, l.lb_type.clone()),
            (SCHEME, l.scheme.clone()),
            (SUBNETS, list(&subnets)),
            (SECURITY_GROUPS, list(&groups)),
        ]);
        let handle = Handle::LoadBalancer {
            arn: l.arn.clone(),
            dns_name: l.dns_name.clone(),
            zone: l.canonical_zone.clone(),
        };
        let refs = subnets.into_iter().chain(groups).collect();
        let o = m.put(
            id,
            Kind::LoadBalancer,
            handle,
            f,
            Some(l.tags.clone()),
            refs,
        );
        o.state = (l.state != Lifecycle::Ready).then(|| l.state.as_str().to_string());
    }
}

fn desired(r: &Resource, _: &DesiredContext<'_>) -> Fields {
    let ResourceSpec::LoadBalancer {
        lb_type,
        scheme,
        subnets,
        security_groups,
        ..
    } = &r.spec
    else {
        return Fields::new();
    };
    fields([
        (TYPE, lb_type.as_str().to_string()),
        (SCHEME, scheme.as_str().to_string()),
        (SUBNETS, list(subnets)),
        (SECURITY_GROUPS, list(security_groups)),
    ])
}

struct LoadBalancer;

#[async_trait]
impl Ops for LoadBalancer {
    async fn create(&self, cx: &Applier<'_>, r: &Resource) -> StepResult<(Handle, String)> {
        let ResourceSpec::LoadBalancer {
            name,
            lb_type,
            scheme,
            subnets,
            security_groups,
        } = &r.spec
        else {
            return Err(not_a(r));
        };
        let lbs = &cx.target(&r.region)?.clients.load_balancing;
        let (subnets, groups) = (cx.aws_all(subnets)?, cx.aws_all(security_groups)?);
        let new = NewLoadBalancer {
            name,
            lb_type: lb_type.as_str(),
            scheme: scheme.as_str(),
            subnets: &subnets,
            security_groups: &groups,
            tags: &r.tags,
        };
        let make = || async {
            let lb = lbs.create_load_balancer(&new).await?;
            Ok(Handle::LoadBalancer {
                arn: lb.arn,
                dns_name: lb.dns_name,
                zone: lb.canonical_zone,
            })
        };
        let found = |o: ObservedResource| Some(o.handle);
        let handle = cx.create_once(r, make, found).await?;
        let Handle::LoadBalancer { arn, dns_name, .. } = &handle else {
            return Err(not_a(r));
        };
        // Known before the long wait, so a failed wait still leaves it deletable.
        cx.remember(&r.id, handle.clone());
        retry::wait(|| lbs.wait_load_balancer_active(arn, cx.limits.load_balancer)).await?;
        let dns_name = dns_name.clone();
        Ok((handle, dns_name))
    }

    async fn update(&self, u: InPlace<'_>) -> StepResult<()> {
        let InPlace(cx, r, changed, _) = u;
        let ResourceSpec::LoadBalancer {
            subnets,
            security_groups,
            ..
        } = &r.spec
        else {
            return Err(not_a(r));
        };
        let lbs = &cx.target(&r.region)?.clients.load_balancing;
        let arn = cx.aws(&r.id)?;
        for &field in changed {
            if field == SUBNETS.name {
                let subnets = cx.aws_all(subnets)?;
                retry::change(|| lbs.set_subnets(&arn, &subnets)).await?;
            } else if field == SECURITY_GROUPS.name {
                let groups = cx.aws_all(security_groups)?;
                retry::change(|| lbs.set_security_groups(&arn, &groups)).await?;
            } else {
                return Err(cannot_change(r, field));
            }
        }
        Ok(())
    }

    async fn delete(&self, cx: &Applier<'_>, o: &ObservedResource) -> StepResult<()> {
        let lbs = &cx.target(&o.region)?.clients.load_balancing;
        let arn = o.handle.aws_id();
        retry::delete(|| lbs.delete_load_balancer(arn)).await?;
        Ok(retry::delete(|| lbs.wait_load_balancer_deleted(arn, cx.limits.load_balancer)).await?)
    }
}
