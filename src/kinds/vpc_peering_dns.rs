//! DNS resolution of the remote VPC's private names, one side of a peering.

use super::*;

pub const REMOTE_DNS: Field = Field::updatable("remoteDnsResolution");

pub const DEF: KindDef = KindDef {
    kind: Kind::VpcPeeringDns,
    scope: Scope::Regional,
    tagging: Tagging::Untaggable,
    fields: &[REMOTE_DNS],
    desired: |_, _| fields([(REMOTE_DNS, "true".to_string())]),
};
