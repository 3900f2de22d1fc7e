//! The desired state: every AWS resource a stack implies, as plain data with no SDK types.
//!
//! Each resource has a logical id (also its `multiregion:id` tag), the region it lives in (IAM
//! is global), the ids it depends on, its tags and its kind-specific settings. References to
//! other resources are logical ids; the engine resolves them to AWS ids at run time.

mod build;
pub mod graph;
pub mod ids;

use std::collections::BTreeMap;

use serde::Serialize;

pub use crate::stack::types::{LoadBalancerType, Scheme};

pub use build::{INSIGHTS_ADDON, desired};

pub use ids::{TAG_ID, TAG_STACK};

/// A Kubernetes minor version as a number (`"1.31"` -> 31), for ordering.
pub fn minor(version: &str) -> Option<u32> {
    version.split_once('.').and_then(|(_, m)| m.parse().ok())
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Resource {
    pub id: String,
    /// The stack's region name (`c1`), or `None` for global resources (IAM).
    pub region: Option<String>,
    pub aws_region: Option<String>,
    pub depends_on: Vec<String>,
    pub tags: BTreeMap<String, String>,
    #[serde(flatten)]
    pub spec: ResourceSpec,
}

/// What an HTTPS listener serves with.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListenerTls {
    pub certificate: String,
    pub policy: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all_fields = "camelCase")]
