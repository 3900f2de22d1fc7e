//! The VPC's default security group, adopted (the engine's adoption rule) and kept empty.

use super::*;

/// Its rules, as text; the stack wants none.
pub const RULES: Field = Field::updatable("rules");

pub const DEF: KindDef = KindDef {
    kind: Kind::DefaultSecurityGroup,
    scope: Scope::Regional,
    tagging: Tagging::Kept(TagService::Ec2),
    fields: &[RULES],
    desired: |_, _| fields([(RULES, String::new())]),
};
