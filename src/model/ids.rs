//! The logical ids of the stack's resources — each one's `multiregion:id` tag too — made in one
//! place (`c1/vpc`, `c1/subnet/private-2`, `c2/nodegroup/default` ...), with the tag keys.
//! `region` is the stack's name for a region (`c1`).

use std::fmt::Display;

/// Every resource the tool makes carries its stack's name under this key ...
pub const TAG_STACK: &str = "multiregion:stack";
/// ... and its logical id under this one.
pub const TAG_ID: &str = "multiregion:id";

pub const CLUSTER_ROLE: &str = "iam/cluster-role";
pub const NODE_ROLE: &str = "iam/node-role";
pub const FLOW_LOGS_ROLE: &str = "iam/flow-logs-role";
pub const AUTOSCALER_ROLE: &str = "iam/cluster-autoscaler-role";
pub const CLOUDWATCH_AGENT_ROLE: &str = "iam/cloudwatch-agent-role";

/// The record of the region's last successful `up`.
pub fn run_record(region: &str) -> String {
    format!("{region}/last-up")
}

pub fn vpc(region: &str) -> String {
    format!("{region}/vpc")
}

/// The group AWS makes with each VPC, adopted.
pub fn default_security_group(region: &str) -> String {
    format!("{region}/default-sg")
}

/// The route table AWS makes with each VPC, adopted.
pub fn main_route_table(region: &str) -> String {
    format!("{region}/main-rt")
}

pub fn internet_gateway(region: &str) -> String {
    format!("{region}/igw")
}

pub fn flow_log_group(region: &str) -> String {
    format!("{region}/log-group/flow-logs")
}

pub fn flow_log(region: &str) -> String {
    format!("{region}/flow-log")
}

/// `tier` is `public` or `private`; `n` counts the AZs from 1.
pub fn subnet(region: &str, tier: impl Display, n: usize) -> String {
    format!("{region}/subnet/{tier}-{n}")
}

/// `table` is `public`, or `private`, `private-1` ... (one per NAT gateway).
pub fn route_table(region: &str, table: impl Display) -> String {
    format!("{region}/rtb/{table}")
}

/// `to` is `internet` or `peer`.
pub fn route(region: &str, table: impl Display, to: &str) -> String {
    format!("{region}/route/{table}/{to}")
}

pub fn route_table_association(region: &str, tier: &str, n: usize) -> String {
    format!("{region}/rtb-assoc/{tier}-{n}")
}

pub fn nat_address(region: &str, n: impl Display) -> String {
    format!("{region}/eip/nat-{n}")
}

pub fn nat_gateway(region: &str, n: impl Display) -> String {
    format!("{region}/nat/{n}")
}

/// Requested in the requester's region ...
pub fn peering(region: &str) -> String {
    format!("{region}/peering")
}

/// ... accepted in the accepter's.
pub fn peering_accept(region: &str) -> String {
    format!("{region}/peering-accept")
}

pub fn peering_dns(region: &str) -> String {
    format!("{region}/peering-dns")
}

/// `role` is `lb` or `nodes`.
pub fn security_group(region: &str, role: &str) -> String {
    format!("{region}/sg/{role}")
}

pub fn web_acl(region: &str, acl: &str) -> String {
    format!("{region}/waf/{acl}")
}

pub fn web_acl_association(region: &str) -> String {
    format!("{region}/waf-assoc")
}

pub fn load_balancer(region: &str) -> String {
    format!("{region}/lb")
}

pub fn target_group(region: &str) -> String {
    format!("{region}/tg")
}

pub fn listener(region: &str, port: impl Display) -> String {
    format!("{region}/listener/{port}")
}

/// An EKS add-on of the region's cluster, by its EKS name.
/// The Pod Identity association of a service account of the region's cluster.
pub fn pod_identity(region: &str, service_account: &str) -> String {
    format!("{region}/pod-identity/{service_account}")
}

pub fn addon(region: &str, name: &str) -> String {
    format!("{region}/addon/{name}")
}

/// The certificate the region's public load balancer serves, when the stack requests one.
pub fn certificate(region: &str) -> String {
    format!("{region}/certificate")
}

pub fn certificate_validation(region: &str) -> String {
    format!("{region}/certificate-validation")
}

/// The stack's domain, pointed at the region's public load balancer.
pub fn domain_alias(region: &str) -> String {
    format!("{region}/dns-alias")
}

/// The KMS key the region's cluster encrypts secrets with.
pub fn secrets_key(region: &str) -> String {
    format!("{region}/kms/secrets")
}

/// The KMS key the region's alert topic encrypts its messages with.
pub fn alerts_key(region: &str) -> String {
    format!("{region}/kms/alerts")
}

/// Whether a key's id is an alert topic's key; any other key of the stack is a secrets key.
pub fn is_alerts_key(id: &str) -> bool {
    id.ends_with("/kms/alerts")
}

pub fn cluster(region: &str) -> String {
    format!("{region}/eks")
}

/// `n` counts the stack's `cluster.admins` from 1.
pub fn access_entry(region: &str, n: usize) -> String {
    format!("{region}/eks/access-{n}")
}

pub fn launch_template(region: &str, group: &str) -> String {
    format!("{region}/launch-template/{group}")
}

pub fn node_group(region: &str, group: &str) -> String {
    format!("{region}/nodegroup/{group}")
}

pub fn target_group_attachment(region: &str, group: &str) -> String {
    format!("{region}/tg-attach/{group}")
}

pub fn alert_topic(region: &str) -> String {
    format!("{region}/alerts/topic")
}

/// A webhook (`webhook-1`) or e-mail address (`email-1`) subscribed to the region's topic.
pub fn alert_subscription(region: &str, what: &str, n: usize) -> String {
    format!("{region}/alerts/{what}-{n}")
}

/// An alarm: `c1/alarm/errorRate`, `c2/alarm/backendPods-backend`.
pub fn alarm(region: &str, key: &str) -> String {
    format!("{region}/alarm/{key}")
}
