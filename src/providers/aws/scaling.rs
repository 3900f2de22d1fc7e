//! EC2 Auto Scaling on `aws-sdk-autoscaling`: the groups behind EKS managed node groups, and
//! their target groups.

use async_trait::async_trait;
use aws_sdk_autoscaling::Client;
use aws_sdk_autoscaling::types::Filter;

use super::{done, every, tag_value};
use crate::providers::*;

pub struct AutoScaling {
    client: Client,
}

impl AutoScaling {
    pub fn new(client: Client) -> Self {
        AutoScaling { client }
    }
}

#[async_trait]
impl Scaling for AutoScaling {
    async fn node_group_asgs(&self, cluster: &str) -> Result<Vec<AutoScalingGroupInfo>> {
        let groups: Vec<_> = every!(
            self.client.describe_auto_scaling_groups().filters(
                Filter::builder()
                    .name("tag:eks:cluster-name")
                    .values(cluster)
                    .build(),
            )
        )
        .await?;
        Ok(groups
            .into_iter()
            .filter_map(|g| {
                Some(AutoScalingGroupInfo {
                    name: g.auto_scaling_group_name()?.to_string(),
                    node_group: tag_value(g.tags(), "eks:nodegroup-name")?.to_string(),
                    target_groups: g.target_group_arns().to_vec(),
                })
            })
            .collect())
    }

    async fn attach_target_group(&self, asg: &str, target_group_arn: &str) -> Result<()> {
        done(
            self.client
                .attach_load_balancer_target_groups()
                .auto_scaling_group_name(asg)
                .target_group_arns(target_group_arn)
                .send(),
        )
        .await
    }

    async fn detach_target_group(&self, asg: &str, target_group_arn: &str) -> Result<()> {
        done(
            self.client
                .detach_load_balancer_target_groups()
                .auto_scaling_group_name(asg)
                .target_group_arns(target_group_arn)
                .send(),
        )
        .await
    }
}
