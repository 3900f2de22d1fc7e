//! A security group of the stack's.

use super::*;

pub const VPC: Field = Field::force_new("vpc");
pub const NAME: Field = Field::force_new("name");
pub const DESCRIPTION: Field = Field::force_new("description");

pub const DEF: KindDef = KindDef {
    kind: Kind::SecurityGroup,
    scope: Scope::Regional,
    tagging: Tagging::Kept(TagService::Ec2),
    fields: &[VPC, NAME, DESCRIPTION],
    desired,
};

fn desired(r: &Resource, _: &DesiredContext<'_>) -> Fields {
    let ResourceSpec::SecurityGroup {
        vpc,
        name,
        description,
    } = &r.spec
    else {
        return Fields::new();
    };
    fields([
        (VPC, vpc.clone()),
        (NAME, name.clone()),
        (DESCRIPTION, description.clone()),
    ])
}
