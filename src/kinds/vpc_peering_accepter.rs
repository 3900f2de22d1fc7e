//! The accepter's side of a peering: part of the peering, found through it.

use super::*;

pub const DEF: KindDef = KindDef {
    kind: Kind::VpcPeeringAccepter,
    scope: Scope::Regional,
    tagging: Tagging::Untaggable,
    fields: &[],
    desired: |_, _| Fields::new(),
};