pub enum ResourceSpec {
    Vpc {
        cidr: String,
        dns_support: bool,
        dns_hostnames: bool,
    },
    InternetGateway {
        vpc: String,
    },
    Subnet {
        vpc: String,
        cidr: String,
        /// 1-based index into the region's usable AZs, resolved at run time.
        az: u8,
        public: bool,
        map_public_ip_on_launch: bool,
    },
    ElasticIp,
    NatGateway {
        subnet: String,
        elastic_ip: String,
    },
    RouteTable {
        vpc: String,
    },
    Route {
        route_table: String,
        destination: String,
        target: RouteTarget,
    },
    RouteTableAssociation {
        route_table: String,
        subnet: String,
    },
    SecurityGroup {
        vpc: String,
        name: String,
        description: String,
    },
    SecurityGroupRule {
        group: String,
        direction: Direction,
        protocol: String,
        from_port: Option<u16>,
        to_port: Option<u16>,
        peer: RulePeer,
        description: String,
    },
    /// The VPC's default security group, adopted and emptied of every rule.
    DefaultSecurityGroup {
        vpc: String,
    },
    /// The VPC's main route table, adopted: tagged, with only the VPC's local route (every
    /// subnet of the stack has a table of its own).
    MainRouteTable {
        vpc: String,
    },
    VpcPeering {
        requester_vpc: String,
        accepter_vpc: String,
        accepter_region: String,
    },
    VpcPeeringAccepter {
        peering: String,
    },
    /// DNS resolution of the remote VPC's private names, set from this side of the peering.
    VpcPeeringDns {
        peering: String,
        side: PeeringSide,
    },
    LoadBalancer {
        name: String,
        #[serde(rename = "type")]
        lb_type: LoadBalancerType,
        scheme: Scheme,
        subnets: Vec<String>,
        security_groups: Vec<String>,
    },
    TargetGroup {
        name: String,
        vpc: String,
        protocol: String,
        port: u16,
        target_type: String,
        health_check_path: Option<String>,
    },
    /// Forwards to `target_group`, or, with `redirect_to`, answers every request with a
    /// permanent redirect to HTTPS on that port.
    Listener {
        load_balancer: String,
        target_group: String,
        protocol: String,
        port: u16,
        /// An HTTPS listener's certificate and security policy.
        #[serde(skip_serializing_if = "Option::is_none")]
        tls: Option<ListenerTls>,
        #[serde(skip_serializing_if = "Option::is_none")]
        redirect_to: Option<u16>,
    },
    WebAcl {
        name: String,
        scope: String,
        managed_rule_groups: Vec<String>,
        rate_limit: u32,
    },
    WebAclAssociation {
        web_acl: String,
        load_balancer: String,
    },
    IamRole {
        name: String,
        trusted_service: String,
        managed_policies: Vec<String>,
        /// A policy document kept inline, as `multiregion` (for what no managed policy grants).
        #[serde(skip_serializing_if = "Option::is_none")]
        inline_policy: Option<String>,
    },
    LogGroup {
        name: String,
        retention_days: u32,
    },
    FlowLog {
        vpc: String,
        log_group: String,
        role: String,
        traffic_type: String,
    },
    EksCluster {
        name: String,
        version: String,
        role: String,
        subnets: Vec<String>,
        endpoint_private: bool,
        endpoint_public: bool,
        public_cidrs: Vec<String>,
        log_types: Vec<String>,
        authentication_mode: String,
        bootstrap_cluster_creator_admin: bool,
        /// The KMS key secrets are envelope-encrypted with: the logical id of the stack's key,
        /// an existing key's ARN, or none.
        secrets_key: Option<String>,
    },
    /// An EKS managed add-on: `version` pinned, or EKS's default for the cluster's version;
    /// `configuration` canonical JSON, or empty.
    ClusterAddon {
        cluster: String,
        cluster_name: String,
        /// The cluster's Kubernetes version, which EKS's default version is for.
        kubernetes: String,
        name: String,
        version: Option<String>,
        configuration: String,
    },
    /// A KMS key for a cluster's secrets, used by `user` (the cluster role: a logical id or an
    /// existing role's ARN).
    SecretsKey {
        description: String,
        user: String,
    },
    /// A KMS key the region's alert topic is encrypted with, which CloudWatch may use.
    AlertsKey {
        description: String,
    },
    /// A DNS-validated ACM certificate for the public load balancer's domain.
    Certificate {
        domain: String,
        hosted_zone: String,
    },
    /// The certificate's validation records in the hosted zone, and the wait for issuance.
    CertificateValidation {
        certificate: String,
        hosted_zone: String,
    },
    /// The domain as an alias record to the public load balancer.
    DomainAlias {
        name: String,
        hosted_zone: String,
        load_balancer: String,
    },
    AccessEntry {
        cluster: String,
        principal_arn: String,
        access_policy: String,
    },
    LaunchTemplate {
        name: String,
        security_groups: Vec<String>,
        /// The EKS cluster whose own security group joins the nodes'.
        cluster: String,
        imdsv2_required: bool,
        metadata_hop_limit: u8,
    },
    NodeGroup {
        cluster: String,
        name: String,
        role: String,
        subnets: Vec<String>,
        launch_template: String,
        instance_types: Vec<String>,
        min: u32,
        desired: u32,
        max: u32,
        labels: BTreeMap<String, String>,
        /// Its size is the Cluster Autoscaler's to set within min..max: `desired` is where it
        /// starts, not drift.
        autoscaled: bool,
    },
    /// An EKS Pod Identity association: pods of the service account get the role's
    /// credentials.
    PodIdentity {
        cluster: String,
        cluster_name: String,
        namespace: String,
        service_account: String,
        role: String,
    },
    /// The node group's Auto Scaling group registered with a target group.
    TargetGroupAttachment {
        target_group: String,
        node_group: String,
    },
    /// The SNS topic a region's alarms notify: encrypted with `key` (the region's alerts
    /// key), only CloudWatch of this account may publish, messages signed with SHA256.
    AlertTopic {
        name: String,
        key: String,
    },
    /// A webhook or e-mail address subscribed to an alert topic.
    AlertSubscription {
        topic: String,
        /// `https`, `http` or `email`.
        protocol: String,
        endpoint: String,
    },
    /// A CloudWatch alarm whose ALARM and OK actions notify an alert topic.
    MetricAlarm {
        name: String,
        description: String,
        /// What it reads; load balancer and target group dimensions by logical id.
        query: crate::providers::AlarmQuery,
        comparison: String,
        threshold: f64,
        period: u32,
        evaluation_periods: u32,
        treat_missing: String,
        topic: String,
    },
    /// The record of the last `up` that converged the region: which tool version applied
    /// which stack file, and when (an SSM parameter).
    RunRecord {
        /// The parameter's name, under the stack's path.
        name: String,
        tool_version: String,
        stack_digest: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", content = "id", rename_all = "camelCase")]
pub enum RouteTarget {
    InternetGateway(String),
    NatGateway(String),
    VpcPeering(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Direction {
    Ingress,
    Egress,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", content = "value", rename_all = "camelCase")]
pub enum RulePeer {
    Cidr(String),
    SecurityGroup(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum PeeringSide {
    Requester,
    Accepter,
}

impl ResourceSpec {
    /// One line saying what this resource is, for plans.
    pub fn summary(&self) -> String {
        match self {
            ResourceSpec::Vpc { cidr, .. } => format!("{cidr}, DNS support and hostnames on"),
            ResourceSpec::InternetGateway { vpc } => format!("attached to {vpc}"),
            ResourceSpec::Subnet {
                cidr, az, public, ..
            } => {
                let tier = if *public {
                    "public, public IPs on launch"
                } else {
                    "private"
                };
                format!("{cidr} in AZ {az}, {tier}")
            }
            ResourceSpec::ElasticIp => "for a NAT gateway".to_string(),
            ResourceSpec::NatGateway { subnet, .. } => format!("in {subnet}"),
            ResourceSpec::RouteTable { vpc } => format!("in {vpc}"),
            ResourceSpec::Route {
                destination,
                target,
                ..
            } => {
                let via = match target {
                    RouteTarget::InternetGateway(id)
                    | RouteTarget::NatGateway(id)
                    | RouteTarget::VpcPeering(id) => id,
                };
                format!("{destination} via {via}")
            }
            ResourceSpec::RouteTableAssociation {
                route_table,
                subnet,
            } => {
                format!("{subnet} -> {route_table}")
            }
            ResourceSpec::SecurityGroup { name, .. } => name.clone(),
            ResourceSpec::SecurityGroupRule {
                direction,
                protocol,
                from_port,
                to_port,
                peer,
                ..
            } => {
                let ports = match (from_port, to_port) {
                    (Some(a), Some(b)) if a == b => format!("{protocol}/{a}"),
                    (Some(a), Some(b)) => format!("{protocol}/{a}-{b}"),
                    _ => "all traffic".to_string(),
                };
                let peer = match peer {
                    RulePeer::Cidr(c) => c.clone(),
                    RulePeer::SecurityGroup(g) => g.clone(),
                };
                match direction {
                    Direction::Ingress => format!("in {ports} from {peer}"),
                    Direction::Egress => format!("out {ports} to {peer}"),
                }
            }
            ResourceSpec::DefaultSecurityGroup { .. } => "all rules removed".to_string(),
            ResourceSpec::MainRouteTable { .. } => "local route only".to_string(),
            ResourceSpec::VpcPeering {
                requester_vpc,
                accepter_vpc,
                accepter_region,
            } => {
                format!("{requester_vpc} -> {accepter_vpc} ({accepter_region})")
            }
            ResourceSpec::VpcPeeringAccepter { peering } => format!("accepts {peering}"),
            ResourceSpec::VpcPeeringDns { .. } => "remote DNS resolution on".to_string(),
            ResourceSpec::LoadBalancer {
                name,
                lb_type,
                scheme,
                ..
            } => {
                format!("{name}, {}, {}", lb_type.as_str(), scheme.as_str())
            }
            ResourceSpec::TargetGroup {
                name,
                protocol,
                port,
                ..
            } => format!("{name}, {protocol}:{port} (instances)"),
            ResourceSpec::Listener {
                protocol,
                port,
                target_group,
                tls,
                redirect_to,
                ..
            } => match (tls, redirect_to) {
                (_, Some(to)) => format!("{protocol}:{port} redirects to HTTPS:{to}"),
                (Some(tls), None) => {
                    format!("{protocol}:{port} -> {target_group}, {}", tls.policy)
                }
                (None, None) => format!("{protocol}:{port} -> {target_group}"),
            },
            ResourceSpec::WebAcl {
                name,
                managed_rule_groups,
                rate_limit,
                ..
            } => format!(
                "{name}: {} + rate limit {rate_limit}/5 min",
                managed_rule_groups.join(", ")
            ),
            ResourceSpec::WebAclAssociation {
                web_acl,
                load_balancer,
            } => {
                format!("{web_acl} on {load_balancer}")
            }
            ResourceSpec::IamRole {
                name,
                trusted_service,
                ..
            } => format!("{name}, trusts {trusted_service}"),
            ResourceSpec::LogGroup {
                name,
                retention_days,
            } => format!("{name}, kept {retention_days} days"),
            ResourceSpec::ClusterAddon {
                name,
                version,
                configuration,
                ..
            } => {
                let version = version.as_deref().unwrap_or("EKS's default version");
                if configuration.is_empty() {
                    format!("{name}, {version}")
                } else {
                    format!("{name}, {version}, configured {configuration}")
                }
            }
            ResourceSpec::Certificate {
                domain,
                hosted_zone,
            } => format!("ACM certificate for {domain}, validated through DNS in {hosted_zone}"),
            ResourceSpec::DomainAlias {
                name,
                load_balancer,
                ..
            } => format!("{name} resolving as {load_balancer}"),
            ResourceSpec::CertificateValidation { certificate, .. } => {
                format!("DNS validation records of {certificate}, then issued")
            }
            ResourceSpec::SecretsKey { user, .. } => {
                format!("KMS key for EKS secrets, rotation on, used by {user}")
            }
            ResourceSpec::AlertsKey { .. } => {
                "KMS key for the alert topic, rotation on, used by CloudWatch alarms".to_string()
            }
            ResourceSpec::FlowLog {
                traffic_type,
                log_group,
                ..
            } => format!("{traffic_type} traffic to {log_group}"),
            ResourceSpec::EksCluster {
                name,
                version,
                endpoint_public,
                ..
            } => {
                let endpoint = if *endpoint_public {
                    "private + limited public endpoint"
                } else {
                    "private endpoint only"
                };
                format!("{name}, Kubernetes {version}, {endpoint}")
            }
            ResourceSpec::AccessEntry { principal_arn, .. } => {
                format!("cluster-admin for {principal_arn}")
            }
            ResourceSpec::PodIdentity {
                namespace,
                service_account,
                role,
                ..
            } => format!("{namespace}/{service_account} as {role}"),
            ResourceSpec::LaunchTemplate { name, .. } => format!("{name}, IMDSv2 required"),
            ResourceSpec::NodeGroup {
                name,
                instance_types,
                min,
                desired,
                max,
                autoscaled,
                ..
            } => format!(
                "{name}, {} min {min} / {} {desired} / max {max}",
                instance_types.join(","),
                if *autoscaled {
                    "autoscaled from"
                } else {
                    "desired"
                }
            ),
            ResourceSpec::TargetGroupAttachment {
                target_group,
                node_group,
            } => {
                format!("{node_group} -> {target_group}")
            }
            ResourceSpec::AlertTopic { name, key } => {
                format!(
                    "{name}, encrypted with {key}, only CloudWatch alarms of this account publish"
                )
            }
            ResourceSpec::AlertSubscription {
                protocol, endpoint, ..
            } => format!("{protocol} {endpoint}"),
            // The description opens with the stack and region, which the plan already shows.
            ResourceSpec::MetricAlarm {
                name, description, ..
            } => {
                let what = description
                    .split_once(": ")
                    .map_or(description.as_str(), |(_, w)| w);
                format!("{name}: {what}")
            }
            ResourceSpec::RunRecord {
                tool_version,
                stack_digest,
                ..
            } => {
                let short = stack_digest.get(..19).unwrap_or(stack_digest);
                format!("last successful up: multiregion {tool_version}, stack {short}")
            }
        }
    }
}

#[cfg(test)]
mod tests;
