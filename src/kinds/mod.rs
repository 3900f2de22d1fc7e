//! Every AWS resource kind the stack makes, one module each, registered in one table.
//!
//! A kind's module holds what is true of that kind alone: its fields (and which of them AWS
//! cannot change in place), which service tags it, whether it is regional or global, its
//! desired fields from the model, how discovery finds it in the per-service snapshots, and its
//! create, update and delete. Adding a kind is its module and its line in [`REGISTRY`] (with
//! its `Kind` and model variant). Rules that span kinds (content-matched routes and rules, the
//! peering across regions, adoption of default groups, the sweep) stay in the engine.

use std::collections::BTreeMap;

use async_trait::async_trait;
use serde::Serialize;

use crate::model::{Resource, ResourceSpec};
use crate::providers::{RoleInfo, Tags};
use crate::retry;

mod context;
mod mapping;
mod observed;

pub mod access_entry;
pub mod alert_subscription;
pub mod alert_topic;
pub mod alerts_key;
pub mod certificate;
pub mod certificate_validation;
pub mod cluster_addon;
pub mod default_security_group;
pub mod domain_alias;
pub mod eks_cluster;
pub mod elastic_ip;
pub mod flow_log;
pub mod iam_role;
pub mod internet_gateway;
pub mod launch_template;
pub mod listener;
pub mod load_balancer;
pub mod log_group;
pub mod main_route_table;
pub mod metric_alarm;
pub mod nat_gateway;
pub mod node_group;
pub mod pod_identity;
pub mod route;
pub mod route_table;
pub mod route_table_association;
pub mod run_record;
pub mod secrets_key;
pub mod security_group;
pub mod security_group_rule;
pub mod subnet;
pub mod target_group;
pub mod target_group_attachment;
pub mod vpc;
pub mod vpc_peering;
pub mod vpc_peering_accepter;
pub mod vpc_peering_dns;
pub mod web_acl;
pub mod web_acl_association;

pub use context::{Applier, Finder, Limits, RegionTarget, StepError, StepResult, tags_text};
use context::{adopt_tags, cannot_change, not_a};
pub use mapping::{Mapper, tag_id};
pub use observed::{Handle, Observed, ObservedResource, Snapshot};

/// A resource's comparable fields as canonical strings, keyed by the field's name.
pub type Fields = BTreeMap<&'static str, String>;

/// Declares the kinds once: the enum, in registry order, and each kind's name.
macro_rules! kinds {
    ($($kind:ident),* $(,)?) => {
        /// What kind of AWS resource a logical resource is.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        pub enum Kind {
            $($kind),*
        }

        impl Kind {
            /// Every kind, in registry order.
            #[cfg(test)]
            pub const ALL: &[Kind] = &[$(Kind::$kind),*];

            /// The kind's name as plans show it (`VpcPeering`).
            pub fn name(self) -> &'static str {
                match self {
                    $(Kind::$kind => stringify!($kind)),*
                }
            }
        }
    };
}

kinds! {
    IamRole,
    LogGroup,
    SecretsKey,
    AlertsKey,
    Vpc,
    InternetGateway,
    Subnet,
    ElasticIp,
    NatGateway,
    RouteTable,
    MainRouteTable,
    DefaultSecurityGroup,
    SecurityGroup,
    SecurityGroupRule,
    VpcPeering,
    VpcPeeringAccepter,
    VpcPeeringDns,
    Route,
    RouteTableAssociation,
    FlowLog,
    Certificate,
    CertificateValidation,
    LoadBalancer,
    TargetGroup,
    Listener,
    DomainAlias,
    WebAcl,
    WebAclAssociation,
    EksCluster,
    AccessEntry,
    PodIdentity,
    LaunchTemplate,
    NodeGroup,
    ClusterAddon,
    TargetGroupAttachment,
    AlertTopic,
    AlertSubscription,
    MetricAlarm,
    RunRecord,
}

