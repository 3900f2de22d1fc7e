//! The fake world's CloudWatch Logs: groups by name, per region.

use async_trait::async_trait;

use super::*;
use crate::providers::*;

const LOGS: &str = "CloudWatch Logs";

impl FakeRegion {
    fn groups<R>(
        &self,
        f: impl FnOnce(&mut BTreeMap<String, super::LogGroup>) -> Result<R>,
    ) -> Result<R> {
        let mut s = self.world.lock();
        let region = s
            .regions
            .get_mut(&self.region)
            .ok_or_else(|| not_found("CloudWatch Logs", &self.region))?;
        f(&mut region.log_groups)
    }
}

#[async_trait]
impl Logs for FakeRegion {
    async fn snapshot(&self, stack: &str) -> Result<Vec<LogGroupInfo>> {
        self.call(LOGS, "DescribeLogGroups").await?;
        let prefix = log_group_prefix(stack);
        self.groups(|groups| {
            Ok(groups
                .iter()
                .filter(|(name, _)| name.starts_with(&prefix))
                .map(|(name, g)| LogGroupInfo {
                    name: name.clone(),
                    retention_days: Some(g.retention_days),
                })
                .collect())
        })
    }

    async fn create_log_group(&self, name: &str, retention_days: u32, tags: &Tags) -> Result<()> {
        self.call(LOGS, "CreateLogGroup").await?;
        self.groups(|groups| {
            if groups.contains_key(name) {
                return Err(ProviderError::new(
                    ErrorKind::AlreadyExists,
                    "CreateLogGroup",
                    format!("{name} exists"),
                ));
            }
            groups.insert(
                name.into(),
                super::LogGroup {
                    retention_days: 0,
                    tags: tags.clone(),
                },
            );
            Ok(())
        })?;
        self.set_retention(name, retention_days).await
    }

    async fn set_retention(&self, name: &str, retention_days: u32) -> Result<()> {
        self.call(LOGS, "PutRetentionPolicy").await?;
        self.groups(|groups| {
            let g = groups
                .get_mut(name)
                .ok_or_else(|| not_found("PutRetentionPolicy", name))?;
            g.retention_days = retention_days;
            Ok(())
        })
    }

    async fn delete_log_group(&self, name: &str) -> Result<()> {
        self.call(LOGS, "DeleteLogGroup").await?;
        self.groups(|groups| {
            groups
                .remove(name)
                .map(|_| ())
                .ok_or_else(|| not_found("DeleteLogGroup", name))
        })
    }
}
