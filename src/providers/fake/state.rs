//! The fake world's state: every resource of every region, as plain data.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use tokio::time::Instant;

use crate::providers::{
    ClusterInfo, ErrorKind, NodeGroupInfo, RouteTargetId, RuleSpec, Tags, WebAclRules,
};

/// One resource's life: when it was made (for lag) and when it is ready (for pending states).
#[derive(Debug, Clone)]
pub(crate) struct Life {
    pub created: Instant,
    pub ready: Instant,
}

#[derive(Debug, Clone)]
pub(crate) struct Vpc {
    pub cidr: String,
    pub dns_support: bool,
    pub dns_hostnames: bool,
    pub tags: Tags,
    pub default_group: String,
    pub main_table: String,
    pub life: Life,
}

#[derive(Debug, Clone)]
pub(crate) struct Subnet {
    pub vpc: String,
    pub cidr: String,
    pub az: String,
    pub map_public_ip: bool,
    pub tags: Tags,
    pub life: Life,
}

#[derive(Debug, Clone)]
pub(crate) struct Gateway {
    pub vpc: Option<String>,
    pub tags: Tags,
    pub life: Life,
}

#[derive(Debug, Clone)]
pub(crate) struct Address {
    pub nat: Option<String>,
    pub tags: Tags,
    pub life: Life,
}

