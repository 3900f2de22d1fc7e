//! Cloud access behind traits: one per AWS area, domain types in and out, no SDK types.
//!
//! Two implementations: [`aws`] on the AWS SDK for Rust, and [`fake`], an in-memory world with
//! two regions, resources that become available over (virtual) time, injected failures,
//! throttling and read-after-write lag.

mod addons;
mod alerting;
pub mod aws;
mod certificates;
mod clusters;
mod error;
#[cfg(test)]
pub mod fake;
mod keys;
mod lifecycle;
mod parameters;
mod pod_identity;

pub use addons::*;
pub use alerting::*;
pub use certificates::*;
pub use clusters::*;
pub use error::{ErrorKind, ProviderError, Result};
pub use keys::*;
pub use lifecycle::Lifecycle;
pub use parameters::*;
pub use pod_identity::*;

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;

pub type Tags = BTreeMap<String, String>;

// ---- EC2 networking -------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
pub struct VpcInfo {
    pub id: String,
    pub cidr: String,
    pub state: String,
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SubnetInfo {
    pub id: String,
    pub vpc_id: String,
    pub cidr: String,
    pub az: String,
    pub map_public_ip_on_launch: bool,
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq)]
pub struct InternetGatewayInfo {
    pub id: String,
    pub attached_vpc: Option<String>,
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AddressInfo {
    pub allocation_id: String,
    pub association_id: Option<String>,
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NatGatewayInfo {
    pub id: String,
    pub subnet_id: String,
    pub allocation_id: Option<String>,
    pub state: Lifecycle,
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouteTargetId {
    Gateway(String),
    NatGateway(String),
    Peering(String),
    /// The VPC's own block.
    Local,
    Other(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct RouteInfo {
    pub destination: String,
    pub target: RouteTargetId,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RouteTableAssociationInfo {
    pub id: String,
    pub subnet_id: Option<String>,
    pub main: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RouteTableInfo {
    pub id: String,
    pub vpc_id: String,
    pub routes: Vec<RouteInfo>,
    pub associations: Vec<RouteTableAssociationInfo>,
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum RulePeerId {
    Cidr(String),
    Group(String),
}

/// One rule of a security group: one protocol, one port range, one peer.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct RuleSpec {
    pub egress: bool,
    /// `tcp`, `udp`, `icmp` or `-1` for all.
    pub protocol: String,
    pub from_port: Option<i32>,
    pub to_port: Option<i32>,
    pub peer: RulePeerId,
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SecurityGroupInfo {
    pub id: String,
    pub vpc_id: String,
    pub name: String,
    pub description: String,
    pub rules: Vec<RuleSpec>,
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PeeringInfo {
    pub id: String,
    pub requester_vpc: String,
    pub requester_region: Option<String>,
    pub accepter_vpc: String,
    pub accepter_region: Option<String>,
    /// initiating-request | pending-acceptance | provisioning | active (ended ones are not listed)
    pub status: String,
    pub requester_dns: bool,
    pub accepter_dns: bool,
    pub tags: Tags,
}

/// Everything of the stack's in one region's EC2, read in one pass.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NetworkSnapshot {
    /// Usable availability zones, in name order.
    pub azs: Vec<String>,
    pub vpcs: Vec<VpcInfo>,
    /// (enableDnsSupport, enableDnsHostnames) per VPC id.
    pub vpc_dns: BTreeMap<String, (bool, bool)>,
    pub subnets: Vec<SubnetInfo>,
    pub internet_gateways: Vec<InternetGatewayInfo>,
    pub addresses: Vec<AddressInfo>,
    pub nat_gateways: Vec<NatGatewayInfo>,
    pub route_tables: Vec<RouteTableInfo>,
    /// The stack's own groups.
    pub security_groups: Vec<SecurityGroupInfo>,
    /// The default group of each of the stack's VPCs (AWS-made, never tagged by us).
    pub default_security_groups: Vec<SecurityGroupInfo>,
    /// Peerings that can still carry traffic: deleted, rejected, failed and expired ones, which
    /// AWS keeps listing for a while, are left out.
    pub peerings: Vec<PeeringInfo>,
    pub launch_templates: Vec<LaunchTemplateInfo>,
    /// Flow logs on the stack's VPCs.
    pub flow_logs: Vec<FlowLogInfo>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NodeInstance {
    pub id: String,
    /// The managed node group it belongs to (EKS's `eks:nodegroup-name` tag).
    pub node_group: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FlowLogInfo {
    pub id: String,
    /// The VPC it watches.
    pub resource_id: String,
    /// The CloudWatch Logs group it delivers to, if that is where it goes.
    pub log_group: Option<String>,
    /// `ALL`, `ACCEPT` or `REJECT`.
    pub traffic_type: String,
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LaunchTemplateInfo {
    pub id: String,
    pub name: String,
    /// Of its latest version.
    pub security_groups: Vec<String>,
    pub imdsv2_required: bool,
    pub hop_limit: u8,
    pub tags: Tags,
}

/// A network interface left in a VPC, such as one a deleted load balancer or node left behind.
#[derive(Debug, Clone, PartialEq)]
pub struct InterfaceInfo {
    pub id: String,
    pub vpc_id: String,
    /// `available` means unattached.
    pub status: String,
    pub description: String,
    pub security_groups: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VpcDnsAttribute {
    Support,
    Hostnames,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeeringSideRef {
    Requester,
    Accepter,
}

/// EC2 networking in one region.
#[async_trait]
pub trait Network: Send + Sync {
    /// Reads everything tagged `multiregion:stack=<stack>`, plus the default security group of
    /// each such VPC. Filtered, batched calls: a fixed number however many resources exist.
    async fn snapshot(&self, stack: &str) -> Result<NetworkSnapshot>;

    async fn create_vpc(&self, cidr: &str, tags: &Tags) -> Result<String>;
    async fn set_vpc_dns(&self, vpc: &str, attribute: VpcDnsAttribute, on: bool) -> Result<()>;
    async fn delete_vpc(&self, vpc: &str) -> Result<()>;

    async fn create_subnet(&self, vpc: &str, cidr: &str, az: &str, tags: &Tags) -> Result<String>;
    async fn set_map_public_ip(&self, subnet: &str, on: bool) -> Result<()>;
    async fn delete_subnet(&self, subnet: &str) -> Result<()>;

    async fn create_internet_gateway(&self, tags: &Tags) -> Result<String>;
    async fn attach_internet_gateway(&self, igw: &str, vpc: &str) -> Result<()>;
    async fn detach_internet_gateway(&self, igw: &str, vpc: &str) -> Result<()>;
    async fn delete_internet_gateway(&self, igw: &str) -> Result<()>;

    async fn allocate_address(&self, tags: &Tags) -> Result<String>;
    async fn release_address(&self, allocation: &str) -> Result<()>;

    /// A repeated call with the same client `token` answers with the first call's gateway.
    async fn create_nat_gateway(
        &self,
        subnet: &str,
        allocation: &str,
        tags: &Tags,
        token: &str,
    ) -> Result<String>;
    /// Waits until the gateway is available, at most `max`.
    async fn wait_nat_gateway_available(&self, nat: &str, max: std::time::Duration) -> Result<()>;
    async fn delete_nat_gateway(&self, nat: &str) -> Result<()>;
    async fn wait_nat_gateway_deleted(&self, nat: &str, max: std::time::Duration) -> Result<()>;

    async fn create_route_table(&self, vpc: &str, tags: &Tags) -> Result<String>;
    /// The route table AWS made with the VPC, which serves subnets without one of their own.
    async fn main_route_table(&self, vpc: &str) -> Result<RouteTableInfo>;
    async fn delete_route_table(&self, table: &str) -> Result<()>;
    async fn create_route(
        &self,
        table: &str,
        destination: &str,
        target: &RouteTargetId,
    ) -> Result<()>;
    async fn replace_route(
        &self,
        table: &str,
        destination: &str,
        target: &RouteTargetId,
    ) -> Result<()>;
    async fn delete_route(&self, table: &str, destination: &str) -> Result<()>;
    async fn associate_route_table(&self, table: &str, subnet: &str) -> Result<String>;
    async fn disassociate_route_table(&self, association: &str) -> Result<()>;

    async fn create_security_group(
        &self,
        vpc: &str,
        name: &str,
        description: &str,
        tags: &Tags,
    ) -> Result<String>;
    /// The VPC's default security group, with its rules.
    async fn default_security_group(&self, vpc: &str) -> Result<SecurityGroupInfo>;
    async fn delete_security_group(&self, group: &str) -> Result<()>;
    /// Adds a rule, tagged with `tags` (rules are resources of their own, with ids and tags).
    async fn authorize(&self, group: &str, rule: &RuleSpec, tags: &Tags) -> Result<()>;
    async fn revoke(&self, group: &str, rule: &RuleSpec) -> Result<()>;

    async fn create_peering(
        &self,
        vpc: &str,
        peer_vpc: &str,
        peer_region: &str,
        tags: &Tags,
    ) -> Result<String>;
    /// Called in the accepter's region.
    async fn accept_peering(&self, peering: &str) -> Result<()>;
    /// Waits until the peering is active (after acceptance), at most `max`.
    async fn wait_peering_active(&self, peering: &str, max: std::time::Duration) -> Result<()>;
    /// Sets remote DNS resolution for this region's side of the peering.
    async fn set_peering_dns(&self, peering: &str, side: PeeringSideRef, on: bool) -> Result<()>;
    async fn delete_peering(&self, peering: &str) -> Result<()>;

    async fn create_launch_template(
        &self,
        name: &str,
        groups: &[String],
        imdsv2_required: bool,
        hop_limit: u8,
        tags: &Tags,
    ) -> Result<String>;
    async fn delete_launch_template(&self, id: &str) -> Result<()>;

    /// What a VPC still holds that keeps it from being deleted and that no AWS service removes
    /// by itself: subnets, route tables other than the main one, security groups other than the
    /// default one, internet gateways, NAT gateways that are not being deleted, VPC endpoints.
    /// Named for people ("subnet subnet-1").
    async fn vpc_contents(&self, vpc: &str) -> Result<Vec<String>>;

    /// What the sweep after a cluster's deletion chooses from: the unattached network
    /// interfaces in the given VPCs, and their security groups other than the default ones.
    async fn leftovers(
        &self,
        vpcs: &[String],
    ) -> Result<(Vec<InterfaceInfo>, Vec<SecurityGroupInfo>)>;
    async fn delete_network_interface(&self, id: &str) -> Result<()>;

    /// The EC2 instances (pending or running) that EKS runs as nodes of `cluster`.
    async fn node_instances(&self, cluster: &str) -> Result<Vec<NodeInstance>>;

    /// A flow log of a VPC's traffic to a CloudWatch Logs group, delivered with `role_arn`.
    async fn create_flow_log(
        &self,
        vpc: &str,
        log_group: &str,
        role_arn: &str,
        traffic_type: &str,
        tags: &Tags,
    ) -> Result<String>;
    async fn delete_flow_log(&self, id: &str) -> Result<()>;

    async fn set_tags(&self, resource: &str, add: &Tags, remove: &[String]) -> Result<()>;
}

// ---- Elastic Load Balancing -----------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
pub struct LoadBalancerInfo {
    pub arn: String,
    pub name: String,
    /// `application` or `network`, read from the service's `Type` (never parsed from the ARN).
    pub lb_type: String,
    pub scheme: String,
    pub subnets: Vec<String>,
    pub security_groups: Vec<String>,
    pub dns_name: String,
    /// The Route 53 hosted zone of its DNS name, which an alias record to it names.
    pub canonical_zone: String,
    pub state: Lifecycle,
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TargetGroupInfo {
    pub arn: String,
    pub name: String,
    pub protocol: String,
    pub port: u16,
    pub vpc_id: String,
    pub target_type: String,
    pub health_check_path: Option<String>,
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ListenerInfo {
    pub arn: String,
    pub load_balancer_arn: String,
    pub protocol: String,
    pub port: u16,
    /// Target group of the default forward action.
    pub target_group_arn: Option<String>,
    /// The default action's redirect (`HTTPS:443`), when it redirects.
    pub redirect: Option<String>,
    /// An HTTPS listener's default certificate and security policy.
    pub certificate_arn: Option<String>,
    pub ssl_policy: Option<String>,
}

/// What a listener does with a request.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ListenerAction<'a> {
    /// To this target group (ARN).
    Forward(&'a str),
    /// A permanent (301) redirect to HTTPS on this port, host, path and query kept.
    RedirectToHttps(u16),
}

impl ListenerAction<'_> {
    /// The redirect as [`ListenerInfo::redirect`] has it.
    pub fn redirect_text(port: u16) -> String {
        format!("HTTPS:{port}")
    }
}

/// A listener to make, or what to set an existing one to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NewListener<'a> {
    pub protocol: &'a str,
    pub port: u16,
    pub action: ListenerAction<'a>,
    /// `(certificate ARN, security policy)` of an HTTPS listener.
    pub tls: Option<(&'a str, &'a str)>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct LoadBalancingSnapshot {
    pub load_balancers: Vec<LoadBalancerInfo>,
    pub target_groups: Vec<TargetGroupInfo>,
    pub listeners: Vec<ListenerInfo>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewLoadBalancer<'a> {
    pub name: &'a str,
    pub lb_type: &'a str,
    pub scheme: &'a str,
    pub subnets: &'a [String],
    pub security_groups: &'a [String],
    pub tags: &'a Tags,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewTargetGroup<'a> {
    pub name: &'a str,
    pub protocol: &'a str,
    pub port: u16,
    pub vpc: &'a str,
    pub target_type: &'a str,
    pub health_check_path: Option<&'a str>,
    pub tags: &'a Tags,
}

/// Elastic Load Balancing v2 in one region.
#[async_trait]
pub trait LoadBalancing: Send + Sync {
    /// Reads the load balancers and target groups tagged with the stack, and their listeners.
    async fn snapshot(&self, stack: &str) -> Result<LoadBalancingSnapshot>;

    async fn create_load_balancer(&self, lb: &NewLoadBalancer<'_>) -> Result<LoadBalancerInfo>;
    async fn wait_load_balancer_active(&self, arn: &str, max: std::time::Duration) -> Result<()>;
    async fn set_security_groups(&self, arn: &str, groups: &[String]) -> Result<()>;
    async fn set_subnets(&self, arn: &str, subnets: &[String]) -> Result<()>;
    async fn delete_load_balancer(&self, arn: &str) -> Result<()>;
    async fn wait_load_balancer_deleted(&self, arn: &str, max: std::time::Duration) -> Result<()>;

    async fn create_target_group(&self, tg: &NewTargetGroup<'_>) -> Result<String>;
    async fn set_health_check_path(&self, arn: &str, path: &str) -> Result<()>;
    async fn delete_target_group(&self, arn: &str) -> Result<()>;

    async fn create_listener(
        &self,
        lb: &str,
        listener: &NewListener<'_>,
        tags: &Tags,
    ) -> Result<String>;
    /// Sets protocol, port, action, certificate and policy at once.
    async fn modify_listener(&self, arn: &str, listener: &NewListener<'_>) -> Result<()>;
    async fn delete_listener(&self, arn: &str) -> Result<()>;

    /// Instance ids registered with a target group.
    async fn registered_targets(&self, target_group_arn: &str) -> Result<Vec<String>>;
    async fn register_targets(
        &self,
        target_group_arn: &str,
        instances: &[String],
        port: u16,
    ) -> Result<()>;
    async fn deregister_targets(&self, target_group_arn: &str, instances: &[String]) -> Result<()>;

    async fn set_tags(&self, arn: &str, add: &Tags, remove: &[String]) -> Result<()>;
}

// ---- WAFv2 ----------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebAclRules {
    /// AWS managed rule groups, in priority order.
    pub managed_rule_groups: Vec<String>,
    /// Requests per 5 minutes per client IP, when a rate-based rule is present.
    pub rate_limit: Option<u32>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct WebAclInfo {
    pub id: String,
    pub arn: String,
    pub name: String,
    pub rules: WebAclRules,
    pub tags: Tags,
}

/// Regional WAFv2 in one region.
#[async_trait]
pub trait Waf: Send + Sync {
    /// Reads the web ACLs tagged with the stack, with their rules.
    async fn snapshot(&self, stack: &str) -> Result<Vec<WebAclInfo>>;
    /// ARN of the web ACL associated with a resource, if any.
    async fn web_acl_for(&self, resource_arn: &str) -> Result<Option<String>>;

    async fn create_web_acl(
        &self,
        name: &str,
        rules: &WebAclRules,
        tags: &Tags,
    ) -> Result<WebAclInfo>;
    async fn update_web_acl(&self, acl: &WebAclInfo, rules: &WebAclRules) -> Result<()>;
    async fn delete_web_acl(&self, acl: &WebAclInfo) -> Result<()>;
    async fn associate(&self, acl_arn: &str, resource_arn: &str) -> Result<()>;
    async fn disassociate(&self, resource_arn: &str) -> Result<()>;

    async fn set_tags(&self, arn: &str, add: &Tags, remove: &[String]) -> Result<()>;
}

// ---- CloudWatch Logs ------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
pub struct LogGroupInfo {
    pub name: String,
    pub retention_days: Option<u32>,
}

/// The log group prefix that scopes a stack's groups, so one listing finds them.
pub fn log_group_prefix(stack: &str) -> String {
    format!("/multiregion/{stack}/")
}

/// CloudWatch Logs in one region (where the VPC flow logs go).
#[async_trait]
pub trait Logs: Send + Sync {
    /// The log groups under the stack's prefix.
    async fn snapshot(&self, stack: &str) -> Result<Vec<LogGroupInfo>>;
    /// Creates the group with its tags; its retention is set apart, so a retried retention
    /// never repeats the create.
    async fn create_log_group(&self, name: &str, tags: &Tags) -> Result<()>;
    async fn set_retention(&self, name: &str, retention_days: u32) -> Result<()>;
    async fn delete_log_group(&self, name: &str) -> Result<()>;
}

// ---- EC2 Auto Scaling -----------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
pub struct AutoScalingGroupInfo {
    pub name: String,
    /// The managed node group it runs (EKS's `eks:nodegroup-name` tag).
    pub node_group: String,
    pub target_groups: Vec<String>,
}

/// The Auto Scaling groups EKS makes for managed node groups, in one region.
#[async_trait]
pub trait Scaling: Send + Sync {
    /// The groups that run `cluster`'s node groups, with their target groups.
    async fn node_group_asgs(&self, cluster: &str) -> Result<Vec<AutoScalingGroupInfo>>;
    /// Every instance the group runs, now and later, becomes a target of the target group.
    async fn attach_target_group(&self, asg: &str, target_group_arn: &str) -> Result<()>;
    async fn detach_target_group(&self, asg: &str, target_group_arn: &str) -> Result<()>;
}

/// The clients of one region.
#[derive(Clone)]
pub struct RegionClients {
    pub network: Arc<dyn Network>,
    pub load_balancing: Arc<dyn LoadBalancing>,
    pub waf: Arc<dyn Waf>,
    pub eks: Arc<dyn Eks>,
    pub logs: Arc<dyn Logs>,
    pub scaling: Arc<dyn Scaling>,
    pub parameters: Arc<dyn Parameters>,
    pub alerting: Arc<dyn Alerting>,
    pub keys: Arc<dyn Keys>,
    pub certificates: Arc<dyn Certificates>,
    pub addons: Arc<dyn Addons>,
    pub pod_identities: Arc<dyn PodIdentities>,
}
