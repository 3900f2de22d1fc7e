//! An Elastic IP address, for a NAT gateway.

use super::*;

pub const DEF: KindDef = KindDef {
    kind: Kind::ElasticIp,
    scope: Scope::Regional,
    tagging: Tagging::Kept(TagService::Ec2),
    fields: &[],
    desired: |_, _| Fields::new(),
};
