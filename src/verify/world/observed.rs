//! The world as AWS reports it, read from the observed model the engine's discovery makes:
//! logical ids, route targets, main tables and rules are interpreted there, once. Views name
//! resources by their AWS ids, labelled with their logical ids.

use super::*;
use crate::kinds::{
    Handle, Kind, Observed, ObservedResource, alert_subscription, eks_cluster, load_balancer,
    log_group, metric_alarm, secrets_key,
};
use crate::kinds::{
    launch_template, listener, node_group, route, route_table_association, subnet, vpc_peering,
    web_acl, web_acl_association,
};
use crate::model::ids;
use crate::providers::{RulePeerId, RuleSpec};

/// The world of the observed model, one region per `spec.regions` entry.
pub fn from_observed(stack: &ValidStack, observed: &Observed, kube: Vec<Kube>) -> World {
    let o = Lookup(observed);
    let (alarms_off, alerts) = alarm_settings(stack);
    // Which alarms the stack asks for: the desired model, built once for both regions.
    let desired = crate::model::desired(stack);
    let mut world = World {
        live: true,
        regions: Vec::new(),
        peerings: Vec::new(),
        duplicates: crate::engine::duplicates::groups(observed)
            .into_iter()
            .map(|(id, members)| {
                let found = crate::engine::duplicates::describe(&members);
                format!("{id}: {found}")
            })
            .collect(),
        env: stack.env.clone(),
        alarms_off,
        alerts,
    };
    for (i, k) in kube.into_iter().enumerate() {
        let mut region = region_shell(stack, i, k);
        region.alarms_wanted = alarms_wanted(&desired, &region.name);
        let name = region.name.clone();
        let here = |kind: Kind| {
            let name = name.clone();
            o.of_kind(kind)
                .filter(move |r| r.region.as_deref() == Some(name.as_str()))
        };
        region.vpc = o.get(&ids::vpc(&region.name)).map(named);
        region.subnets = here(Kind::Subnet)
            .map(|s| SubnetView {
                name: named(s),
                cidr: field(s, subnet::CIDR.name).to_string(),
                map_public_ip: field(s, subnet::MAP_PUBLIC_IP.name) == "true",
            })
            .collect();
        region.route_tables = here(Kind::RouteTable)
            .chain(here(Kind::MainRouteTable))
            .map(|t| o.route_table(t))
            .collect();
        region.security_groups = here(Kind::SecurityGroup).map(|g| o.group(g)).collect();
        region.default_group = here(Kind::DefaultSecurityGroup).next().map(|g| {
            let rules = match &g.handle {
                Handle::DefaultGroup { rules, .. } => rules.iter().collect(),
                _ => Vec::new(),
            };
            group_view(g, &rules)
        });
        region.load_balancer = o
            .get(&ids::load_balancer(&region.name))
            .map(|lb| o.load_balancer(lb));
        region.cluster = here(Kind::EksCluster).next().map(|c| {
            let key = Some(field(c, eks_cluster::SECRETS_KEY.name)).filter(|k| !k.is_empty());
            let key_state = key.and_then(|k| o.get(k)).map(|k| KeyStateView {
                enabled: field(k, secrets_key::ENABLED.name) == "true",
                rotation: field(k, secrets_key::ROTATION.name) == "true",
            });
            ClusterView {
                name: named(c),
                version: field(c, eks_cluster::VERSION.name).to_string(),
                endpoint_public: field(c, eks_cluster::ENDPOINT_PUBLIC.name) == "true",
                public_cidrs: split(field(c, eks_cluster::PUBLIC_CIDRS.name)),
                log_types: split(field(c, eks_cluster::LOG_TYPES.name)),
                secrets_key: key.map(str::to_string),
                secrets_key_state: key_state,
            }
        });
        region.node_groups = here(Kind::NodeGroup).map(|g| o.node_group(g)).collect();
        region.flow_logs = here(Kind::FlowLog)
            .map(|f| f.handle.aws_id().to_string())
            .collect();
        region.nat_gateways = here(Kind::NatGateway).map(named).collect();
        region.log_groups = here(Kind::LogGroup)
            .map(|g| LogGroupView {
                name: named(g),
                retention_days: field(g, log_group::RETENTION_DAYS.name)
                    .parse()
                    .ok()
                    .filter(|d| *d > 0),
            })
            .collect();
        region.alert_topic = here(Kind::AlertTopic).next().map(|t| {
            let subscriptions: Vec<&ObservedResource> = here(Kind::AlertSubscription)
                .filter(|s| field(s, alert_subscription::TOPIC.name) == t.id)
                // One the stack no longer lists is on its way out.
                .filter(|s| !s.id.contains("/unlisted~"))
                .collect();
            AlertTopicView {
                id: t.id.clone(),
                name: named(t),
                subscriptions: subscriptions.len(),
                confirmed: subscriptions.iter().filter(|s| s.state.is_none()).count(),
            }
        });
        region.alarms = here(Kind::MetricAlarm)
            .map(|a| AlarmView {
                id: a.id.clone(),
                name: named(a),
                actions: metric_alarm::alarm_actions(field(a, metric_alarm::ACTIONS.name)),
                actions_enabled: !field(a, metric_alarm::ACTIONS.name)
                    .ends_with(metric_alarm::ACTIONS_DISABLED),
            })
            .collect();
        world.regions.push(region);
    }
    world.peerings = o
        .of_kind(Kind::VpcPeering)
        .map(|p| PeeringView {
            name: named(p),
            requester_vpc: o.aws(field(p, vpc_peering::REQUESTER_VPC.name)),
            accepter_vpc: o.aws(field(p, vpc_peering::ACCEPTER_VPC.name)),
            // Discovery notes only a state that is not the usual one.
            status: p.state.clone().unwrap_or_else(|| "active".to_string()),
        })
        .collect();
    world
}

