//! An Elastic IP address, for a NAT gateway.

use super::*;
use crate::providers::Tags;

pub const DEF: KindDef = KindDef {
    kind: Kind::ElasticIp,
    scope: Scope::Regional,
    tagging: Tagging::Kept(TagService::Ec2),
    after_region: false,
    fields: &[],
    desired: |_, _| Fields::new(),
    index: Some(index),
    discovery: Discovery::InRegion(observe),
    ops: &ElasticIp,
};
/// Its AWS ids and tags, for the index that resolves references to logical ids.
fn index(snap: &Snapshot) -> Vec<(&str, &Tags)> {
    let all = snap.network.addresses.iter();
    all.map(|a| (a.allocation_id.as_str(), &a.tags)).collect()
}

fn observe(m: &mut Mapper<'_>, snap: &Snapshot) {
    for a in &snap.network.addresses {
        let Some(id) = tag_id(&a.tags) else { continue };
        let (handle, tags) = (Handle::Id(a.allocation_id.clone()), Some(a.tags.clone()));
        m.put(id, Kind::ElasticIp, handle, Fields::new(), tags, vec![]);
    }
}

struct ElasticIp;

#[async_trait]
impl Ops for ElasticIp {
    async fn create(&self, cx: &Applier<'_>, r: &Resource) -> StepResult<(Handle, String)> {
        let net = &cx.target(&r.region)?.clients.network;
        let id = cx.create_id(r, || net.allocate_address(&r.tags)).await?;
        Ok((Handle::Id(id.clone()), id))
    }

    async fn delete(&self, cx: &Applier<'_>, o: &ObservedResource) -> StepResult<()> {
        let net = &cx.target(&o.region)?.clients.network;
        Ok(retry::delete(|| net.release_address(o.handle.aws_id())).await?)
    }
}
