//! The nodes' launch template: security groups and instance metadata options.

use super::*;

/// The stack's own groups; the cluster's group, which EKS owns, is added at creation.
pub const SECURITY_GROUPS: Field = Field::force_new("securityGroups");
pub const IMDSV2_REQUIRED: Field = Field::force_new("imdsv2Required");
pub const HOP_LIMIT: Field = Field::force_new("hopLimit");

pub const DEF: KindDef = KindDef {
    kind: Kind::LaunchTemplate,
    scope: Scope::Regional,
    tagging: Tagging::Kept(TagService::Ec2),
    fields: &[SECURITY_GROUPS, IMDSV2_REQUIRED, HOP_LIMIT],
    desired,
};

fn desired(r: &Resource, _: &DesiredContext<'_>) -> Fields {
    let ResourceSpec::LaunchTemplate {
        security_groups,
        imdsv2_required,
        metadata_hop_limit,
        ..
    } = &r.spec
    else {
        return Fields::new();
    };
    fields([
        (SECURITY_GROUPS, list(security_groups)),
        (IMDSV2_REQUIRED, imdsv2_required.to_string()),
        (HOP_LIMIT, metadata_hop_limit.to_string()),
    ])
}
