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
    fake.with(op, |s, lag| {
        let id = fake.new_id(s, "lt");
        let life = fake.life(Duration::ZERO);
        let r = fake.here(s);
        if r.templates.values().any(|t| t.name == name) {
            return Err(op.exists(format!("{name} exists")));
        }
        for g in groups {
            if !r.groups.get(g).is_some_and(|x| visible(&x.life, lag)) {
                return Err(op.not_found(g));
            }
        }
        r.templates.insert(
            id.clone(),
            Template {
                name: name.into(),
                groups: groups.to_vec(),
                imdsv2_required,
                hop_limit,
                tags: tags.clone(),
                life,
            },
        );
        Ok(id)
    })
}

pub(super) async fn delete_launch_template(fake: &FakeRegion, id: &str) -> Result<()> {
    let op = fake.call(EC2, "DeleteLaunchTemplate").await?;
    fake.with(op, |s, _| {
        fake.here(s)
            .templates
            .remove(id)
            .map(|_| ())
            .ok_or_else(|| op.not_found(id))
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
    fake.with(op, |s, lag| {
        if !role_known {
            return Err(op.not_found(role_arn));
        }
        let id = fake.new_id(s, "fl");
        let life = fake.life(Duration::ZERO);
        let r = fake.here(s);
        if !r.vpcs.get(vpc).is_some_and(|v| visible(&v.life, lag)) {
            return Err(op.not_found(vpc));
        }
        if !r.log_groups.contains_key(log_group) {
            return Err(op.not_found(log_group));
        }
        r.flow_logs.insert(
            id.clone(),
            FlowLog {
                vpc: vpc.into(),
                log_group: log_group.into(),
                traffic_type: traffic_type.into(),
                tags: tags.clone(),
                life,
            },
        );
        Ok(id)
    })
}

pub(super) async fn delete_flow_log(fake: &FakeRegion, id: &str) -> Result<()> {
    let op = fake.call(EC2, "DeleteFlowLogs").await?;
    fake.with(op, |s, _| {
        fake.here(s)
            .flow_logs
            .remove(id)
            .map(|_| ())
            .ok_or_else(|| op.not_found(id))
    })
}
