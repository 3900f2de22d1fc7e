//! A WAF web ACL: managed rule groups and a rate limit.

use super::*;
use crate::providers::Tags;
use crate::providers::WebAclRules;

pub const MANAGED_RULE_GROUPS: Field = Field::updatable("managedRuleGroups");
pub const RATE_LIMIT: Field = Field::updatable("rateLimit");

pub const DEF: KindDef = KindDef {
    kind: Kind::WebAcl,
    scope: Scope::Regional,
    tagging: Tagging::Kept(TagService::Wafv2),
    after_region: false,
    fields: &[MANAGED_RULE_GROUPS, RATE_LIMIT],
    desired,
    index: Some(index),
    discovery: Discovery::InRegion(observe),
    ops: &WebAcl,
};
/// Its AWS ids and tags, for the index that resolves references to logical ids.
fn index(snap: &Snapshot) -> Vec<(&str, &Tags)> {
    let all = snap.web_acls.iter();
    all.map(|a| (a.arn.as_str(), &a.tags)).collect()
}

fn observe(m: &mut Mapper<'_>, snap: &Snapshot) {
    for a in &snap.web_acls {
        let Some(id) = tag_id(&a.tags) else { continue };
        let rate = a
            .rules
            .rate_limit
            .map(|r| r.to_string())
            .unwrap_or_default();
        let f = fields([
            (MANAGED_RULE_GROUPS, a.rules.managed_rule_groups.join(",")),
            (RATE_LIMIT, rate),
        ]);
        let (handle, tags) = (Handle::WebAcl(a.clone()), Some(a.tags.clone()));
        m.put(id, Kind::WebAcl, handle, f, tags, vec![]);
    }
}

fn desired(r: &Resource, _: &DesiredContext<'_>) -> Fields {
    let ResourceSpec::WebAcl {
        managed_rule_groups,
        rate_limit,
        ..
    } = &r.spec
    else {
        return Fields::new();
    };
    // Rule order matters to WAF: not sorted.
    fields([
        (MANAGED_RULE_GROUPS, managed_rule_groups.join(",")),
        (RATE_LIMIT, rate_limit.to_string()),
    ])
}

struct WebAcl;

fn rules(spec: &ResourceSpec) -> WebAclRules {
    match spec {
        ResourceSpec::WebAcl {
            managed_rule_groups,
            rate_limit,
            ..
        } => WebAclRules {
            managed_rule_groups: managed_rule_groups.clone(),
            rate_limit: Some(*rate_limit),
        },
        _ => WebAclRules {
            managed_rule_groups: vec![],
            rate_limit: None,
        },
    }
}

#[async_trait]
impl Ops for WebAcl {
    async fn create(&self, cx: &Applier<'_>, r: &Resource) -> StepResult<(Handle, String)> {
        let ResourceSpec::WebAcl { name, .. } = &r.spec else {
            return Err(not_a(r));
        };
        let waf = &cx.target(&r.region)?.clients.waf;
        let rules = rules(&r.spec);
        let found = |o: ObservedResource| match o.handle {
            Handle::WebAcl(acl) => Some(acl),
            _ => None,
        };
        let acl = cx
            .create_once(r, || waf.create_web_acl(name, &rules, &r.tags), found)
            .await?;
        let what = acl.arn.clone();
        Ok((Handle::WebAcl(acl), what))
    }

    /// Its rules, rewritten together.
    async fn update(&self, u: InPlace<'_>) -> StepResult<()> {
        let InPlace(cx, r, changed, o) = u;
        let Handle::WebAcl(acl) = &o.handle else {
            return Err(not_a(r));
        };
        let in_place = [MANAGED_RULE_GROUPS.name, RATE_LIMIT.name];
        if let Some(other) = changed.iter().find(|f| !in_place.contains(f)) {
            return Err(cannot_change(r, other));
        }
        let waf = &cx.target(&r.region)?.clients.waf;
        let rules = rules(&r.spec);
        Ok(retry::change(|| waf.update_web_acl(acl, &rules)).await?)
    }

    async fn delete(&self, cx: &Applier<'_>, o: &ObservedResource) -> StepResult<()> {
        let Handle::WebAcl(acl) = &o.handle else {
            return Err(StepError::precondition("not a web ACL"));
        };
        let waf = &cx.target(&o.region)?.clients.waf;
        Ok(retry::delete(|| waf.delete_web_acl(acl)).await?)
    }
}
