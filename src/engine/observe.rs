//! Discovery: what the stack owns in both regions, read concurrently and mapped into the
//! observed model — logical ids (from the `multiregion:id` tag, or for untaggable parts such as
//! routes and rules, by matching their content against the desired model), comparable fields
//! and the handles needed to change or delete each resource.

use std::collections::{BTreeMap, HashMap};

use super::rules::{desired_rule_key, rule_key};
use super::{RegionTarget, Snapshot};
use crate::kinds::{Fields, Kind, Scope, list, public_cidrs_field};
pub use crate::kinds::{Handle, Observed, ObservedResource};
use crate::model::{PeeringSide, Resource, ResourceSpec, TAG_ID};
use crate::providers::*;

/// Maps region snapshots (and the global IAM roles) into the observed model. Pure: all AWS
/// reading happened before.
pub fn map(
    targets: &[RegionTarget],
    snapshots: &[Snapshot],
    roles: &[RoleInfo],
    desired: &[Resource],
) -> Observed {
    let mut m = Mapper::new(desired);
    // Every tagged AWS id, across both regions, so cross-region references resolve too.
    for snap in snapshots {
        m.index_tags(snap);
    }
    for r in roles {
        if let Some(id) = tag_id(&r.tags) {
            m.logical.insert(r.arn.clone(), id);
        }
    }
    m.roles(roles);
    let mut observed = Observed::default();
    for (target, snap) in targets.iter().zip(snapshots) {
        observed
            .azs
            .insert(target.name.clone(), snap.network.azs.clone());
        m.region = target.name.clone();
        m.aws_region = target.aws_region.clone();
        m.log_groups(&snap.log_groups);
        m.network(&snap.network);
        m.load_balancing(&snap.load_balancing);
        m.waf(&snap.web_acls, &snap.web_acl_of);
        m.eks(&snap.eks);
    }
    let mut seen_peerings = Vec::new();
    for (target, snap) in targets.iter().zip(snapshots) {
        m.region = target.name.clone();
        m.aws_region = target.aws_region.clone();
        for p in &snap.network.peerings {
            // Cross-region peerings can be listed in both regions; keep one.
            if !seen_peerings.contains(&p.id) {
                seen_peerings.push(p.id.clone());
                m.peering(p, targets);
            }
        }
    }
    for (target, snap) in targets.iter().zip(snapshots) {
        m.region = target.name.clone();
        m.target_attachments(snap, desired);
    }
    observed.resources = m.out;
    observed
}

struct Mapper<'d> {
    /// AWS id -> logical id.
    logical: HashMap<String, String>,
    out: BTreeMap<String, ObservedResource>,
    region: String,
    aws_region: String,
    routes: HashMap<(String, String), &'d str>,
    associations: HashMap<String, &'d str>,
    rules: HashMap<(String, String), &'d str>,
    default_groups: HashMap<String, &'d str>,
    listeners: HashMap<(String, u16), &'d str>,
    acl_associations: HashMap<String, &'d str>,
    accepters: HashMap<String, &'d str>,
    peering_dns: HashMap<(String, bool), &'d str>,
    access_entries: HashMap<(String, String), &'d str>,
    cluster_names: HashMap<String, String>,
    /// Log groups are known by name (CloudWatch Logs tags are not read).
    log_groups: HashMap<String, &'d str>,
    desired_deps: HashMap<&'d str, &'d [String]>,
}

fn tag_id(tags: &Tags) -> Option<String> {
    tags.get(TAG_ID).cloned()
}

