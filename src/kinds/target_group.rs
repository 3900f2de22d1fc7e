//! A target group of instances.

use super::*;
use crate::providers::NewTargetGroup;
use crate::providers::Tags;

pub const PROTOCOL: Field = Field::force_new("protocol");
pub const PORT: Field = Field::force_new("port");
pub const VPC: Field = Field::force_new("vpc");
pub const TARGET_TYPE: Field = Field::force_new("targetType");
/// Only for HTTP target groups.
pub const HEALTH_CHECK_PATH: Field = Field::updatable("healthCheckPath");

pub const DEF: KindDef = KindDef {
    kind: Kind::TargetGroup,
    scope: Scope::Regional,
    tagging: Tagging::Kept(TagService::Elbv2),
    after_region: false,
    fields: &[PROTOCOL, PORT, VPC, TARGET_TYPE, HEALTH_CHECK_PATH],
    desired,
    index: Some(index),
    discovery: Discovery::InRegion(observe),
    ops: &TargetGroup,
};
/// Its AWS ids and tags, for the index that resolves references to logical ids.
fn index(snap: &Snapshot) -> Vec<(&str, &Tags)> {
    let all = snap.load_balancing.target_groups.iter();
    all.map(|t| (t.arn.as_str(), &t.tags)).collect()
}

fn observe(m: &mut Mapper<'_>, snap: &Snapshot) {
    for t in &snap.load_balancing.target_groups {
        let Some(id) = tag_id(&t.tags) else { continue };
        let vpc = m.name(&t.vpc_id);
        let mut f = fields([
            (PROTOCOL, t.protocol.clone()),
            (PORT, t.port.to_string()),
            (VPC, vpc.clone()),
            (TARGET_TYPE, t.target_type.clone()),
        ]);
        if let Some(path) = &t.health_check_path {
            f.insert(HEALTH_CHECK_PATH.name, path.clone());
        }
        let (handle, tags) = (Handle::Id(t.arn.clone()), Some(t.tags.clone()));
        m.put(id, Kind::TargetGroup, handle, f, tags, vec![vpc]);
    }
}

fn desired(r: &Resource, _: &DesiredContext<'_>) -> Fields {
    let ResourceSpec::TargetGroup {
        protocol,
        port,
        vpc,
        target_type,
        health_check_path,
        ..
    } = &r.spec
    else {
        return Fields::new();
    };
    let mut f = fields([
        (PROTOCOL, protocol.clone()),
        (PORT, port.to_string()),
        (VPC, vpc.clone()),
        (TARGET_TYPE, target_type.clone()),
    ]);
    if let Some(path) = health_check_path {
        f.insert(HEALTH_CHECK_PATH.name, path.clone());
    }
    f
}

struct TargetGroup;

#[async_trait]
impl Ops for TargetGroup {
    async fn create(&self, cx: &Applier<'_>, r: &Resource) -> StepResult<(Handle, String)> {
        let ResourceSpec::TargetGroup {
            name,
            vpc,
            protocol,
            port,
            target_type,
            health_check_path,
        } = &r.spec
        else {
            return Err(not_a(r));
        };
        let lbs = &cx.target(&r.region)?.clients.load_balancing;
        let vpc = cx.aws(vpc)?;
        let new = NewTargetGroup {
            name,
            protocol,
            port: *port,
            vpc: &vpc,
            target_type,
            health_check_path: health_check_path.as_deref(),
            tags: &r.tags,
        };
        let arn = cx.create_id(r, || lbs.create_target_group(&new)).await?;
        Ok((Handle::Id(arn.clone()), arn))
    }

    async fn update(&self, u: InPlace<'_>) -> StepResult<()> {
        let InPlace(cx, r, changed, _) = u;
        let ResourceSpec::TargetGroup {
            health_check_path: Some(path),
            ..
        } = &r.spec
        else {
            return Err(cannot_change(r, &changed.join(", ")));
        };
        if changed != [HEALTH_CHECK_PATH.name] {
            return Err(cannot_change(r, &changed.join(", ")));
        }
        let lbs = &cx.target(&r.region)?.clients.load_balancing;
        let arn = cx.aws(&r.id)?;
        Ok(retry::change(|| lbs.set_health_check_path(&arn, path)).await?)
    }

    async fn delete(&self, cx: &Applier<'_>, o: &ObservedResource) -> StepResult<()> {
        let lbs = &cx.target(&o.region)?.clients.load_balancing;
        Ok(retry::delete(|| lbs.delete_target_group(o.handle.aws_id())).await?)
    }
}
