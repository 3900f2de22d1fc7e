//! Rules across kinds for what AWS gives no tag the stack can rely on: routes, route table
//! associations, security group rules, listeners, web ACL associations, access entries and
//! target group links are known by their content, matched against the desired model; the
//! default security group is known as its VPC's (the adoption rule).

use std::collections::HashMap;

use super::rules::{desired_rule_key, rule_key};
use crate::kinds::{
    Fields, Handle, Kind, Mapper, Snapshot, default_security_group, fields, list, listener, route,
    route_table_association, target_group_attachment, web_acl_association,
};
use crate::model::{PeeringSide, Resource, ResourceSpec};
use crate::providers::{AutoScalingGroupInfo, RouteTargetId, RulePeerId, RuleSpec};

/// The desired model's content-matched resources, by what identifies them.
pub struct Matches<'d> {
    routes: HashMap<(String, String), &'d str>,
    associations: HashMap<String, &'d str>,
    rules: HashMap<(String, String), &'d str>,
    default_groups: HashMap<String, &'d str>,
    listeners: HashMap<(String, u16), &'d str>,
    acl_associations: HashMap<String, &'d str>,
    access_entries: HashMap<(String, String), &'d str>,
    /// Peering logical id -> its accepter; (peering, requester side?) -> its DNS option.
    pub accepters: HashMap<String, &'d str>,
    pub peering_dns: HashMap<(String, bool), &'d str>,
}

