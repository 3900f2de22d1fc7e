//! `spec.usage`: the traffic and log volumes a cost estimate assumes (`multiregion cost`),
//! written in the stack so the estimate says what it rests on. Nothing else reads them.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Monthly volumes the cost estimate assumes; each has a documented default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UsageSpec {
    /// Requests through the public entry per month (each also reaches the backend across the
    /// peering). Default 10,000,000 (about 4 a second).
    #[serde(default = "default_requests")]
    #[schemars(range(max = 1_000_000_000_000u64))]
    pub requests_per_month: u64,
    /// Average bytes of a response, in kilobytes: sizes the load balancers' processed bytes.
    /// Default 20.
    #[serde(default = "default_response_kb")]
    #[schemars(range(max = 1_000_000))]
    pub response_kb: u32,
    /// Gigabytes through each region's NAT gateways per month (image pulls, AWS APIs, egress).
    /// Default 50.
    #[serde(default = "default_nat_gb")]
    #[schemars(range(max = 10_000_000))]
    pub nat_gb_per_month: u32,
    /// Gigabytes each region sends the other over the peering per month. Default 20.
    #[serde(default = "default_cross_region_gb")]
    #[schemars(range(max = 10_000_000))]
    pub cross_region_gb_per_month: u32,
    /// Gigabytes of VPC flow logs each region with flow logs writes per month. Default 10.
    #[serde(default = "default_flow_log_gb")]
    #[schemars(range(max = 10_000_000))]
    pub flow_log_gb_per_month: u32,
    /// Gigabytes of control-plane logs each cluster writes per month (all five types). Default 5.
    #[serde(default = "default_control_plane_log_gb")]
    #[schemars(range(max = 10_000_000))]
    pub control_plane_log_gb_per_month: u32,
}

impl Default for UsageSpec {
    fn default() -> Self {
        UsageSpec {
            requests_per_month: default_requests(),
            response_kb: default_response_kb(),
            nat_gb_per_month: default_nat_gb(),
            cross_region_gb_per_month: default_cross_region_gb(),
            flow_log_gb_per_month: default_flow_log_gb(),
            control_plane_log_gb_per_month: default_control_plane_log_gb(),
        }
    }
}

fn default_requests() -> u64 {
    10_000_000
}
fn default_response_kb() -> u32 {
    20
}
fn default_nat_gb() -> u32 {
    50
}
fn default_cross_region_gb() -> u32 {
    20
}
fn default_flow_log_gb() -> u32 {
    10
}
fn default_control_plane_log_gb() -> u32 {
    5
}
