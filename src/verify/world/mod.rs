//! What the checks look at: one view of the setup, built either from the stack alone (the
//! desired model and the rendered manifests) or from one discovery pass over AWS and the
//! clusters. Plain data; the checks never know which one they got, except through `live`.

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Service;
use k8s_openapi::api::networking::v1::NetworkPolicy;

use crate::stack::ValidStack;
use crate::stack::types::{LoadBalancerType, Role, Scheme};
use crate::workloads::render::Manifest;

mod desired;
mod observed;

pub use desired::from_desired;
pub use observed::from_observed;

#[derive(Debug, Clone)]
pub struct World {
    /// Read from AWS and the clusters (`verify`), or built from the stack file (`--static`).
    pub live: bool,
    /// In `spec.regions` order.
    pub regions: Vec<RegionView>,
    /// Every peering of the stack's, as requested or found.
    pub peerings: Vec<PeeringView>,
    /// Logical ids that more than one resource carries, each with what was found
    /// (`c1/vpc: 2 found: vpc-a (kept), vpc-b (extra)`).
    pub duplicates: Vec<String>,
    /// The environment laid over the stack (`--env`), if any.
    pub env: Option<String>,
    /// The keys of the alarms the stack turns off (`errorRate`), and whether it has
    /// `spec.alerts` at all.
    pub alarms_off: Vec<&'static str>,
    pub alerts: bool,
}

/// The alarms the stack asks for in region `region`, by logical id, from its desired model.
pub(super) fn alarms_wanted(resources: &[crate::model::Resource], region: &str) -> Vec<String> {
    resources
        .iter()
        .filter(|r| r.spec.kind() == crate::kinds::Kind::MetricAlarm)
        .filter(|r| r.region.as_deref() == Some(region))
        .map(|r| r.id.clone())
        .collect()
}

/// What the stack says of its alarms, for the world.
pub(super) fn alarm_settings(stack: &ValidStack) -> (Vec<&'static str>, bool) {
    let Some(alerts) = &stack.stack.spec.alerts else {
        return (Vec::new(), false);
    };
    let off = crate::stack::alerts::AlarmName::ALL
        .into_iter()
        .filter(|n| !alerts.alarms.get(*n).enabled)
        .map(|n| n.key())
        .collect();
    (off, true)
}

#[derive(Debug, Clone)]
pub struct RegionView {
    /// The stack's name for it (`c1`).
    pub name: String,
    pub role: Role,
    /// The EKS cluster's name as the stack gives it (its node groups' Auto Scaling groups are
    /// tagged with it).
    pub cluster_name: String,
    /// Whether the stack makes the cluster's secrets key (rather than naming one, or none).
    pub own_secrets_key: bool,
    /// The VPC block the stack gives this region, and the other region's.
    pub cidr: String,
    pub peer_cidr: String,
    /// The CIDRs the stack allows to reach the cluster's public endpoint.
    pub endpoint_cidrs: Vec<String>,
    pub vpc: Option<Named>,
    pub subnets: Vec<SubnetView>,
    pub route_tables: Vec<RouteTableView>,
    pub security_groups: Vec<GroupView>,
    /// The VPC's default group.
    pub default_group: Option<GroupView>,
    pub load_balancer: Option<LoadBalancerView>,
    pub cluster: Option<ClusterView>,
    pub node_groups: Vec<NodeGroupView>,
    pub flow_logs_wanted: bool,
    /// Flow logs attached to the VPC.
    pub flow_logs: Vec<String>,
    /// The region's NAT gateways.
    pub nat_gateways: Vec<Named>,
    /// The stack's CloudWatch Logs groups here.
    pub log_groups: Vec<LogGroupView>,
    /// Names of the stack's workloads that run here.
    pub workloads: Vec<String>,
    pub kubernetes: Kube,
    /// The alarms the stack asks for here, by logical id (`c1/alarm/errorRate`).
    pub alarms_wanted: Vec<String>,
    /// The region's alert topic.
    pub alert_topic: Option<AlertTopicView>,
    /// The stack's alarms here.
    pub alarms: Vec<AlarmView>,
}