#[derive(Debug, Clone)]
pub(crate) struct Nat {
    pub subnet: String,
    pub allocation: String,
    /// Set when deletion started; the gateway is gone once `deleted_at` passes.
    pub deleted_at: Option<Instant>,
    pub tags: Tags,
    pub life: Life,
    /// `failed` once ready (see [`FakeWorld::break_resource`]).
    pub broken: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Table {
    pub vpc: String,
    pub routes: BTreeMap<String, RouteTargetId>,
    /// Association id -> subnet.
    pub associations: BTreeMap<String, String>,
    pub tags: Tags,
    pub life: Life,
}

#[derive(Debug, Clone)]
pub(crate) struct Group {
    pub vpc: String,
    pub name: String,
    pub description: String,
    pub rules: Vec<RuleSpec>,
    pub tags: Tags,
    pub life: Life,
}

#[derive(Debug, Clone)]
pub(crate) struct Peering {
    pub requester_region: String,
    pub requester_vpc: String,
    pub accepter_region: String,
    pub accepter_vpc: String,
    pub accepted_at: Option<Instant>,
    pub deleted: bool,
    pub requester_dns: bool,
    pub accepter_dns: bool,
    pub requester_tags: Tags,
    pub accepter_tags: Tags,
    pub life: Life,
}

#[derive(Debug, Clone)]
pub(crate) struct LoadBalancer {
    pub name: String,
    pub lb_type: String,
    pub scheme: String,
    pub subnets: Vec<String>,
    pub groups: Vec<String>,
    pub tags: Tags,
    pub life: Life,
    /// `failed` once ready (see [`FakeWorld::break_resource`]).
    pub broken: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct TargetGroup {
    pub name: String,
    pub protocol: String,
    pub port: u16,
    pub vpc: String,
    pub target_type: String,
    pub health_check_path: Option<String>,
    /// Registered instance ids.
    pub targets: BTreeSet<String>,
    pub tags: Tags,
    pub life: Life,
}

#[derive(Debug, Clone)]
pub(crate) struct Listener {
    pub lb: String,
    pub protocol: String,
    pub port: u16,
    /// Empty when it redirects.
    pub target_group: String,
    pub redirect: Option<String>,
    pub certificate: Option<String>,
    pub ssl_policy: Option<String>,
    pub life: Life,
}

#[derive(Debug, Clone)]
pub(crate) struct Acl {
    pub name: String,
    pub id: String,
    pub rules: WebAclRules,
    pub tags: Tags,
    pub life: Life,
}

#[derive(Debug, Clone)]
pub(crate) struct Role {
    pub arn: String,
    pub path: String,
    pub service: String,
    pub policies: Vec<String>,
    /// Inline policies by name.
    pub inline: BTreeMap<String, String>,
    pub tags: Tags,
}

#[derive(Debug, Clone)]
pub(crate) struct Cluster {
    pub info: ClusterInfo,
    pub deleted_at: Option<Instant>,
    pub life: Life,
    /// The client token it was made with.
    pub token: String,
    /// Failed once ready, as EKS says `FAILED` (see [`FakeWorld::break_resource`]).
    pub broken: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct NodeGroup {
    pub info: NodeGroupInfo,
    pub deleted_at: Option<Instant>,
    pub life: Life,
    pub token: String,
    /// `CREATE_FAILED` or `DEGRADED` once ready, as when its nodes cannot join.
    pub broken: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Template {
    pub name: String,
    pub groups: Vec<String>,
    pub imdsv2_required: bool,
    pub hop_limit: u8,
    pub tags: Tags,
    pub life: Life,
}

#[derive(Debug, Clone)]
pub(crate) struct FlowLog {
    pub vpc: String,
    pub log_group: String,
    pub traffic_type: String,
    pub tags: Tags,
    pub life: Life,
}

#[derive(Debug, Clone)]
pub(crate) struct LogGroup {
    pub retention_days: u32,
    pub tags: Tags,
}

/// An SSM parameter (always a String one).
#[derive(Debug, Clone)]
pub(crate) struct Parameter {
    pub value: String,
    pub tags: Tags,
}

#[derive(Debug, Clone)]
pub(crate) struct Interface {
    pub subnet: String,
    pub vpc: String,
    pub groups: Vec<String>,
    pub description: String,
}

/// A resource that read-after-write lag hides for a while after it is made.
pub(crate) trait Living {
    fn life(&self) -> &Life;
}

/// A resource with tags of its own.
pub(crate) trait Tagged {
    fn tags(&self) -> &Tags;
    fn tags_mut(&mut self) -> &mut Tags;
}

macro_rules! living {
    ($($kind:ty),*) => {$(
        impl Living for $kind {
            fn life(&self) -> &Life {
                &self.life
            }
        }
    )*};
}

macro_rules! tagged {
    ($($kind:ty),*) => {$(
        impl Tagged for $kind {
            fn tags(&self) -> &Tags {
                &self.tags
            }
            fn tags_mut(&mut self) -> &mut Tags {
                &mut self.tags
            }
        }
    )*};
}

living!(
    Vpc,
    Subnet,
    Gateway,
    Address,
    Nat,
    Table,
    Group,
    Peering,
    LoadBalancer,
    TargetGroup,
    Listener,
    Acl,
    Cluster,
    NodeGroup,
    Template,
    FlowLog
);
tagged!(
    Vpc,
    Subnet,
    Gateway,
    Address,
    Nat,
    Table,
    Group,
    LoadBalancer,
    TargetGroup,
    Acl,
    Role,
    Template,
    FlowLog,
    LogGroup,
    Parameter
);

/// A kind of resource a region keeps by id.
pub(crate) trait Kept: Sized {
    fn kept(r: &mut Region) -> &mut BTreeMap<String, Self>;
}

macro_rules! kept {
    ($($kind:ty => $field:ident),*) => {$(
        impl Kept for $kind {
            fn kept(r: &mut Region) -> &mut BTreeMap<String, Self> {
                &mut r.$field
            }
        }
    )*};
}

kept!(
    Subnet => subnets, Gateway => gateways, Address => addresses, Nat => nats, Table => tables,
    Group => groups, Template => templates, FlowLog => flow_logs
);

/// One region's resources, by id or ARN.
#[derive(Debug, Default)]
pub(crate) struct Region {
    pub azs: Vec<String>,
    pub vpcs: BTreeMap<String, Vpc>,
    pub subnets: BTreeMap<String, Subnet>,
    pub gateways: BTreeMap<String, Gateway>,
    pub addresses: BTreeMap<String, Address>,
    pub nats: BTreeMap<String, Nat>,
    pub tables: BTreeMap<String, Table>,
    pub groups: BTreeMap<String, Group>,
    pub lbs: BTreeMap<String, LoadBalancer>,
    pub tgs: BTreeMap<String, TargetGroup>,
    pub listeners: BTreeMap<String, Listener>,
    pub acls: BTreeMap<String, Acl>,
    /// Resource ARN -> web ACL ARN.
    pub acl_of: BTreeMap<String, String>,
    pub clusters: BTreeMap<String, Cluster>,
    pub node_groups: BTreeMap<(String, String), NodeGroup>,
    pub access_entries: BTreeSet<(String, String)>,
    pub templates: BTreeMap<String, Template>,
    pub interfaces: BTreeMap<String, Interface>,
    pub flow_logs: BTreeMap<String, FlowLog>,
    pub log_groups: BTreeMap<String, LogGroup>,
    /// SSM parameters by name.
    pub parameters: BTreeMap<String, Parameter>,
    /// Auto Scaling group name -> its target group ARNs.
    pub asg_targets: BTreeMap<String, BTreeSet<String>>,
    /// SNS topics by ARN.
    pub topics: BTreeMap<String, super::alerting::Topic>,
    /// CloudWatch alarms by name.
    pub alarms: BTreeMap<String, super::alerting::Alarm>,
    /// KMS keys by ARN.
    pub keys: BTreeMap<String, super::keys::Key>,
    /// EKS add-ons by (cluster, name).
    pub addons: BTreeMap<(String, String), super::addons::Addon>,
    /// EKS Pod Identity associations by id.
    pub pod_identities: BTreeMap<String, super::pod_identity::Association>,
    /// ACM certificates by ARN.
    pub certificates: BTreeMap<String, super::certificates::Certificate>,
}

#[derive(Debug, Default)]
pub(crate) struct State {
    pub regions: BTreeMap<String, Region>,
    /// Peerings span regions, so they live beside them.
    pub peerings: BTreeMap<String, Peering>,
    /// IAM is global.
    pub roles: BTreeMap<String, Role>,
    /// Route 53 is global: hosted zones by id.
    pub zones: BTreeMap<String, super::certificates::Zone>,
    pub(super) next_id: u64,
    /// Operation -> (kind, how many more times to fail).
    pub(super) failures: HashMap<String, Vec<(ErrorKind, u32)>>,
    /// Operation -> how many more of its calls take effect and then lose their answer.
    pub(super) lost: HashMap<String, u32>,
    /// Client token -> the id of what the first call with it made.
    pub(crate) tokens: HashMap<String, String>,
    pub(super) rng: u64,
}
