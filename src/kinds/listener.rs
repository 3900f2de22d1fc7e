//! A load balancer's listener, known by its load balancer and port.

use super::*;

pub const LOAD_BALANCER: Field = Field::force_new("loadBalancer");
pub const TARGET_GROUP: Field = Field::updatable("targetGroup");
pub const PROTOCOL: Field = Field::updatable("protocol");
pub const PORT: Field = Field::updatable("port");

pub const DEF: KindDef = KindDef {
    kind: Kind::Listener,
    scope: Scope::Regional,
    tagging: Tagging::AtCreation(TagService::Elbv2),
    fields: &[LOAD_BALANCER, TARGET_GROUP, PROTOCOL, PORT],
    desired,
};

fn desired(r: &Resource, _: &DesiredContext<'_>) -> Fields {
    let ResourceSpec::Listener {
        load_balancer,
        target_group,
        protocol,
        port,
    } = &r.spec
    else {
        return Fields::new();
    };
    fields([
        (LOAD_BALANCER, load_balancer.clone()),
        (TARGET_GROUP, target_group.clone()),
        (PROTOCOL, protocol.clone()),
        (PORT, port.to_string()),
    ])
}