impl<'d> Matches<'d> {
    pub fn new(desired: &'d [Resource]) -> Self {
        let mut m = Matches {
            routes: HashMap::new(),
            associations: HashMap::new(),
            rules: HashMap::new(),
            default_groups: HashMap::new(),
            listeners: HashMap::new(),
            acl_associations: HashMap::new(),
            access_entries: HashMap::new(),
            accepters: HashMap::new(),
            peering_dns: HashMap::new(),
        };
        for r in desired {
            let id = r.id.as_str();
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
                ResourceSpec::AccessEntry {
                    cluster,
                    principal_arn,
                    ..
                } => {
                    m.access_entries
                        .insert((cluster.clone(), principal_arn.clone()), id);
                }
                ResourceSpec::VpcPeeringAccepter { peering } => {
                    m.accepters.insert(peering.clone(), id);
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

    /// Maps the content-matched resources of the region being mapped. What matches nothing
    /// the stack wants but sits in what the stack owns (an extra route in its table) gets an
    /// id of its own, so the diff deletes it.
    pub fn map_region(&self, m: &mut Mapper<'_>, snap: &Snapshot) {
        self.default_groups(m, snap);
        self.routes_and_associations(m, snap);
        self.rules(m, snap);
        self.listeners(m, snap);
        self.web_acl_associations(m, snap);
        self.access_entries(m, snap);
    }

    fn default_groups(&self, m: &mut Mapper<'_>, snap: &Snapshot) {
        for g in &snap.network.default_security_groups {
            let vpc = m.name(&g.vpc_id);
            let Some(id) = self.default_groups.get(&vpc).map(|s| s.to_string()) else {
                continue;
            };
            let rules = list(g.rules.iter().map(|r| rule_text(m, r)));
            let handle = Handle::DefaultGroup {
                id: g.id.clone(),
                rules: g.rules.clone(),
            };
            let f = fields([(default_security_group::RULES, rules)]);
            let tags = Some(g.tags.clone());
            m.put(id, Kind::DefaultSecurityGroup, handle, f, tags, vec![vpc]);
        }
    }

    fn routes_and_associations(&self, m: &mut Mapper<'_>, snap: &Snapshot) {
        for t in &snap.network.route_tables {
            let Some(table) = m.logical.get(&t.id).cloned() else {
                continue;
            };
            for r in &t.routes {
                let target = match &r.target {
                    RouteTargetId::Local => continue,
                    RouteTargetId::Gateway(g)
                    | RouteTargetId::NatGateway(g)
                    | RouteTargetId::Peering(g)
                    | RouteTargetId::Other(g) => m.name(g),
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
                let f = fields([(route::TARGET, target.clone())]);
                m.put(
                    id,
                    Kind::Route,
                    handle,
                    f,
                    None,
                    vec![table.clone(), target],
                );
            }
            for a in t.associations.iter().filter(|a| !a.main) {
                let Some(subnet_aws) = &a.subnet_id else {
                    continue;
                };
                let subnet = m.name(subnet_aws);
                let id = self
                    .associations
                    .get(&subnet)
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| format!("{table}/extra-association/{subnet}"));
                let f = fields([
                    (route_table_association::ROUTE_TABLE, table.clone()),
                    (route_table_association::SUBNET, subnet.clone()),
                ]);
                let handle = Handle::Association { id: a.id.clone() };
                let refs = vec![table.clone(), subnet];
                m.put(id, Kind::RouteTableAssociation, handle, f, None, refs);
            }
        }
    }

    fn rules(&self, m: &mut Mapper<'_>, snap: &Snapshot) {
        for g in &snap.network.security_groups {
            let Some(group) = m.logical.get(&g.id).cloned() else {
                continue;
            };
            for rule in &g.rules {
                let key = rule_text(m, rule);
                let id = self
                    .rules
                    .get(&(group.clone(), key.clone()))
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| format!("{group}/extra/{}", key.replace(' ', "-")));
                let mut refs = vec![group.clone()];
                if let RulePeerId::Group(other) = &rule.peer {
                    refs.push(m.name(other));
                }
                let handle = Handle::Rule {
                    group: g.id.clone(),
                    rule: rule.clone(),
                };
                m.put(
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

    fn listeners(&self, m: &mut Mapper<'_>, snap: &Snapshot) {
        for l in &snap.load_balancing.listeners {
            let lb = m.name(&l.load_balancer_arn);
            let tg = l
                .target_group_arn
                .as_deref()
                .map(|a| m.name(a))
                .unwrap_or_default();
            let id = self
                .listeners
                .get(&(lb.clone(), l.port))
                .map(|s| s.to_string())
                .unwrap_or_else(|| format!("{lb}/extra-listener/{}", l.port));
            let certificate = l.certificate_arn.as_deref().map(|a| m.name(a));
            let f = fields([
                (listener::LOAD_BALANCER, lb.clone()),
                (listener::TARGET_GROUP, tg.clone()),
                (listener::PROTOCOL, l.protocol.clone()),
                (listener::PORT, l.port.to_string()),
                (listener::REDIRECT, l.redirect.clone().unwrap_or_default()),
                // A certificate the stack requested, by its logical id.
                (
                    listener::CERTIFICATE,
                    certificate.clone().unwrap_or_default(),
                ),
                (
                    listener::SSL_POLICY,
                    l.ssl_policy.clone().unwrap_or_default(),
                ),
            ]);
            let handle = Handle::Id(l.arn.clone());
            // A redirecting listener refers to no target group; put(...) keeps only references
            // to the stack's own resources (not an existing certificate's ARN).
            let refs = std::iter::once(lb)
                .chain(Some(tg).filter(|t| !t.is_empty()))
                .chain(certificate);
            m.put(id, Kind::Listener, handle, f, None, refs.collect());
        }
    }

    fn web_acl_associations(&self, m: &mut Mapper<'_>, snap: &Snapshot) {
        for (lb_arn, acl_arn) in &snap.web_acl_of {
            let (lb, acl) = (m.name(lb_arn), m.name(acl_arn));
            let ours = m.logical.contains_key(acl_arn);
            // A foreign ACL on our load balancer is someone's choice, unless the stack wants
            // its own there.
            let id = match self.acl_associations.get(&lb) {
                Some(id) => id.to_string(),
                None if ours => format!("{lb}/extra-web-acl-association"),
                None => continue,
            };
            let f = fields([
                (web_acl_association::WEB_ACL, acl.clone()),
                (web_acl_association::LOAD_BALANCER, lb.clone()),
            ]);
            let handle = Handle::WebAclAssociation {
                resource_arn: lb_arn.clone(),
            };
            m.put(id, Kind::WebAclAssociation, handle, f, None, vec![acl, lb]);
        }
    }

    /// Only the entries the stack asks for: EKS makes its own (the creator's, the nodes').
    fn access_entries(&self, m: &mut Mapper<'_>, snap: &Snapshot) {
        for (cluster_name, principal) in &snap.eks.access_entries {
            let Some(cluster) = m.cluster_names.get(cluster_name).cloned() else {
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
            m.put(
                id,
                Kind::AccessEntry,
                handle,
                Fields::new(),
                None,
                vec![cluster],
            );
        }
    }
}

/// A rule as the text the desired side keys it by, its peer group named by logical id.
fn rule_text(m: &Mapper<'_>, rule: &RuleSpec) -> String {
    let peer = match &rule.peer {
        RulePeerId::Cidr(c) => c.clone(),
        RulePeerId::Group(g) => m.name(g),
    };
    rule_key(
        rule.egress,
        &rule.protocol,
        rule.from_port,
        rule.to_port,
        &peer,
    )
}

/// Each node group's link to its target group, once both exist. Through the node group's
/// Auto Scaling groups when it has them (what is missing: groups not attached), else through
/// its instances (what is missing: nodes not registered).
pub fn target_attachments(m: &mut Mapper<'_>, snap: &Snapshot) {
    let region = m.region.clone();
    let desired = m.desired;
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
        let (Some(tg), Some(ng)) = (m.out.get(target_group), m.out.get(node_group)) else {
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
        let f = fields([(target_group_attachment::UNREGISTERED, list(&missing))]);
        let refs = vec![target_group.clone(), node_group.clone()];
        m.put(
            r.id.clone(),
            Kind::TargetGroupAttachment,
            handle,
            f,
            None,
            refs,
        );
    }
}
