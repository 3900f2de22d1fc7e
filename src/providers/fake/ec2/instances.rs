//! What nodes run from and report to: launch templates, VPC flow logs, and the instances EKS
//! runs as nodes.

use std::time::Duration;

use tokio::time::Instant;

use super::EC2;
use crate::providers::fake::*;
use crate::providers::*;

pub(super) async fn create_launch_template(
    fake: &FakeRegion,
    name: &str,
    groups: &[String],
    imdsv2_required: bool,
    hop_limit: u8,
    tags: &Tags,
) -> Result<String> {
    let op = fake.call(EC2, "CreateLaunchTemplate").await?;
    fake.create(op, "lt", Duration::ZERO, |r, _, life, lag| {
        if r.templates.values().any(|t| t.name == name) {
            return Err(op.exists(format!("{name} exists")));
        }
        for g in groups {
            op.seen(&r.groups, g, lag)?;
        }
        Ok(Template {
            name: name.into(),
            groups: groups.to_vec(),
            imdsv2_required,
            hop_limit,
            tags: tags.clone(),
            life,
        })
    })
}

pub(super) async fn delete_launch_template(fake: &FakeRegion, id: &str) -> Result<()> {
    let op = fake.call(EC2, "DeleteLaunchTemplate").await?;
    fake.with(op, |s, _| {
        op.remove(&mut fake.here(s).templates, id).map(drop)
    })
}

/// Nodes exist while their node group is ACTIVE: `desired` of them, named after it.
pub(super) async fn node_instances(fake: &FakeRegion, cluster: &str) -> Result<Vec<NodeInstance>> {
    let op = fake.call(EC2, "DescribeInstances").await?;
    fake.with(op, |s, _| {
        let now = Instant::now();
        Ok(fake
            .here(s)
            .node_groups
            .values()
            .filter(|g| g.info.cluster == cluster && g.deleted_at.is_none() && now >= g.life.ready)
            .flat_map(|g| {
                (1..=g.info.desired).map(|k| NodeInstance {
                    id: format!("i-{}-{}-{k}", g.info.cluster, g.info.name),
                    node_group: g.info.name.clone(),
                })
            })
            .collect())
    })
}

pub(super) async fn create_flow_log(
    fake: &FakeRegion,
    vpc: &str,
    log_group: &str,
    role_arn: &str,
    traffic_type: &str,
    tags: &Tags,
) -> Result<String> {
    let op = fake.call(EC2, "CreateFlowLogs").await?;
    let role_known = {
        let s = fake.world.lock();
        s.roles.values().any(|r| r.arn == role_arn)
    };
    if !role_known {
        return Err(op.not_found(role_arn));
    }
    fake.create(op, "fl", Duration::ZERO, |r, _, life, lag| {
        op.seen(&r.vpcs, vpc, lag)?;
        if !r.log_groups.contains_key(log_group) {
            return Err(op.not_found(log_group));
        }
        Ok(FlowLog {
            vpc: vpc.into(),
            log_group: log_group.into(),
            traffic_type: traffic_type.into(),
            tags: tags.clone(),
            life,
        })
    })
}

pub(super) async fn delete_flow_log(fake: &FakeRegion, id: &str) -> Result<()> {
    let op = fake.call(EC2, "DeleteFlowLogs").await?;
    fake.with(op, |s, _| {
        op.remove(&mut fake.here(s).flow_logs, id).map(drop)
    })
}
