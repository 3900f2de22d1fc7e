//! A target group of instances.

use super::*;

pub const PROTOCOL: Field = Field::force_new("protocol");
pub const PORT: Field = Field::force_new("port");
pub const VPC: Field = Field::force_new("vpc");
pub const TARGET_TYPE: Field = Field::force_new("targetType");
/// Only for HTTP target groups.
pub const HEALTH_CHECK_PATH: Field = Field::updatable("healthCheckPath");

pub const DEF: KindDef = KindDef {
    kind: Kind::TargetGroup,
    scope: Scope::Regional,
    tagging: Tagging::Kept(TagService::Elbv2),
    fields: &[PROTOCOL, PORT, VPC, TARGET_TYPE, HEALTH_CHECK_PATH],
    desired,
};

fn desired(r: &Resource, _: &DesiredContext<'_>) -> Fields {
    let ResourceSpec::TargetGroup {
        protocol,
        port,
        vpc,
        target_type,
        health_check_path,
        ..
    } = &r.spec
    else {
        return Fields::new();
    };
    let mut f = fields([
        (PROTOCOL, protocol.clone()),
        (PORT, port.to_string()),
        (VPC, vpc.clone()),
        (TARGET_TYPE, target_type.clone()),
    ]);
    if let Some(path) = health_check_path {
        f.insert(HEALTH_CHECK_PATH.name, path.clone());
    }
    f
}
