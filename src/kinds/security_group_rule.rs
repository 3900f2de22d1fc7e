//! One rule of a security group. Its identity is its whole content (direction, protocol,
//! ports, peer), matched against the model in discovery, so there is nothing more to compare.

use super::*;

pub const DEF: KindDef = KindDef {
    kind: Kind::SecurityGroupRule,
    scope: Scope::Regional,
    tagging: Tagging::AtCreation(TagService::Ec2),
    fields: &[],
    desired: |_, _| Fields::new(),
};
