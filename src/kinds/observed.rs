//! The observed model: what discovery found of the stack, by logical id, with the handles
//! needed to change or delete each resource.

use std::collections::BTreeMap;

use super::{Fields, Kind};
use crate::providers::{
    AddonInfo, AlertingSnapshot, AutoScalingGroupInfo, CertificateInfo, EksSnapshot, KeyInfo,
    LoadBalancingSnapshot, LogGroupInfo, NetworkSnapshot, NodeInstance, ParameterInfo,
    PodIdentityInfo, RuleSpec, Tags, WebAclInfo,
};

#[derive(Debug, Clone, PartialEq)]
pub enum Handle {
    /// An AWS id or ARN.
    Id(String),
    InternetGateway {
        id: String,
        vpc: Option<String>,
    },
    Route {
        table: String,
        destination: String,
    },
    Association {
        id: String,
    },
    Rule {
        group: String,
        rule: RuleSpec,
    },
    DefaultGroup {
        id: String,
        rules: Vec<RuleSpec>,
    },
    LoadBalancer {
        arn: String,
        dns_name: String,
        /// The hosted zone of its DNS name, for an alias record to it.
        zone: String,
    },
    WebAcl(WebAclInfo),
    WebAclAssociation {
        resource_arn: String,
    },
    /// A topic's subscription: its ARN once confirmed, and what it delivers to.
    Subscription {
        arn: Option<String>,
        endpoint: String,
    },
    /// CloudWatch deletes an alarm by name and tags it by ARN.
    Alarm {
        name: String,
        arn: String,
    },
    /// Part of another resource (the accepter side and DNS options of a peering).
    Peering {
        id: String,
    },
    Role {
        name: String,
        arn: String,
        policies: Vec<String>,
        /// Names of its inline policies.
        inline: Vec<String>,
    },
    /// EKS calls clusters by name; the cluster's own security group goes to launch templates.
    Cluster {
        name: String,
        arn: String,
        security_group: Option<String>,
    },
    NodeGroup {
        cluster: String,
        name: String,
        arn: String,
    },
    AccessEntry {
        cluster: String,
        principal: String,
    },
    /// EKS calls an add-on by its cluster and name, and tags it by ARN.
    Addon {
        cluster: String,
        name: String,
        arn: String,
    },
    /// EKS calls a Pod Identity association by its cluster and id, and tags it by ARN.
    PodIdentity {
        cluster: String,
        id: String,
        arn: String,
    },
    /// A certificate's validation records in a hosted zone, kept to delete them by.
    Validation {
        certificate: String,
        zone: String,
        records: Vec<crate::providers::DnsRecord>,
    },
    /// An alias record in a hosted zone: Route 53 deletes one only as it is.
    Alias {
        zone: String,
        record: crate::providers::AliasRecord,
    },
    /// A node group's link to a target group: its Auto Scaling groups attached to it, or
    /// where it has none, its instances registered with it.
    Targets {
        target_group: String,
        asgs: Vec<String>,
        instances: Vec<String>,
    },
}

impl Handle {
    /// The AWS identifier others refer to this resource by.
    pub fn aws_id(&self) -> &str {
        match self {
            Handle::Id(id)
            | Handle::InternetGateway { id, .. }
            | Handle::Association { id }
            | Handle::DefaultGroup { id, .. }
            | Handle::Peering { id } => id,
            Handle::LoadBalancer { arn, .. } => arn,
            Handle::WebAcl(acl) => &acl.arn,
            Handle::Route { table, .. } | Handle::Rule { group: table, .. } => table,
            Handle::WebAclAssociation { resource_arn } => resource_arn,
            Handle::Role { arn, .. } => arn,
            Handle::Cluster { name, .. } => name,
            Handle::NodeGroup { name, .. } => name,
            Handle::Addon { arn, .. } => arn,
            Handle::PodIdentity { arn, .. } => arn,
            Handle::AccessEntry { principal, .. } => principal,
            Handle::Targets { target_group, .. } => target_group,
            Handle::Subscription { arn, endpoint } => arn.as_deref().unwrap_or(endpoint),
            Handle::Alarm { arn, .. } => arn,
            Handle::Validation { certificate, .. } => certificate,
            Handle::Alias { record, .. } => &record.name,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ObservedResource {
    pub id: String,
    pub kind: Kind,
    /// Stack region name; `None` for global resources.
    pub region: Option<String>,
    pub handle: Handle,
    pub fields: Fields,
    /// `None` for kinds that carry no tags.
    pub tags: Option<Tags>,
    /// Logical ids of what it refers to, for deletion order.
    pub depends_on: Vec<String>,
    /// A transitional state worth showing (`pending`, `pending-acceptance`, `provisioning`).
    pub state: Option<String>,
    /// The logical id it carries, where another resource keeps that id: it is a duplicate.
    pub duplicate_of: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Observed {
    pub resources: BTreeMap<String, ObservedResource>,
    /// Usable availability zones per stack region name.
    pub azs: BTreeMap<String, Vec<String>>,
}

/// Everything read from one region in one discovery pass.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub network: NetworkSnapshot,
    pub load_balancing: LoadBalancingSnapshot,
    pub web_acls: Vec<WebAclInfo>,
    /// Application load balancer ARN -> web ACL ARN.
    pub web_acl_of: BTreeMap<String, String>,
    pub eks: EksSnapshot,
    /// The stack's CloudWatch Logs groups.
    pub log_groups: Vec<LogGroupInfo>,
    /// Target group ARN -> the instance ids registered with it.
    pub targets: BTreeMap<String, Vec<String>>,
    /// The EC2 instances that are nodes of the region's cluster.
    pub node_instances: Vec<NodeInstance>,
    /// The Auto Scaling groups behind the cluster's node groups.
    pub asgs: Vec<AutoScalingGroupInfo>,
    /// The stack's SSM parameters.
    pub parameters: Vec<ParameterInfo>,
    /// The stack's alert topics and alarms.
    pub alerting: AlertingSnapshot,
    /// The stack's KMS keys not pending deletion.
    pub keys: Vec<KeyInfo>,
    /// The stack's ACM certificates, with their validation records in their zones.
    pub certificates: Vec<CertificateInfo>,
    /// The add-ons of the region's cluster.
    pub addons: Vec<AddonInfo>,
    pub pod_identities: Vec<PodIdentityInfo>,
}
