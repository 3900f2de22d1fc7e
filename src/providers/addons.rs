//! EKS managed add-ons of the stack's cluster in one region.

use std::collections::BTreeMap;
use std::time::Duration;

use async_trait::async_trait;

use super::{Lifecycle, Result, Tags};

#[derive(Debug, Clone, PartialEq)]
pub struct AddonInfo {
    pub cluster: String,
    pub name: String,
    pub arn: String,
    pub version: String,
    pub status: Lifecycle,
    /// Its configuration values as EKS holds them (JSON), empty for none.
    pub configuration: String,
    pub tags: Tags,
    /// Kubernetes minor version -> the add-on version EKS installs there by default.
    pub defaults: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewAddon<'a> {
    pub cluster: &'a str,
    pub name: &'a str,
    pub version: &'a str,
    pub configuration: &'a str,
    pub tags: &'a Tags,
}

#[async_trait]
pub trait Addons: Send + Sync {
    /// The add-ons of `cluster` (none when it does not exist), each with its default versions.
    async fn snapshot(&self, cluster: &str) -> Result<Vec<AddonInfo>>;
    /// The version EKS installs by default on `kubernetes` (`1.35`).
    async fn default_version(&self, name: &str, kubernetes: &str) -> Result<String>;
    /// Creates the add-on, taking over what the cluster runs of it already (EKS installs
    /// vpc-cni, kube-proxy and CoreDNS itself), and waits for it to be active.
    async fn create_addon(&self, addon: &NewAddon<'_>, max: Duration) -> Result<String>;
    /// Version and configuration, set together; waits for the update to end.
    async fn update_addon(&self, addon: &NewAddon<'_>, max: Duration) -> Result<()>;
    async fn delete_addon(&self, cluster: &str, name: &str, max: Duration) -> Result<()>;
}

/// Canonical JSON of configuration values: keys sorted, no spaces, so that what EKS answers
/// compares equal to what was sent; empty stays empty, and text that is not JSON as it is.
pub fn canonical_configuration(text: &str) -> String {
    if text.trim().is_empty() {
        return String::new();
    }
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(value) => sorted(&value).to_string(),
        Err(_) => text.to_string(),
    }
}

fn sorted(value: &serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let mut out = serde_json::Map::new();
            for k in keys {
                out.insert(k.clone(), sorted(&map[k]));
            }
            serde_json::Value::Object(out)
        }
        serde_json::Value::Array(items) => {
            serde_json::Value::Array(items.iter().map(sorted).collect())
        }
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configurations_compare_by_content() {
        let a = canonical_configuration(r#"{ "b": 1, "a": {"y": true, "x": "s"} }"#);
        let b = canonical_configuration(r#"{"a":{"x":"s","y":true},"b":1}"#);
        assert_eq!(a, b);
        assert_eq!(a, r#"{"a":{"x":"s","y":true},"b":1}"#);
        assert_eq!(canonical_configuration("  "), "");
        assert_eq!(canonical_configuration("a: b"), "a: b");
    }
}
