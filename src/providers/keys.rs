//! KMS keys the stack makes: per region, the key EKS envelope-encrypts Kubernetes secrets
//! with, and the key the alert topic's messages are encrypted with at rest. A key is never deleted at once: `down` schedules its deletion with KMS's shortest
//! window, and a key pending deletion is gone for the stack.

use async_trait::async_trait;

use super::{ErrorKind, ProviderError, Result, Tags};

/// KMS's shortest wait before a scheduled deletion happens, in days.
pub const DELETION_WINDOW_DAYS: i32 = 7;

/// The key policy statement that lets the cluster role use the key.
const USE_SID: &str = "ClusterUsesKeyForSecrets";
/// The key policy statement that lets CloudWatch alarms publish to a topic encrypted with it.
const ALERTS_SID: &str = "CloudWatchAlarmsUseKeyForAlerts";
/// The service whose alarms publish to the alert topic.
pub const ALERTS_USER: &str = "cloudwatch.amazonaws.com";
/// What a publisher to an encrypted topic needs of its key (SNS's documented statement).
const ALERTS_ACTIONS: &[&str] = &["kms:Decrypt", "kms:GenerateDataKey*"];
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
    /// The principals the key policy lets use the key (for secrets or for alerts), sorted.
    pub users: Vec<String>,
    pub tags: Tags,
}

