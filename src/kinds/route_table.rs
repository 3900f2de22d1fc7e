//! A route table of the stack's own (one per subnet tier).

use super::*;

pub const VPC: Field = Field::force_new("vpc");

pub const DEF: KindDef = KindDef {
    kind: Kind::RouteTable,
    scope: Scope::Regional,
    tagging: Tagging::Kept(TagService::Ec2),
    fields: &[VPC],
    desired,
};

fn desired(r: &Resource, _: &DesiredContext<'_>) -> Fields {
    let ResourceSpec::RouteTable { vpc } = &r.spec else {
        return Fields::new();
    };
    fields([(VPC, vpc.clone())])
}