/// The observed model, looked up the ways the views need.
struct Lookup<'a>(&'a Observed);

impl<'a> Lookup<'a> {
    fn get(&self, id: &str) -> Option<&'a ObservedResource> {
        self.0.resources.get(id)
    }

    fn of_kind(&self, kind: Kind) -> impl Iterator<Item = &'a ObservedResource> + use<'a> {
        self.0.resources.values().filter(move |r| r.kind == kind)
    }

    /// The AWS id a reference stands for: the stack's by its logical id, anything else is
    /// named by its AWS id already.
    fn aws(&self, reference: &str) -> String {
        self.get(reference)
            .map(|r| r.handle.aws_id().to_string())
            .unwrap_or_else(|| reference.to_string())
    }

    fn aws_all(&self, references: &str) -> Vec<String> {
        split(references).iter().map(|r| self.aws(r)).collect()
    }

    fn route_table(&self, t: &ObservedResource) -> RouteTableView {
        let subnets = self
            .of_kind(Kind::RouteTableAssociation)
            .filter(|a| field(a, route_table_association::ROUTE_TABLE.name) == t.id)
            .map(|a| self.aws(field(a, route_table_association::SUBNET.name)))
            .collect();
        let table = t.handle.aws_id();
        let routes = self
            .of_kind(Kind::Route)
            .filter_map(|r| match &r.handle {
                Handle::Route {
                    table: of,
                    destination,
                } if of == table => Some(self.route(destination, field(r, route::TARGET.name))),
                _ => None,
            })
            .collect();
        RouteTableView {
            name: named(t),
            main: t.kind == Kind::MainRouteTable,
            subnets,
            routes,
        }
    }

    /// A route, its target's kind known from the observed model (or, for a target that is
    /// not the stack's, from its id).
    fn route(&self, destination: &str, target: &str) -> RouteView {
        let target_kind = match self.get(target).map(|t| t.kind) {
            Some(Kind::InternetGateway) => TargetKind::InternetGateway,
            Some(Kind::NatGateway) => TargetKind::NatGateway,
            Some(Kind::VpcPeering) => TargetKind::Peering,
            Some(_) => TargetKind::Other,
            None if target.starts_with("igw-") => TargetKind::InternetGateway,
            None if target.starts_with("nat-") => TargetKind::NatGateway,
            None if target.starts_with("pcx-") => TargetKind::Peering,
            None => TargetKind::Other,
        };
        RouteView {
            destination: destination.to_string(),
            target_kind,
            target: self.aws(target),
        }
    }

    fn group(&self, g: &ObservedResource) -> GroupView {
        let group_id = g.handle.aws_id();
        let rules: Vec<&RuleSpec> = self
            .of_kind(Kind::SecurityGroupRule)
            .filter_map(|r| match &r.handle {
                Handle::Rule { group, rule } if group == group_id => Some(rule),
                _ => None,
            })
            .collect();
        group_view(g, &rules)
    }

    fn load_balancer(&self, lb: &ObservedResource) -> LoadBalancerView {
        let listeners = self
            .of_kind(Kind::Listener)
            .filter(|l| field(l, listener::LOAD_BALANCER.name) == lb.id)
            .filter_map(|l| {
                let text = |f: &str| Some(field(l, f).to_string()).filter(|t| !t.is_empty());
                Some(ListenerView {
                    port: field(l, listener::PORT.name).parse().ok()?,
                    protocol: field(l, listener::PROTOCOL.name).to_string(),
                    redirect: text(listener::REDIRECT.name),
                    ssl_policy: text(listener::SSL_POLICY.name),
                })
            })
            .collect();
        let web_acl = self
            .of_kind(Kind::WebAclAssociation)
            .find(|a| field(a, web_acl_association::LOAD_BALANCER.name) == lb.id)
            .map(|a| {
                let acl = field(a, web_acl_association::WEB_ACL.name);
                match self.get(acl) {
                    Some(ours) => WebAclView {
                        name: named(ours),
                        managed_rule_groups: Some(split(field(
                            ours,
                            web_acl::MANAGED_RULE_GROUPS.name,
                        ))),
                        rate_limit: field(ours, web_acl::RATE_LIMIT.name).parse().ok(),
                    },
                    // Not one of the stack's: its rules are unknown.
                    None => WebAclView {
                        name: Named::new(acl, None),
                        managed_rule_groups: None,
                        rate_limit: None,
                    },
                }
            });
        LoadBalancerView {
            name: named(lb),
            scheme: Scheme::parse(field(lb, load_balancer::SCHEME.name)),
            lb_type: LoadBalancerType::parse(field(lb, load_balancer::TYPE.name)),
            listeners,
            security_groups: self.aws_all(field(lb, load_balancer::SECURITY_GROUPS.name)),
            web_acl,
        }
    }

    fn node_group(&self, g: &ObservedResource) -> NodeGroupView {
        let template = field(g, node_group::LAUNCH_TEMPLATE.name);
        let imdsv2_required = (!template.is_empty()).then(|| {
            self.get(template)
                .is_some_and(|t| field(t, launch_template::IMDSV2_REQUIRED.name) == "true")
        });
        let size = |f: &str| field(g, f).parse().unwrap_or(0);
        NodeGroupView {
            name: named(g),
            subnets: self.aws_all(field(g, node_group::SUBNETS.name)),
            sizes: (
                size(node_group::MIN.name),
                size(node_group::DESIRED.name),
                size(node_group::MAX.name),
            ),
            imdsv2_required,
        }
    }
}

/// A resource by its AWS id, labelled with its logical id.
fn named(r: &ObservedResource) -> Named {
    Named::new(r.handle.aws_id(), Some(&r.id))
}

fn field<'r>(r: &'r ObservedResource, name: &str) -> &'r str {
    r.fields.get(name).map(String::as_str).unwrap_or_default()
}

/// A canonical list field (`a,b`) as its items.
fn split(list: &str) -> Vec<String> {
    list.split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn group_view(g: &ObservedResource, rules: &[&RuleSpec]) -> GroupView {
    let view = |egress: bool| {
        rules
            .iter()
            .filter(|x| x.egress == egress)
            .map(|x| RuleView {
                protocol: x.protocol.clone(),
                from_port: x.from_port,
                to_port: x.to_port,
                cidr: match &x.peer {
                    RulePeerId::Cidr(c) => Some(c.clone()),
                    RulePeerId::Group(_) => None,
                },
                group: match &x.peer {
                    RulePeerId::Group(g) => Some(g.clone()),
                    RulePeerId::Cidr(_) => None,
                },
            })
            .collect()
    };
    GroupView {
        name: named(g),
        ingress: view(false),
        egress: view(true),
    }
}