/// Customer-managed KMS keys in one region.
#[async_trait]
pub trait Keys: Send + Sync {
    /// The keys tagged with the stack that are not pending deletion.
    async fn snapshot(&self, stack: &str) -> Result<Vec<KeyInfo>>;
    /// Makes a symmetric encryption key with this policy (KMS's default, the account's
    /// administration only, when `None`) and tags; answers its ARN.
    async fn create_key(
        &self,
        description: &str,
        policy: Option<&str>,
        tags: &Tags,
    ) -> Result<String>;
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

/// The policy of an alert topic's key (`key_arn`, whose account it names): the account
/// administers it, and CloudWatch may use it to publish its alarms' notifications, without
/// which an alarm's action on the encrypted topic fails unseen.
pub fn alerts_key_policy(key_arn: &str) -> Result<String> {
    let arn = crate::stack::arn::parse(key_arn)
        .filter(|a| a.service == "kms")
        .ok_or_else(|| {
            ProviderError::new(
                ErrorKind::Other,
                "PutKeyPolicy",
                format!("{key_arn:?} is not a KMS key ARN; no key policy can name its account"),
            )
        })?;
    let (partition, account) = (arn.partition, arn.account);
    let policy = serde_json::json!({
        "Version": "2012-10-17",
        "Id": "multiregion-alerts",
        "Statement": [
            {
                "Sid": "AccountAdministersKey",
                "Effect": "Allow",
                "Principal": { "AWS": format!("arn:{partition}:iam::{account}:root") },
                "Action": "kms:*",
                "Resource": "*"
            },
            {
                "Sid": ALERTS_SID,
                "Effect": "Allow",
                "Principal": { "Service": ALERTS_USER },
                "Action": ALERTS_ACTIONS,
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

/// What a key's users end with when its policy holds more, or other, than the statements the
/// stack writes for them (an added grant, an action taken away): drift, which `up` answers by
/// writing the policy again.
pub const POLICY_EDITED: &str = "(and statements the stack does not write)";

/// The principals (roles or services) the policy of key `key_arn` lets use it, sorted, then
/// [`POLICY_EDITED`] when the policy is not exactly the stack's for them; none when the policy
/// is not JSON or has no use statement (someone rewrote it).
pub fn key_users(policy: &str, key_arn: &str) -> Vec<String> {
    let Ok(doc) = serde_json::from_str::<serde_json::Value>(policy) else {
        return Vec::new();
    };
    let mut users = use_principals(&doc);
    if !users.is_empty() && !as_written(&doc, &users, key_arn) {
        users.push(POLICY_EDITED.to_string());
    }
    users
}

/// Whether the policy's statements are the ones the stack writes for `users`: compared as
/// sets, a one-item list the same as its item, as IAM reads them.
fn as_written(doc: &serde_json::Value, users: &[String], key_arn: &str) -> bool {
    let written = match users {
        [user] if user == ALERTS_USER => alerts_key_policy(key_arn),
        [user] => secrets_key_policy(user),
        _ => return false,
    };
    let written = written.ok().and_then(|p| serde_json::from_str(&p).ok());
    written.is_some_and(|w: serde_json::Value| statements(&w) == statements(doc))
}

/// A policy's statements, each in one canonical line, sorted.
fn statements(doc: &serde_json::Value) -> Vec<String> {
    use serde_json::Value;
    let strings = |v: &Value| -> Vec<String> {
        let mut all: Vec<String> = match v {
            Value::String(s) => vec![s.clone()],
            Value::Array(items) => items.iter().map(|i| i.to_string()).collect(),
            Value::Null => Vec::new(),
            other => vec![other.to_string()],
        };
        all.iter_mut()
            .for_each(|s| *s = s.trim_matches('"').to_string());
        all.sort();
        all
    };
    let principals = |v: &Value| -> Vec<String> {
        let mut all: Vec<String> = match v {
            Value::Object(by_kind) => by_kind
                .iter()
                .flat_map(|(kind, p)| strings(p).into_iter().map(move |p| format!("{kind}={p}")))
                .collect(),
            other => strings(other),
        };
        all.sort();
        all
    };
    let listed = doc["Statement"].as_array().cloned().unwrap_or_default();
    let mut all: Vec<String> = listed
        .iter()
        .map(|s| {
            format!(
                "{} {} principal={:?} notPrincipal={:?} action={:?} notAction={:?} resource={:?} condition={}",
                s["Sid"],
                s["Effect"],
                principals(&s["Principal"]),
                principals(&s["NotPrincipal"]),
                strings(&s["Action"]),
                strings(&s["NotAction"]),
                strings(&s["Resource"]),
                s["Condition"]
            )
        })
        .collect();
    all.sort();
    all
}

/// The principals the policy's use statements name, sorted.
fn use_principals(doc: &serde_json::Value) -> Vec<String> {
    let statements = doc["Statement"].as_array().cloned().unwrap_or_default();
    let mut users: Vec<String> = statements
        .iter()
        .filter(|s| (s["Sid"] == USE_SID || s["Sid"] == ALERTS_SID) && s["Effect"] == "Allow")
        .flat_map(|s| ["AWS", "Service"].map(|k| s["Principal"][k].clone()))
        .flat_map(|p| match p {
            serde_json::Value::String(p) => vec![p],
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
    const KEY: &str = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    #[test]
    fn the_policy_lets_the_account_administer_and_the_role_use_the_key() {
        let policy = secrets_key_policy(ROLE).unwrap();
        let doc: serde_json::Value = serde_json::from_str(&policy).unwrap();
        assert_eq!(
            doc["Statement"][0]["Principal"]["AWS"],
            "arn:aws:iam::123456789012:root"
        );
        assert_eq!(doc["Statement"][1]["Action"][1], "kms:Decrypt");
        assert_eq!(key_users(&policy, KEY), vec![ROLE.to_string()]);
    }

    #[test]
    fn a_policy_without_the_use_statement_has_no_users() {
        let other = r#"{"Statement":[{"Sid":"Other","Effect":"Allow","Principal":{"AWS":["x"]}}]}"#;
        assert!(key_users(other, KEY).is_empty());
        assert!(key_users("not json", KEY).is_empty());
        let listed = other.replace("Other", USE_SID);
        assert_eq!(key_users(&listed, KEY), ["x", POLICY_EDITED]);
    }

    #[test]
    fn the_alerts_policy_lets_cloudwatch_of_the_keys_account_use_the_key() {
        let key = KEY;
        let policy = alerts_key_policy(key).unwrap();
        let doc: serde_json::Value = serde_json::from_str(&policy).unwrap();
        assert_eq!(
            doc["Statement"][0]["Principal"]["AWS"],
            "arn:aws:iam::123456789012:root"
        );
        assert_eq!(doc["Statement"][1]["Action"][1], "kms:GenerateDataKey*");
        assert_eq!(key_users(&policy, key), vec![ALERTS_USER.to_string()]);
        let e = alerts_key_policy("key/1234").unwrap_err();
        assert!(e.message.contains("not a KMS key ARN"), "{e}");
    }

    #[test]
    fn a_policy_is_as_written_however_laid_out_and_edited_when_it_grants_other_than_that() {
        let policy = secrets_key_policy(ROLE).unwrap();
        let mut doc: serde_json::Value = serde_json::from_str(&policy).unwrap();
        // As KMS may give it back: statements in another order, a lone action in a list.
        let statements = doc["Statement"].as_array_mut().unwrap();
        statements.reverse();
        statements[1]["Action"] = serde_json::json!(["kms:*"]);
        let laid_out = serde_json::to_string_pretty(&doc).unwrap();
        assert_eq!(key_users(&laid_out, KEY), [ROLE]);

        let edits: [(&str, serde_json::Value); 3] = [
            ("an action taken away", serde_json::json!(["kms:Decrypt"])),
            (
                "an action added",
                serde_json::json!([
                    "kms:Decrypt",
                    "kms:Encrypt",
                    "kms:DescribeKey",
                    "kms:ListGrants",
                    "kms:CreateGrant"
                ]),
            ),
            ("a principal added", serde_json::json!(["kms:*"])),
        ];
        for (what, actions) in edits {
            let mut edited = doc.clone();
            if what == "a principal added" {
                let grant = serde_json::json!({"Sid": "Extra", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": actions, "Resource": "*"});
                edited["Statement"].as_array_mut().unwrap().push(grant);
            } else {
                edited["Statement"][0]["Action"] = actions;
            }
            let users = key_users(&edited.to_string(), KEY);
            assert_eq!(users, [ROLE, POLICY_EDITED], "{what}");
        }
        // The alert key's policy names its own account: another account's root is an edit.
        let alerts = alerts_key_policy(KEY).unwrap();
        assert_eq!(key_users(&alerts, KEY), [ALERTS_USER]);
        let moved = alerts.replace("123456789012:root", "210987654321:root");
        assert_eq!(key_users(&moved, KEY), [ALERTS_USER, POLICY_EDITED]);
    }

    #[test]
    fn a_principal_that_is_no_role_arn_is_refused() {
        let e = secrets_key_policy("c1/iam/cluster-role").unwrap_err();
        assert!(e.message.contains("not an IAM role ARN"), "{e}");
        assert!(secrets_key_policy("arn:aws:iam::12:role/x").is_err());
    }
}