impl<'d> Mapper<'d> {
    fn new(desired: &'d [Resource]) -> Self {
        let mut m = Mapper {
            logical: HashMap::new(),
            out: BTreeMap::new(),
            region: String::new(),
            aws_region: String::new(),
            routes: HashMap::new(),
            associations: HashMap::new(),
            rules: HashMap::new(),
            default_groups: HashMap::new(),
            listeners: HashMap::new(),
            acl_associations: HashMap::new(),
            accepters: HashMap::new(),
            peering_dns: HashMap::new(),
            access_entries: HashMap::new(),
            cluster_names: HashMap::new(),
            log_groups: HashMap::new(),
            desired_deps: HashMap::new(),
        };
        for r in desired {
            let id = r.id.as_str();
            m.desired_deps.insert(id, &r.depends_on);
            match &r.spec {
                ResourceSpec::Route {
                    route_table,
                    destination,
                    ..
                } => {
                    m.routes
                        .insert((route_table.clone(), destination.clone()), id);
                }
                ResourceSpec::RouteTableAssociation { subnet, .. } => {
                    m.associations.insert(subnet.clone(), id);
                }
                ResourceSpec::DefaultSecurityGroup { vpc } => {
                    m.default_groups.insert(vpc.clone(), id);
                }
                ResourceSpec::Listener {
                    load_balancer,
                    port,
                    ..
                } => {
                    m.listeners.insert((load_balancer.clone(), *port), id);
                }
                ResourceSpec::WebAclAssociation { load_balancer, .. } => {
                    m.acl_associations.insert(load_balancer.clone(), id);
                }
                ResourceSpec::VpcPeeringAccepter { peering } => {
                    m.accepters.insert(peering.clone(), id);
                }
                ResourceSpec::LogGroup { name, .. } => {
                    m.log_groups.insert(name.clone(), id);
                }
                ResourceSpec::VpcPeeringDns { peering, side } => {
                    m.peering_dns
                        .insert((peering.clone(), *side == PeeringSide::Requester), id);
                }
                spec => {
                    if let Some(key) = desired_rule_key(spec) {
                        m.rules.insert(key, id);
                    }
                }
            }
        }
        m
    }

    fn index_tags(&mut self, snap: &Snapshot) {
        let n = &snap.network;
        let tagged = n
            .vpcs
            .iter()
            .map(|v| (&v.id, &v.tags))
            .chain(n.subnets.iter().map(|s| (&s.id, &s.tags)))
            .chain(n.internet_gateways.iter().map(|g| (&g.id, &g.tags)))
            .chain(n.addresses.iter().map(|a| (&a.allocation_id, &a.tags)))
            .chain(n.nat_gateways.iter().map(|g| (&g.id, &g.tags)))
            .chain(n.route_tables.iter().map(|t| (&t.id, &t.tags)))
            .chain(n.security_groups.iter().map(|g| (&g.id, &g.tags)))
            .chain(n.peerings.iter().map(|p| (&p.id, &p.tags)))
            .chain(
                snap.load_balancing
                    .load_balancers
                    .iter()
                    .map(|l| (&l.arn, &l.tags)),
            )
            .chain(
                snap.load_balancing
                    .target_groups
                    .iter()
                    .map(|t| (&t.arn, &t.tags)),
            )
            .chain(snap.web_acls.iter().map(|a| (&a.arn, &a.tags)));
        let pairs: Vec<(String, String)> = tagged
            .chain(n.launch_templates.iter().map(|t| (&t.id, &t.tags)))
            .filter_map(|(aws, tags)| Some((aws.clone(), tag_id(tags)?)))
            .collect();
        self.logical.extend(pairs);
        // Node groups refer to clusters by name.
        for c in &snap.eks.clusters {
            if let Some(id) = tag_id(&c.tags) {
                self.cluster_names.insert(c.name.clone(), id);
            }
        }
    }

    /// The logical id of an AWS id, or the AWS id itself when it is not the stack's.
    fn name(&self, aws_id: &str) -> String {
        self.logical
            .get(aws_id)
            .cloned()
            .unwrap_or_else(|| aws_id.to_string())
    }

    fn put(
        &mut self,
        id: String,
        kind: Kind,
        handle: Handle,
        fields: Fields,
        tags: Option<Tags>,
        refs: Vec<String>,
    ) {
        let mut depends_on: Vec<String> = refs
            .into_iter()
            .filter(|r| self.logical.values().any(|l| l == r))
            .collect();
        // Ordering edges the model knows but AWS does not show (a NAT gateway needs the IGW).
        if let Some(deps) = self.desired_deps.get(id.as_str()) {
            for d in deps.iter() {
                if !depends_on.contains(d) {
                    depends_on.push(d.clone());
                }
            }
        }
        self.out.insert(
            id.clone(),
            ObservedResource {
                id,
                kind,
                region: (kind.def().scope == Scope::Regional).then(|| self.region.clone()),
                handle,
                fields,
                tags,
                depends_on,
                state: None,
            },
        );
    }

