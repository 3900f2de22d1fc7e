//! An internet gateway, attached to its VPC.

use super::*;

/// The VPC it is attached to; a gateway can be moved.
pub const VPC: Field = Field::updatable("vpc");

pub const DEF: KindDef = KindDef {
    kind: Kind::InternetGateway,
    scope: Scope::Regional,
    tagging: Tagging::Kept(TagService::Ec2),
    fields: &[VPC],
    desired,
};

fn desired(r: &Resource, _: &DesiredContext<'_>) -> Fields {
    let ResourceSpec::InternetGateway { vpc } = &r.spec else {
        return Fields::new();
    };
    fields([(VPC, vpc.clone())])
}