#[derive(Debug, Clone)]
pub struct AlertTopicView {
    /// Its logical id.
    pub id: String,
    pub name: Named,
    pub subscriptions: usize,
    /// Subscriptions whose endpoint confirmed (planned ones count, without AWS to ask).
    pub confirmed: usize,
}

#[derive(Debug, Clone)]
pub struct AlarmView {
    /// Its logical id.
    pub id: String,
    pub name: Named,
    /// The logical ids (or ARNs) its ALARM actions notify.
    pub actions: Vec<String>,
    /// CloudWatch runs its actions (an alarm can keep them but have them turned off).
    pub actions_enabled: bool,
}

/// A resource as the report names it: `c1/vpc (vpc-0abc)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Named {
    pub id: String,
    pub label: String,
}

impl Named {
    pub(super) fn new(id: &str, logical: Option<&str>) -> Named {
        let label = match logical {
            Some(l) if l != id => format!("{l} ({id})"),
            _ => id.to_string(),
        };
        Named {
            id: id.to_string(),
            label,
        }
    }
}

#[derive(Debug, Clone)]
pub struct SubnetView {
    pub name: Named,
    pub cidr: String,
    pub map_public_ip: bool,
}

#[derive(Debug, Clone)]
pub struct RouteTableView {
    pub name: Named,
    /// The VPC's main table, which serves subnets without one of their own.
    pub main: bool,
    /// Ids of the subnets associated with it.
    pub subnets: Vec<String>,
    pub routes: Vec<RouteView>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RouteView {
    pub destination: String,
    /// What the route goes to, and the target's id.
    pub target_kind: TargetKind,
    pub target: String,
}

/// What kind of thing a route goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetKind {
    InternetGateway,
    NatGateway,
    Peering,
    /// The VPC's own block.
    Local,
    Other,
}

impl std::fmt::Display for TargetKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TargetKind::InternetGateway => "internet-gateway",
            TargetKind::NatGateway => "nat-gateway",
            TargetKind::Peering => "peering",
            TargetKind::Local => "local",
            TargetKind::Other => "other",
        })
    }
}