    fn network(&mut self, n: &NetworkSnapshot) {
        self.launch_templates(&n.launch_templates);
        self.flow_logs(&n.flow_logs);
        for v in &n.vpcs {
            let Some(id) = tag_id(&v.tags) else { continue };
            let (support, hostnames) = n.vpc_dns.get(&v.id).copied().unwrap_or((true, false));
            let f = Fields::from([
                ("cidr", v.cidr.clone()),
                ("dnsSupport", support.to_string()),
                ("dnsHostnames", hostnames.to_string()),
            ]);
            self.put(
                id,
                Kind::Vpc,
                Handle::Id(v.id.clone()),
                f,
                Some(v.tags.clone()),
                vec![],
            );
        }
        for g in &n.default_security_groups {
            let vpc = self.name(&g.vpc_id);
            let Some(id) = self.default_groups.get(&vpc).map(|s| s.to_string()) else {
                continue;
            };
            let rules = list(g.rules.iter().map(|r| self.rule_text(r)));
            let handle = Handle::DefaultGroup {
                id: g.id.clone(),
                rules: g.rules.clone(),
            };
            self.put(
                id,
                Kind::DefaultSecurityGroup,
                handle,
                Fields::from([("rules", rules)]),
                Some(g.tags.clone()),
                vec![vpc],
            );
        }
        for s in &n.subnets {
            let Some(id) = tag_id(&s.tags) else { continue };
            let vpc = self.name(&s.vpc_id);
            let f = Fields::from([
                ("vpc", vpc.clone()),
                ("cidr", s.cidr.clone()),
                ("az", s.az.clone()),
                ("mapPublicIpOnLaunch", s.map_public_ip_on_launch.to_string()),
            ]);
            self.put(
                id,
                Kind::Subnet,
                Handle::Id(s.id.clone()),
                f,
                Some(s.tags.clone()),
                vec![vpc],
            );
        }
        for g in &n.internet_gateways {
            let Some(id) = tag_id(&g.tags) else { continue };
            let vpc = g
                .attached_vpc
                .as_deref()
                .map(|v| self.name(v))
                .unwrap_or_default();
            let handle = Handle::InternetGateway {
                id: g.id.clone(),
                vpc: g.attached_vpc.clone(),
            };
            self.put(
                id,
                Kind::InternetGateway,
                handle,
                Fields::from([("vpc", vpc.clone())]),
                Some(g.tags.clone()),
                vec![vpc],
            );
        }
        for a in &n.addresses {
            let Some(id) = tag_id(&a.tags) else { continue };
            self.put(
                id,
                Kind::ElasticIp,
                Handle::Id(a.allocation_id.clone()),
                Fields::new(),
                Some(a.tags.clone()),
                vec![],
            );
        }
        for g in &n.nat_gateways {
            let Some(id) = tag_id(&g.tags) else { continue };
            let subnet = self.name(&g.subnet_id);
            let eip = g
                .allocation_id
                .as_deref()
                .map(|a| self.name(a))
                .unwrap_or_default();
            let f = Fields::from([("subnet", subnet.clone()), ("elasticIp", eip.clone())]);
            self.put(
                id.clone(),
                Kind::NatGateway,
                Handle::Id(g.id.clone()),
                f,
                Some(g.tags.clone()),
                vec![subnet, eip],
            );
            if g.state != Lifecycle::Ready
                && let Some(r) = self.out.get_mut(&id)
            {
                r.state = Some(g.state.as_str().to_string());
            }
        }
        for t in &n.route_tables {
            let Some(table) = tag_id(&t.tags) else {
                continue;
            };
            let vpc = self.name(&t.vpc_id);
            let kind = if t.associations.iter().any(|a| a.main) {
                Kind::MainRouteTable
            } else {
                Kind::RouteTable
            };
            self.put(
                table.clone(),
                kind,
                Handle::Id(t.id.clone()),
                Fields::from([("vpc", vpc.clone())]),
                Some(t.tags.clone()),
                vec![vpc],
            );
            for r in &t.routes {
                let target = match &r.target {
                    RouteTargetId::Local => continue,
                    RouteTargetId::Gateway(g)
                    | RouteTargetId::NatGateway(g)
                    | RouteTargetId::Peering(g)
                    | RouteTargetId::Other(g) => self.name(g),
                };
                let id = self
                    .routes
                    .get(&(table.clone(), r.destination.clone()))
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| format!("{table}/extra-route/{}", r.destination));
                let handle = Handle::Route {
                    table: t.id.clone(),
                    destination: r.destination.clone(),
                };
                self.put(
                    id,
                    Kind::Route,
                    handle,
                    Fields::from([("target", target.clone())]),
                    None,
                    vec![table.clone(), target],
                );
            }
            for a in t.associations.iter().filter(|a| !a.main) {
                let Some(subnet_aws) = &a.subnet_id else {
                    continue;
                };
                let subnet = self.name(subnet_aws);
                let id = self
                    .associations
                    .get(&subnet)
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| format!("{table}/extra-association/{subnet}"));
                let f = Fields::from([("routeTable", table.clone()), ("subnet", subnet.clone())]);
                self.put(
                    id,
                    Kind::RouteTableAssociation,
                    Handle::Association { id: a.id.clone() },
                    f,
                    None,
                    vec![table.clone(), subnet],
                );
            }
        }
        for g in &n.security_groups {
            let Some(group) = tag_id(&g.tags) else {
                continue;
            };
            let vpc = self.name(&g.vpc_id);
            let f = Fields::from([
                ("vpc", vpc.clone()),
                ("name", g.name.clone()),
                ("description", g.description.clone()),
            ]);
            self.put(
                group.clone(),
                Kind::SecurityGroup,
                Handle::Id(g.id.clone()),
                f,
                Some(g.tags.clone()),
                vec![vpc],
            );
            for rule in &g.rules {
                let key = self.rule_text(rule);
                let id = self
                    .rules
                    .get(&(group.clone(), key.clone()))
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| format!("{group}/extra/{}", key.replace(' ', "-")));
                let mut refs = vec![group.clone()];
                if let RulePeerId::Group(other) = &rule.peer {
                    refs.push(self.name(other));
                }
                let handle = Handle::Rule {
                    group: g.id.clone(),
                    rule: rule.clone(),
                };
                self.put(
                    id,
                    Kind::SecurityGroupRule,
                    handle,
                    Fields::new(),
                    None,
                    refs,
                );
            }
        }
    }

    /// The stack's log groups; one under the stack's prefix that the stack no longer names is
    /// kept (it holds logs) and left alone.
    fn log_groups(&mut self, groups: &[LogGroupInfo]) {
        for g in groups {
            let Some(id) = self
                .log_groups
                .get(g.name.as_str())
                .map(|id| id.to_string())
            else {
                continue;
            };
            self.logical.insert(g.name.clone(), id.clone());
            let f = Fields::from([
                ("name", g.name.clone()),
                (
                    "retentionDays",
                    g.retention_days.map(|d| d.to_string()).unwrap_or_default(),
                ),
            ]);
            self.put(
                id,
                Kind::LogGroup,
                Handle::Id(g.name.clone()),
                f,
                None,
                vec![],
            );
        }
    }

    fn flow_logs(&mut self, logs: &[FlowLogInfo]) {
        for l in logs {
            let Some(id) = tag_id(&l.tags) else { continue };
            let vpc = self.name(&l.resource_id);
            let group = l
                .log_group
                .as_deref()
                .map(|g| self.name(g))
                .unwrap_or_default();
            let f = Fields::from([
                ("vpc", vpc.clone()),
                ("logGroup", group.clone()),
                ("trafficType", l.traffic_type.clone()),
            ]);
            self.put(
                id,
                Kind::FlowLog,
                Handle::Id(l.id.clone()),
                f,
                Some(l.tags.clone()),
                vec![vpc, group],
            );
        }
    }

    /// Each node group's link to its target group, once both exist. Through the node group's
    /// Auto Scaling groups when it has them (what is missing: groups not attached), else
    /// through its instances (what is missing: nodes not registered).
    fn target_attachments(&mut self, snap: &Snapshot, desired: &[Resource]) {
        let region = self.region.clone();
        for r in desired
            .iter()
            .filter(|r| r.region.as_deref() == Some(region.as_str()))
        {
            let ResourceSpec::TargetGroupAttachment {
                target_group,
                node_group,
            } = &r.spec
            else {
                continue;
            };
            let (Some(tg), Some(ng)) = (self.out.get(target_group), self.out.get(node_group))
            else {
                continue;
            };
            let Handle::NodeGroup { name, .. } = &ng.handle else {
                continue;
            };
            let arn = tg.handle.aws_id().to_string();
            let asgs: Vec<&AutoScalingGroupInfo> =
                snap.asgs.iter().filter(|a| &a.node_group == name).collect();
            let (linked, missing): (Vec<String>, Vec<String>) = if asgs.is_empty() {
                let registered = snap.targets.get(&arn).cloned().unwrap_or_default();
                let nodes = snap.node_instances.iter().filter(|i| &i.node_group == name);
                let (linked, missing): (Vec<_>, Vec<_>) =
                    nodes.partition(|n| registered.contains(&n.id));
                (
                    linked.into_iter().map(|n| n.id.clone()).collect(),
                    missing.into_iter().map(|n| n.id.clone()).collect(),
                )
            } else {
                let (linked, missing): (Vec<&AutoScalingGroupInfo>, Vec<_>) =
                    asgs.iter().partition(|a| a.target_groups.contains(&arn));
                (
                    linked.into_iter().map(|a| a.name.clone()).collect(),
                    missing.into_iter().map(|a| a.name.clone()).collect(),
                )
            };
            let handle = if asgs.is_empty() {
                Handle::Targets {
                    target_group: arn,
                    asgs: Vec::new(),
                    instances: linked,
                }
            } else {
                Handle::Targets {
                    target_group: arn,
                    asgs: linked,
                    instances: Vec::new(),
                }
            };
            let f = Fields::from([("unregistered", list(&missing))]);
            let refs = vec![target_group.clone(), node_group.clone()];
            self.put(
                r.id.clone(),
                Kind::TargetGroupAttachment,
                handle,
                f,
                None,
                refs,
            );
        }
    }

    fn launch_templates(&mut self, templates: &[LaunchTemplateInfo]) {
        for t in templates {
            let Some(id) = tag_id(&t.tags) else { continue };
            // Only the stack's own groups count; the cluster's own group belongs to EKS.
            let groups: Vec<String> = t
                .security_groups
                .iter()
                .filter(|g| self.logical.contains_key(*g))
                .map(|g| self.name(g))
                .collect();
            let f = Fields::from([
                ("securityGroups", list(&groups)),
                ("imdsv2Required", t.imdsv2_required.to_string()),
                ("hopLimit", t.hop_limit.to_string()),
            ]);
            self.put(
                id,
                Kind::LaunchTemplate,
                Handle::Id(t.id.clone()),
                f,
                Some(t.tags.clone()),
                groups,
            );
        }
    }

    fn roles(&mut self, roles: &[RoleInfo]) {
        for r in roles {
            let Some(id) = tag_id(&r.tags) else { continue };
            let f = Fields::from([
                ("trustedService", r.trusted_service.clone()),
                ("managedPolicies", list(&r.managed_policies)),
                ("inlinePolicies", list(&r.inline_policies)),
            ]);
            let handle = Handle::Role {
                name: r.name.clone(),
                arn: r.arn.clone(),
                policies: r.managed_policies.clone(),
                inline: r.inline_policies.clone(),
            };
            self.put(id, Kind::IamRole, handle, f, Some(r.tags.clone()), vec![]);
        }
    }

    fn eks(&mut self, s: &EksSnapshot) {
        for c in &s.clusters {
            let Some(id) = tag_id(&c.tags) else { continue };
            let role = self.name(&c.role_arn);
            let subnets: Vec<String> = c.subnets.iter().map(|x| self.name(x)).collect();
            let f = Fields::from([
                ("version", c.version.clone()),
                ("role", role.clone()),
                ("subnets", list(&subnets)),
                ("endpointPrivate", c.endpoint_private.to_string()),
                ("endpointPublic", c.endpoint_public.to_string()),
                (
                    "publicCidrs",
                    public_cidrs_field(c.endpoint_public, &c.public_cidrs),
                ),
                ("logTypes", list(&c.log_types)),
            ]);
            let handle = Handle::Cluster {
                name: c.name.clone(),
                arn: c.arn.clone(),
                security_group: c.cluster_security_group.clone(),
            };
            let refs = subnets.into_iter().chain([role]).collect();
            self.put(
                id.clone(),
                Kind::EksCluster,
                handle,
                f,
                Some(c.tags.clone()),
                refs,
            );
            if c.status != Lifecycle::Ready
                && let Some(o) = self.out.get_mut(&id)
            {
                o.state = Some(c.status.as_str().to_string());
            }
        }
        for g in &s.node_groups {
            let Some(id) = tag_id(&g.tags) else { continue };
            let cluster = self
                .cluster_names
                .get(&g.cluster)
                .cloned()
                .unwrap_or_else(|| g.cluster.clone());
            let role = self.name(&g.role_arn);
            let subnets: Vec<String> = g.subnets.iter().map(|x| self.name(x)).collect();
            let template = g
                .launch_template
                .as_deref()
                .map(|t| self.name(t))
                .unwrap_or_default();
            let f = Fields::from([
                ("cluster", cluster.clone()),
                ("role", role.clone()),
                ("subnets", list(&subnets)),
                ("launchTemplate", template.clone()),
                ("instanceTypes", list(&g.instance_types)),
                ("min", g.min.to_string()),
                ("desired", g.desired.to_string()),
                ("max", g.max.to_string()),
                (
                    "labels",
                    list(g.labels.iter().map(|(k, v)| format!("{k}={v}"))),
                ),
            ]);
            let handle = Handle::NodeGroup {
                cluster: g.cluster.clone(),
                name: g.name.clone(),
                arn: g.arn.clone(),
            };
            let refs = subnets
                .into_iter()
                .chain([cluster, role, template])
                .collect();
            self.put(
                id.clone(),
                Kind::NodeGroup,
                handle,
                f,
                Some(g.tags.clone()),
                refs,
            );
            if g.status != Lifecycle::Ready
                && let Some(o) = self.out.get_mut(&id)
            {
                o.state = Some(g.status.as_str().to_string());
            }
        }
        // Only the entries the stack asks for: EKS makes its own (the creator's, the nodes').
        for (cluster_name, principal) in &s.access_entries {
            let Some(cluster) = self.cluster_names.get(cluster_name).cloned() else {
                continue;
            };
            let Some(id) = self
                .access_entries
                .get(&(cluster.clone(), principal.clone()))
                .map(|s| s.to_string())
            else {
                continue;
            };
            let handle = Handle::AccessEntry {
                cluster: cluster_name.clone(),
                principal: principal.clone(),
            };
            self.put(
                id,
                Kind::AccessEntry,
                handle,
                Fields::new(),
                None,
                vec![cluster],
            );
        }
    }

    fn rule_text(&self, rule: &RuleSpec) -> String {
        let peer = match &rule.peer {
            RulePeerId::Cidr(c) => c.clone(),
            RulePeerId::Group(g) => self.name(g),
        };
        rule_key(
            rule.egress,
            &rule.protocol,
            rule.from_port,
            rule.to_port,
            &peer,
        )
    }

    fn peering(&mut self, p: &PeeringInfo, targets: &[RegionTarget]) {
        let Some(id) = tag_id(&p.tags) else { return };
        // The requester's region owns the peering, whichever region listed it.
        let requester_region = p
            .requester_region
            .clone()
            .unwrap_or_else(|| self.aws_region.clone());
        if let Some(t) = targets.iter().find(|t| t.aws_region == requester_region) {
            self.region = t.name.clone();
            self.aws_region = t.aws_region.clone();
        }
        let requester_vpc = self.name(&p.requester_vpc);
        let accepter_vpc = self.name(&p.accepter_vpc);
        let accepter_region = p
            .accepter_region
            .clone()
            .unwrap_or_else(|| self.aws_region.clone());
        let f = Fields::from([
            ("requesterVpc", requester_vpc.clone()),
            ("accepterVpc", accepter_vpc.clone()),
            ("accepterRegion", accepter_region.clone()),
        ]);
        self.put(
            id.clone(),
            Kind::VpcPeering,
            Handle::Id(p.id.clone()),
            f,
            Some(p.tags.clone()),
            vec![requester_vpc, accepter_vpc],
        );
        if p.status != "active" {
            if let Some(r) = self.out.get_mut(&id) {
                r.state = Some(p.status.clone());
            }
            return;
        }
        let accepter_name = targets
            .iter()
            .find(|t| t.aws_region == accepter_region)
            .map(|t| t.name.clone());
        if let Some(accept_id) = self.accepters.get(&id).map(|s| s.to_string()) {
            self.put(
                accept_id.clone(),
                Kind::VpcPeeringAccepter,
                Handle::Peering { id: p.id.clone() },
                Fields::new(),
                None,
                vec![id.clone()],
            );
            if let (Some(r), Some(name)) = (self.out.get_mut(&accept_id), &accepter_name) {
                r.region = Some(name.clone());
            }
            for (requester_side, on) in [(true, p.requester_dns), (false, p.accepter_dns)] {
                let Some(dns_id) = self
                    .peering_dns
                    .get(&(id.clone(), requester_side))
                    .map(|s| s.to_string())
                else {
                    continue;
                };
                let f = Fields::from([("remoteDnsResolution", on.to_string())]);
                self.put(
                    dns_id.clone(),
                    Kind::VpcPeeringDns,
                    Handle::Peering { id: p.id.clone() },
                    f,
                    None,
                    vec![accept_id.clone()],
                );
                if !requester_side
                    && let (Some(r), Some(name)) = (self.out.get_mut(&dns_id), &accepter_name)
                {
                    r.region = Some(name.clone());
                }
            }
        }
    }

    fn load_balancing(&mut self, s: &LoadBalancingSnapshot) {
        for l in &s.load_balancers {
            let Some(id) = tag_id(&l.tags) else { continue };
            let subnets: Vec<String> = l.subnets.iter().map(|x| self.name(x)).collect();
            let groups: Vec<String> = l.security_groups.iter().map(|x| self.name(x)).collect();
            let f = Fields::from([
                ("type", l.lb_type.clone()),
                ("scheme", l.scheme.clone()),
                ("subnets", list(&subnets)),
                ("securityGroups", list(&groups)),
            ]);
            let handle = Handle::LoadBalancer {
                arn: l.arn.clone(),
                dns_name: l.dns_name.clone(),
            };
            let refs = subnets.into_iter().chain(groups).collect();
            self.put(
                id.clone(),
                Kind::LoadBalancer,
                handle,
                f,
                Some(l.tags.clone()),
                refs,
            );
            if l.state != Lifecycle::Ready
                && let Some(r) = self.out.get_mut(&id)
            {
                r.state = Some(l.state.as_str().to_string());
            }
        }
        for t in &s.target_groups {
            let Some(id) = tag_id(&t.tags) else { continue };
            let vpc = self.name(&t.vpc_id);
            let mut f = Fields::from([
                ("protocol", t.protocol.clone()),
                ("port", t.port.to_string()),
                ("vpc", vpc.clone()),
                ("targetType", t.target_type.clone()),
            ]);
            if let Some(path) = &t.health_check_path {
                f.insert("healthCheckPath", path.clone());
            }
            self.put(
                id,
                Kind::TargetGroup,
                Handle::Id(t.arn.clone()),
                f,
                Some(t.tags.clone()),
                vec![vpc],
            );
        }
        for l in &s.listeners {
            let lb = self.name(&l.load_balancer_arn);
            let tg = l
                .target_group_arn
                .as_deref()
                .map(|a| self.name(a))
                .unwrap_or_default();
            let id = self
                .listeners
                .get(&(lb.clone(), l.port))
                .map(|s| s.to_string())
                .unwrap_or_else(|| format!("{lb}/extra-listener/{}", l.port));
            let f = Fields::from([
                ("loadBalancer", lb.clone()),
                ("targetGroup", tg.clone()),
                ("protocol", l.protocol.clone()),
                ("port", l.port.to_string()),
            ]);
            self.put(
                id,
                Kind::Listener,
                Handle::Id(l.arn.clone()),
                f,
                None,
                vec![lb, tg],
            );
        }
    }

    fn waf(&mut self, acls: &[WebAclInfo], web_acl_of: &BTreeMap<String, String>) {
        for a in acls {
            let Some(id) = tag_id(&a.tags) else { continue };
            let f = Fields::from([
                ("managedRuleGroups", a.rules.managed_rule_groups.join(",")),
                (
                    "rateLimit",
                    a.rules
                        .rate_limit
                        .map(|r| r.to_string())
                        .unwrap_or_default(),
                ),
            ]);
            self.put(
                id,
                Kind::WebAcl,
                Handle::WebAcl(a.clone()),
                f,
                Some(a.tags.clone()),
                vec![],
            );
        }
        for (lb_arn, acl_arn) in web_acl_of {
            let lb = self.name(lb_arn);
            let acl = self.name(acl_arn);
            let ours = self.logical.contains_key(acl_arn);
            // A foreign ACL on our load balancer is someone's choice, unless the stack wants its own there.
            let id = match self.acl_associations.get(&lb) {
                Some(id) => id.to_string(),
                None if ours => format!("{lb}/extra-web-acl-association"),
                None => continue,
            };
            let f = Fields::from([("webAcl", acl.clone()), ("loadBalancer", lb.clone())]);
            let handle = Handle::WebAclAssociation {
                resource_arn: lb_arn.clone(),
            };
            self.put(id, Kind::WebAclAssociation, handle, f, None, vec![acl, lb]);
        }
    }
}
