//! Carrying out one change: the provider calls that create, update or delete one resource,
//! with references resolved from logical ids to AWS ids as the run goes.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::Duration;

use super::RegionTarget;
use super::diff::{Change, tags_text};
use super::observe::{Handle, Observed, ObservedResource};
use super::retry::{self, DELETE, LAG, STATE, Tolerate};
use crate::kinds::{INLINE_POLICY, Kind};
use crate::model::{
    Direction, PeeringSide, Resource, ResourceSpec, RouteTarget, RulePeer, TAG_STACK,
};
use crate::providers::*;
use crate::stack::types::LogType;
use std::result::Result;

/// How long the slow parts may take before the run gives up on them.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub nat_gateway: Duration,
    pub load_balancer: Duration,
    pub peering: Duration,
    pub cluster: Duration,
    pub node_group: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            nat_gateway: Duration::from_secs(15 * 60),
            load_balancer: Duration::from_secs(15 * 60),
            peering: Duration::from_secs(10 * 60),
            cluster: Duration::from_secs(25 * 60),
            node_group: Duration::from_secs(20 * 60),
        }
    }
}

pub struct Applier<'a> {
    pub regions: BTreeMap<String, &'a RegionTarget>,
    pub iam: &'a dyn Iam,
    pub observed: &'a Observed,
    pub desired: HashMap<&'a str, &'a Resource>,
    pub limits: Limits,
    /// Logical id -> handle: what discovery found, plus what this run made.
    handles: Mutex<HashMap<String, Handle>>,
}

type Done = Result<String, String>;

fn fail(e: ProviderError) -> String {
    e.to_string()
}

const ANYWHERE: &str = "0.0.0.0/0";

impl<'a> Applier<'a> {
    pub fn new(
        regions: &'a [RegionTarget],
        iam: &'a dyn Iam,
        observed: &'a Observed,
        desired: &'a [Resource],
        limits: Limits,
    ) -> Self {
        Applier {
            regions: regions.iter().map(|r| (r.name.clone(), r)).collect(),
            iam,
            observed,
            desired: desired.iter().map(|r| (r.id.as_str(), r)).collect(),
            limits,
            handles: Mutex::new(
                observed
                    .resources
                    .iter()
                    .map(|(id, o)| (id.clone(), o.handle.clone()))
                    .collect(),
            ),
        }
    }

