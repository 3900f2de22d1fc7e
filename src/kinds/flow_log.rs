//! A VPC flow log, delivered to a CloudWatch Logs group.

use super::*;

pub const VPC: Field = Field::force_new("vpc");
pub const LOG_GROUP: Field = Field::force_new("logGroup");
pub const TRAFFIC_TYPE: Field = Field::force_new("trafficType");

pub const DEF: KindDef = KindDef {
    kind: Kind::FlowLog,
    scope: Scope::Regional,
    tagging: Tagging::Kept(TagService::Ec2),
    fields: &[VPC, LOG_GROUP, TRAFFIC_TYPE],
    desired,
};

fn desired(r: &Resource, _: &DesiredContext<'_>) -> Fields {
    let ResourceSpec::FlowLog {
        vpc,
        log_group,
        traffic_type,
        ..
    } = &r.spec
    else {
        return Fields::new();
    };
    fields([
        (VPC, vpc.clone()),
        (LOG_GROUP, log_group.clone()),
        (TRAFFIC_TYPE, traffic_type.clone()),
    ])
}
