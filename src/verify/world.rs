//! What the checks look at: one view of the setup, built either from the stack alone (the
//! desired model and the rendered manifests) or from one discovery pass over AWS and the
//! clusters. Plain data; the checks never know which one they got, except through `live`.

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Service;
use k8s_openapi::api::networking::v1::NetworkPolicy;

use crate::engine::Snapshot;
use crate::model::{Direction, Resource, ResourceSpec, RouteTarget, RulePeer, TAG_ID, ids};
use crate::providers::RulePeerId;
use crate::stack::ValidStack;
use crate::stack::types::Role;
use crate::workloads::render::Manifest;

#[derive(Debug, Clone)]
pub struct World {
    /// Read from AWS and the clusters (`verify`), or built from the stack file (`--static`).
    pub live: bool,
    /// In `spec.regions` order.
    pub regions: Vec<RegionView>,
    /// Every peering of the stack's, as requested or found.
    pub peerings: Vec<PeeringView>,
}

#[derive(Debug, Clone)]
pub struct RegionView {
    /// The stack's name for it (`c1`).
    pub name: String,
    pub role: Role,
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
    /// Names of the stack's workloads that run here.
    pub workloads: Vec<String>,
    pub kubernetes: Kube,
}

/// A resource as the report names it: `c1/vpc (vpc-0abc)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Named {
    pub id: String,
    pub label: String,
}

