//! A VPC peering connection across the regions, owned by the requester's region.

use super::*;

pub const REQUESTER_VPC: Field = Field::force_new("requesterVpc");
pub const ACCEPTER_VPC: Field = Field::force_new("accepterVpc");
pub const ACCEPTER_REGION: Field = Field::force_new("accepterRegion");

pub const DEF: KindDef = KindDef {
    kind: Kind::VpcPeering,
    scope: Scope::Regional,
    tagging: Tagging::Kept(TagService::Ec2),
    fields: &[REQUESTER_VPC, ACCEPTER_VPC, ACCEPTER_REGION],
    desired,
};

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