/// Where a kind lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// In one of the stack's regions.
    Regional,
    /// Account-wide (IAM): one for the stack, in no region.
    Global,
}

/// The AWS service whose tagging calls a kind's tags go through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagService {
    Ec2,
    Elbv2,
    Wafv2,
    Eks,
    Iam,
    Logs,
    Ssm,
    /// SNS topics and CloudWatch alarms, by ARN.
    Alerts,
    /// KMS keys, by ARN.
    Kms,
    /// ACM certificates, by ARN.
    Acm,
}

/// How a kind carries the stack's tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tagging {
    /// Tagged when made, tags read back by discovery and kept in step by the diff.
    Kept(TagService),
    /// Tagged when made; discovery finds it by name or content, so its tags are not read back.
    AtCreation(TagService),
    /// AWS gives it no tags of its own (a route, an association); it is found by its content
    /// or by what it belongs to.
    Untaggable,
}

/// One comparable field of a kind, declared once: its name in plans and whether a different
/// value forces a replacement (Terraform's `ForceNew`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    pub name: &'static str,
    pub force_new: bool,
}

impl Field {
    /// A field AWS can change in place.
    pub const fn updatable(name: &'static str) -> Field {
        Field {
            name,
            force_new: false,
        }
    }

    /// A field AWS cannot change: a different value means a new resource.
    pub const fn force_new(name: &'static str) -> Field {
        Field {
            name,
            force_new: true,
        }
    }
}

/// What the desired side of a kind needs besides the resource itself.
pub struct DesiredContext<'a> {
    /// The region's usable availability zones, to name a subnet's zone by index.
    pub azs: &'a [String],
}

