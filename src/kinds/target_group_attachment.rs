//! A node group's link to a target group: its Auto Scaling groups attached to it, or where it
//! has none, its instances registered with it.

use super::*;

/// Nodes come and go; what matters is that none is left out.
pub const UNREGISTERED: Field = Field::updatable("unregistered");

pub const DEF: KindDef = KindDef {
    kind: Kind::TargetGroupAttachment,
    scope: Scope::Regional,
    tagging: Tagging::Untaggable,
    fields: &[UNREGISTERED],
    desired: |_, _| fields([(UNREGISTERED, String::new())]),
};
