//! The fake world's CloudWatch Logs: groups by name, per region.

use async_trait::async_trait;

use super::*;
use crate::providers::*;

const LOGS: &str = "CloudWatch Logs";

impl FakeRegion {
    fn groups<R>(
        &self,
        op: Op,
        f: impl FnOnce(&mut BTreeMap<String, super::LogGroup>) -> Result<R>,
    ) -> Result<R> {
        self.in_region(op, |r, _| f(&mut r.log_groups))
    }
}

#[async_trait]
impl Logs for FakeRegion {
    async fn snapshot(&self, stack: &str) -> Result<Vec<LogGroupInfo>> {
        let op = self.call(LOGS, "DescribeLogGroups").await?;
        let prefix = log_group_prefix(stack);
        self.groups(op, |groups| {
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

    async fn create_log_group(&self, name: &str, tags: &Tags) -> Result<()> {
        let op = self.call(LOGS, "CreateLogGroup").await?;
        self.groups(op, |groups| {
            if groups.contains_key(name) {
                return Err(op.exists(format!("{name} exists")));
            }
            groups.insert(
                name.into(),
                super::LogGroup {
                    retention_days: 0,
                    tags: tags.clone(),
                },
            );
            Ok(())
        })
    }

    async fn set_retention(&self, name: &str, retention_days: u32) -> Result<()> {
        let op = self.call(LOGS, "PutRetentionPolicy").await?;
        self.groups(op, |groups| {
            let g = groups.get_mut(name).ok_or_else(|| op.not_found(name))?;
            g.retention_days = retention_days;
            Ok(())
        })
    }

    async fn delete_log_group(&self, name: &str) -> Result<()> {
        let op = self.call(LOGS, "DeleteLogGroup").await?;
        self.groups(op, |groups| {
            groups
                .remove(name)
                .map(|_| ())
                .ok_or_else(|| op.not_found(name))
        })
    }
}