    fn target(&self, region: &Option<String>) -> Result<&'a RegionTarget, String> {
        region
            .as_ref()
            .and_then(|r| self.regions.get(r).copied())
            .ok_or_else(|| format!("no clients for region {region:?}"))
    }

    fn handle(&self, logical: &str) -> Result<Handle, String> {
        self.handles
            .lock()
            .map_err(|_| "internal: handle table poisoned".to_string())?
            .get(logical)
            .cloned()
            .ok_or_else(|| format!("{logical} does not exist (yet)"))
    }

    /// The AWS id a logical reference stands for.
    fn aws(&self, logical: &str) -> Result<String, String> {
        Ok(self.handle(logical)?.aws_id().to_string())
    }

    /// A role reference: the ARN of an existing role, or the logical id of one the stack makes.
    fn role_arn(&self, reference: &str) -> Result<String, String> {
        if reference.starts_with("arn:") {
            Ok(reference.to_string())
        } else {
            self.aws(reference)
        }
    }

    fn remember(&self, logical: &str, handle: Handle) {
        if let Ok(mut h) = self.handles.lock() {
            h.insert(logical.to_string(), handle);
        }
    }

    fn forget(&self, logical: &str) {
        if let Ok(mut h) = self.handles.lock() {
            h.remove(logical);
        }
    }

    fn azs(&self, region: &Option<String>) -> &[String] {
        region
            .as_ref()
            .and_then(|r| self.observed.azs.get(r))
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    fn rule_spec(&self, spec: &ResourceSpec) -> Result<RuleSpec, String> {
        let ResourceSpec::SecurityGroupRule {
            direction,
            protocol,
            from_port,
            to_port,
            peer,
            description,
            ..
        } = spec
        else {
            return Err("not a rule".into());
        };
        Ok(RuleSpec {
            egress: *direction == Direction::Egress,
            protocol: protocol.clone(),
            from_port: from_port.map(i32::from),
            to_port: to_port.map(i32::from),
            peer: match peer {
                RulePeer::Cidr(c) => RulePeerId::Cidr(c.clone()),
                RulePeer::SecurityGroup(g) => RulePeerId::Group(self.aws(g)?),
            },
            description: Some(description.clone()),
        })
    }

    fn route_target(&self, target: &RouteTarget) -> Result<RouteTargetId, String> {
        Ok(match target {
            RouteTarget::InternetGateway(id) => RouteTargetId::Gateway(self.aws(id)?),
            RouteTarget::NatGateway(id) => RouteTargetId::NatGateway(self.aws(id)?),
            RouteTarget::VpcPeering(id) => RouteTargetId::Peering(self.aws(id)?),
        })
    }

    fn web_acl_rules(spec: &ResourceSpec) -> WebAclRules {
        match spec {
            ResourceSpec::WebAcl {
                managed_rule_groups,
                rate_limit,
                ..
            } => WebAclRules {
                managed_rule_groups: managed_rule_groups.clone(),
                rate_limit: Some(*rate_limit),
            },
            _ => WebAclRules {
                managed_rule_groups: vec![],
                rate_limit: None,
            },
        }
    }

    pub async fn create(&self, r: &Resource) -> Done {
        if let ResourceSpec::IamRole {
            name,
            trusted_service,
            managed_policies,
            inline_policy,
        } = &r.spec
        {
            let path = role_path(
                r.tags
                    .get(TAG_STACK)
                    .map(String::as_str)
                    .unwrap_or_default(),
            );
            let arn = retry::call(Tolerate::default(), || {
                self.iam.create_role(name, &path, trusted_service, &r.tags)
            })
            .await
            .map_err(fail)?;
            self.remember(
                &r.id,
                Handle::Role {
                    name: name.clone(),
                    arn: arn.clone(),
                    policies: vec![],
                    inline: vec![],
                },
            );
            for policy in managed_policies {
                retry::call(LAG, || self.iam.attach_policy(name, policy))
                    .await
                    .map_err(fail)?;
            }
            if let Some(document) = inline_policy {
                retry::call(LAG, || {
                    self.iam.put_inline_policy(name, INLINE_POLICY, document)
                })
                .await
                .map_err(fail)?;
            }
            self.remember(
                &r.id,
                Handle::Role {
                    name: name.clone(),
                    arn: arn.clone(),
                    policies: managed_policies.clone(),
                    inline: inline_policy
                        .iter()
                        .map(|_| INLINE_POLICY.to_string())
                        .collect(),
                },
            );
            return Ok(arn);
        }
        let t = self.target(&r.region)?;
        let net = &t.clients.network;
        let tags = &r.tags;
        let (handle, what) = match &r.spec {
            ResourceSpec::Vpc {
                cidr,
                dns_support,
                dns_hostnames,
            } => {
                let id = retry::call(Tolerate::default(), || net.create_vpc(cidr, tags))
                    .await
                    .map_err(fail)?;
                // New VPCs have DNS support on and hostnames off.
                if !dns_support {
                    retry::call(LAG, || {
                        net.set_vpc_dns(&id, VpcDnsAttribute::Support, false)
                    })
                    .await
                    .map_err(fail)?;
                }
                if *dns_hostnames {
                    retry::call(LAG, || {
                        net.set_vpc_dns(&id, VpcDnsAttribute::Hostnames, true)
                    })
                    .await
                    .map_err(fail)?;
                }
                (Handle::Id(id.clone()), id)
            }
            ResourceSpec::Subnet {
                vpc,
                cidr,
                az,
                map_public_ip_on_launch,
                ..
            } => {
                let vpc = self.aws(vpc)?;
                let zone = self
                    .azs(&r.region)
                    .get(usize::from(*az).saturating_sub(1))
                    .cloned()
                    .ok_or_else(|| {
                        format!("{} has no usable availability zone #{az}", t.aws_region)
                    })?;
                let id = retry::call(LAG, || net.create_subnet(&vpc, cidr, &zone, tags))
                    .await
                    .map_err(fail)?;
                if *map_public_ip_on_launch {
                    retry::call(LAG, || net.set_map_public_ip(&id, true))
                        .await
                        .map_err(fail)?;
                }
                (Handle::Id(id.clone()), format!("{id} in {zone}"))
            }
            ResourceSpec::InternetGateway { vpc } => {
                let vpc = self.aws(vpc)?;
                let id = retry::call(Tolerate::default(), || net.create_internet_gateway(tags))
                    .await
                    .map_err(fail)?;
                retry::call(LAG, || net.attach_internet_gateway(&id, &vpc))
                    .await
                    .map_err(fail)?;
                (
                    Handle::InternetGateway {
                        id: id.clone(),
                        vpc: Some(vpc),
                    },
                    id,
                )
            }
            ResourceSpec::ElasticIp => {
                let id = retry::call(Tolerate::default(), || net.allocate_address(tags))
                    .await
                    .map_err(fail)?;
                (Handle::Id(id.clone()), id)
            }
            ResourceSpec::NatGateway { subnet, elastic_ip } => {
                let (subnet, eip) = (self.aws(subnet)?, self.aws(elastic_ip)?);
                let id = retry::call(LAG, || net.create_nat_gateway(&subnet, &eip, tags))
                    .await
                    .map_err(fail)?;
                // Remember it before the long wait, so a failed wait still leaves it known.
                self.remember(&r.id, Handle::Id(id.clone()));
                retry::call(LAG, || {
                    net.wait_nat_gateway_available(&id, self.limits.nat_gateway)
                })
                .await
                .map_err(fail)?;
                (Handle::Id(id.clone()), format!("{id} available"))
            }
            ResourceSpec::RouteTable { vpc } => {
                let vpc = self.aws(vpc)?;
                let id = retry::call(LAG, || net.create_route_table(&vpc, tags))
                    .await
                    .map_err(fail)?;
                (Handle::Id(id.clone()), id)
            }
            ResourceSpec::Route {
                route_table,
                destination,
                target,
            } => {
                let table = self.aws(route_table)?;
                let target = self.route_target(target)?;
                match retry::call(LAG, || net.create_route(&table, destination, &target)).await {
                    Err(e) if e.kind == ErrorKind::AlreadyExists => {
                        retry::call(LAG, || net.replace_route(&table, destination, &target))
                            .await
                            .map_err(fail)?
                    }
                    other => other.map_err(fail)?,
                }
                (
                    Handle::Route {
                        table,
                        destination: destination.clone(),
                    },
                    String::new(),
                )
            }
            ResourceSpec::RouteTableAssociation {
                route_table,
                subnet,
            } => {
                let (table, subnet) = (self.aws(route_table)?, self.aws(subnet)?);
                let id = retry::call(LAG, || net.associate_route_table(&table, &subnet))
                    .await
                    .map_err(fail)?;
                (Handle::Association { id: id.clone() }, id)
            }
            ResourceSpec::SecurityGroup {
                vpc,
                name,
                description,
            } => {
                let vpc = self.aws(vpc)?;
                let id = retry::call(LAG, || {
                    net.create_security_group(&vpc, name, description, tags)
                })
                .await
                .map_err(fail)?;
                // AWS opens egress on every new group, untagged. Where the stack wants it, its
                // own rule step adds it back, tagged like every rule of the stack.
                let open = RuleSpec {
                    egress: true,
                    protocol: "-1".into(),
                    from_port: None,
                    to_port: None,
                    peer: RulePeerId::Cidr(ANYWHERE.into()),
                    description: None,
                };
                match retry::call(LAG, || net.revoke(&id, &open)).await {
                    Err(e) if e.kind != ErrorKind::NotFound => return Err(fail(e)),
                    _ => {}
                }
                (Handle::Id(id.clone()), id)
            }
            ResourceSpec::SecurityGroupRule { group, .. } => {
                let group_id = self.aws(group)?;
                let rule = self.rule_spec(&r.spec)?;
                match retry::call(LAG, || net.authorize(&group_id, &rule, tags)).await {
                    Err(e) if e.kind == ErrorKind::AlreadyExists => {}
                    other => other.map_err(fail)?,
                }
                (
                    Handle::Rule {
                        group: group_id,
                        rule,
                    },
                    String::new(),
                )
            }
            ResourceSpec::MainRouteTable { vpc } => {
                let vpc = self.aws(vpc)?;
                let table = retry::call(LAG, || net.main_route_table(&vpc))
                    .await
                    .map_err(fail)?;
                // Adopted like the default group: nothing but the local route, and tagged.
                let extra: Vec<&RouteInfo> = table
                    .routes
                    .iter()
                    .filter(|x| x.target != RouteTargetId::Local)
                    .collect();
                for route in &extra {
                    gone_is_fine(
                        retry::call(LAG, || net.delete_route(&table.id, &route.destination)).await,
                    )?;
                }
                adopt_tags(net.as_ref(), &table.id, &r.tags, &table.tags).await?;
                let what = format!("{} adopted ({} routes removed)", table.id, extra.len());
                (Handle::Id(table.id), what)
            }
            ResourceSpec::DefaultSecurityGroup { vpc } => {
                let vpc = self.aws(vpc)?;
                let group = retry::call(LAG, || net.default_security_group(&vpc))
                    .await
                    .map_err(fail)?;
                for rule in &group.rules {
                    retry::call(LAG, || net.revoke(&group.id, rule))
                        .await
                        .map_err(fail)?;
                }
                adopt_tags(net.as_ref(), &group.id, &r.tags, &group.tags).await?;
                let what = format!("{} emptied ({} rules removed)", group.id, group.rules.len());
                (
                    Handle::DefaultGroup {
                        id: group.id,
                        rules: vec![],
                    },
                    what,
                )
            }
            ResourceSpec::VpcPeering {
                requester_vpc,
                accepter_vpc,
                accepter_region,
            } => {
                let (vpc, peer) = (self.aws(requester_vpc)?, self.aws(accepter_vpc)?);
                let id = retry::call(LAG, || {
                    net.create_peering(&vpc, &peer, accepter_region, tags)
                })
                .await
                .map_err(fail)?;
                (Handle::Id(id.clone()), format!("{id} requested"))
            }
            ResourceSpec::VpcPeeringAccepter { peering } => {
                let id = self.aws(peering)?;
                let requester = self
                    .desired
                    .get(peering.as_str())
                    .and_then(|p| p.region.clone());
                let requester = self.target(&requester)?;
                // The request takes a moment to reach the accepter's region.
                retry::call(STATE, || net.accept_peering(&id))
                    .await
                    .map_err(fail)?;
                retry::call(LAG, || {
                    requester
                        .clients
                        .network
                        .wait_peering_active(&id, self.limits.peering)
                })
                .await
                .map_err(fail)?;
                // The accepter's copy carries its own tags; the stack tag lets this side find it.
                let own = Tags::from([(
                    TAG_STACK.to_string(),
                    tags.get(TAG_STACK).cloned().unwrap_or_default(),
                )]);
                retry::call(LAG, || net.set_tags(&id, &own, &[]))
                    .await
                    .map_err(fail)?;
                (Handle::Peering { id: id.clone() }, format!("{id} active"))
            }
            ResourceSpec::VpcPeeringDns { peering, side } => {
                let id = self.aws(peering)?;
                retry::call(STATE, || net.set_peering_dns(&id, side_ref(*side), true))
                    .await
                    .map_err(fail)?;
                (
                    Handle::Peering { id },
                    "remote DNS resolution on".to_string(),
                )
            }
            ResourceSpec::LoadBalancer {
                name,
                lb_type,
                scheme,
                subnets,
                security_groups,
            } => {
                let subnets = subnets
                    .iter()
                    .map(|s| self.aws(s))
                    .collect::<Result<Vec<_>, _>>()?;
                let groups = security_groups
                    .iter()
                    .map(|s| self.aws(s))
                    .collect::<Result<Vec<_>, _>>()?;
                let lbs = &t.clients.load_balancing;
                let new = NewLoadBalancer {
                    name,
                    lb_type,
                    scheme,
                    subnets: &subnets,
                    security_groups: &groups,
                    tags,
                };
                let lb = retry::call(LAG, || lbs.create_load_balancer(&new))
                    .await
                    .map_err(fail)?;
                let handle = Handle::LoadBalancer {
                    arn: lb.arn.clone(),
                    dns_name: lb.dns_name.clone(),
                };
                self.remember(&r.id, handle.clone());
                retry::call(LAG, || {
                    lbs.wait_load_balancer_active(&lb.arn, self.limits.load_balancer)
                })
                .await
                .map_err(fail)?;
                (handle, lb.dns_name)
            }
            ResourceSpec::TargetGroup {
                name,
                vpc,
                protocol,
                port,
                target_type,
                health_check_path,
            } => {
                let vpc = self.aws(vpc)?;
                let new = NewTargetGroup {
                    name,
                    protocol,
                    port: *port,
                    vpc: &vpc,
                    target_type,
                    health_check_path: health_check_path.as_deref(),
                    tags,
                };
                let arn = retry::call(LAG, || t.clients.load_balancing.create_target_group(&new))
                    .await
                    .map_err(fail)?;
                (Handle::Id(arn.clone()), arn)
            }
            ResourceSpec::Listener {
                load_balancer,
                target_group,
                protocol,
                port,
            } => {
                let (lb, tg) = (self.aws(load_balancer)?, self.aws(target_group)?);
                let lbs = &t.clients.load_balancing;
                let arn = retry::call(LAG, || lbs.create_listener(&lb, protocol, *port, &tg, tags))
                    .await
                    .map_err(fail)?;
                (Handle::Id(arn.clone()), arn)
            }
            ResourceSpec::WebAcl { name, .. } => {
                let rules = Self::web_acl_rules(&r.spec);
                let acl = retry::call(Tolerate::default(), || {
                    t.clients.waf.create_web_acl(name, &rules, tags)
                })
                .await
                .map_err(fail)?;
                let what = acl.arn.clone();
                (Handle::WebAcl(acl), what)
            }
            ResourceSpec::WebAclAssociation {
                web_acl,
                load_balancer,
            } => {
                let (acl, lb) = (self.aws(web_acl)?, self.aws(load_balancer)?);
                // A new load balancer takes a while before WAF accepts it.
                retry::call(STATE, || t.clients.waf.associate(&acl, &lb))
                    .await
                    .map_err(fail)?;
                (
                    Handle::WebAclAssociation { resource_arn: lb },
                    String::new(),
                )
            }
            ResourceSpec::EksCluster {
                name,
                version,
                role,
                subnets,
                endpoint_private,
                endpoint_public,
                public_cidrs,
                log_types,
                ..
            } => {
                let role = self.role_arn(role)?;
                let subnets = subnets
                    .iter()
                    .map(|s| self.aws(s))
                    .collect::<Result<Vec<_>, _>>()?;
                let new = NewCluster {
                    name,
                    version,
                    role_arn: &role,
                    subnets: &subnets,
                    endpoint_private: *endpoint_private,
                    endpoint_public: *endpoint_public,
                    public_cidrs,
                    log_types,
                    tags,
                };
                let eks = &t.clients.eks;
                let made = retry::call(LAG, || eks.create_cluster(&new))
                    .await
                    .map_err(fail)?;
                self.remember(
                    &r.id,
                    Handle::Cluster {
                        name: name.clone(),
                        arn: made.arn.clone(),
                        security_group: None,
                    },
                );
                let active =
                    retry::call(LAG, || eks.wait_cluster_active(name, self.limits.cluster))
                        .await
                        .map_err(fail)?;
                let what = format!(
                    "{} {}",
                    active.status.as_str(),
                    active.endpoint.clone().unwrap_or_default()
                );
                (
                    Handle::Cluster {
                        name: name.clone(),
                        arn: active.arn,
                        security_group: active.cluster_security_group,
                    },
                    what,
                )
            }
            ResourceSpec::AccessEntry {
                cluster,
                principal_arn,
                access_policy,
            } => {
                let cluster = self.aws(cluster)?;
                let eks = &t.clients.eks;
                match retry::call(LAG, || {
                    eks.create_access_entry(&cluster, principal_arn, access_policy, tags)
                })
                .await
                {
                    Err(e) if e.kind == ErrorKind::AlreadyExists => {}
                    other => other.map_err(fail)?,
                }
                (
                    Handle::AccessEntry {
                        cluster,
                        principal: principal_arn.clone(),
                    },
                    String::new(),
                )
            }
            ResourceSpec::TargetGroupAttachment {
                target_group,
                node_group,
            } => self.register_nodes(target_group, node_group, t).await?,
            ResourceSpec::LogGroup {
                name,
                retention_days,
            } => {
                retry::call(Tolerate::default(), || {
                    t.clients.logs.create_log_group(name, *retention_days, tags)
                })
                .await
                .map_err(fail)?;
                (Handle::Id(name.clone()), name.clone())
            }
            ResourceSpec::FlowLog {
                vpc,
                log_group,
                role,
                traffic_type,
            } => {
                let (vpc, group, role) =
                    (self.aws(vpc)?, self.aws(log_group)?, self.role_arn(role)?);
                // LAG: a role made a moment ago is not yet assumable by the flow logs service.
                let id = retry::call(LAG, || {
                    net.create_flow_log(&vpc, &group, &role, traffic_type, tags)
                })
                .await
                .map_err(fail)?;
                (Handle::Id(id.clone()), format!("{id} on {vpc} to {group}"))
            }
            ResourceSpec::LaunchTemplate {
                name,
                security_groups,
                cluster,
                imdsv2_required,
                metadata_hop_limit,
            } => {
                let mut groups = security_groups
                    .iter()
                    .map(|g| self.aws(g))
                    .collect::<Result<Vec<_>, _>>()?;
                // Nodes need the cluster's own group to reach the control plane; EKS adds it only
                // to templates without groups, so it is listed here.
                let note = match self.handle(cluster)? {
                    Handle::Cluster {
                        security_group: Some(group),
                        ..
                    } => {
                        groups.push(group);
                        String::new()
                    }
                    _ => format!(
                        " (EKS reported no security group for {cluster}; nodes get the stack's groups only)"
                    ),
                };
                let id = retry::call(LAG, || {
                    net.create_launch_template(
                        name,
                        &groups,
                        *imdsv2_required,
                        *metadata_hop_limit,
                        tags,
                    )
                })
                .await
                .map_err(fail)?;
                (Handle::Id(id.clone()), format!("{id}{note}"))
            }
            ResourceSpec::NodeGroup {
                cluster,
                name,
                role,
                subnets,
                launch_template,
                instance_types,
                min,
                desired,
                max,
                labels,
            } => {
                let (cluster, role, template) = (
                    self.aws(cluster)?,
                    self.role_arn(role)?,
                    self.aws(launch_template)?,
                );
                let subnets = subnets
                    .iter()
                    .map(|s| self.aws(s))
                    .collect::<Result<Vec<_>, _>>()?;
                let new = NewNodeGroup {
                    cluster: &cluster,
                    name,
                    role_arn: &role,
                    subnets: &subnets,
                    launch_template: &template,
                    instance_types,
                    min: *min,
                    desired: *desired,
                    max: *max,
                    labels,
                    tags,
                };
                let eks = &t.clients.eks;
                retry::call(LAG, || eks.create_node_group(&new))
                    .await
                    .map_err(fail)?;
                self.remember(
                    &r.id,
                    Handle::NodeGroup {
                        cluster: cluster.clone(),
                        name: name.clone(),
                        arn: String::new(),
                    },
                );
                let group = retry::call(LAG, || {
                    eks.wait_node_group_active(&cluster, name, self.limits.node_group)
                })
                .await
                .map_err(fail)?;
                (
                    Handle::NodeGroup {
                        cluster,
                        name: name.clone(),
                        arn: group.arn,
                    },
                    format!("{} nodes", group.desired),
                )
            }
            other => return Err(format!("{} is not built by this version", other.kind())),
        };
        self.remember(&r.id, handle);
        Ok(what)
    }

    pub async fn update(&self, r: &Resource, change: &Change) -> Done {
        let observed = self
            .observed
            .resources
            .get(&r.id)
            .ok_or_else(|| format!("{} was not observed", r.id))?;
        let summary = change
            .fields
            .iter()
            .map(|f| f.field.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        if let (
            ResourceSpec::IamRole {
                name,
                managed_policies,
                inline_policy,
                ..
            },
            Handle::Role {
                policies, inline, ..
            },
        ) = (&r.spec, &observed.handle)
        {
            if let Some(document) = inline_policy
                && !inline.iter().any(|n| n == INLINE_POLICY)
            {
                retry::call(LAG, || {
                    self.iam.put_inline_policy(name, INLINE_POLICY, document)
                })
                .await
                .map_err(fail)?;
            }
            for extra in inline
                .iter()
                .filter(|n| inline_policy.is_none() || n.as_str() != INLINE_POLICY)
            {
                gone_is_fine(
                    retry::call(LAG, || self.iam.delete_inline_policy(name, extra)).await,
                )?;
            }
            if change.fields.iter().any(|f| f.field == "tags") {
                let (add, remove) =
                    tag_changes(&r.tags, observed.tags.as_ref().unwrap_or(&Tags::new()));
                retry::call(LAG, || self.iam.set_tags(name, &add, &remove))
                    .await
                    .map_err(fail)?;
            }
            for p in managed_policies.iter().filter(|p| !policies.contains(p)) {
                retry::call(LAG, || self.iam.attach_policy(name, p))
                    .await
                    .map_err(fail)?;
            }
            for p in policies.iter().filter(|p| !managed_policies.contains(p)) {
                retry::call(LAG, || self.iam.detach_policy(name, p))
                    .await
                    .map_err(fail)?;
            }
            return Ok(summary);
        }
        let t = self.target(&r.region)?;
        if let ResourceSpec::EksCluster { .. } = &r.spec {
            self.update_cluster(r, change, observed, t).await?;
            return Ok(summary);
        }
        let net = &t.clients.network;
        let mut done = Vec::new();
        for field in &change.fields {
            match (&r.spec, field.field.as_str()) {
                (_, "tags") => self.retag(r, observed, t).await?,
                (
                    ResourceSpec::TargetGroupAttachment {
                        target_group,
                        node_group,
                    },
                    "unregistered",
                ) => {
                    self.register_nodes(target_group, node_group, t).await?;
                }
                (
                    ResourceSpec::LogGroup {
                        name,
                        retention_days,
                    },
                    "retentionDays",
                ) => retry::call(LAG, || t.clients.logs.set_retention(name, *retention_days))
                    .await
                    .map_err(fail)?,
                (
                    ResourceSpec::NodeGroup {
                        cluster,
                        name,
                        min,
                        desired,
                        max,
                        labels,
                        ..
                    },
                    "min" | "desired" | "max" | "labels",
                ) => {
                    if done.contains(&"node group") {
                        continue;
                    }
                    done.push("node group");
                    let cluster = self.aws(cluster)?;
                    let observed_labels: Tags = observed
                        .fields
                        .get("labels")
                        .map(|l| {
                            l.split(',')
                                .filter_map(|kv| kv.split_once('='))
                                .map(|(k, v)| (k.to_string(), v.to_string()))
                                .collect()
                        })
                        .unwrap_or_default();
                    let scaled = change
                        .fields
                        .iter()
                        .any(|f| matches!(f.field.as_str(), "min" | "desired" | "max"));
                    let update = NodeGroupUpdate {
                        scaling: scaled.then_some((*min, *desired, *max)),
                        add_labels: labels
                            .iter()
                            .filter(|(k, v)| observed_labels.get(*k) != Some(*v))
                            .map(|(k, v)| (k.clone(), v.clone()))
                            .collect(),
                        remove_labels: observed_labels
                            .keys()
                            .filter(|k| !labels.contains_key(*k))
                            .cloned()
                            .collect(),
                    };
                    let eks = &t.clients.eks;
                    retry::call(STATE, || {
                        eks.update_node_group(&cluster, name, &update, self.limits.node_group)
                    })
                    .await
                    .map_err(fail)?;
                }
                (ResourceSpec::Vpc { dns_support, .. }, "dnsSupport") => {
                    let id = self.aws(&r.id)?;
                    retry::call(LAG, || {
                        net.set_vpc_dns(&id, VpcDnsAttribute::Support, *dns_support)
                    })
                    .await
                    .map_err(fail)?;
                }
                (ResourceSpec::Vpc { dns_hostnames, .. }, "dnsHostnames") => {
                    let id = self.aws(&r.id)?;
                    retry::call(LAG, || {
                        net.set_vpc_dns(&id, VpcDnsAttribute::Hostnames, *dns_hostnames)
                    })
                    .await
                    .map_err(fail)?;
                }
                (
                    ResourceSpec::Subnet {
                        map_public_ip_on_launch,
                        ..
                    },
                    "mapPublicIpOnLaunch",
                ) => {
                    let id = self.aws(&r.id)?;
                    retry::call(LAG, || net.set_map_public_ip(&id, *map_public_ip_on_launch))
                        .await
                        .map_err(fail)?;
                }
                (ResourceSpec::InternetGateway { vpc }, "vpc") => {
                    let Handle::InternetGateway { id, vpc: attached } = &observed.handle else {
                        return Err("not a gateway".into());
                    };
                    if let Some(old) = attached {
                        retry::call(DELETE, || net.detach_internet_gateway(id, old))
                            .await
                            .map_err(fail)?;
                    }
                    let vpc = self.aws(vpc)?;
                    retry::call(LAG, || net.attach_internet_gateway(id, &vpc))
                        .await
                        .map_err(fail)?;
                }
                (
                    ResourceSpec::Route {
                        route_table,
                        destination,
                        target,
                    },
                    "target",
                ) => {
                    let (table, target) = (self.aws(route_table)?, self.route_target(target)?);
                    retry::call(LAG, || net.replace_route(&table, destination, &target))
                        .await
                        .map_err(fail)?;
                }
                (
                    ResourceSpec::RouteTableAssociation {
                        route_table,
                        subnet,
                    },
                    "routeTable",
                ) => {
                    let Handle::Association { id } = &observed.handle else {
                        return Err("not an association".into());
                    };
                    retry::call(LAG, || net.disassociate_route_table(id))
                        .await
                        .map_err(fail)?;
                    let (table, subnet) = (self.aws(route_table)?, self.aws(subnet)?);
                    let new = retry::call(LAG, || net.associate_route_table(&table, &subnet))
                        .await
                        .map_err(fail)?;
                    self.remember(&r.id, Handle::Association { id: new });
                }
                (ResourceSpec::DefaultSecurityGroup { .. }, "rules") => {
                    let Handle::DefaultGroup { id, rules } = &observed.handle else {
                        return Err("not a default group".into());
                    };
                    for rule in rules {
                        retry::call(LAG, || net.revoke(id, rule))
                            .await
                            .map_err(fail)?;
                    }
                }
                (ResourceSpec::VpcPeeringDns { peering, side }, "remoteDnsResolution") => {
                    let id = self.aws(peering)?;
                    retry::call(STATE, || net.set_peering_dns(&id, side_ref(*side), true))
                        .await
                        .map_err(fail)?;
                }
                (ResourceSpec::LoadBalancer { subnets, .. }, "subnets") => {
                    let subnets = subnets
                        .iter()
                        .map(|s| self.aws(s))
                        .collect::<Result<Vec<_>, _>>()?;
                    let arn = self.aws(&r.id)?;
                    retry::call(LAG, || t.clients.load_balancing.set_subnets(&arn, &subnets))
                        .await
                        .map_err(fail)?;
                }
                (
                    ResourceSpec::LoadBalancer {
                        security_groups, ..
                    },
                    "securityGroups",
                ) => {
                    let groups = security_groups
                        .iter()
                        .map(|s| self.aws(s))
                        .collect::<Result<Vec<_>, _>>()?;
                    let arn = self.aws(&r.id)?;
                    retry::call(LAG, || {
                        t.clients.load_balancing.set_security_groups(&arn, &groups)
                    })
                    .await
                    .map_err(fail)?;
                }
                (
                    ResourceSpec::TargetGroup {
                        health_check_path: Some(path),
                        ..
                    },
                    "healthCheckPath",
                ) => {
                    let arn = self.aws(&r.id)?;
                    retry::call(LAG, || {
                        t.clients.load_balancing.set_health_check_path(&arn, path)
                    })
                    .await
                    .map_err(fail)?;
                }
                (
                    ResourceSpec::Listener {
                        target_group,
                        protocol,
                        port,
                        ..
                    },
                    "protocol" | "port" | "targetGroup",
                ) => {
                    if done.contains(&"listener") {
                        continue;
                    }
                    done.push("listener");
                    let (arn, tg) = (self.aws(&r.id)?, self.aws(target_group)?);
                    retry::call(LAG, || {
                        t.clients
                            .load_balancing
                            .modify_listener(&arn, protocol, *port, &tg)
                    })
                    .await
                    .map_err(fail)?;
                }
                (ResourceSpec::WebAcl { .. }, "managedRuleGroups" | "rateLimit") => {
                    if done.contains(&"acl") {
                        continue;
                    }
                    done.push("acl");
                    let Handle::WebAcl(acl) = &observed.handle else {
                        return Err("not a web ACL".into());
                    };
                    let rules = Self::web_acl_rules(&r.spec);
                    retry::call(STATE, || t.clients.waf.update_web_acl(acl, &rules))
                        .await
                        .map_err(fail)?;
                }
                (
                    ResourceSpec::WebAclAssociation {
                        web_acl,
                        load_balancer,
                    },
                    "webAcl",
                ) => {
                    let (acl, lb) = (self.aws(web_acl)?, self.aws(load_balancer)?);
                    retry::call(STATE, || t.clients.waf.associate(&acl, &lb))
                        .await
                        .map_err(fail)?;
                }
                (_, other) => {
                    return Err(format!(
                        "{} cannot change `{other}` in place",
                        r.spec.kind()
                    ));
                }
            }
        }
        Ok(summary)
    }

    /// Links a node group to a target group: its Auto Scaling groups are attached to it, so
    /// every node, now and later, is a target. A node group without Auto Scaling groups (an
    /// emulator's) has its current instances registered instead; `plan` then shows nodes that
    /// come later as unregistered, and the next `up` registers them.
    async fn register_nodes(
        &self,
        target_group: &str,
        node_group: &str,
        t: &RegionTarget,
    ) -> Result<(Handle, String), String> {
        let arn = self.aws(target_group)?;
        let Handle::NodeGroup { cluster, name, .. } = self.handle(node_group)? else {
            return Err(format!("{node_group} is not a node group"));
        };
        let asgs: Vec<String> = retry::call(LAG, || t.clients.scaling.node_group_asgs(&cluster))
            .await
            .map_err(fail)?
            .into_iter()
            .filter(|a| a.node_group == name)
            .map(|a| a.name)
            .collect();
        if !asgs.is_empty() {
            for asg in &asgs {
                retry::call(LAG, || t.clients.scaling.attach_target_group(asg, &arn))
                    .await
                    .map_err(fail)?;
            }
            let said = format!("Auto Scaling group(s) {} of {name}", asgs.join(", "));
            let handle = Handle::Targets {
                target_group: arn,
                asgs,
                instances: Vec::new(),
            };
            return Ok((handle, said));
        }
        let port = match self.desired.get(target_group).map(|r| &r.spec) {
            Some(ResourceSpec::TargetGroup { port, .. }) => *port,
            _ => return Err(format!("{target_group} is not a target group of the stack")),
        };
        let nodes: Vec<String> = retry::call(LAG, || t.clients.network.node_instances(&cluster))
            .await
            .map_err(fail)?
            .into_iter()
            .filter(|i| i.node_group == name)
            .map(|i| i.id)
            .collect();
        if !nodes.is_empty() {
            retry::call(LAG, || {
                t.clients
                    .load_balancing
                    .register_targets(&arn, &nodes, port)
            })
            .await
            .map_err(fail)?;
        }
        let said = format!(
            "{} node(s) of {name} registered on port {port} ({name} has no Auto Scaling group)",
            nodes.len()
        );
        let handle = Handle::Targets {
            target_group: arn,
            asgs: Vec::new(),
            instances: nodes,
        };
        Ok((handle, said))
    }

    async fn retag(
        &self,
        r: &Resource,
        observed: &ObservedResource,
        t: &RegionTarget,
    ) -> Result<(), String> {
        let (add, remove) = tag_changes(&r.tags, observed.tags.as_ref().unwrap_or(&Tags::new()));
        let id = match &observed.handle {
            Handle::Cluster { arn, .. } | Handle::NodeGroup { arn, .. } => arn.clone(),
            _ => self.aws(&r.id)?,
        };
        let result = match observed.kind {
            Kind::EksCluster | Kind::NodeGroup => {
                retry::call(LAG, || t.clients.eks.set_tags(&id, &add, &remove)).await
            }
            Kind::LoadBalancer | Kind::TargetGroup => {
                retry::call(LAG, || {
                    t.clients.load_balancing.set_tags(&id, &add, &remove)
                })
                .await
            }
            Kind::WebAcl => retry::call(LAG, || t.clients.waf.set_tags(&id, &add, &remove)).await,
            _ => retry::call(LAG, || t.clients.network.set_tags(&id, &add, &remove)).await,
        };
        result.map_err(|e| format!("{e} (tags wanted: {})", tags_text(&r.tags)))
    }

    /// Deletes a VPC, waiting while what blocks it is going away (network interfaces of load
    /// balancers and nodes). What stays unless someone removes it — a subnet, route table,
    /// gateway or endpoint made outside the stack — ends the wait at once, named: `down`
    /// never deletes what is not the stack's.
    async fn delete_vpc(&self, net: &dyn Network, id: &str) -> Result<(), String> {
        // A dependency violation is waited out like any other delete's, unless what holds
        // the VPC is something nobody is removing: then the error says what, at once.
        let attempt = || async {
            match net.delete_vpc(id).await {
                Err(e) if e.kind == ErrorKind::DependencyViolation => {
                    let held = net.vpc_contents(id).await?;
                    if held.is_empty() {
                        return Err(e);
                    }
                    Err(ProviderError::new(
                        ErrorKind::Other,
                        "DeleteVpc",
                        format!(
                            "{id} still holds what is not the stack's: {}; remove it and run \
                             `down` again",
                            held.join(", ")
                        ),
                    ))
                }
                other => other,
            }
        };
        gone_is_fine(retry::call(DELETE, attempt).await)
    }

    /// Deletes what EKS and Kubernetes left in the region's VPCs: unattached network
    /// interfaces, then the security groups they made (rules first, as they may refer to each
    /// other).
    pub async fn sweep(&self, stack: &str, region: &str, vpcs: &[String]) -> Done {
        let t = self.target(&Some(region.to_string()))?;
        let net = &t.clients.network;
        let (interfaces, groups) = retry::call(Tolerate::default(), || net.leftovers(vpcs))
            .await
            .map_err(fail)?;
        let (interfaces, groups) = sweepable(stack, interfaces, groups);
        for i in &interfaces {
            gone_is_fine(retry::call(DELETE, || net.delete_network_interface(&i.id)).await)?;
        }
        for g in &groups {
            for rule in &g.rules {
                gone_is_fine(retry::call(Tolerate::default(), || net.revoke(&g.id, rule)).await)?;
            }
        }
        for g in &groups {
            gone_is_fine(retry::call(DELETE, || net.delete_security_group(&g.id)).await)?;
        }
        Ok(format!(
            "{} network interface(s), {} security group(s) left by EKS or Kubernetes",
            interfaces.len(),
            groups.len()
        ))
    }

    /// EKS takes one update at a time, so each runs to completion before the next.
    async fn update_cluster(
        &self,
        r: &Resource,
        change: &Change,
        observed: &ObservedResource,
        t: &RegionTarget,
    ) -> Result<(), String> {
        let ResourceSpec::EksCluster {
            name,
            version,
            endpoint_private,
            endpoint_public,
            public_cidrs,
            log_types,
            ..
        } = &r.spec
        else {
            return Err("not a cluster".into());
        };
        let eks = &t.clients.eks;
        let changed = |f: &str| change.fields.iter().any(|c| c.field == f);
        if changed("tags") {
            self.retag(r, observed, t).await?;
        }
        if changed("version") {
            // One minor version at a time, as EKS requires.
            let from = observed
                .fields
                .get("version")
                .and_then(|v| crate::model::minor(v))
                .unwrap_or_default();
            let to = crate::model::minor(version).unwrap_or_default();
            for minor in (from + 1)..=to {
                let step = ClusterUpdate::Version(format!("1.{minor}"));
                retry::call(STATE, || {
                    eks.update_cluster(name, &step, self.limits.cluster)
                })
                .await
                .map_err(fail)?;
            }
        }
        if changed("logTypes") {
            let disabled = LogType::all()
                .iter()
                .map(|l| l.as_str().to_string())
                .filter(|l| !log_types.contains(l))
                .collect();
            let update = ClusterUpdate::Logging {
                enabled: log_types.clone(),
                disabled,
            };
            retry::call(STATE, || {
                eks.update_cluster(name, &update, self.limits.cluster)
            })
            .await
            .map_err(fail)?;
        }
        if changed("endpointPrivate") || changed("endpointPublic") || changed("publicCidrs") {
            let update = ClusterUpdate::Endpoint {
                private: *endpoint_private,
                public: *endpoint_public,
                public_cidrs: public_cidrs.clone(),
            };
            retry::call(STATE, || {
                eks.update_cluster(name, &update, self.limits.cluster)
            })
            .await
            .map_err(fail)?;
        }
        Ok(())
    }

    pub async fn delete(&self, o: &ObservedResource) -> Done {
        if let Handle::Role {
            name,
            policies,
            inline,
            ..
        } = &o.handle
        {
            for policy in policies {
                gone_is_fine(retry::call(DELETE, || self.iam.detach_policy(name, policy)).await)?;
            }
            for policy in inline {
                gone_is_fine(
                    retry::call(DELETE, || self.iam.delete_inline_policy(name, policy)).await,
                )?;
            }
            gone_is_fine(retry::call(DELETE, || self.iam.delete_role(name)).await)?;
            self.forget(&o.id);
            return Ok(String::new());
        }
        let t = self.target(&o.region)?;
        let net = &t.clients.network;
        match &o.handle {
            Handle::Id(id) => match o.kind {
                Kind::Vpc => self.delete_vpc(net.as_ref(), id).await?,
                Kind::Subnet => gone_is_fine(retry::call(DELETE, || net.delete_subnet(id)).await)?,
                Kind::ElasticIp => {
                    gone_is_fine(retry::call(DELETE, || net.release_address(id)).await)?
                }
                Kind::NatGateway => {
                    gone_is_fine(retry::call(DELETE, || net.delete_nat_gateway(id)).await)?;
                    gone_is_fine(
                        retry::call(Tolerate::default(), || {
                            net.wait_nat_gateway_deleted(id, self.limits.nat_gateway)
                        })
                        .await,
                    )?;
                }
                Kind::RouteTable => {
                    gone_is_fine(retry::call(DELETE, || net.delete_route_table(id)).await)?
                }
                // It goes with its VPC.
                Kind::MainRouteTable => {}
                Kind::SecurityGroup => {
                    gone_is_fine(retry::call(DELETE, || net.delete_security_group(id)).await)?
                }
                Kind::VpcPeering => {
                    // The requester's region owns it; deleting it ends both sides.
                    gone_is_fine(retry::call(DELETE, || net.delete_peering(id)).await)?;
                }
                Kind::TargetGroup => gone_is_fine(
                    retry::call(DELETE, || t.clients.load_balancing.delete_target_group(id)).await,
                )?,
                Kind::Listener => gone_is_fine(
                    retry::call(DELETE, || t.clients.load_balancing.delete_listener(id)).await,
                )?,
                Kind::LaunchTemplate => {
                    gone_is_fine(retry::call(DELETE, || net.delete_launch_template(id)).await)?
                }
                Kind::FlowLog => {
                    gone_is_fine(retry::call(DELETE, || net.delete_flow_log(id)).await)?
                }
                Kind::LogGroup => {
                    gone_is_fine(retry::call(DELETE, || t.clients.logs.delete_log_group(id)).await)?
                }
                other => return Err(format!("cannot delete a {other}")),
            },
            Handle::InternetGateway { id, vpc } => {
                if let Some(vpc) = vpc {
                    gone_is_fine(
                        retry::call(DELETE, || net.detach_internet_gateway(id, vpc)).await,
                    )?;
                }
                gone_is_fine(retry::call(DELETE, || net.delete_internet_gateway(id)).await)?;
            }
            Handle::Route { table, destination } => {
                gone_is_fine(retry::call(DELETE, || net.delete_route(table, destination)).await)?
            }
            Handle::Association { id } => {
                gone_is_fine(retry::call(DELETE, || net.disassociate_route_table(id)).await)?
            }
            Handle::Rule { group, rule } => {
                gone_is_fine(retry::call(DELETE, || net.revoke(group, rule)).await)?
            }
            Handle::LoadBalancer { arn, .. } => {
                let lbs = &t.clients.load_balancing;
                gone_is_fine(retry::call(DELETE, || lbs.delete_load_balancer(arn)).await)?;
                gone_is_fine(
                    retry::call(Tolerate::default(), || {
                        lbs.wait_load_balancer_deleted(arn, self.limits.load_balancer)
                    })
                    .await,
                )?;
            }
            Handle::WebAcl(acl) => {
                gone_is_fine(retry::call(DELETE, || t.clients.waf.delete_web_acl(acl)).await)?
            }
            Handle::WebAclAssociation { resource_arn } => gone_is_fine(
                retry::call(DELETE, || t.clients.waf.disassociate(resource_arn)).await,
            )?,
            // These go with what they belong to: the VPC, or the peering.
            Handle::Cluster { name, .. } => {
                let eks = &t.clients.eks;
                gone_is_fine(retry::call(DELETE, || eks.delete_cluster(name)).await)?;
                gone_is_fine(
                    retry::call(Tolerate::default(), || {
                        eks.wait_cluster_deleted(name, self.limits.cluster)
                    })
                    .await,
                )?;
            }
            Handle::NodeGroup { cluster, name, .. } => {
                let eks = &t.clients.eks;
                gone_is_fine(retry::call(DELETE, || eks.delete_node_group(cluster, name)).await)?;
                gone_is_fine(
                    retry::call(Tolerate::default(), || {
                        eks.wait_node_group_deleted(cluster, name, self.limits.node_group)
                    })
                    .await,
                )?;
            }
            Handle::AccessEntry { cluster, principal } => gone_is_fine(
                retry::call(DELETE, || {
                    t.clients.eks.delete_access_entry(cluster, principal)
                })
                .await,
            )?,
            Handle::Targets {
                target_group,
                asgs,
                instances,
            } if !asgs.is_empty() || !instances.is_empty() => {
                for asg in asgs {
                    gone_is_fine(
                        retry::call(DELETE, || {
                            t.clients.scaling.detach_target_group(asg, target_group)
                        })
                        .await,
                    )?;
                }
                if !instances.is_empty() {
                    gone_is_fine(
                        retry::call(DELETE, || {
                            t.clients
                                .load_balancing
                                .deregister_targets(target_group, instances)
                        })
                        .await,
                    )?;
                }
            }
            // These go with what they belong to: the VPC, or the peering; roles are handled above.
            Handle::DefaultGroup { .. }
            | Handle::Peering { .. }
            | Handle::Role { .. }
            | Handle::Targets { .. } => {}
        }
        self.forget(&o.id);
        Ok(String::new())
    }
}

/// What of the candidates the sweep deletes: security groups that EKS or a Kubernetes load
/// balancer controller made (they say so in their tags), and unattached network interfaces of
/// the VPC CNI or in such a group or one of the stack's. Anything else in the stack's VPCs is
/// someone else's, and stays.
fn sweepable(
    stack: &str,
    interfaces: Vec<InterfaceInfo>,
    groups: Vec<SecurityGroupInfo>,
) -> (Vec<InterfaceInfo>, Vec<SecurityGroupInfo>) {
    let kubernetes = |tags: &Tags| {
        tags.keys().any(|k| {
            k.starts_with("kubernetes.io/cluster/")
                || k == "aws:eks:cluster-name"
                || k == "elbv2.k8s.aws/cluster"
        })
    };
    let ours = |tags: &Tags| tags.get(TAG_STACK).is_some_and(|s| s == stack);
    let known: Vec<&str> = groups
        .iter()
        .filter(|g| kubernetes(&g.tags) || ours(&g.tags))
        .map(|g| g.id.as_str())
        .collect();
    let interfaces = interfaces
        .into_iter()
        .filter(|i| {
            i.description.starts_with("aws-K8S-")
                || i.security_groups
                    .iter()
                    .any(|g| known.contains(&g.as_str()))
        })
        .collect();
    let groups = groups
        .into_iter()
        .filter(|g| kubernetes(&g.tags) && !ours(&g.tags))
        .collect();
    (interfaces, groups)
}

/// Gives something AWS made with a VPC (its default group, its main route table) exactly the
/// stack's tags, so that discovery sees it as the stack's.
async fn adopt_tags(net: &dyn Network, id: &str, want: &Tags, have: &Tags) -> Result<(), String> {
    let (add, remove) = tag_changes(want, have);
    retry::call(LAG, || net.set_tags(id, &add, &remove))
        .await
        .map_err(fail)
}

/// The tags to add (or change) and the keys to remove to turn `have` into `want`; `aws:` tags
/// are AWS's own.
fn tag_changes(want: &Tags, have: &Tags) -> (Tags, Vec<String>) {
    let add = want
        .iter()
        .filter(|(k, v)| have.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let remove = have
        .keys()
        .filter(|k| !k.starts_with("aws:") && !want.contains_key(*k))
        .cloned()
        .collect();
    (add, remove)
}

/// A delete that finds nothing to delete has done its job (`down` twice, half-built stacks).
fn gone_is_fine(result: Result<(), ProviderError>) -> Result<(), String> {
    match result {
        Err(e) if e.kind == ErrorKind::NotFound => Ok(()),
        other => other.map_err(fail),
    }
}

fn side_ref(side: PeeringSide) -> PeeringSideRef {
    match side {
        PeeringSide::Requester => PeeringSideRef::Requester,
        PeeringSide::Accepter => PeeringSideRef::Accepter,
    }
}
