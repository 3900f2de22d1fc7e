//! A VPC flow log, delivered to a CloudWatch Logs group.

use super::*;

pub const VPC: Field = Field::force_new("vpc");
pub const LOG_GROUP: Field = Field::force_new("logGroup");
pub const TRAFFIC_TYPE: Field = Field::force_new("trafficType");

pub const DEF: KindDef = KindDef {
    kind: Kind::FlowLog,
    scope: Scope::Regional,
    tagging: Tagging::Kept(TagService::Ec2),
    after_region: false,
    fields: &[VPC, LOG_GROUP, TRAFFIC_TYPE],
    desired,
    index: None,
    discovery: Discovery::InRegion(observe),
    ops: &FlowLog,
};

fn observe(m: &mut Mapper<'_>, snap: &Snapshot) {
    for l in &snap.network.flow_logs {
        let Some(id) = tag_id(&l.tags) else { continue };
        let vpc = m.name(&l.resource_id);
        let group = l
            .log_group
            .as_deref()
            .map(|g| m.name(g))
            .unwrap_or_default();
        let f = fields([
            (VPC, vpc.clone()),
            (LOG_GROUP, group.clone()),
            (TRAFFIC_TYPE, l.traffic_type.clone()),
        ]);
        let (handle, tags) = (Handle::Id(l.id.clone()), Some(l.tags.clone()));
        m.put(id, Kind::FlowLog, handle, f, tags, vec![vpc, group]);
    }
}

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

struct FlowLog;

#[async_trait]
impl Ops for FlowLog {
    async fn create(&self, cx: &Applier<'_>, r: &Resource) -> StepResult<(Handle, String)> {
        let ResourceSpec::FlowLog {
            vpc,
            log_group,
            role,
            traffic_type,
        } = &r.spec
        else {
            return Err(not_a(r));
        };
        let net = &cx.target(&r.region)?.clients.network;
        let (vpc, group, role) = (cx.aws(vpc)?, cx.aws(log_group)?, cx.role_arn(role)?);
        // A role made a moment ago is not yet assumable by the flow logs service: the change
        // policy waits out that lag.
        let id = cx
            .create_id(r, || {
                net.create_flow_log(&vpc, &group, &role, traffic_type, &r.tags)
            })
            .await?;
        Ok((Handle::Id(id.clone()), format!("{id} on {vpc} to {group}")))
    }

    async fn delete(&self, cx: &Applier<'_>, o: &ObservedResource) -> StepResult<()> {
        let net = &cx.target(&o.region)?.clients.network;
        Ok(retry::delete(|| net.delete_flow_log(o.handle.aws_id())).await?)
    }
}
