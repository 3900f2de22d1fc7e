//! Customer-managed KMS keys on `aws-sdk-kms`.

use async_trait::async_trait;
use aws_sdk_kms::types::{KeyManagerType, KeyState, Tag};

use super::{done, every, retag, sent};
use crate::providers::*;

/// KMS keeps one policy per key, under this name.
const POLICY_NAME: &str = "default";

pub struct KmsKeys {
    client: aws_sdk_kms::Client,
}

impl KmsKeys {
    pub fn new(client: aws_sdk_kms::Client) -> Self {
        KmsKeys { client }
    }

    /// A key's tags, or `None` for one this caller may not read (an AWS-managed key, another
    /// team's key whose policy admits only them): such a key is not the stack's, whose keys
    /// the account administers.
    async fn tags(&self, key: &str) -> Result<Option<Tags>> {
        match sent(self.client.list_resource_tags().key_id(key).send()).await {
            Ok(out) => Ok(Some(
                out.tags()
                    .iter()
                    .map(|t| (t.tag_key().to_string(), t.tag_value().to_string()))
                    .collect(),
            )),
            Err(e) if e.kind == ErrorKind::AccessDenied => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// One of the stack's keys, or `None` when it is pending deletion or AWS-managed.
    async fn key(&self, key: &str, tags: Tags) -> Result<Option<KeyInfo>> {
        let c = &self.client;
        let (described, rotation, policy) = futures::try_join!(
            sent(c.describe_key().key_id(key).send()),
            sent(c.get_key_rotation_status().key_id(key).send()),
            sent(
                c.get_key_policy()
                    .key_id(key)
                    .policy_name(POLICY_NAME)
                    .send()
            ),
        )?;
        let Some(m) = described.key_metadata() else {
            return Ok(None);
        };
        let gone = matches!(
            m.key_state(),
            Some(KeyState::PendingDeletion | KeyState::PendingReplicaDeletion)
        );
        if gone || m.key_manager() == Some(&KeyManagerType::Aws) {
            return Ok(None);
        }
        Ok(Some(KeyInfo {
            arn: m.arn().unwrap_or(key).to_string(),
            description: m.description().unwrap_or_default().to_string(),
            enabled: m.enabled(),
            rotation: rotation.key_rotation_enabled(),
            users: key_users(policy.policy().unwrap_or_default(), m.arn().unwrap_or(key)),
            tags,
        }))
    }
}

/// A key ARN's key id, which KMS takes wherever it takes the ARN (in the caller's account and
/// region). EnableKey and ScheduleKeyDeletion are sent it: moto fails both (a 500) when
/// given the ARN.
fn key_id(arn: &str) -> &str {
    arn.split_once(":key/").map_or(arn, |(_, id)| id)
}

fn kms_tags(tags: &Tags) -> Result<Vec<Tag>> {
    tags.iter()
        .map(|(k, v)| {
            Tag::builder()
                .tag_key(k)
                .tag_value(v)
                .build()
                .map_err(|e| ProviderError::new(ErrorKind::Other, "TagResource", e.to_string()))
        })
        .collect()
}

/// KMS refuses a policy naming a role IAM made a moment ago ("invalid principals") until the
/// role has spread: the same as the role not being there yet.
fn principal_lag(mut e: ProviderError) -> ProviderError {
    if e.message.contains("MalformedPolicyDocument") && e.message.contains("principal") {
        e.kind = ErrorKind::NotFound;
    }
    e
}

#[async_trait]
impl Keys for KmsKeys {
    async fn snapshot(&self, stack: &str) -> Result<Vec<KeyInfo>> {
        let listed: Vec<aws_sdk_kms::types::KeyListEntry> = every!(self.client.list_keys()).await?;
        let ours = futures::future::try_join_all(listed.iter().filter_map(|k| k.key_arn()).map(
            |arn| async move {
                let Some(tags) = self.tags(arn).await? else {
                    return Ok(None);
                };
                if tags.get(crate::model::TAG_STACK).map(String::as_str) != Some(stack) {
                    return Ok(None);
                }
                self.key(arn, tags).await
            },
        ))
        .await?;
        Ok(ours.into_iter().flatten().collect())
    }

    async fn create_key(
        &self,
        description: &str,
        policy: Option<&str>,
        tags: &Tags,
    ) -> Result<String> {
        let out = sent(
            self.client
                .create_key()
                .description(description)
                .set_policy(policy.map(str::to_string))
                .set_tags(Some(kms_tags(tags)?))
                .send(),
        )
        .await
        .map_err(principal_lag)?;
        out.key_metadata()
            .and_then(|m| m.arn())
            .map(str::to_string)
            .ok_or_else(|| {
                ProviderError::new(ErrorKind::Other, "CreateKey", "no key in the answer")
            })
    }

    async fn enable_rotation(&self, key: &str) -> Result<()> {
        done(self.client.enable_key_rotation().key_id(key).send()).await
    }

    async fn enable_key(&self, key: &str) -> Result<()> {
        done(self.client.enable_key().key_id(key_id(key)).send()).await
    }

    async fn put_policy(&self, key: &str, policy: &str) -> Result<()> {
        let put = self.client.put_key_policy().key_id(key);
        done(put.policy_name(POLICY_NAME).policy(policy).send())
            .await
            .map_err(principal_lag)
    }

    async fn set_description(&self, key: &str, description: &str) -> Result<()> {
        let update = self.client.update_key_description().key_id(key);
        done(update.description(description).send()).await
    }

    async fn schedule_deletion(&self, key: &str) -> Result<()> {
        let call = self.client.schedule_key_deletion().key_id(key_id(key));
        match done(call.pending_window_in_days(DELETION_WINDOW_DAYS).send()).await {
            // Already pending deletion: what was asked for.
            Err(e)
                if e.message.contains("pending deletion")
                    || e.message.contains("PendingDeletion") =>
            {
                Ok(())
            }
            other => other,
        }
    }

    async fn set_tags(&self, key: &str, add: &Tags, remove: &[String]) -> Result<()> {
        let untag = self.client.untag_resource().key_id(key);
        let untag = done(untag.set_tag_keys(Some(remove.to_vec())).send());
        let tag = async {
            let request = self.client.tag_resource().key_id(key);
            done(request.set_tags(Some(kms_tags(add)?)).send()).await
        };
        retag(remove, untag, add, tag).await
    }
}
