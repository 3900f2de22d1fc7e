//! CloudWatch Logs on `aws-sdk-cloudwatchlogs`: the groups VPC flow logs deliver to.

use async_trait::async_trait;
use aws_sdk_cloudwatchlogs::Client;

use super::{done, every, tag_map};
use crate::providers::*;

pub struct CloudWatchLogs {
    client: Client,
}

impl CloudWatchLogs {
    pub fn new(client: Client) -> Self {
        CloudWatchLogs { client }
    }
}

#[async_trait]
impl Logs for CloudWatchLogs {
    async fn snapshot(&self, stack: &str) -> Result<Vec<LogGroupInfo>> {
        let groups: Vec<_> = every!(
            self.client
                .describe_log_groups()
                .log_group_name_prefix(log_group_prefix(stack))
        )
        .await?;
        Ok(groups
            .into_iter()
            .map(|g| LogGroupInfo {
                name: g.log_group_name().unwrap_or_default().to_string(),
                retention_days: g.retention_in_days().and_then(|d| u32::try_from(d).ok()),
            })
            .collect())
    }

    async fn create_log_group(&self, name: &str, tags: &Tags) -> Result<()> {
        done(
            self.client
                .create_log_group()
                .log_group_name(name)
                .set_tags(Some(tag_map(tags)))
                .send(),
        )
        .await
    }

    async fn set_retention(&self, name: &str, retention_days: u32) -> Result<()> {
        done(
            self.client
                .put_retention_policy()
                .log_group_name(name)
                .retention_in_days(i32::try_from(retention_days).unwrap_or(i32::MAX))
                .send(),
        )
        .await
    }

    async fn delete_log_group(&self, name: &str) -> Result<()> {
        done(self.client.delete_log_group().log_group_name(name).send()).await
    }
}
