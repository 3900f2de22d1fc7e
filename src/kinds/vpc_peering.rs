//! A VPC peering connection across the regions, owned by the requester's region.

use super::*;
use crate::providers::Tags;

pub const REQUESTER_VPC: Field = Field::force_new("requesterVpc");
pub const ACCEPTER_VPC: Field = Field::force_new("accepterVpc");
pub const ACCEPTER_REGION: Field = Field::force_new("accepterRegion");

pub const DEF: KindDef = KindDef {
    kind: Kind::VpcPeering,
    scope: Scope::Regional,
    tagging: Tagging::Kept(TagService::Ec2),
    after_region: false,
    fields: &[REQUESTER_VPC, ACCEPTER_VPC, ACCEPTER_REGION],
    desired,
    index: Some(index),
    discovery: Discovery::ByRule("peering: one peering across the regions, owned by the requester"),
    ops: &VpcPeering,
};
/// Its AWS ids and tags, for the index that resolves references to logical ids.
fn index(snap: &Snapshot) -> Vec<(&str, &Tags)> {
    let all = snap.network.peerings.iter();
    all.map(|p| (p.id.as_str(), &p.tags)).collect()
}

fn desired(r: &Resource, _: &DesiredContext<'_>) -> Fields {
    let ResourceSpec::VpcPeering {
        requester_vpc,
        accepter_vpc,
        accepter_region,
    } = &r.spec
    else {
        return Fields::new();
    };
    fields([
        (REQUESTER_VPC, requester_vpc.clone()),
        (ACCEPTER_VPC, accepter_vpc.clone()),
        (ACCEPTER_REGION, accepter_region.clone()),
    ])
}

struct VpcPeering;

#[async_trait]
impl Ops for VpcPeering {
    async fn create(&self, cx: &Applier<'_>, r: &Resource) -> StepResult<(Handle, String)> {
        let ResourceSpec::VpcPeering {
            requester_vpc,
            accepter_vpc,
            accepter_region,
        } = &r.spec
        else {
            return Err(not_a(r));
        };
        let net = &cx.target(&r.region)?.clients.network;
        let (vpc, peer) = (cx.aws(requester_vpc)?, cx.aws(accepter_vpc)?);
        let id = cx
            .create_id(r, || {
                net.create_peering(&vpc, &peer, accepter_region, &r.tags)
            })
            .await?;
        Ok((Handle::Id(id.clone()), format!("{id} requested")))
    }

    /// The requester's region owns it; deleting it ends both sides.
    async fn delete(&self, cx: &Applier<'_>, o: &ObservedResource) -> StepResult<()> {
        let net = &cx.target(&o.region)?.clients.network;
        Ok(retry::delete(|| net.delete_peering(o.handle.aws_id())).await?)
    }
}
