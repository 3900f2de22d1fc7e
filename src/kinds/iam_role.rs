//! An IAM role (global), with its managed policies and at most one inline policy.

use super::*;
use crate::model::TAG_STACK;
use crate::providers::role_path;

pub const TRUSTED_SERVICE: Field = Field::force_new("trustedService");
pub const MANAGED_POLICIES: Field = Field::updatable("managedPolicies");
pub const INLINE_POLICIES: Field = Field::updatable("inlinePolicies");

/// The name a role's inline policy goes by.
pub const INLINE_POLICY: &str = "multiregion";

pub const DEF: KindDef = KindDef {
    kind: Kind::IamRole,
    scope: Scope::Global,
    tagging: Tagging::Kept(TagService::Iam),
    after_region: false,
    fields: &[TRUSTED_SERVICE, MANAGED_POLICIES, INLINE_POLICIES],
    desired,
    index: None,
    discovery: Discovery::Global(observe),
    ops: &IamRole,
};

fn observe(m: &mut Mapper<'_>, roles: &[RoleInfo]) {
    for r in roles {
        let Some(id) = tag_id(&r.tags) else { continue };
        let f = fields([
            (TRUSTED_SERVICE, r.trusted_service.clone()),
            (MANAGED_POLICIES, list(&r.managed_policies)),
            (INLINE_POLICIES, list(&r.inline_policies)),
        ]);
        let handle = Handle::Role {
            name: r.name.clone(),
            arn: r.arn.clone(),
            policies: r.managed_policies.clone(),
            inline: r.inline_policies.clone(),
        };
        m.put(id, Kind::IamRole, handle, f, Some(r.tags.clone()), vec![]);
    }
}

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

struct IamRole;

#[async_trait]
impl Ops for IamRole {
    async fn create(&self, cx: &Applier<'_>, r: &Resource) -> StepResult<(Handle, String)> {
        let ResourceSpec::IamRole {
            name,
            trusted_service,
            managed_policies,
            inline_policy,
        } = &r.spec
        else {
            return Err(not_a(r));
        };
        let stack = r.tags.get(TAG_STACK).map(String::as_str);
        let path = role_path(stack.unwrap_or_default());
        let found = |o: ObservedResource| match o.handle {
            Handle::Role { arn, .. } => Some(arn),
            _ => None,
        };
        let arn = cx
            .create_once(
                r,
                || cx.iam.create_role(name, &path, trusted_service, &r.tags),
                found,
            )
            .await?;
        let role = |policies: Vec<String>, inline: Vec<String>| Handle::Role {
            name: name.clone(),
            arn: arn.clone(),
            policies,
            inline,
        };
        // Known before its policies, so a failure there leaves it deletable.
        cx.remember(&r.id, role(vec![], vec![]));
        for policy in managed_policies {
            retry::change(|| cx.iam.attach_policy(name, policy)).await?;
        }
        if let Some(document) = inline_policy {
            retry::change(|| cx.iam.put_inline_policy(name, INLINE_POLICY, document)).await?;
        }
        let inline = inline_policy.iter().map(|_| INLINE_POLICY.to_string());
        Ok((
            role(managed_policies.clone(), inline.collect()),
            arn.clone(),
        ))
    }

    /// Its policies, whichever changed: the inline one put or removed, managed ones attached
    /// or detached.
    async fn update(&self, u: InPlace<'_>) -> StepResult<()> {
        let InPlace(cx, r, _, o) = u;
        let (
            ResourceSpec::IamRole {
                name,
                managed_policies,
                inline_policy,
                ..
            },
            Handle::Role {
                policies, inline, ..
            },
        ) = (&r.spec, &o.handle)
        else {
            return Err(not_a(r));
        };
        if let Some(document) = inline_policy
            && !inline.iter().any(|n| n == INLINE_POLICY)
        {
            retry::change(|| cx.iam.put_inline_policy(name, INLINE_POLICY, document)).await?;
        }
        for extra in inline
            .iter()
            .filter(|n| inline_policy.is_none() || n.as_str() != INLINE_POLICY)
        {
            retry::delete(|| cx.iam.delete_inline_policy(name, extra)).await?;
        }
        for p in managed_policies.iter().filter(|p| !policies.contains(p)) {
            retry::change(|| cx.iam.attach_policy(name, p)).await?;
        }
        for p in policies.iter().filter(|p| !managed_policies.contains(p)) {
            retry::change(|| cx.iam.detach_policy(name, p)).await?;
        }
        Ok(())
    }

    async fn delete(&self, cx: &Applier<'_>, o: &ObservedResource) -> StepResult<()> {
        let Handle::Role {
            name,
            policies,
            inline,
            ..
        } = &o.handle
        else {
            return Err(StepError::precondition("not a role"));
        };
        for policy in policies {
            retry::delete(|| cx.iam.detach_policy(name, policy)).await?;
        }
        for policy in inline {
            retry::delete(|| cx.iam.delete_inline_policy(name, policy)).await?;
        }
        Ok(retry::delete(|| cx.iam.delete_role(name)).await?)
    }
}
