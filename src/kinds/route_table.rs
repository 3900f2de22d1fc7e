//! A route table of the stack's own (one per subnet tier).

use super::*;
use crate::providers::Tags;

pub const VPC: Field = Field::force_new("vpc");

pub const DEF: KindDef = KindDef {
    kind: Kind::RouteTable,
    scope: Scope::Regional,
    tagging: Tagging::Kept(TagService::Ec2),
    after_region: false,
    fields: &[VPC],
    desired,
    index: Some(index),
    discovery: Discovery::InRegion(observe),
    ops: &RouteTable,
};
/// Its AWS ids and tags, for the index that resolves references to logical ids.
fn index(snap: &Snapshot) -> Vec<(&str, &Tags)> {
    let all = snap.network.route_tables.iter();
    all.map(|t| (t.id.as_str(), &t.tags)).collect()
}

/// Tables with the VPC's main association are the adopted main tables.
fn observe(m: &mut Mapper<'_>, snap: &Snapshot) {
    for t in &snap.network.route_tables {
        let Some(id) = tag_id(&t.tags) else { continue };
        let vpc = m.name(&t.vpc_id);
        let kind = if t.associations.iter().any(|a| a.main) {
            Kind::MainRouteTable
        } else {
            Kind::RouteTable
        };
        let (handle, tags) = (Handle::Id(t.id.clone()), Some(t.tags.clone()));
        m.put(
            id,
            kind,
            handle,
            fields([(VPC, vpc.clone())]),
            tags,
            vec![vpc],
        );
    }
}

fn desired(r: &Resource, _: &DesiredContext<'_>) -> Fields {
    let ResourceSpec::RouteTable { vpc } = &r.spec else {
        return Fields::new();
    };
    fields([(VPC, vpc.clone())])
}

struct RouteTable;

#[async_trait]
impl Ops for RouteTable {
    async fn create(&self, cx: &Applier<'_>, r: &Resource) -> StepResult<(Handle, String)> {
        let ResourceSpec::RouteTable { vpc } = &r.spec else {
            return Err(not_a(r));
        };
        let net = &cx.target(&r.region)?.clients.network;
        let vpc = cx.aws(vpc)?;
        let id = cx
            .create_id(r, || net.create_route_table(&vpc, &r.tags))
            .await?;
        Ok((Handle::Id(id.clone()), id))
    }

    async fn delete(&self, cx: &Applier<'_>, o: &ObservedResource) -> StepResult<()> {
        let net = &cx.target(&o.region)?.clients.network;
        Ok(retry::delete(|| net.delete_route_table(o.handle.aws_id())).await?)
    }
}
