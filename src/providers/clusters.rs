//! Traits and domain types for what runs the workloads: IAM roles (global), EKS clusters, node
//! groups and access entries.

use std::time::Duration;

use async_trait::async_trait;

use super::{Lifecycle, Result, Tags};

#[derive(Debug, Clone, PartialEq)]
pub struct RoleInfo {
    pub name: String,
    pub arn: String,
    /// The AWS service its trust policy lets assume it (`eks.amazonaws.com`).
    pub trusted_service: String,
    pub managed_policies: Vec<String>,
    /// Names of its inline policies.
    pub inline_policies: Vec<String>,
    pub tags: Tags,
}

/// The IAM path that scopes a stack's roles, so one listing finds them.
pub fn role_path(stack: &str) -> String {
    format!("/multiregion/{stack}/")
}

/// IAM, which is global.
#[async_trait]
pub trait Iam: Send + Sync {
    /// The roles under the stack's path (`/multiregion/<stack>/`) that carry its tag.
    async fn snapshot(&self, stack: &str) -> Result<Vec<RoleInfo>>;
    async fn create_role(
        &self,
        name: &str,
        path: &str,
        trusted_service: &str,
        tags: &Tags,
    ) -> Result<String>;
    async fn attach_policy(&self, role: &str, policy_arn: &str) -> Result<()>;
    async fn detach_policy(&self, role: &str, policy_arn: &str) -> Result<()>;
    /// Creates or replaces an inline policy.
    async fn put_inline_policy(&self, role: &str, name: &str, document: &str) -> Result<()>;
    async fn delete_inline_policy(&self, role: &str, name: &str) -> Result<()>;
    /// Deletes a role; its managed policies must be detached and inline ones deleted first.
    async fn delete_role(&self, role: &str) -> Result<()>;
    async fn set_tags(&self, role: &str, add: &Tags, remove: &[String]) -> Result<()>;
}

#[derive(Debug, Clone, PartialEq)]
pub struct ClusterInfo {
    pub name: String,
    pub arn: String,
    pub version: String,
    pub status: Lifecycle,
    pub role_arn: String,
    pub subnets: Vec<String>,
    pub endpoint_private: bool,
    pub endpoint_public: bool,
    pub public_cidrs: Vec<String>,
    /// Enabled control-plane log types.
    pub log_types: Vec<String>,
    pub authentication_mode: Option<String>,
    pub endpoint: Option<String>,
    /// Base64 PEM of the cluster's certificate authority.
    pub certificate_authority: Option<String>,
    /// The security group EKS made for the cluster.
    pub cluster_security_group: Option<String>,
    /// The KMS key ARN Kubernetes secrets are envelope-encrypted with.
    pub secrets_key: Option<String>,
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NodeGroupInfo {
    pub cluster: String,
    pub name: String,
    pub arn: String,
    pub status: Lifecycle,
    pub role_arn: String,
    pub subnets: Vec<String>,
    pub instance_types: Vec<String>,
    pub min: u32,
    pub desired: u32,
    pub max: u32,
    pub labels: Tags,
    /// Launch template id, if the group was made from one.
    pub launch_template: Option<String>,
    pub autoscaling_groups: Vec<String>,
    pub tags: Tags,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct EksSnapshot {
    pub clusters: Vec<ClusterInfo>,
    pub node_groups: Vec<NodeGroupInfo>,
    /// (cluster, principal ARN) of each access entry of the stack's clusters.
    pub access_entries: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewCluster<'a> {
    pub name: &'a str,
    pub version: &'a str,
    pub role_arn: &'a str,
    pub subnets: &'a [String],
    pub endpoint_private: bool,
    pub endpoint_public: bool,
    pub public_cidrs: &'a [String],
    pub log_types: &'a [String],
    /// The KMS key to envelope-encrypt secrets with.
    pub secrets_key: Option<&'a str>,
    pub tags: &'a Tags,
    /// A repeated call with the same token answers with the first call's cluster.
    pub token: &'a str,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewNodeGroup<'a> {
    pub cluster: &'a str,
    pub name: &'a str,
    pub role_arn: &'a str,
    pub subnets: &'a [String],
    pub launch_template: &'a str,
    pub instance_types: &'a [String],
    pub min: u32,
    pub desired: u32,
    pub max: u32,
    pub labels: &'a Tags,
    pub tags: &'a Tags,
    /// A repeated call with the same token answers with the first call's node group.
    pub token: &'a str,
}

/// What can change on a running cluster, one kind of update at a time (EKS's rule).
#[derive(Debug, Clone, PartialEq)]
pub enum ClusterUpdate {
    Logging {
        enabled: Vec<String>,
        disabled: Vec<String>,
    },
    Endpoint {
        private: bool,
        public: bool,
        public_cidrs: Vec<String>,
    },
    Version(String),
    /// Envelope encryption of secrets with this key, turned on (it cannot be turned off).
    Encryption {
        key_arn: String,
    },
}

/// What can change on a node group in place.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeGroupUpdate {
    pub scaling: Option<(u32, u32, u32)>,
    pub add_labels: Tags,
    pub remove_labels: Vec<String>,
}

/// EKS in one region.
#[async_trait]
pub trait Eks: Send + Sync {
    /// The clusters tagged with the stack, their node groups and, with `access_entries`, their
    /// access entries (the stack can only own those it asks for, so a stack that asks for none
    /// needs no listing). `expected` is the cluster the stack names in this region: its node
    /// groups are listed while it is described, so a read takes three rounds, not four.
    async fn snapshot(
        &self,
        stack: &str,
        expected: &str,
        access_entries: bool,
    ) -> Result<EksSnapshot>;

    async fn create_cluster(&self, cluster: &NewCluster<'_>) -> Result<ClusterInfo>;
    async fn wait_cluster_active(&self, name: &str, max: Duration) -> Result<ClusterInfo>;
    /// Starts an update and waits for it to finish.
    async fn update_cluster(&self, name: &str, update: &ClusterUpdate, max: Duration)
    -> Result<()>;
    async fn delete_cluster(&self, name: &str) -> Result<()>;
    async fn wait_cluster_deleted(&self, name: &str, max: Duration) -> Result<()>;

    async fn create_node_group(&self, group: &NewNodeGroup<'_>) -> Result<()>;
    async fn wait_node_group_active(
        &self,
        cluster: &str,
        name: &str,
        max: Duration,
    ) -> Result<NodeGroupInfo>;
    async fn update_node_group(
        &self,
        cluster: &str,
        name: &str,
        update: &NodeGroupUpdate,
        max: Duration,
    ) -> Result<()>;
    async fn delete_node_group(&self, cluster: &str, name: &str) -> Result<()>;
    async fn wait_node_group_deleted(&self, cluster: &str, name: &str, max: Duration)
    -> Result<()>;

    /// An access entry with the cluster-admin policy for the whole cluster; one that exists
    /// already gets the policy (so a repeated call is safe).
    async fn create_access_entry(
        &self,
        cluster: &str,
        principal: &str,
        policy_arn: &str,
        tags: &Tags,
    ) -> Result<()>;
    async fn delete_access_entry(&self, cluster: &str, principal: &str) -> Result<()>;

    async fn set_tags(&self, arn: &str, add: &Tags, remove: &[String]) -> Result<()>;
}
