//! An EKS cluster.

use super::*;

/// Moves forward one minor version at a time; an older version means a new cluster (the
/// diff's rule).
pub const VERSION: Field = Field::updatable("version");
pub const ROLE: Field = Field::force_new("role");
pub const SUBNETS: Field = Field::force_new("subnets");
pub const ENDPOINT_PRIVATE: Field = Field::updatable("endpointPrivate");
pub const ENDPOINT_PUBLIC: Field = Field::updatable("endpointPublic");
pub const PUBLIC_CIDRS: Field = Field::updatable("publicCidrs");
pub const LOG_TYPES: Field = Field::updatable("logTypes");

pub const DEF: KindDef = KindDef {
    kind: Kind::EksCluster,
    scope: Scope::Regional,
    tagging: Tagging::Kept(TagService::Eks),
    fields: &[
        VERSION,
        ROLE,
        SUBNETS,
        ENDPOINT_PRIVATE,
        ENDPOINT_PUBLIC,
        PUBLIC_CIDRS,
        LOG_TYPES,
    ],
    desired,
};

fn desired(r: &Resource, _: &DesiredContext<'_>) -> Fields {
    let ResourceSpec::EksCluster {
        version,
        role,
        subnets,
        endpoint_private,
        endpoint_public,
        public_cidrs,
        log_types,
        ..
    } = &r.spec
    else {
        return Fields::new();
    };
    fields([
        (VERSION, version.clone()),
        (ROLE, role.clone()),
        (SUBNETS, list(subnets)),
        (ENDPOINT_PRIVATE, endpoint_private.to_string()),
        (ENDPOINT_PUBLIC, endpoint_public.to_string()),
        (
            PUBLIC_CIDRS,
            public_cidrs_field(*endpoint_public, public_cidrs),
        ),
        (LOG_TYPES, list(log_types)),
    ])
}

/// Public endpoint CIDRs only mean something while the public endpoint is on (EKS reports
/// 0.0.0.0/0 for a private-only cluster).
pub fn public_cidrs_field(public: bool, cidrs: &[String]) -> String {
    if public { list(cidrs) } else { String::new() }
}
