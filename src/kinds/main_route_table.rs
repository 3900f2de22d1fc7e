//! The VPC's main route table, adopted (the engine's adoption rule): tagged, with only the
//! VPC's local route.

use super::*;

pub const VPC: Field = Field::updatable("vpc");

pub const DEF: KindDef = KindDef {
    kind: Kind::MainRouteTable,
    scope: Scope::Regional,
    tagging: Tagging::Kept(TagService::Ec2),
    fields: &[VPC],
    desired,
};

fn desired(r: &Resource, _: &DesiredContext<'_>) -> Fields {
    let ResourceSpec::MainRouteTable { vpc } = &r.spec else {
        return Fields::new();
    };
    fields([(VPC, vpc.clone())])
}
