//! An IAM role (global), with its managed policies and at most one inline policy.

use super::*;

pub const TRUSTED_SERVICE: Field = Field::force_new("trustedService");
pub const MANAGED_POLICIES: Field = Field::updatable("managedPolicies");
pub const INLINE_POLICIES: Field = Field::updatable("inlinePolicies");

/// The name a role's inline policy goes by.
pub const INLINE_POLICY: &str = "multiregion";

pub const DEF: KindDef = KindDef {
    kind: Kind::IamRole,
    scope: Scope::Global,
    tagging: Tagging::Kept(TagService::Iam),
    fields: &[TRUSTED_SERVICE, MANAGED_POLICIES, INLINE_POLICIES],
    desired,
};

fn desired(r: &Resource, _: &DesiredContext<'_>) -> Fields {
    let ResourceSpec::IamRole {
        trusted_service,
        managed_policies,
        inline_policy,
        ..
    } = &r.spec
    else {
        return Fields::new();
    };
    let inline = if inline_policy.is_some() {
        INLINE_POLICY
    } else {
        ""
    };
    fields([
        (TRUSTED_SERVICE, trusted_service.clone()),
        (MANAGED_POLICIES, list(managed_policies)),
        (INLINE_POLICIES, inline.to_string()),
    ])
}