/// A kind's entry in the registry.
pub struct KindDef {
    pub kind: Kind,
    pub scope: Scope,
    pub tagging: Tagging,
    /// Made after every other change of its region and the global ones, so only by a run that
    /// got that far (the run record); else when what it depends on is made.
    pub after_region: bool,
    /// Every field the diff compares.
    pub fields: &'static [Field],
    /// The desired fields of a resource of this kind.
    pub desired: fn(&Resource, &DesiredContext<'_>) -> Fields,
    /// Its AWS ids and tags in a region's snapshot, where other kinds may refer to it by AWS
    /// id: discovery indexes them first, so every reference resolves to a logical id.
    pub index: Option<Index>,
    /// How discovery finds it.
    pub discovery: Discovery,
    /// How it is made, changed and deleted.
    pub ops: &'static dyn Ops,
}

/// A kind's `(AWS id, tags)` pairs in a region's snapshot.
pub type Index = fn(&Snapshot) -> Vec<(&str, &Tags)>;

/// How discovery finds a kind in what it read (the reads themselves are batched per service,
/// for every kind at once).
pub enum Discovery {
    /// By its `multiregion:id` tag (or its name) in each region's snapshot.
    InRegion(fn(&mut Mapper<'_>, &Snapshot)),
    /// By its tag among the global IAM roles.
    Global(fn(&mut Mapper<'_>, &[RoleInfo])),
    /// By a rule of the engine that spans kinds, named here: its content matched against the
    /// model, or found as part of another resource.
    #[allow(
        dead_code,
        reason = "the rule's name is for people reading the registry"
    )]
    ByRule(&'static str),
}

/// A kind's create, update and delete: each returns what it did, in a few words, or why not.
#[async_trait]
pub trait Ops: Sync {
    /// Makes the resource; returns its handle and what to say.
    async fn create(&self, cx: &Applier<'_>, r: &Resource) -> StepResult<(Handle, String)>;

    /// Changes fields in place. Only fields not marked `force_new` reach it, and never
    /// `tags`, which the registry keeps in step for every kind.
    async fn update(&self, u: InPlace<'_>) -> StepResult<()> {
        let InPlace(_, r, changed, _) = u;
        Err(cannot_change(r, &changed.join("`, `")))
    }

    async fn delete(&self, cx: &Applier<'_>, o: &ObservedResource) -> StepResult<()>;
}

/// What an in-place change has at hand: the run's context, the desired resource, the fields
/// that differ (by their declared names) and what discovery found.
pub struct InPlace<'c>(
    pub &'c Applier<'c>,
    pub &'c Resource,
    pub &'c [&'c str],
    pub &'c ObservedResource,
);

/// Makes `r` through its kind, remembering its handle for what refers to it.
pub async fn create(cx: &Applier<'_>, r: &Resource) -> StepResult {
    let (handle, what) = r.spec.kind().def().ops.create(cx, r).await?;
    cx.remember(&r.id, handle);
    Ok(what)
}

/// Changes `fields` of `r` in place: its tags through the service that tags its kind, the
/// rest through its kind. Says which fields changed.
pub async fn update(cx: &Applier<'_>, r: &Resource, fields: &[&str]) -> StepResult {
    let observed = cx
        .observed
        .resources
        .get(&r.id)
        .ok_or_else(|| StepError::precondition(format!("{} was not observed", r.id)))?;
    if fields.contains(&TAGS) {
        cx.retag(r, observed).await?;
    }
    let rest: Vec<&str> = fields.iter().copied().filter(|f| *f != TAGS).collect();
    if !rest.is_empty() {
        let ops = r.spec.kind().def().ops;
        ops.update(InPlace(cx, r, &rest, observed)).await?;
    }
    Ok(fields.join(", "))
}

/// Deletes what discovery found, through its kind.
pub async fn delete(cx: &Applier<'_>, o: &ObservedResource) -> StepResult {
    o.kind.def().ops.delete(cx, o).await?;
    cx.forget(&o.id);
    Ok(String::new())
}

/// The name of the tags in a diff; every tagged kind has them.
pub const TAGS: &str = "tags";

/// Every kind, in the order they are made: each after the kinds it can depend on.
pub const REGISTRY: &[KindDef] = &[
    iam_role::DEF,
    log_group::DEF,
    secrets_key::DEF,
    alerts_key::DEF,
    vpc::DEF,
    internet_gateway::DEF,
    subnet::DEF,
    elastic_ip::DEF,
    nat_gateway::DEF,
    route_table::DEF,
    main_route_table::DEF,
    default_security_group::DEF,
    security_group::DEF,
    security_group_rule::DEF,
    vpc_peering::DEF,
    vpc_peering_accepter::DEF,
    vpc_peering_dns::DEF,
    route::DEF,
    route_table_association::DEF,
    flow_log::DEF,
    certificate::DEF,
    certificate_validation::DEF,
    load_balancer::DEF,
    target_group::DEF,
    listener::DEF,
    domain_alias::DEF,
    web_acl::DEF,
    web_acl_association::DEF,
    eks_cluster::DEF,
    access_entry::DEF,
    pod_identity::DEF,
    launch_template::DEF,
    node_group::DEF,
    cluster_addon::DEF,
    target_group_attachment::DEF,
    alert_topic::DEF,
    alert_subscription::DEF,
    metric_alarm::DEF,
    run_record::DEF,
];

impl Kind {
    /// The kind's registry entry.
    pub fn def(self) -> &'static KindDef {
        // The enum lists the kinds in registry order (a test holds them together).
        let def = &REGISTRY[self as usize];
        debug_assert_eq!(def.kind, self);
        def
    }

    /// Whether its tags are read back and kept in step.
    pub fn keeps_tags(self) -> bool {
        matches!(self.def().tagging, Tagging::Kept(_))
    }

    /// Whether a difference in `field` means a replacement.
    pub fn forces_new(self, field: &str) -> bool {
        self.def()
            .fields
            .iter()
            .any(|f| f.force_new && f.name == field)
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.name())
    }
}

impl PartialEq<&str> for Kind {
    fn eq(&self, other: &&str) -> bool {
        self.name() == *other
    }
}

impl ResourceSpec {
    /// The kind of resource this is.
    pub fn kind(&self) -> Kind {
        match self {
            ResourceSpec::Vpc { .. } => Kind::Vpc,
            ResourceSpec::InternetGateway { .. } => Kind::InternetGateway,
            ResourceSpec::Subnet { .. } => Kind::Subnet,
            ResourceSpec::ElasticIp => Kind::ElasticIp,
            ResourceSpec::NatGateway { .. } => Kind::NatGateway,
            ResourceSpec::RouteTable { .. } => Kind::RouteTable,
            ResourceSpec::Route { .. } => Kind::Route,
            ResourceSpec::RouteTableAssociation { .. } => Kind::RouteTableAssociation,
            ResourceSpec::SecurityGroup { .. } => Kind::SecurityGroup,
            ResourceSpec::SecurityGroupRule { .. } => Kind::SecurityGroupRule,
            ResourceSpec::DefaultSecurityGroup { .. } => Kind::DefaultSecurityGroup,
            ResourceSpec::MainRouteTable { .. } => Kind::MainRouteTable,
            ResourceSpec::VpcPeering { .. } => Kind::VpcPeering,
            ResourceSpec::VpcPeeringAccepter { .. } => Kind::VpcPeeringAccepter,
            ResourceSpec::VpcPeeringDns { .. } => Kind::VpcPeeringDns,
            ResourceSpec::LoadBalancer { .. } => Kind::LoadBalancer,
            ResourceSpec::TargetGroup { .. } => Kind::TargetGroup,
            ResourceSpec::Listener { .. } => Kind::Listener,
            ResourceSpec::WebAcl { .. } => Kind::WebAcl,
            ResourceSpec::WebAclAssociation { .. } => Kind::WebAclAssociation,
            ResourceSpec::IamRole { .. } => Kind::IamRole,
            ResourceSpec::LogGroup { .. } => Kind::LogGroup,
            ResourceSpec::SecretsKey { .. } => Kind::SecretsKey,
            ResourceSpec::AlertsKey { .. } => Kind::AlertsKey,
            ResourceSpec::Certificate { .. } => Kind::Certificate,
            ResourceSpec::CertificateValidation { .. } => Kind::CertificateValidation,
            ResourceSpec::DomainAlias { .. } => Kind::DomainAlias,
            ResourceSpec::FlowLog { .. } => Kind::FlowLog,
            ResourceSpec::EksCluster { .. } => Kind::EksCluster,
            ResourceSpec::AccessEntry { .. } => Kind::AccessEntry,
            ResourceSpec::PodIdentity { .. } => Kind::PodIdentity,
            ResourceSpec::LaunchTemplate { .. } => Kind::LaunchTemplate,
            ResourceSpec::NodeGroup { .. } => Kind::NodeGroup,
            ResourceSpec::ClusterAddon { .. } => Kind::ClusterAddon,
            ResourceSpec::TargetGroupAttachment { .. } => Kind::TargetGroupAttachment,
            ResourceSpec::AlertTopic { .. } => Kind::AlertTopic,
            ResourceSpec::AlertSubscription { .. } => Kind::AlertSubscription,
            ResourceSpec::MetricAlarm { .. } => Kind::MetricAlarm,
            ResourceSpec::RunRecord { .. } => Kind::RunRecord,
        }
    }
}

/// The desired side of a resource's fields.
pub fn desired(resource: &Resource, azs: &[String]) -> Fields {
    let def = resource.spec.kind().def();
    (def.desired)(resource, &DesiredContext { azs })
}

/// A comma-joined, sorted list: the canonical text of a set.
pub fn list(items: impl IntoIterator<Item = impl AsRef<str>>) -> String {
    let mut items: Vec<String> = items.into_iter().map(|i| i.as_ref().to_string()).collect();
    items.sort();
    items.join(",")
}

/// Fields from `(field, value)` pairs, keyed by each field's declared name.
pub fn fields<const N: usize>(pairs: [(Field, String); N]) -> Fields {
    pairs.into_iter().map(|(f, v)| (f.name, v)).collect()
}

#[cfg(test)]
mod tests;
