//! What costs money, read off a resource's fields: the same for a resource the stack wants
//! (its desired fields) and one that exists (its observed fields), so `cost` and the plan's
//! cost change price both alike.

use crate::kinds::{Fields, Kind};

/// A resource as far as its price goes.
#[derive(Debug, Clone, PartialEq)]
pub enum Billable {
    /// An EKS cluster: its Kubernetes version (which decides standard or extended support
    /// pricing) and how many control-plane log types it sends to CloudWatch Logs.
    ControlPlane {
        version: String,
        log_types: usize,
    },
    Nodes {
        /// The node group's logical id.
        group: String,
        instance_types: Vec<String>,
        min: u32,
        desired: u32,
        max: u32,
    },
    NatGateway,
    /// An Elastic IP: a public IPv4 address, billed hourly.
    ElasticIp,
    LoadBalancer {
        id: String,
        network: bool,
        internet_facing: bool,
        /// Subnets it spans: an internet-facing one has a public address in each.
        azs: usize,
    },
    WebAcl {
        id: String,
        rules: usize,
    },
    /// The flow logs' log group and how long it keeps them.
    FlowLogs {
        retention_days: u32,
    },
    /// One end of the cross-region peering: this region sends the other data over it.
    Peering,
    /// A standard-resolution CloudWatch alarm, billed per metric it reads.
    Alarm {
        metrics: usize,
    },
    /// A customer-managed KMS key, billed per month it exists (rotation included).
    KmsKey,
    /// Container Insights (the CloudWatch Observability add-on), billed per observation of the
    /// cluster's nodes, pods and containers.
    ContainerInsights,
}

/// The billable part of resource `id` of `kind` with `fields`, or `None` for what is free
/// (VPCs, subnets, routes, security groups, IAM, …). Every kind is named, so a new kind
/// cannot be left out of the estimate unnoticed.
pub fn of(id: &str, kind: Kind, fields: &Fields) -> Option<Billable> {
    let text = |name: &str| fields.get(name).map(String::as_str).unwrap_or_default();
    let number = |name: &str| text(name).parse::<u32>().unwrap_or(0);
    let items = |name: &str| -> Vec<String> {
        text(name)
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    };
    match kind {
        Kind::EksCluster => Some(Billable::ControlPlane {
            version: text("version").to_string(),
            log_types: items("logTypes").len(),
        }),
        Kind::NodeGroup => Some(Billable::Nodes {
            group: id.to_string(),
            instance_types: items("instanceTypes"),
            min: number("min"),
            desired: number("desired"),
            max: number("max"),
        }),
        Kind::NatGateway => Some(Billable::NatGateway),
        Kind::ElasticIp => Some(Billable::ElasticIp),
        Kind::LoadBalancer => Some(Billable::LoadBalancer {
            id: id.to_string(),
            network: text("type") == "network",
            internet_facing: text("scheme") == "internet-facing",
            azs: items("subnets").len(),
        }),
        Kind::WebAcl => Some(Billable::WebAcl {
            id: id.to_string(),
            // Each managed rule group is a rule, and so is the rate rule.
            rules: items("managedRuleGroups").len() + 1,
        }),
        Kind::LogGroup if text("name").ends_with("/flow-logs") => Some(Billable::FlowLogs {
            retention_days: number("retentionDays"),
        }),
        Kind::VpcPeering | Kind::VpcPeeringAccepter => Some(Billable::Peering),
        Kind::SecretsKey | Kind::AlertsKey => Some(Billable::KmsKey),
        Kind::ClusterAddon if id.ends_with(&format!("/addon/{}", crate::model::INSIGHTS_ADDON)) => {
            Some(Billable::ContainerInsights)
        }
        // Each metric an alarm reads shows once in its canonical text as `{dimensions}`.
        Kind::MetricAlarm => Some(Billable::Alarm {
            metrics: text("metric").matches('{').count().max(1),
        }),
        // Free, or priced through another kind (flow logs through their log group).
        Kind::LogGroup
        | Kind::IamRole
        | Kind::Vpc
        | Kind::InternetGateway
        | Kind::Subnet
        | Kind::RouteTable
        | Kind::MainRouteTable
        | Kind::DefaultSecurityGroup
        | Kind::SecurityGroup
        | Kind::SecurityGroupRule
        | Kind::VpcPeeringDns
        | Kind::Route
        | Kind::RouteTableAssociation
        | Kind::FlowLog
        | Kind::TargetGroup
        | Kind::Listener
        | Kind::WebAclAssociation
        // Public ACM certificates are free; the records live in the user's hosted zone.
        | Kind::Certificate
        | Kind::CertificateValidation
        | Kind::DomainAlias
        | Kind::AccessEntry
        | Kind::PodIdentity
        // The other EKS add-ons cost nothing of their own; their pods run on the nodes.
        | Kind::ClusterAddon
        | Kind::LaunchTemplate
        | Kind::TargetGroupAttachment
        // Topics and subscriptions cost nothing; an alarm's few deliveries a month are
        // within SNS's free tier.
        | Kind::AlertTopic
        | Kind::AlertSubscription
        | Kind::RunRecord => None,
    }
}
