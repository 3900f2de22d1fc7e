//! The stack format: plain serde types. Their doc comments become the JSON Schema's
//! descriptions, and the schema drives structural validation, so this file is the one
//! definition of what a stack may contain; its bounds come from [`limits`].

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::limits;

mod load_balancer;

pub use load_balancer::*;

/// A multiregion stack: two AWS regions, one EKS cluster each, joined by VPC peering.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(title = "multiregion Stack")]
pub struct Stack {
    /// Format version of this file.
    pub api_version: ApiVersion,
    /// Always `Stack`.
    pub kind: StackKind,
    pub metadata: Metadata,
    pub spec: StackSpec,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum ApiVersion {
    #[serde(rename = "multiregion.dev/v1alpha1")]
    V1Alpha1,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum StackKind {
    Stack,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Metadata {
    /// Stack name: lowercase letters, digits and hyphens, at most 20 characters. Every resource
    /// is tagged `multiregion:stack=<name>`, and AWS names are derived from it.
    #[schemars(length(max = limits::STACK_NAME))]
    pub name: String,
    /// Free text, for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = limits::TEXT))]
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct StackSpec {
    /// Exactly two regions: one with role `frontend`, one with role `backend`.
    #[schemars(length(max = limits::REGIONS))]
    pub regions: Vec<RegionSpec>,
    /// VPC peering between the two regions. Defaults: requested by the frontend, accepted by the
    /// backend, DNS resolution across the peering on.
    #[serde(default)]
    pub peering: PeeringSpec,
    /// WAFv2 web ACLs that load balancers refer to by name.
    #[serde(default)]
    #[schemars(length(max = limits::WAF_ACLS))]
    pub waf_acls: Vec<WafAclSpec>,
    /// Kubernetes workloads applied after the infrastructure.
    #[serde(default)]
    #[schemars(length(max = limits::WORKLOADS))]
    pub workloads: Vec<WorkloadSpec>,
    /// Tags put on every resource, beside `multiregion:stack` and `multiregion:id`.
    #[serde(default)]
    #[schemars(extend("maxProperties" = limits::TAGS, "propertyNames" = {"maxLength": limits::TAG_KEY}, "additionalProperties" = {"type": "string", "maxLength": limits::TAG_VALUE}))]
    pub tags: BTreeMap<String, String>,
    /// Existing IAM roles to use instead of creating them.
    #[serde(default)]
    pub iam: IamSpec,
    /// Settings of `multiregion verify`.
    #[serde(default)]
    pub verify: VerifySpec,
    /// Traffic and log volumes `multiregion cost` assumes.
    #[serde(default)]
    pub usage: super::usage::UsageSpec,
    /// Alarms and where they are delivered (webhooks, e-mail); none without it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alerts: Option<super::alerts::AlertsSpec>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct VerifySpec {
    /// Checks to leave out, each with the reason the report shows.
    #[serde(default)]
    #[schemars(length(max = limits::SKIPS))]
    pub skip: Vec<SkipSpec>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SkipSpec {
    /// A check id, such as `MR-NET-007`.
    #[schemars(length(max = limits::WORD))]
    pub id: String,
    /// Why it is skipped; shown in every report.
    #[schemars(length(max = limits::TEXT))]
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RegionSpec {
    /// Short logical name, used in resource ids and references (for example `c1`).
    #[schemars(length(max = limits::REGION_NAME))]
    pub name: String,
    /// AWS region code, for example `us-east-1`.
    #[schemars(length(max = limits::WORD))]
    pub region: String,
    /// `frontend` hosts the public, WAF-protected entry; `backend` is reachable only from the peer.
    pub role: Role,
    pub network: NetworkSpec,
    pub cluster: ClusterSpec,
    pub load_balancer: LoadBalancerSpec,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Frontend,
    Backend,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Frontend => "frontend",
            Role::Backend => "backend",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NetworkSpec {
    /// The VPC's IPv4 block, /16 to /24. Must not overlap the peer's.
    #[schemars(length(max = limits::WORD))]
    pub cidr: String,
    /// Availability zones to spread subnets over (at least 2, as EKS requires).
    #[serde(default = "default_azs")]
    pub azs: u8,
    /// `single`: one NAT gateway for the region (cheaper); `per-az`: one per AZ (survives an AZ loss).
    #[serde(default)]
    pub nat: NatMode,
    /// Subnet blocks; derived from `cidr` when left out (a /20 each for a /16).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subnets: Option<SubnetsSpec>,
    /// Record VPC flow logs to a CloudWatch Logs group.
    #[serde(default)]
    pub flow_logs: bool,
}

fn default_azs() -> u8 {
    2
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum NatMode {
    #[default]
    Single,
    PerAz,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SubnetsSpec {
    /// One block per AZ, in AZ order; inside the VPC's block.
    #[schemars(length(max = limits::SUBNETS), inner(length(max = limits::WORD)))]
    pub public: Vec<String>,
    /// One block per AZ, in AZ order; inside the VPC's block.
    #[schemars(length(max = limits::SUBNETS), inner(length(max = limits::WORD)))]
    pub private: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ClusterSpec {
    /// EKS cluster name.
    #[schemars(length(max = limits::CLUSTER_NAME))]
    pub name: String,
    /// Kubernetes minor version, quoted: `"1.35"`.
    #[serde(default = "default_k8s_version")]
    #[schemars(length(max = limits::WORD))]
    pub version: String,
    #[serde(default)]
    pub endpoint: EndpointSpec,
    /// Envelope encryption of Kubernetes secrets with KMS: on by default, with a key per
    /// region the stack makes.
    #[serde(default)]
    pub secrets_encryption: SecretsEncryptionSpec,
    /// EKS managed add-ons by name, over the defaults (vpc-cni with network policy
    /// enforcement, coredns, kube-proxy, eks-pod-identity-agent, metrics-server): an entry
    /// pins a version, sets configuration values or leaves a default out (`enabled: false`);
    /// any other EKS add-on is added by its name.
    #[serde(default)]
    #[schemars(extend("maxProperties" = limits::ADDONS, "propertyNames" = {"maxLength": 100}))]
    pub addons: std::collections::BTreeMap<String, AddonSpec>,
    /// The Cluster Autoscaler, run in the cluster when a node group can grow (`max > min`).
    #[serde(default)]
    pub autoscaler: AutoscalerSpec,
    /// Control-plane log types to send to CloudWatch; all of them by default.
    #[serde(default = "LogType::all")]
    #[schemars(length(max = limits::LOG_TYPES))]
    pub logging: Vec<LogType>,
    /// IAM principal ARNs given cluster-admin through access entries (the creator always is).
    #[serde(default)]
    #[schemars(length(max = limits::ADMINS), inner(length(max = limits::ARN)))]
    pub admins: Vec<String>,
    /// Managed node groups, placed in the private subnets.
    #[serde(default = "default_node_groups")]
    #[schemars(length(max = limits::NODE_GROUPS))]
    pub node_groups: Vec<NodeGroupSpec>,
    /// Use this kubeconfig context for workloads instead of the EKS endpoint (kind, k3d, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = limits::CONTEXT))]
    pub kubeconfig_context: Option<String>,
}

fn default_k8s_version() -> String {
    "1.35".to_string()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EndpointSpec {
    /// Private API endpoint inside the VPC.
    #[serde(default = "yes")]
    pub private: bool,
    /// Public API endpoint; off by default.
    #[serde(default)]
    pub public: bool,
    /// Who may reach the public endpoint (required when `public` is on).
    #[serde(default)]
    #[schemars(length(max = limits::PUBLIC_CIDRS), inner(length(max = limits::WORD)))]
    pub public_cidrs: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AddonSpec {
    #[serde(default = "yes")]
    pub enabled: bool,
    /// A version EKS offers for the cluster's Kubernetes version (`v1.19.2-eksbuild.1`);
    /// EKS's default for it when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = limits::WORD))]
    pub version: Option<String>,
    /// Configuration values, as the add-on's schema (`DescribeAddonConfiguration`) takes them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configuration: Option<serde_json::Map<String, serde_json::Value>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AutoscalerSpec {
    /// Off leaves node groups at their desired size (MR-EKS-006 fails where `max > min`).
    #[serde(default = "yes")]
    pub enabled: bool,
    /// The image to run, pinned by tag or digest; by default the release made for the
    /// cluster's Kubernetes minor (`registry.k8s.io/autoscaling/cluster-autoscaler:v1.35.1`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = limits::IMAGE))]
    pub image: Option<String>,
}

impl Default for AutoscalerSpec {
    fn default() -> Self {
        AutoscalerSpec {
            enabled: true,
            image: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SecretsEncryptionSpec {
    /// Off leaves secrets encrypted only with the EBS volumes' keys (MR-EKS-004 fails). EKS
    /// cannot turn it off again once on.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// An existing symmetric KMS key in the cluster's region
    /// (`arn:aws:kms:<region>:<account>:key/<id>`), used instead of one the stack makes; its
    /// policy must let the cluster role use it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = limits::ARN))]
    pub key_arn: Option<String>,
}

impl Default for SecretsEncryptionSpec {
    fn default() -> Self {
        SecretsEncryptionSpec {
            enabled: true,
            key_arn: None,
        }
    }
}

impl Default for EndpointSpec {
    fn default() -> Self {
        EndpointSpec {
            private: true,
            public: false,
            public_cidrs: Vec::new(),
        }
    }
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum LogType {
    Api,
    Audit,
    Authenticator,
    ControllerManager,
    Scheduler,
}

impl LogType {
    pub fn all() -> Vec<LogType> {
        vec![
            LogType::Api,
            LogType::Audit,
            LogType::Authenticator,
            LogType::ControllerManager,
            LogType::Scheduler,
        ]
    }

    pub fn as_str(self) -> &'static str {
        match self {
            LogType::Api => "api",
            LogType::Audit => "audit",
            LogType::Authenticator => "authenticator",
            LogType::ControllerManager => "controllerManager",
            LogType::Scheduler => "scheduler",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NodeGroupSpec {
    /// Node group name, unique within the cluster.
    #[schemars(length(max = limits::NODE_GROUP_NAME))]
    pub name: String,
    #[serde(default = "default_instance_types")]
    #[schemars(length(max = limits::INSTANCE_TYPES), inner(length(max = limits::WORD)))]
    pub instance_types: Vec<String>,
    #[serde(default = "default_min")]
    #[schemars(range(max = limits::INT32))]
    pub min: u32,
    #[serde(default = "default_min")]
    #[schemars(range(max = limits::INT32))]
    pub desired: u32,
    #[serde(default = "default_max")]
    #[schemars(range(max = limits::INT32))]
    pub max: u32,
    /// Kubernetes labels put on the nodes.
    #[serde(default)]
    #[schemars(extend("maxProperties" = limits::LABELS, "propertyNames" = {"maxLength": limits::LABEL_KEY}, "additionalProperties" = {"type": "string", "maxLength": limits::LABEL_VALUE}))]
    pub labels: BTreeMap<String, String>,
}

fn default_instance_types() -> Vec<String> {
    vec!["t3.medium".to_string()]
}
fn default_min() -> u32 {
    2
}
fn default_max() -> u32 {
    5
}
fn default_node_groups() -> Vec<NodeGroupSpec> {
    vec![NodeGroupSpec {
        name: "default".to_string(),
        instance_types: default_instance_types(),
        min: default_min(),
        desired: default_min(),
        max: default_max(),
        labels: BTreeMap::new(),
    }]
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PeeringSpec {
    /// Region (by `name`) that requests the peering; the frontend by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = limits::WORD))]
    pub requester: Option<String>,
    /// Region (by `name`) that accepts it; the backend by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = limits::WORD))]
    pub accepter: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct WorkloadSpec {
    /// Workload name (`frontend`, `backend`, ...).
    #[schemars(length(max = limits::WORKLOAD_NAME))]
    pub name: String,
    /// Region (by `name`) whose cluster runs it.
    #[schemars(length(max = limits::WORD))]
    pub region: String,
    /// Folder of manifests, relative to the stack file.
    #[schemars(length(max = limits::PATH))]
    pub source: String,
    /// Container image without its tag: `[registry[:port]/]path`, optionally pinned by a
    /// digest (`@sha256:<64 hex digits>`), by the OCI reference grammar.
    #[serde(default = "default_image")]
    #[schemars(length(max = limits::IMAGE))]
    pub image: String,
    /// Image tag (`[\w][\w.-]{0,127}`); pin it (no `latest`).
    #[schemars(length(max = limits::IMAGE_TAG))]
    pub tag: String,
    #[serde(default = "default_min")]
    #[schemars(range(max = limits::INT32))]
    pub replicas: u32,
    #[serde(default)]
    pub autoscaling: AutoscalingSpec,
    /// Fault injection, for resilience drills.
    #[serde(default)]
    pub faults: FaultsSpec,
}

fn default_image() -> String {
    "ghcr.io/stefanprodan/podinfo".to_string()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AutoscalingSpec {
    #[serde(default = "default_min")]
    #[schemars(range(max = limits::INT32))]
    pub min: u32,
    #[serde(default = "default_hpa_max")]
    #[schemars(range(max = limits::INT32))]
    pub max: u32,
    /// Target average CPU utilisation, percent.
    #[serde(default = "default_cpu")]
    #[schemars(range(max = limits::INT32))]
    pub cpu_percent: u32,
}

impl Default for AutoscalingSpec {
    fn default() -> Self {
        AutoscalingSpec {
            min: default_min(),
            max: default_hpa_max(),
            cpu_percent: default_cpu(),
        }
    }
}

fn default_hpa_max() -> u32 {
    10
}
fn default_cpu() -> u32 {
    70
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FaultsSpec {
    /// Answer a share of requests with errors (podinfo `--random-error`).
    #[serde(default)]
    pub errors: bool,
    /// Add a random delay to every request (podinfo `--random-delay`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay: Option<DelaySpec>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DelaySpec {
    pub min_ms: u32,
    pub max_ms: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct IamSpec {
    /// Existing EKS cluster role; created by the stack when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = limits::ARN))]
    pub cluster_role_arn: Option<String>,
    /// Existing node role; created by the stack when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = limits::ARN))]
    pub node_role_arn: Option<String>,
}
