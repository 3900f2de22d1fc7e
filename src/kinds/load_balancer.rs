//! An application or network load balancer.

use super::*;

pub const TYPE: Field = Field::force_new("type");
pub const SCHEME: Field = Field::force_new("scheme");
pub const SUBNETS: Field = Field::updatable("subnets");
pub const SECURITY_GROUPS: Field = Field::updatable("securityGroups");

pub const DEF: KindDef = KindDef {
    kind: Kind::LoadBalancer,
    scope: Scope::Regional,
    tagging: Tagging::Kept(TagService::Elbv2),
    fields: &[TYPE, SCHEME, SUBNETS, SECURITY_GROUPS],
    desired,
};

fn desired(r: &Resource, _: &DesiredContext<'_>) -> Fields {
    let ResourceSpec::LoadBalancer {
        lb_type,
        scheme,
        subnets,
        security_groups,
        ..
    } = &r.spec
    else {
        return Fields::new();
    };
    fields([
        (TYPE, lb_type.clone()),
        (SCHEME, scheme.clone()),
        (SUBNETS, list(subnets)),
        (SECURITY_GROUPS, list(security_groups)),
    ])
}
