//! KMS keys the stack makes: per region, the key EKS envelope-encrypts Kubernetes secrets
//! with. A key is never deleted at once: `down` schedules its deletion with KMS's shortest
//! window, and a key pending deletion is gone for the stack.

use async_trait::async_trait;

use super::{ErrorKind, ProviderError, Result, Tags};

/// KMS's shortest wait before a scheduled deletion happens, in days.
pub const DELETION_WINDOW_DAYS: i32 = 7;

/// The key policy statement that lets the cluster role use the key.
const USE_SID: &str = "ClusterUsesKeyForSecrets";
/// What EKS's cluster role needs of the key to encrypt and decrypt secrets.
const USE_ACTIONS: &[&str] = &[
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:DescribeKey",
    "kms:ListGrants",
];

#[derive(Debug, Clone, PartialEq)]
pub struct KeyInfo {
    pub arn: String,
    pub description: String,
    pub enabled: bool,
    /// Yearly automatic rotation of the key material.
    pub rotation: bool,
    /// The principals the key policy lets use the key for secrets, sorted.
    pub users: Vec<String>,
    pub tags: Tags,
}

/// Customer-managed KMS keys in one region.
#[async_trait]
pub trait Keys: Send + Sync {
    /// The keys tagged with the stack that are not pending deletion.
    async fn snapshot(&self, stack: &str) -> Result<Vec<KeyInfo>>;
    /// Makes a symmetric encryption key with this policy and tags; answers its ARN.
    async fn create_key(&self, description: &str, policy: &str, tags: &Tags) -> Result<String>;
    async fn enable_rotation(&self, key: &str) -> Result<()>;
    async fn enable_key(&self, key: &str) -> Result<()>;
    async fn put_policy(&self, key: &str, policy: &str) -> Result<()>;
    async fn set_description(&self, key: &str, description: &str) -> Result<()>;
    /// Schedules the key's deletion after [`DELETION_WINDOW_DAYS`]; one already pending or
    /// not there is done.
    async fn schedule_deletion(&self, key: &str) -> Result<()>;
    async fn set_tags(&self, key: &str, add: &Tags, remove: &[String]) -> Result<()>;
}

/// The policy of a secrets key: the key's account administers it (without that statement no
/// one could ever change the policy again), and `user` (the cluster role) may use it.
pub fn secrets_key_policy(user: &str) -> Result<String> {
    let root = account_root(user).ok_or_else(|| {
        ProviderError::new(
            ErrorKind::Other,
            "CreateKey",
            format!("{user:?} is not an IAM role ARN; no key policy can name its account"),
        )
    })?;
    let policy = serde_json::json!({
        "Version": "2012-10-17",
        "Id": "multiregion-eks-secrets",
        "Statement": [
            {
                "Sid": "AccountAdministersKey",
                "Effect": "Allow",
                "Principal": { "AWS": root },
                "Action": "kms:*",
                "Resource": "*"
            },
            {
                "Sid": USE_SID,
                "Effect": "Allow",
                "Principal": { "AWS": user },
                "Action": USE_ACTIONS,
                "Resource": "*"
            }
        ]
    });
    Ok(policy.to_string())
}

/// `arn:aws:iam::123456789012:role/x` -> `arn:aws:iam::123456789012:root`.
fn account_root(role_arn: &str) -> Option<String> {
    let mut parts = role_arn.splitn(6, ':');
    let (arn, partition, service, _, account) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    let ok = arn == "arn" && service == "iam" && account.len() == 12;
    ok.then(|| format!("arn:{partition}:iam::{account}:root"))
}

/// The principals a key policy's secrets-use statement names, sorted; none when the policy
/// is not JSON or has no such statement (someone rewrote it).
pub fn key_users(policy: &str) -> Vec<String> {
    let Ok(doc) = serde_json::from_str::<serde_json::Value>(policy) else {
        return Vec::new();
    };
    let statements = doc["Statement"].as_array().cloned().unwrap_or_default();
    let mut users: Vec<String> = statements
        .iter()
        .filter(|s| s["Sid"] == USE_SID && s["Effect"] == "Allow")
        .flat_map(|s| match &s["Principal"]["AWS"] {
            serde_json::Value::String(p) => vec![p.clone()],
            serde_json::Value::Array(ps) => ps
                .iter()
                .filter_map(|p| p.as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        })
        .collect();
    users.sort();
    users.dedup();
    users
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROLE: &str = "arn:aws:iam::123456789012:role/multiregion/demo/demo-cluster";

    #[test]
    fn the_policy_lets_the_account_administer_and_the_role_use_the_key() {
        let policy = secrets_key_policy(ROLE).unwrap();
        let doc: serde_json::Value = serde_json::from_str(&policy).unwrap();
        assert_eq!(
            doc["Statement"][0]["Principal"]["AWS"],
            "arn:aws:iam::123456789012:root"
        );
        assert_eq!(doc["Statement"][1]["Action"][1], "kms:Decrypt");
        assert_eq!(key_users(&policy), vec![ROLE.to_string()]);
    }

    #[test]
    fn a_policy_without_the_use_statement_has_no_users() {
        let other = r#"{"Statement":[{"Sid":"Other","Effect":"Allow","Principal":{"AWS":["x"]}}]}"#;
        assert!(key_users(other).is_empty());
        assert!(key_users("not json").is_empty());
        let listed = other.replace("Other", USE_SID);
        assert_eq!(key_users(&listed), vec!["x".to_string()]);
    }

    #[test]
    fn a_principal_that_is_no_role_arn_is_refused() {
        let e = secrets_key_policy("c1/iam/cluster-role").unwrap_err();
        assert!(e.message.contains("not an IAM role ARN"), "{e}");
        assert!(secrets_key_policy("arn:aws:iam::12:role/x").is_err());
    }
}
