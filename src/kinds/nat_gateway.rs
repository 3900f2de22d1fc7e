//! A NAT gateway in a public subnet, with its Elastic IP.

use super::*;
use crate::providers::Lifecycle;
use crate::providers::Tags;

pub const SUBNET: Field = Field::force_new("subnet");
pub const ELASTIC_IP: Field = Field::force_new("elasticIp");

pub const DEF: KindDef = KindDef {
    kind: Kind::NatGateway,
    scope: Scope::Regional,
    tagging: Tagging::Kept(TagService::Ec2),
    after_region: false,
    fields: &[SUBNET, ELASTIC_IP],
    desired,
    index: Some(index),
    discovery: Discovery::InRegion(observe),
    ops: &NatGateway,
};
/// Its AWS ids and tags, for the index that resolves references to logical ids.
fn index(snap: &Snapshot) -> Vec<(&str, &Tags)> {
    let all = snap.network.nat_gateways.iter();
    all.map(|g| (g.id.as_str(), &g.tags)).collect()
}

fn observe(m: &mut Mapper<'_>, snap: &Snapshot) {
    for g in &snap.network.nat_gateways {
        let Some(id) = tag_id(&g.tags) else { continue };
        let subnet = m.name(&g.subnet_id);
        let eip = g
            .allocation_id
            .as_deref()
            .map(|a| m.name(a))
            .unwrap_or_default();
        let f = fields([(SUBNET, subnet.clone()), (ELASTIC_IP, eip.clone())]);
        let (handle, tags) = (Handle::Id(g.id.clone()), Some(g.tags.clone()));
        let o = m.put(id, Kind::NatGateway, handle, f, tags, vec![subnet, eip]);
        o.state = (g.state != Lifecycle::Ready).then(|| g.state.as_str().to_string());
    }
}

fn desired(r: &Resource, _: &DesiredContext<'_>) -> Fields {
    let ResourceSpec::NatGateway { subnet, elastic_ip } = &r.spec else {
        return Fields::new();
    };
    fields([(SUBNET, subnet.clone()), (ELASTIC_IP, elastic_ip.clone())])
}

struct NatGateway;

#[async_trait]
impl Ops for NatGateway {
    async fn create(&self, cx: &Applier<'_>, r: &Resource) -> StepResult<(Handle, String)> {
        let ResourceSpec::NatGateway { subnet, elastic_ip } = &r.spec else {
            return Err(not_a(r));
        };
        let net = &cx.target(&r.region)?.clients.network;
        let (subnet, eip) = (cx.aws(subnet)?, cx.aws(elastic_ip)?);
        // The client token makes a repeated call (after a lost answer) return the first one's.
        let token = cx.token(&r.id);
        let id = retry::change(|| net.create_nat_gateway(&subnet, &eip, &r.tags, &token)).await?;
        // Remember it before the long wait, so a failed wait still leaves it known.
        cx.remember(&r.id, Handle::Id(id.clone()));
        retry::wait(|| net.wait_nat_gateway_available(&id, cx.limits.nat_gateway)).await?;
        Ok((Handle::Id(id.clone()), format!("{id} available")))
    }

    async fn delete(&self, cx: &Applier<'_>, o: &ObservedResource) -> StepResult<()> {
        let net = &cx.target(&o.region)?.clients.network;
        let id = o.handle.aws_id();
        retry::delete(|| net.delete_nat_gateway(id)).await?;
        Ok(retry::delete(|| net.wait_nat_gateway_deleted(id, cx.limits.nat_gateway)).await?)
    }
}
