//! The fake world's KMS keys by ARN; a key scheduled for deletion stays, pending, as in KMS.

use async_trait::async_trait;

use super::*;
use crate::providers::*;

const KMS: &str = "KMS";

#[derive(Debug, Clone)]
pub(crate) struct Key {
    pub description: String,
    pub enabled: bool,
    pub rotation: bool,
    pub policy: String,
    pub pending_deletion: bool,
    pub tags: Tags,
}

fn key<'r>(r: &'r mut Region, op: Op, arn: &str) -> Result<&'r mut Key> {
    match r.keys.get_mut(arn) {
        Some(k) if !k.pending_deletion => Ok(k),
        Some(_) => Err(op.invalid_state(format!("{arn} is pending deletion"))),
        None => Err(op.not_found(arn)),
    }
}

#[async_trait]
impl Keys for FakeRegion {
    async fn snapshot(&self, stack: &str) -> Result<Vec<KeyInfo>> {
        let op = self.call(KMS, "ListKeys").await?;
        self.in_region(op, |r, _| {
            let ours = r
                .keys
                .iter()
                .filter(|(_, k)| !k.pending_deletion && owned(&k.tags, stack));
            Ok(ours
                .map(|(arn, k)| KeyInfo {
                    arn: arn.clone(),
                    description: k.description.clone(),
                    enabled: k.enabled,
                    rotation: k.rotation,
                    users: key_users(&k.policy, arn),
                    tags: k.tags.clone(),
                })
                .collect())
        })
    }

    async fn create_key(
        &self,
        description: &str,
        policy: Option<&str>,
        tags: &Tags,
    ) -> Result<String> {
        let op = self.call(KMS, "CreateKey").await?;
        self.with(op, |s, _| {
            let arn = self.arn(s, "kms", "key");
            let key = Key {
                description: description.to_string(),
                enabled: true,
                rotation: false,
                // KMS's default policy names no user of the key.
                policy: policy.unwrap_or("{}").to_string(),
                pending_deletion: false,
                tags: tags.clone(),
            };
            self.here(s).keys.insert(arn.clone(), key);
            Ok(arn)
        })
    }

    async fn enable_rotation(&self, arn: &str) -> Result<()> {
        let op = self.call(KMS, "EnableKeyRotation").await?;
        self.in_region(op, |r, _| {
            key(r, op, arn)?.rotation = true;
            Ok(())
        })
    }

    async fn enable_key(&self, arn: &str) -> Result<()> {
        let op = self.call(KMS, "EnableKey").await?;
        self.in_region(op, |r, _| {
            key(r, op, arn)?.enabled = true;
            Ok(())
        })
    }

    async fn put_policy(&self, arn: &str, policy: &str) -> Result<()> {
        let op = self.call(KMS, "PutKeyPolicy").await?;
        self.in_region(op, |r, _| {
            key(r, op, arn)?.policy = policy.to_string();
            Ok(())
        })
    }

    async fn set_description(&self, arn: &str, description: &str) -> Result<()> {
        let op = self.call(KMS, "UpdateKeyDescription").await?;
        self.in_region(op, |r, _| {
            key(r, op, arn)?.description = description.to_string();
            Ok(())
        })
    }

    async fn schedule_deletion(&self, arn: &str) -> Result<()> {
        let op = self.call(KMS, "ScheduleKeyDeletion").await?;
        self.in_region(op, |r, _| {
            let k = r.keys.get_mut(arn).ok_or_else(|| op.not_found(arn))?;
            k.pending_deletion = true;
            Ok(())
        })
    }

    async fn set_tags(&self, arn: &str, add: &Tags, remove: &[String]) -> Result<()> {
        let op = self.call(KMS, "TagResource").await?;
        self.in_region(op, |r, _| {
            retag(&mut key(r, op, arn)?.tags, add, remove);
            Ok(())
        })
    }
}

impl FakeWorld {
    /// The region's keys pending deletion, by ARN.
    pub fn keys_pending_deletion(&self, region: &str) -> Vec<String> {
        let s = self.inner.lock();
        let keys = s.regions.get(region).map(|r| &r.keys);
        keys.into_iter()
            .flatten()
            .filter(|(_, k)| k.pending_deletion)
            .map(|(arn, _)| arn.clone())
            .collect()
    }

    /// Turns a key's rotation off, as someone in the console might.
    pub fn stop_key_rotation(&self, region: &str, arn: &str) {
        let mut s = self.inner.lock();
        if let Some(k) = s.regions.get_mut(region).and_then(|r| r.keys.get_mut(arn)) {
            k.rotation = false;
        }
    }

    /// A key's policy as it is now, and a change someone makes to it.
    pub fn edit_key_policy(&self, region: &str, arn: &str, edit: impl FnOnce(&str) -> String) {
        let mut s = self.inner.lock();
        if let Some(k) = s.regions.get_mut(region).and_then(|r| r.keys.get_mut(arn)) {
            k.policy = edit(&k.policy);
        }
    }
}