impl Named {
    fn new(id: &str, logical: Option<&str>) -> Named {
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
    /// `peering`, `internet-gateway`, `nat-gateway` or `other`, and the target's id.
    pub target_kind: &'static str,
    pub target: String,
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
    /// `internet-facing` or `internal`.
    pub scheme: String,
    /// `application` or `network`.
    pub lb_type: String,
    pub listeners: Vec<u16>,
    pub security_groups: Vec<String>,
    pub web_acl: Option<WebAclView>,
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
    pub endpoint_public: bool,
    pub public_cidrs: Vec<String>,
    pub log_types: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct NodeGroupView {
    pub name: Named,
    pub subnets: Vec<String>,
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

fn region_shell(stack: &ValidStack, i: usize, kubernetes: Kube) -> RegionView {
    let region = &stack.stack.spec.regions[i];
    let peer = if region.role == Role::Backend {
        stack.index_of_role(Role::Frontend)
    } else {
        stack.index_of_role(Role::Backend)
    };
    RegionView {
        name: region.name.clone(),
        role: region.role,
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
        workloads: stack
            .stack
            .spec
            .workloads
            .iter()
            .filter(|w| w.region == region.name)
            .map(|w| w.name.clone())
            .collect(),
        kubernetes,
    }
}

/// The world the stack describes: what `up` would build, and the rendered manifests.
pub fn from_desired(stack: &ValidStack, resources: &[Resource], kube: Vec<Kube>) -> World {
    let mut world = World {
        live: false,
        regions: kube
            .into_iter()
            .enumerate()
            .map(|(i, k)| region_shell(stack, i, k))
            .collect(),
        peerings: Vec::new(),
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
                                RouteTarget::InternetGateway(_) => "internet-gateway",
                                RouteTarget::NatGateway(_) => "nat-gateway",
                                RouteTarget::VpcPeering(_) => "peering",
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
                    scheme: scheme.clone(),
                    lb_type: lb_type.clone(),
                    listeners: resources
                        .iter()
                        .filter_map(|a| match &a.spec {
                            ResourceSpec::Listener {
                                load_balancer,
                                port,
                                ..
                            } if load_balancer == &r.id => Some(*port),
                            _ => None,
                        })
                        .collect(),
                    security_groups: security_groups.clone(),
                    web_acl,
                });
            }
            ResourceSpec::EksCluster {
                endpoint_public,
                public_cidrs,
                log_types,
                ..
            } => {
                region.cluster = Some(ClusterView {
                    name: named(&r.id),
                    endpoint_public: *endpoint_public,
                    public_cidrs: public_cidrs.clone(),
                    log_types: log_types.clone(),
                })
            }
            ResourceSpec::NodeGroup {
                subnets,
                launch_template,
                ..
            } => region.node_groups.push(NodeGroupView {
                name: named(&r.id),
                subnets: subnets.clone(),
                imdsv2_required: match find(launch_template) {
                    Some(ResourceSpec::LaunchTemplate {
                        imdsv2_required, ..
                    }) => Some(*imdsv2_required),
                    _ => None,
                },
            }),
            ResourceSpec::FlowLog { .. } => region.flow_logs.push(r.id.clone()),
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

/// The world as AWS reports it: one snapshot per region, in `spec.regions` order.
pub fn from_live(stack: &ValidStack, snapshots: &[Snapshot], kube: Vec<Kube>) -> World {
    let mut world = World {
        live: true,
        regions: Vec::new(),
        peerings: Vec::new(),
    };
    for (i, (s, k)) in snapshots.iter().zip(kube).enumerate() {
        let mut region = region_shell(stack, i, k);
        let r = region.name.clone();
        let n = &s.network;
        let logical = |tags: &crate::providers::Tags| tags.get(TAG_ID).cloned();
        let vpc = n
            .vpcs
            .iter()
            .find(|v| v.tags.get(TAG_ID).map(String::as_str) == Some(&ids::vpc(&r)));
        region.vpc = vpc.map(|v| Named::new(&v.id, logical(&v.tags).as_deref()));
        let vpc_id = vpc.map(|v| v.id.clone()).unwrap_or_default();
        region.subnets = n
            .subnets
            .iter()
            .filter(|x| x.vpc_id == vpc_id)
            .map(|x| SubnetView {
                name: Named::new(&x.id, logical(&x.tags).as_deref()),
                cidr: x.cidr.clone(),
                map_public_ip: x.map_public_ip_on_launch,
            })
            .collect();
        region.route_tables = n
            .route_tables
            .iter()
            .filter(|t| t.vpc_id == vpc_id)
            .map(|t| RouteTableView {
                name: Named::new(&t.id, logical(&t.tags).as_deref()),
                main: t.associations.iter().any(|a| a.main),
                subnets: t
                    .associations
                    .iter()
                    .filter_map(|a| a.subnet_id.clone())
                    .collect(),
                routes: t
                    .routes
                    .iter()
                    .map(|route| {
                        let (kind, target) = route_target(route);
                        RouteView {
                            destination: route.destination.clone(),
                            target_kind: kind,
                            target,
                        }
                    })
                    .collect(),
            })
            .collect();
        let group = |g: &crate::providers::SecurityGroupInfo| {
            let rules = |egress: bool| {
                g.rules
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
                name: Named::new(&g.id, logical(&g.tags).as_deref()),
                ingress: rules(false),
                egress: rules(true),
            }
        };
        region.security_groups = n
            .security_groups
            .iter()
            .filter(|g| g.vpc_id == vpc_id)
            .map(group)
            .collect();
        region.default_group = n
            .default_security_groups
            .iter()
            .find(|g| g.vpc_id == vpc_id)
            .map(group);
        let lb_id = ids::load_balancer(&r);
        region.load_balancer = s
            .load_balancing
            .load_balancers
            .iter()
            .find(|l| l.tags.get(TAG_ID) == Some(&lb_id))
            .map(|l| LoadBalancerView {
                name: Named::new(&l.arn, Some(&lb_id)),
                scheme: l.scheme.clone(),
                lb_type: l.lb_type.clone(),
                listeners: s
                    .load_balancing
                    .listeners
                    .iter()
                    .filter(|x| x.load_balancer_arn == l.arn)
                    .map(|x| x.port)
                    .collect(),
                security_groups: l.security_groups.clone(),
                web_acl: s.web_acl_of.get(&l.arn).map(|arn| {
                    let acl = s.web_acls.iter().find(|a| &a.arn == arn);
                    WebAclView {
                        name: Named::new(arn, acl.and_then(|a| logical(&a.tags)).as_deref()),
                        managed_rule_groups: acl.map(|a| a.rules.managed_rule_groups.clone()),
                        rate_limit: acl.and_then(|a| a.rules.rate_limit),
                    }
                }),
            });
        let cluster_name = &stack.stack.spec.regions[i].cluster.name;
        region.cluster = s
            .eks
            .clusters
            .iter()
            .find(|c| &c.name == cluster_name)
            .map(|c| ClusterView {
                name: Named::new(&c.name, logical(&c.tags).as_deref()),
                endpoint_public: c.endpoint_public,
                public_cidrs: c.public_cidrs.clone(),
                log_types: c.log_types.clone(),
            });
        region.node_groups = s
            .eks
            .node_groups
            .iter()
            .filter(|g| &g.cluster == cluster_name)
            .map(|g| NodeGroupView {
                name: Named::new(&g.name, logical(&g.tags).as_deref()),
                subnets: g.subnets.clone(),
                imdsv2_required: g.launch_template.as_ref().map(|lt| {
                    n.launch_templates
                        .iter()
                        .find(|t| &t.id == lt)
                        .is_some_and(|t| t.imdsv2_required)
                }),
            })
            .collect();
        region.flow_logs = n
            .flow_logs
            .iter()
            .filter(|f| f.resource_id == vpc_id)
            .map(|f| f.id.clone())
            .collect();
        for p in &n.peerings {
            if !world.peerings.iter().any(|w| w.name.id == p.id) {
                world.peerings.push(PeeringView {
                    name: Named::new(&p.id, logical(&p.tags).as_deref()),
                    requester_vpc: p.requester_vpc.clone(),
                    accepter_vpc: p.accepter_vpc.clone(),
                    status: p.status.clone(),
                });
            }
        }
        world.regions.push(region);
    }
    world
}

fn route_target(route: &crate::providers::RouteInfo) -> (&'static str, String) {
    use crate::providers::RouteTargetId as T;
    match &route.target {
        T::Gateway(id) if id.starts_with("igw-") => ("internet-gateway", id.clone()),
        T::NatGateway(id) => ("nat-gateway", id.clone()),
        T::Peering(id) => ("peering", id.clone()),
        T::Gateway(id) | T::Other(id) => ("other", id.clone()),
        T::Local => ("local", String::new()),
    }
}
