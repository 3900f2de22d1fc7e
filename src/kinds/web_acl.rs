//! A WAF web ACL: managed rule groups and a rate limit.

use super::*;

pub const MANAGED_RULE_GROUPS: Field = Field::updatable("managedRuleGroups");
pub const RATE_LIMIT: Field = Field::updatable("rateLimit");

pub const DEF: KindDef = KindDef {
    kind: Kind::WebAcl,
    scope: Scope::Regional,
    tagging: Tagging::Kept(TagService::Wafv2),
    fields: &[MANAGED_RULE_GROUPS, RATE_LIMIT],
    desired,
};

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
