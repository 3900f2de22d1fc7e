//! EC2 Auto Scaling on `aws-sdk-autoscaling`: the groups behind EKS managed node groups, and
//! their target groups.

use async_trait::async_trait;
use aws_sdk_autoscaling::Client;
use aws_sdk_autoscaling::types::Filter;

use super::classify;
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
        let groups: Vec<_> = self
            .client
            .describe_auto_scaling_groups()
            .filters(
                Filter::builder()
                    .name("tag:eks:cluster-name")
                    .values(cluster)
                    .build(),
            )
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(classify)?;
        Ok(groups
            .into_iter()
            .filter_map(|g| {
                let node_group = g
                    .tags()
                    .iter()
                    .find(|t| t.key() == Some("eks:nodegroup-name"))?
                    .value()?
                    .to_string();
                Some(AutoScalingGroupInfo {
                    name: g.auto_scaling_group_name()?.to_string(),
                    node_group,
                    target_groups: g.target_group_arns().to_vec(),
                })
            })
            .collect())
    }

    async fn attach_target_group(&self, asg: &str, target_group_arn: &str) -> Result<()> {
        self.client
            .attach_load_balancer_target_groups()
            .auto_scaling_group_name(asg)
            .target_group_arns(target_group_arn)
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }

    async fn detach_target_group(&self, asg: &str, target_group_arn: &str) -> Result<()> {
        self.client
            .detach_load_balancer_target_groups()
            .auto_scaling_group_name(asg)
            .target_group_arns(target_group_arn)
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }
}
