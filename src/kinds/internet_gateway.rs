//! An internet gateway, attached to its VPC.

use super::*;
use crate::providers::Tags;

/// The VPC it is attached to; a gateway can be moved.
pub const VPC: Field = Field::updatable("vpc");

pub const DEF: KindDef = KindDef {
    kind: Kind::InternetGateway,
    scope: Scope::Regional,
    tagging: Tagging::Kept(TagService::Ec2),
    after_region: false,
    fields: &[VPC],
    desired,
    index: Some(index),
    discovery: Discovery::InRegion(observe),
    ops: &InternetGateway,
};
/// Its AWS ids and tags, for the index that resolves references to logical ids.
fn index(snap: &Snapshot) -> Vec<(&str, &Tags)> {
    let all = snap.network.internet_gateways.iter();
    all.map(|g| (g.id.as_str(), &g.tags)).collect()
}

fn observe(m: &mut Mapper<'_>, snap: &Snapshot) {
    for g in &snap.network.internet_gateways {
        let Some(id) = tag_id(&g.tags) else { continue };
        let vpc = g
            .attached_vpc
            .as_deref()
            .map(|v| m.name(v))
            .unwrap_or_default();
        let handle = Handle::InternetGateway {
            id: g.id.clone(),
            vpc: g.attached_vpc.clone(),
        };
        let f = fields([(VPC, vpc.clone())]);
        m.put(
            id,
            Kind::InternetGateway,
            handle,
            f,
            Some(g.tags.clone()),
            vec![vpc],
        );
    }
}

fn desired(r: &Resource, _: &DesiredContext<'_>) -> Fields {
    let ResourceSpec::InternetGateway { vpc } = &r.spec else {
        return Fields::new();
    };
    fields([(VPC, vpc.clone())])
}

struct InternetGateway;

#[async_trait]
impl Ops for InternetGateway {
    async fn create(&self, cx: &Applier<'_>, r: &Resource) -> StepResult<(Handle, String)> {
        let ResourceSpec::InternetGateway { vpc } = &r.spec else {
            return Err(not_a(r));
        };
        let net = &cx.target(&r.region)?.clients.network;
        let vpc = cx.aws(vpc)?;
        let id = cx
            .create_id(r, || net.create_internet_gateway(&r.tags))
            .await?;
        attach(cx, r, &id, &vpc).await?;
        let handle = Handle::InternetGateway {
            id: id.clone(),
            vpc: Some(vpc),
        };
        Ok((handle, id))
    }

    async fn update(&self, u: InPlace<'_>) -> StepResult<()> {
        let InPlace(cx, r, changed, o) = u;
        let (ResourceSpec::InternetGateway { vpc }, [field]) = (&r.spec, changed) else {
            return Err(cannot_change(r, &changed.join(", ")));
        };
        let Handle::InternetGateway { id, vpc: attached } = &o.handle else {
            return Err(not_a(r));
        };
        if *field != VPC.name {
            return Err(cannot_change(r, field));
        }
        let net = &cx.target(&r.region)?.clients.network;
        if let Some(old) = attached {
            retry::delete(|| net.detach_internet_gateway(id, old)).await?;
        }
        let vpc = cx.aws(vpc)?;
        attach(cx, r, id, &vpc).await
    }

    async fn delete(&self, cx: &Applier<'_>, o: &ObservedResource) -> StepResult<()> {
        let Handle::InternetGateway { id, vpc } = &o.handle else {
            return Err(StepError::precondition("not a gateway"));
        };
        let net = &cx.target(&o.region)?.clients.network;
        if let Some(vpc) = vpc {
            retry::delete(|| net.detach_internet_gateway(id, vpc)).await?;
        }
        Ok(retry::delete(|| net.delete_internet_gateway(id)).await?)
    }
}

/// Attaches the gateway; "already attached" is success when the gateway is attached to this
/// VPC (after a lost answer, the retry meets the first call's attachment).
async fn attach(cx: &Applier<'_>, r: &Resource, id: &str, vpc: &str) -> StepResult<()> {
    let net = &cx.target(&r.region)?.clients.network;
    let attached = || async {
        let found = cx.finder.find(&r.id).await?.map(|o| o.handle);
        Ok(matches!(found, Some(Handle::InternetGateway { vpc: Some(v), .. }) if v == vpc))
    };
    Ok(retry::checked(|| net.attach_internet_gateway(id, vpc), attached).await?)
}
