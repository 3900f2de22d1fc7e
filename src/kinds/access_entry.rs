//! An EKS access entry with its access policy, known by its cluster and principal.

use super::*;

pub const DEF: KindDef = KindDef {
    kind: Kind::AccessEntry,
    scope: Scope::Regional,
    tagging: Tagging::AtCreation(TagService::Eks),
    fields: &[],
    desired: |_, _| Fields::new(),
};
