//! The load balancers of the stack's regions, their HTTPS, and the WAF ACLs they attach.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::stack::limits;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LoadBalancerSpec {
    /// `application` (HTTP, can carry WAF) or `network` (TCP).
    #[serde(rename = "type")]
    pub kind: LoadBalancerType,
    pub scheme: Scheme,
    /// Ports the load balancer listens on.
    #[serde(default = "default_listeners")]
    #[schemars(length(max = limits::LISTENERS))]
    pub listeners: Vec<u16>,
    /// The NodePort the workload's Service exposes on every node (30000-32767).
    #[serde(default = "default_target_port")]
    pub target_port: u16,
    /// Who may reach the listeners: `internet`, `peer` (the other region's VPC) or CIDR blocks.
    #[schemars(length(max = limits::ALLOW), inner(length(max = limits::WORD)))]
    pub allow: Vec<String>,
    /// Name of a WAF ACL from `spec.wafAcls` (application load balancers only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = limits::WAF_ACL_NAME))]
    pub waf: Option<String>,
    /// HTTPS on the load balancer (application load balancers only): an HTTPS listener with
    /// the certificate, and every port of `listeners` redirecting to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<TlsSpec>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TlsSpec {
    /// An existing ACM certificate of the load balancer's region
    /// (`arn:aws:acm:<region>:<account>:certificate/<id>`) for the names clients use; or
    /// leave it out and give `domain` and `hostedZoneId` to have one requested.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = limits::ARN))]
    pub certificate_arn: Option<String>,
    /// The name clients use (`shop.example.com`): the tool requests an ACM certificate for
    /// it, validates it through DNS in `hostedZoneId` and waits until it is issued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = limits::DOMAIN))]
    pub domain: Option<String>,
    /// The Route 53 public hosted zone `domain` is in (`Z0123456789ABCDEFGHIJ`), where the
    /// validation records are written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = limits::WORD))]
    pub hosted_zone_id: Option<String>,
    /// The HTTPS listener's port.
    #[serde(default = "default_tls_port")]
    pub port: u16,
    /// An ELB security policy that allows TLS 1.2 and newer only.
    #[serde(default = "default_tls_policy")]
    #[schemars(length(max = limits::WORD))]
    pub policy: String,
}

fn default_tls_port() -> u16 {
    443
}

/// TLS 1.3 and 1.2 with forward secrecy, AWS's recommended policy.
pub fn default_tls_policy() -> String {
    "ELBSecurityPolicy-TLS13-1-2-2021-06".to_string()
}

fn default_listeners() -> Vec<u16> {
    vec![80]
}
fn default_target_port() -> u16 {
    30080
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum LoadBalancerType {
    Application,
    Network,
}

impl LoadBalancerType {
    pub fn as_str(self) -> &'static str {
        match self {
            LoadBalancerType::Application => "application",
            LoadBalancerType::Network => "network",
        }
    }

    /// The type AWS names so, if it is one of these (`gateway` is not).
    pub fn parse(text: &str) -> Option<Self> {
        [LoadBalancerType::Application, LoadBalancerType::Network]
            .into_iter()
            .find(|t| t.as_str() == text)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Scheme {
    InternetFacing,
    Internal,
}

impl Scheme {
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::InternetFacing => "internet-facing",
            Scheme::Internal => "internal",
        }
    }

    /// The scheme AWS names so.
    pub fn parse(text: &str) -> Option<Self> {
        [Scheme::InternetFacing, Scheme::Internal]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct WafAclSpec {
    /// Name the load balancers refer to.
    #[schemars(length(max = limits::WAF_ACL_NAME))]
    pub name: String,
    /// AWS managed rule groups (vendor `AWS`), evaluated in this order.
    #[serde(default = "default_rule_groups")]
    #[schemars(length(max = limits::MANAGED_RULE_GROUPS), inner(length(max = limits::WORD)))]
    pub managed_rule_groups: Vec<String>,
    /// Requests per 5 minutes per client IP before the rate rule blocks (10 to 2,000,000,000).
    #[serde(default = "default_rate_limit")]
    pub rate_limit: u32,
}

fn default_rule_groups() -> Vec<String> {
    vec![
        "AWSManagedRulesCommonRuleSet".to_string(),
        "AWSManagedRulesSQLiRuleSet".to_string(),
    ]
}
fn default_rate_limit() -> u32 {
    2000
}
