//! The world the stack file describes, for `verify --static`.

use super::*;
use crate::model::{Direction, Resource, ResourceSpec, RouteTarget, RulePeer};
use crate::providers::ListenerAction;

/// The world the stack describes: what `up` would build, and the rendered manifests.
pub fn from_desired(stack: &ValidStack, resources: &[Resource], kube: Vec<Kube>) -> World {
    let (alarms_off, alerts) = alarm_settings(stack);
    let mut world = World {
        live: false,
        regions: kube
            .into_iter()
            .enumerate()
            .map(|(i, k)| {
                let mut region = region_shell(stack, i, k);
                region.alarms_wanted = alarms_wanted(resources, &region.name);
                region
            })
            .collect(),
        peerings: Vec::new(),
        duplicates: Vec::new(),
        env: stack.env.clone(),
        alarms_off,
        alerts,
    };
    let named = |id: &str| Named::new(id, None);
    let find = |id: &str| resources.iter().find(|r| r.id == id).map(|r| &r.spec);
    for r in resources {
        let Some(region) = r
            .region
            .as_ref()
            .and_then(|name| world.regions.iter_mut().find(|v| &v.name == name))
        else {
            continue;
        };
        match &r.spec {
            ResourceSpec::Vpc { .. } => region.vpc = Some(named(&r.id)),
            ResourceSpec::Subnet {
                cidr,
                map_public_ip_on_launch,
                ..
            } => region.subnets.push(SubnetView {
                name: named(&r.id),
                cidr: cidr.clone(),
                map_public_ip: *map_public_ip_on_launch,
            }),
            // `up` leaves the main table nothing but its local route.
            ResourceSpec::MainRouteTable { .. } => region.route_tables.push(RouteTableView {
                name: named(&r.id),
                main: true,
                subnets: Vec::new(),
                routes: Vec::new(),
            }),
            ResourceSpec::RouteTable { .. } => region.route_tables.push(RouteTableView {
                name: named(&r.id),
                main: false,
                subnets: resources
                    .iter()
                    .filter_map(|a| match &a.spec {
                        ResourceSpec::RouteTableAssociation {
                            route_table,
                            subnet,
                        } if route_table == &r.id => Some(subnet.clone()),
                        _ => None,
                    })
                    .collect(),
                routes: resources
                    .iter()
                    .filter_map(|a| match &a.spec {
                        ResourceSpec::Route {
                            route_table,
                            destination,
                            target,
                        } if route_table == &r.id => Some(RouteView {
                            destination: destination.clone(),
                            target_kind: match target {
                                RouteTarget::InternetGateway(_) => TargetKind::InternetGateway,
                                RouteTarget::NatGateway(_) => TargetKind::NatGateway,
                                RouteTarget::VpcPeering(_) => TargetKind::Peering,
                            },
                            target: match target {
                                RouteTarget::InternetGateway(t)
                                | RouteTarget::NatGateway(t)
                                | RouteTarget::VpcPeering(t) => t.clone(),
                            },
                        }),
                        _ => None,
                    })
                    .collect(),
            }),
            ResourceSpec::SecurityGroup { .. } => {
                let rules = |direction: Direction| {
                    resources
                        .iter()
                        .filter_map(|a| match &a.spec {
                            ResourceSpec::SecurityGroupRule {
                                group,
                                direction: d,
                                protocol,
                                from_port,
                                to_port,
                                peer,
                                ..
                            } if group == &r.id && *d == direction => Some(RuleView {
                                protocol: protocol.clone(),
                                from_port: from_port.map(i32::from),
                                to_port: to_port.map(i32::from),
                                cidr: match peer {
                                    RulePeer::Cidr(c) => Some(c.clone()),
                                    RulePeer::SecurityGroup(_) => None,
                                },
                                group: match peer {
                                    RulePeer::SecurityGroup(g) => Some(g.clone()),
                                    RulePeer::Cidr(_) => None,
                                },
                            }),
                            _ => None,
                        })
                        .collect()
                };
                region.security_groups.push(GroupView {
                    name: named(&r.id),
                    ingress: rules(Direction::Ingress),
                    egress: rules(Direction::Egress),
                });
            }
            // The tool empties every default group.
            ResourceSpec::DefaultSecurityGroup { .. } => {
                region.default_group = Some(GroupView {
                    name: named(&r.id),
                    ingress: Vec::new(),
                    egress: Vec::new(),
                })
            }
            ResourceSpec::LoadBalancer {
                scheme,
                lb_type,
                security_groups,
                ..
            } => {
                let web_acl = resources.iter().find_map(|a| match &a.spec {
                    ResourceSpec::WebAclAssociation {
                        web_acl,
                        load_balancer,
                    } if load_balancer == &r.id => match find(web_acl) {
                        Some(ResourceSpec::WebAcl {
                            managed_rule_groups,
                            rate_limit,
                            ..
                        }) => Some(WebAclView {
                            name: named(web_acl),
                            managed_rule_groups: Some(managed_rule_groups.clone()),
                            rate_limit: Some(*rate_limit),
                        }),
                        _ => None,
                    },
                    _ => None,
                });
                region.load_balancer = Some(LoadBalancerView {
                    name: named(&r.id),
                    scheme: Some(*scheme),
                    lb_type: Some(*lb_type),
                    listeners: resources
                        .iter()
                        .filter_map(|a| match &a.spec {
                            ResourceSpec::Listener {
                                load_balancer,
                                port,
                                protocol,
                                tls,
                                redirect_to,
                                ..
                            } if load_balancer == &r.id => Some(ListenerView {
                                port: *port,
                                protocol: protocol.clone(),
                                redirect: redirect_to.map(ListenerAction::redirect_text),
                                ssl_policy: tls.as_ref().map(|t| t.policy.clone()),
                            }),
                            _ => None,
                        })
                        .collect(),
                    security_groups: security_groups.clone(),
                    web_acl,
                });
            }
            ResourceSpec::EksCluster {
                version,
                endpoint_public,
                public_cidrs,
                log_types,
                secrets_key,
                ..
            } => {
                // The stack's own key is made enabled with rotation on.
                let made = secrets_key.as_deref().and_then(find);
                let key_state = made.map(|_| KeyStateView {
                    enabled: true,
                    rotation: true,
                });
                region.cluster = Some(ClusterView {
                    name: named(&r.id),
                    version: version.clone(),
                    endpoint_public: *endpoint_public,
                    public_cidrs: public_cidrs.clone(),
                    log_types: log_types.clone(),
                    secrets_key: secrets_key.clone(),
                    secrets_key_state: key_state,
                })
            }
            ResourceSpec::NodeGroup {
                subnets,
                launch_template,
                min,
                desired,
                max,
                ..
            } => region.node_groups.push(NodeGroupView {
                name: named(&r.id),
                subnets: subnets.clone(),
                sizes: (*min, *desired, *max),
                imdsv2_required: match find(launch_template) {
                    Some(ResourceSpec::LaunchTemplate {
                        imdsv2_required, ..
                    }) => Some(*imdsv2_required),
                    _ => None,
                },
            }),
            ResourceSpec::FlowLog { .. } => region.flow_logs.push(r.id.clone()),
            ResourceSpec::NatGateway { .. } => region.nat_gateways.push(named(&r.id)),
            ResourceSpec::LogGroup { retention_days, .. } => region.log_groups.push(LogGroupView {
                name: named(&r.id),
                retention_days: (*retention_days > 0).then_some(*retention_days),
            }),
            ResourceSpec::AlertTopic { .. } => {
                let subscribed = resources.iter().filter(|s| {
                    matches!(&s.spec, ResourceSpec::AlertSubscription { topic, .. } if *topic == r.id)
                });
                let n = subscribed.count();
                region.alert_topic = Some(AlertTopicView {
                    id: r.id.clone(),
                    name: named(&r.id),
                    subscriptions: n,
                    confirmed: n,
                });
            }
            ResourceSpec::MetricAlarm { topic, .. } => region.alarms.push(AlarmView {
                id: r.id.clone(),
                name: named(&r.id),
                actions: vec![topic.clone()],
                actions_enabled: true,
            }),
            ResourceSpec::VpcPeering {
                requester_vpc,
                accepter_vpc,
                ..
            } => world.peerings.push(PeeringView {
                name: named(&r.id),
                requester_vpc: requester_vpc.clone(),
                accepter_vpc: accepter_vpc.clone(),
                status: "planned".into(),
            }),
            _ => {}
        }
    }
    world
}