#[derive(Debug, Clone)]
pub struct GroupView {
    pub name: Named,
    pub ingress: Vec<RuleView>,
    pub egress: Vec<RuleView>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RuleView {
    /// `tcp`, `udp`, `icmp` or `-1` (all).
    pub protocol: String,
    pub from_port: Option<i32>,
    pub to_port: Option<i32>,
    /// A CIDR block, or another security group's id.
    pub cidr: Option<String>,
    pub group: Option<String>,
}

impl RuleView {
    pub fn describe(&self) -> String {
        let ports = match (self.protocol.as_str(), self.from_port, self.to_port) {
            ("-1", _, _) => "all traffic".to_string(),
            (p, Some(a), Some(b)) if a == b => format!("{p}/{a}"),
            (p, Some(a), Some(b)) => format!("{p}/{a}-{b}"),
            (p, _, _) => format!("{p}/all ports"),
        };
        let from = self
            .cidr
            .clone()
            .or_else(|| self.group.clone().map(|g| format!("group {g}")))
            .unwrap_or_default();
        format!("{ports} from {from}")
    }
}

#[derive(Debug, Clone)]
pub struct LoadBalancerView {
    pub name: Named,
    /// `None` for what AWS names otherwise.
    pub scheme: Option<Scheme>,
    pub lb_type: Option<LoadBalancerType>,
    pub listeners: Vec<ListenerView>,
    pub security_groups: Vec<String>,
    pub web_acl: Option<WebAclView>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ListenerView {
    pub port: u16,
    pub protocol: String,
    /// Where it redirects (`HTTPS:443`), if it only redirects.
    pub redirect: Option<String>,
    /// An HTTPS listener's security policy.
    pub ssl_policy: Option<String>,
}

#[derive(Debug, Clone)]
pub struct WebAclView {
    pub name: Named,
    /// `None` when the associated ACL is not one of the stack's, so its rules are unknown.
    pub managed_rule_groups: Option<Vec<String>>,
    pub rate_limit: Option<u32>,
}

#[derive(Debug, Clone)]
pub struct ClusterView {
    pub name: Named,
    /// Kubernetes minor version (`1.35`).
    pub version: String,
    pub endpoint_public: bool,
    pub public_cidrs: Vec<String>,
    pub log_types: Vec<String>,
    /// The KMS key its secrets are envelope-encrypted with (the stack's key by logical id, an
    /// existing one by ARN), and how that key stands when the stack makes it.
    pub secrets_key: Option<String>,
    pub secrets_key_state: Option<KeyStateView>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyStateView {
    pub enabled: bool,
    pub rotation: bool,
}

#[derive(Debug, Clone)]
pub struct LogGroupView {
    pub name: Named,
    /// `None`: kept forever.
    pub retention_days: Option<u32>,
}

#[derive(Debug, Clone)]
pub struct NodeGroupView {
    pub name: Named,
    pub subnets: Vec<String>,
    /// Sizes: min, desired, max.
    pub sizes: (u32, u32, u32),
    /// `None` when the node group was not made from a launch template (EKS defaults: IMDSv1
    /// allowed).
    pub imdsv2_required: Option<bool>,
}

#[derive(Debug, Clone)]
pub struct PeeringView {
    pub name: Named,
    pub requester_vpc: String,
    pub accepter_vpc: String,
    /// `active`, `pending-acceptance` ...; `planned` in a static world.
    pub status: String,
}

/// A cluster's Kubernetes objects, or why they could not be read.
#[derive(Debug, Clone)]
pub enum Kube {
    Objects(KubeObjects),
    Unavailable(String),
}

#[derive(Debug, Clone, Default)]
pub struct KubeObjects {
    /// Every Service in the cluster.
    pub services: Vec<Service>,
    /// The stack's Deployments.
    pub deployments: Vec<Deployment>,
    /// Every NetworkPolicy in the cluster.
    pub network_policies: Vec<NetworkPolicy>,
}

impl KubeObjects {
    /// The typed objects among rendered manifests (static worlds).
    pub fn from_manifests(manifests: &[Manifest]) -> KubeObjects {
        let mut objects = KubeObjects::default();
        for m in manifests {
            let value = m.object.clone();
            match m.kind() {
                "Service" => objects.services.extend(serde_json::from_value(value).ok()),
                "Deployment" => objects
                    .deployments
                    .extend(serde_json::from_value(value).ok()),
                "NetworkPolicy" => objects
                    .network_policies
                    .extend(serde_json::from_value(value).ok()),
                _ => {}
            }
        }
        objects
    }
}

pub(super) fn region_shell(stack: &ValidStack, i: usize, kubernetes: Kube) -> RegionView {
    let region = &stack.stack.spec.regions[i];
    let peer = if region.role == Role::Backend {
        stack.index_of_role(Role::Frontend)
    } else {
        stack.index_of_role(Role::Backend)
    };
    RegionView {
        name: region.name.clone(),
        role: region.role,
        cluster_name: region.cluster.name.clone(),
        own_secrets_key: region.cluster.secrets_encryption.enabled
            && region.cluster.secrets_encryption.key_arn.is_none(),
        cidr: stack.networks[i].vpc.to_string(),
        peer_cidr: stack.networks[peer].vpc.to_string(),
        endpoint_cidrs: region.cluster.endpoint.public_cidrs.clone(),
        vpc: None,
        subnets: Vec::new(),
        route_tables: Vec::new(),
        security_groups: Vec::new(),
        default_group: None,
        load_balancer: None,
        cluster: None,
        node_groups: Vec::new(),
        flow_logs_wanted: region.network.flow_logs,
        flow_logs: Vec::new(),
        nat_gateways: Vec::new(),
        log_groups: Vec::new(),
        workloads: stack
            .stack
            .spec
            .workloads
            .iter()
            .filter(|w| w.region == region.name)
            .map(|w| w.name.clone())
            .collect(),
        kubernetes,
        alarms_wanted: Vec::new(),
        alert_topic: None,
        alarms: Vec::new(),
    }
}
