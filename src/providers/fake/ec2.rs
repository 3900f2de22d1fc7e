//! The fake world's EC2 networking.

use std::time::Duration;

use async_trait::async_trait;
use tokio::time::Instant;

use super::*;
use crate::providers::*;

const EC2: &str = "EC2";

fn open_egress() -> RuleSpec {
    RuleSpec {
        egress: true,
        protocol: "-1".into(),
        from_port: None,
        to_port: None,
        peer: RulePeerId::Cidr("0.0.0.0/0".into()),
        description: None,
    }
}

/// Rules are the same rule whatever their description says.
fn same_rule(a: &RuleSpec, b: &RuleSpec) -> bool {
    (a.egress, &a.protocol, a.from_port, a.to_port, &a.peer)
        == (b.egress, &b.protocol, b.from_port, b.to_port, &b.peer)
}

/// What keeps a VPC from being deleted: everything in it but its default group and main table.
fn vpc_holders(r: &Region, vpc: &str) -> Vec<String> {
    let (default_group, main_table) = r
        .vpcs
        .get(vpc)
        .map(|v| (v.default_group.as_str(), v.main_table.as_str()))
        .unwrap_or_default();
    let subnets = r
        .subnets
        .iter()
        .filter(|(_, x)| x.vpc == vpc)
        .map(|(id, _)| format!("subnet {id}"));
    let tables = r
        .tables
        .iter()
        .filter(|(id, t)| t.vpc == vpc && id.as_str() != main_table)
        .map(|(id, _)| format!("route table {id}"));
    let groups = r
        .groups
        .iter()
        .filter(|(id, g)| g.vpc == vpc && id.as_str() != default_group)
        .map(|(id, _)| format!("security group {id}"));
    let gateways = r
        .gateways
        .iter()
        .filter(|(_, g)| g.vpc.as_deref() == Some(vpc))
        .map(|(id, _)| format!("internet gateway {id}"));
    let nats = r
        .nats
        .iter()
        .filter(|(_, n)| {
            n.deleted_at.is_none() && r.subnets.get(&n.subnet).is_some_and(|x| x.vpc == vpc)
        })
        .map(|(id, _)| format!("NAT gateway {id}"));
    subnets
        .chain(tables)
        .chain(groups)
        .chain(gateways)
        .chain(nats)
        .collect()
}

/// What describing a route table returns: the local route first, the main association where
/// the table is its VPC's main one.
fn table_info(r: &Region, id: &str, t: &Table) -> RouteTableInfo {
    let vpc = r.vpcs.get(&t.vpc);
    let mut routes = vec![RouteInfo {
        destination: vpc.map(|v| v.cidr.clone()).unwrap_or_default(),
        target: RouteTargetId::Local,
    }];
    routes.extend(t.routes.iter().map(|(d, target)| RouteInfo {
        destination: d.clone(),
        target: target.clone(),
    }));
    let mut associations: Vec<RouteTableAssociationInfo> = t
        .associations
        .iter()
        .map(|(a, subnet)| RouteTableAssociationInfo {
            id: a.clone(),
            subnet_id: Some(subnet.clone()),
            main: false,
        })
        .collect();
    if vpc.is_some_and(|v| v.main_table == id) {
        associations.push(RouteTableAssociationInfo {
            id: format!("{id}-main"),
            subnet_id: None,
            main: true,
        });
    }
    RouteTableInfo {
        id: id.to_string(),
        vpc_id: t.vpc.clone(),
        routes,
        associations,
        tags: t.tags.clone(),
    }
}

/// What describing a group returns.
fn group_info(id: &str, g: &Group) -> SecurityGroupInfo {
    SecurityGroupInfo {
        id: id.to_string(),
        vpc_id: g.vpc.clone(),
        name: g.name.clone(),
        description: g.description.clone(),
        rules: g.rules.clone(),
        tags: g.tags.clone(),
    }
}

#[async_trait]
impl Network for FakeRegion {
    async fn snapshot(&self, stack: &str) -> Result<NetworkSnapshot> {
        // As many calls as the AWS adapter makes: eight filtered reads, then the VPC attributes
        // and default groups.
        let first = [
            "DescribeAvailabilityZones",
            "DescribeVpcs",
            "DescribeSubnets",
            "DescribeInternetGateways",
            "DescribeAddresses",
            "DescribeNatGateways",
            "DescribeRouteTables",
            "DescribeSecurityGroups",
            "DescribeVpcPeeringConnections",
            "DescribeLaunchTemplates",
        ];
        let first =
            futures::future::try_join_all(first.iter().map(|op| self.call(EC2, op))).await?;
        // What is read below is what DescribeVpcs and the others answer; the one names them.
        let describe = first[1];
        let (vpc_count, templates) = self.with(describe, |s, lag| {
            let r = self.here(s);
            let show = |life: &Life, tags: &Tags| visible(life, lag) && owned(tags, stack);
            Ok((
                r.vpcs.values().filter(|v| show(&v.life, &v.tags)).count(),
                r.templates
                    .values()
                    .filter(|t| show(&t.life, &t.tags))
                    .count(),
            ))
        })?;
        let mut second: Vec<&'static str> = vec!["DescribeVpcAttribute"; vpc_count * 2];
        second.extend(std::iter::repeat_n(
            "DescribeLaunchTemplateVersions",
            templates,
        ));
        if vpc_count > 0 {
            second.push("DescribeSecurityGroups");
            second.push("DescribeFlowLogs");
        }
        futures::future::try_join_all(second.iter().map(|op| self.call(EC2, op))).await?;

        self.with(describe, |s, lag| {
            let now = Instant::now();
            let mut snap = NetworkSnapshot::default();
            let region_name = self.region.clone();
            let peerings: Vec<PeeringInfo> = s
                .peerings
                .iter()
                .filter(|(_, p)| visible(&p.life, lag) && !p.deleted)
                .filter_map(|(id, p)| {
                    let tags = if p.requester_region == region_name {
                        &p.requester_tags
                    } else if p.accepter_region == region_name {
                        &p.accepter_tags
                    } else {
                        return None;
                    };
                    owned(tags, stack).then(|| PeeringInfo {
                        id: id.clone(),
                        requester_vpc: p.requester_vpc.clone(),
                        requester_region: Some(p.requester_region.clone()),
                        accepter_vpc: p.accepter_vpc.clone(),
                        accepter_region: Some(p.accepter_region.clone()),
                        status: match p.accepted_at {
                            None => "pending-acceptance".into(),
                            Some(t) if now < t => "provisioning".into(),
                            Some(_) => "active".into(),
                        },
                        requester_dns: p.requester_dns,
                        accepter_dns: p.accepter_dns,
                        tags: tags.clone(),
                    })
                })
                .collect();
            let r = self.here(s);
            let show = |life: &Life, tags: &Tags| visible(life, lag) && owned(tags, stack);
            snap.azs = r.azs.clone();
            for (id, v) in r.vpcs.iter().filter(|(_, v)| show(&v.life, &v.tags)) {
                snap.vpcs.push(VpcInfo {
                    id: id.clone(),
                    cidr: v.cidr.clone(),
                    state: "available".into(),
                    tags: v.tags.clone(),
                });
                snap.vpc_dns
                    .insert(id.clone(), (v.dns_support, v.dns_hostnames));
                if let Some(g) = r.groups.get(&v.default_group) {
                    snap.default_security_groups
                        .push(group_info(&v.default_group, g));
                }
            }
            for (id, x) in r.subnets.iter().filter(|(_, x)| show(&x.life, &x.tags)) {
                snap.subnets.push(SubnetInfo {
                    id: id.clone(),
                    vpc_id: x.vpc.clone(),
                    cidr: x.cidr.clone(),
                    az: x.az.clone(),
                    map_public_ip_on_launch: x.map_public_ip,
                    tags: x.tags.clone(),
                });
            }
            for (id, g) in r.gateways.iter().filter(|(_, g)| show(&g.life, &g.tags)) {
                snap.internet_gateways.push(InternetGatewayInfo {
                    id: id.clone(),
                    attached_vpc: g.vpc.clone(),
                    tags: g.tags.clone(),
                });
            }
            for (id, a) in r.addresses.iter().filter(|(_, a)| show(&a.life, &a.tags)) {
                snap.addresses.push(AddressInfo {
                    allocation_id: id.clone(),
                    association_id: a.nat.as_ref().map(|n| format!("eipassoc-{n}")),
                    tags: a.tags.clone(),
                });
            }
            for (id, n) in r.nats.iter().filter(|(_, n)| show(&n.life, &n.tags)) {
                let state = match n.deleted_at {
                    Some(t) if now >= t => continue,
                    Some(_) => Lifecycle::Deleting,
                    None if now < n.life.ready => Lifecycle::Pending,
                    None if n.broken => Lifecycle::Failed,
                    None => Lifecycle::Ready,
                };
                snap.nat_gateways.push(NatGatewayInfo {
                    id: id.clone(),
                    subnet_id: n.subnet.clone(),
                    allocation_id: Some(n.allocation.clone()),
                    state,
                    tags: n.tags.clone(),
                });
            }
            for (id, t) in r.tables.iter().filter(|(_, t)| show(&t.life, &t.tags)) {
                snap.route_tables.push(table_info(r, id, t));
            }
            for (id, g) in r
                .groups
                .iter()
                .filter(|(_, g)| show(&g.life, &g.tags) && g.name != "default")
            {
                snap.security_groups.push(group_info(id, g));
            }
            for (id, t) in r.templates.iter().filter(|(_, t)| show(&t.life, &t.tags)) {
                snap.launch_templates.push(LaunchTemplateInfo {
                    id: id.clone(),
                    name: t.name.clone(),
                    security_groups: t.groups.clone(),
                    imdsv2_required: t.imdsv2_required,
                    hop_limit: t.hop_limit,
                    tags: t.tags.clone(),
                });
            }
            snap.peerings = peerings;
            // Every flow log on the stack's VPCs, whoever made it.
            for (id, f) in r.flow_logs.iter().filter(|(_, f)| visible(&f.life, lag)) {
                if snap.vpcs.iter().any(|v| v.id == f.vpc) {
                    snap.flow_logs.push(FlowLogInfo {
                        id: id.clone(),
                        resource_id: f.vpc.clone(),
                        log_group: Some(f.log_group.clone()),
                        traffic_type: f.traffic_type.clone(),
                        tags: f.tags.clone(),
                    });
                }
            }
            Ok(snap)
        })
    }

    async fn create_vpc(&self, cidr: &str, tags: &Tags) -> Result<String> {
        let op = self.call(EC2, "CreateVpc").await?;
        self.with(op, |s, _| {
            let id = self.new_id(s, "vpc");
            let group = self.new_id(s, "sg");
            let main_table = self.new_id(s, "rtb");
            let life = self.life(Duration::ZERO);
            let r = self.here(s);
            // Like AWS: a main route table with only the local route.
            r.tables.insert(
                main_table.clone(),
                Table {
                    vpc: id.clone(),
                    routes: Default::default(),
                    associations: Default::default(),
                    tags: Tags::new(),
                    life: life.clone(),
                },
            );
            // Like AWS: a default group that admits its own members and lets everything out.
            let rules = vec![
                RuleSpec {
                    egress: false,
                    protocol: "-1".into(),
                    from_port: None,
                    to_port: None,
                    peer: RulePeerId::Group(group.clone()),
                    description: None,
                },
                open_egress(),
            ];
            r.groups.insert(
                group.clone(),
                Group {
                    vpc: id.clone(),
                    name: "default".into(),
                    description: "default VPC security group".into(),
                    rules,
                    tags: Tags::new(),
                    life: life.clone(),
                },
            );
            r.vpcs.insert(
                id.clone(),
                Vpc {
                    cidr: cidr.into(),
                    dns_support: true,
                    dns_hostnames: false,
                    tags: tags.clone(),
                    default_group: group,
                    main_table,
                    life,
                },
            );
            Ok(id)
        })
    }

    async fn set_vpc_dns(&self, vpc: &str, attribute: VpcDnsAttribute, on: bool) -> Result<()> {
        let op = self.call(EC2, "ModifyVpcAttribute").await?;
        self.with(op, |s, lag| {
            let v = self
                .here(s)
                .vpcs
                .get_mut(vpc)
                .filter(|v| visible(&v.life, lag))
                .ok_or_else(|| op.not_found(vpc))?;
            match attribute {
                VpcDnsAttribute::Support => v.dns_support = on,
                VpcDnsAttribute::Hostnames => v.dns_hostnames = on,
            }
            Ok(())
        })
    }

    async fn delete_vpc(&self, vpc: &str) -> Result<()> {
        let op = self.call(EC2, "DeleteVpc").await?;
        self.with(op, |s, _| {
            let r = self.here(s);
            let Some(v) = r.vpcs.get(vpc) else {
                return Err(op.not_found(vpc));
            };
            let (default_group, main_table) = (v.default_group.clone(), v.main_table.clone());
            if !vpc_holders(r, vpc).is_empty() {
                return Err(op.in_use(format!("{vpc} has dependencies and cannot be deleted")));
            }
            r.groups.remove(&default_group);
            r.tables.remove(&main_table);
            r.vpcs.remove(vpc);
            Ok(())
        })
    }

    async fn create_subnet(&self, vpc: &str, cidr: &str, az: &str, tags: &Tags) -> Result<String> {
        let op = self.call(EC2, "CreateSubnet").await?;
        self.with(op, |s, lag| {
            let id = self.new_id(s, "subnet");
            let life = self.life(Duration::ZERO);
            let r = self.here(s);
            if !r.vpcs.get(vpc).is_some_and(|v| visible(&v.life, lag)) {
                return Err(op.not_found(vpc));
            }
            if !r.azs.iter().any(|z| z == az) {
                return Err(op.refused(format!("no zone {az}")));
            }
            r.subnets.insert(
                id.clone(),
                Subnet {
                    vpc: vpc.into(),
                    cidr: cidr.into(),
                    az: az.into(),
                    map_public_ip: false,
                    tags: tags.clone(),
                    life,
                },
            );
            Ok(id)
        })
    }

    async fn set_map_public_ip(&self, subnet: &str, on: bool) -> Result<()> {
        let op = self.call(EC2, "ModifySubnetAttribute").await?;
        self.with(op, |s, lag| {
            let x = self
                .here(s)
                .subnets
                .get_mut(subnet)
                .filter(|x| visible(&x.life, lag))
                .ok_or_else(|| op.not_found(subnet))?;
            x.map_public_ip = on;
            Ok(())
        })
    }

    async fn delete_subnet(&self, subnet: &str) -> Result<()> {
        let op = self.call(EC2, "DeleteSubnet").await?;
        self.with(op, |s, _| {
            let now = Instant::now();
            let r = self.here(s);
            if !r.subnets.contains_key(subnet) {
                return Err(op.not_found(subnet));
            }
            let nat = r
                .nats
                .values()
                .any(|n| n.subnet == subnet && n.deleted_at.is_none_or(|t| now < t));
            let lb = r
                .lbs
                .values()
                .any(|l| l.subnets.iter().any(|x| x == subnet));
            let eni = r.interfaces.values().any(|i| i.subnet == subnet);
            if nat || lb || eni {
                return Err(op.in_use(format!(
                    "{subnet} has dependencies (network interfaces in use)"
                )));
            }
            r.subnets.remove(subnet);
            for t in r.tables.values_mut() {
                t.associations.retain(|_, x| x != subnet);
            }
            Ok(())
        })
    }

    async fn create_internet_gateway(&self, tags: &Tags) -> Result<String> {
        let op = self.call(EC2, "CreateInternetGateway").await?;
        self.with(op, |s, _| {
            let id = self.new_id(s, "igw");
            let life = self.life(Duration::ZERO);
            self.here(s).gateways.insert(
                id.clone(),
                Gateway {
                    vpc: None,
                    tags: tags.clone(),
                    life,
                },
            );
            Ok(id)
        })
    }

    async fn attach_internet_gateway(&self, igw: &str, vpc: &str) -> Result<()> {
        let op = self.call(EC2, "AttachInternetGateway").await?;
        self.with(op, |s, lag| {
            let r = self.here(s);
            if !r.vpcs.get(vpc).is_some_and(|v| visible(&v.life, lag)) {
                return Err(op.not_found(vpc));
            }
            let g = r
                .gateways
                .get_mut(igw)
                .filter(|g| visible(&g.life, lag))
                .ok_or_else(|| op.not_found(igw))?;
            if g.vpc.is_some() {
                return Err(op.invalid_state(format!("{igw} is already attached")));
            }
            g.vpc = Some(vpc.into());
            Ok(())
        })
    }

    async fn detach_internet_gateway(&self, igw: &str, vpc: &str) -> Result<()> {
        let op = self.call(EC2, "DetachInternetGateway").await?;
        self.with(op, |s, _| {
            let now = Instant::now();
            let r = self.here(s);
            let subnets: Vec<&String> = r
                .subnets
                .iter()
                .filter(|(_, x)| x.vpc == vpc)
                .map(|(id, _)| id)
                .collect();
            // AWS refuses while public addresses are mapped in the VPC (NAT gateways).
            if r.nats
                .values()
                .any(|n| subnets.contains(&&n.subnet) && n.deleted_at.is_none_or(|t| now < t))
            {
                return Err(op.in_use(format!("{vpc} has some mapped public address(es)")));
            }
            let g = r.gateways.get_mut(igw).ok_or_else(|| op.not_found(igw))?;
            g.vpc = None;
            Ok(())
        })
    }

    async fn delete_internet_gateway(&self, igw: &str) -> Result<()> {
        let op = self.call(EC2, "DeleteInternetGateway").await?;
        self.with(op, |s, _| {
            let r = self.here(s);
            match r.gateways.get(igw) {
                None => Err(op.not_found(igw)),
                Some(g) if g.vpc.is_some() => Err(op.in_use(format!("{igw} is attached"))),
                Some(_) => {
                    r.gateways.remove(igw);
                    Ok(())
                }
            }
        })
    }

    async fn allocate_address(&self, tags: &Tags) -> Result<String> {
        let op = self.call(EC2, "AllocateAddress").await?;
        self.with(op, |s, _| {
            let id = self.new_id(s, "eipalloc");
            let life = self.life(Duration::ZERO);
            self.here(s).addresses.insert(
                id.clone(),
                Address {
                    nat: None,
                    tags: tags.clone(),
                    life,
                },
            );
            Ok(id)
        })
    }

    async fn release_address(&self, allocation: &str) -> Result<()> {
        let op = self.call(EC2, "ReleaseAddress").await?;
        self.with(op, |s, _| {
            let now = Instant::now();
            let r = self.here(s);
            let Some(a) = r.addresses.get(allocation) else {
                return Err(op.not_found(allocation));
            };
            if let Some(nat) = &a.nat
                && r.nats
                    .get(nat)
                    .is_some_and(|n| n.deleted_at.is_none_or(|t| now < t))
            {
                return Err(op.in_use(format!("{allocation} is in use by {nat}")));
            }
            r.addresses.remove(allocation);
            Ok(())
        })
    }

    async fn create_nat_gateway(
        &self,
        subnet: &str,
        allocation: &str,
        tags: &Tags,
    ) -> Result<String> {
        let op = self.call(EC2, "CreateNatGateway").await?;
        let ready = self.world.behaviour().nat_gateway;
        self.with(op, |s, lag| {
            let id = self.new_id(s, "nat");
            let life = self.life(ready);
            let r = self.here(s);
            if !r.subnets.get(subnet).is_some_and(|x| visible(&x.life, lag)) {
                return Err(op.not_found(subnet));
            }
            let a = r
                .addresses
                .get_mut(allocation)
                .filter(|a| visible(&a.life, lag))
                .ok_or_else(|| op.not_found(allocation))?;
            a.nat = Some(id.clone());
            r.nats.insert(
                id.clone(),
                Nat {
                    subnet: subnet.into(),
                    allocation: allocation.into(),
                    deleted_at: None,
                    tags: tags.clone(),
                    life,
                    broken: false,
                },
            );
            Ok(id)
        })
    }

    async fn wait_nat_gateway_available(&self, nat: &str, max: Duration) -> Result<()> {
        // The waiter's reads, uncounted.
        let op = Op("DescribeNatGateways");
        poll("wait NatGatewayAvailable", max, || {
            self.with(op, |s, _| {
                let n = self
                    .here(s)
                    .nats
                    .get(nat)
                    .ok_or_else(|| op.not_found(nat))?;
                Ok(n.deleted_at.is_none() && Instant::now() >= n.life.ready)
            })
        })
        .await
    }

    async fn delete_nat_gateway(&self, nat: &str) -> Result<()> {
        let op = self.call(EC2, "DeleteNatGateway").await?;
        let takes = self.world.behaviour().nat_gateway_delete;
        self.with(op, |s, _| {
            let n = self
                .here(s)
                .nats
                .get_mut(nat)
                .ok_or_else(|| op.not_found(nat))?;
            n.deleted_at.get_or_insert(Instant::now() + takes);
            Ok(())
        })
    }

    async fn wait_nat_gateway_deleted(&self, nat: &str, max: Duration) -> Result<()> {
        // The waiter's reads, uncounted.
        let op = Op("DescribeNatGateways");
        poll("wait NatGatewayDeleted", max, || {
            self.with(op, |s, _| {
                let r = self.here(s);
                let done = r
                    .nats
                    .get(nat)
                    .is_none_or(|n| n.deleted_at.is_some_and(|t| Instant::now() >= t));
                if done {
                    r.nats.remove(nat);
                }
                Ok(done)
            })
        })
        .await
    }

    async fn create_route_table(&self, vpc: &str, tags: &Tags) -> Result<String> {
        let op = self.call(EC2, "CreateRouteTable").await?;
        self.with(op, |s, lag| {
            let id = self.new_id(s, "rtb");
            let life = self.life(Duration::ZERO);
            let r = self.here(s);
            if !r.vpcs.get(vpc).is_some_and(|v| visible(&v.life, lag)) {
                return Err(op.not_found(vpc));
            }
            r.tables.insert(
                id.clone(),
                Table {
                    vpc: vpc.into(),
                    routes: Default::default(),
                    associations: Default::default(),
                    tags: tags.clone(),
                    life,
                },
            );
            Ok(id)
        })
    }

    async fn main_route_table(&self, vpc: &str) -> Result<RouteTableInfo> {
        let op = self.call(EC2, "DescribeRouteTables").await?;
        self.with(op, |s, lag| {
            let r = self.here(s);
            let v = r
                .vpcs
                .get(vpc)
                .filter(|v| visible(&v.life, lag))
                .ok_or_else(|| op.not_found(vpc))?;
            let t = r
                .tables
                .get(&v.main_table)
                .ok_or_else(|| op.not_found("main route table"))?;
            Ok(table_info(r, &v.main_table, t))
        })
    }

    async fn delete_route_table(&self, table: &str) -> Result<()> {
        let op = self.call(EC2, "DeleteRouteTable").await?;
        self.with(op, |s, _| {
            let r = self.here(s);
            match r.tables.get(table) {
                None => Err(op.not_found(table)),
                Some(t) if !t.associations.is_empty() => {
                    Err(op.in_use(format!("{table} has associations")))
                }
                Some(_) => {
                    r.tables.remove(table);
                    Ok(())
                }
            }
        })
    }

    async fn create_route(
        &self,
        table: &str,
        destination: &str,
        target: &RouteTargetId,
    ) -> Result<()> {
        let op = self.call(EC2, "CreateRoute").await?;
        self.with(op, |s, lag| {
            let target_ok = match target {
                RouteTargetId::Peering(p) => s
                    .peerings
                    .get(p)
                    .is_some_and(|p| visible(&p.life, lag) && !p.deleted),
                RouteTargetId::Gateway(g) => self
                    .here(s)
                    .gateways
                    .get(g)
                    .is_some_and(|g| visible(&g.life, lag)),
                RouteTargetId::NatGateway(n) => self
                    .here(s)
                    .nats
                    .get(n)
                    .is_some_and(|n| visible(&n.life, lag)),
                _ => false,
            };
            if !target_ok {
                return Err(op.not_found(&format!("{target:?}")));
            }
            let t = self
                .here(s)
                .tables
                .get_mut(table)
                .filter(|t| visible(&t.life, lag))
                .ok_or_else(|| op.not_found(table))?;
            if t.routes.contains_key(destination) {
                return Err(op.exists(format!("a route to {destination} exists")));
            }
            t.routes.insert(destination.into(), target.clone());
            Ok(())
        })
    }

    async fn replace_route(
        &self,
        table: &str,
        destination: &str,
        target: &RouteTargetId,
    ) -> Result<()> {
        let op = self.call(EC2, "ReplaceRoute").await?;
        self.with(op, |s, lag| {
            let t = self
                .here(s)
                .tables
                .get_mut(table)
                .filter(|t| visible(&t.life, lag))
                .ok_or_else(|| op.not_found(table))?;
            let route = t
                .routes
                .get_mut(destination)
                .ok_or_else(|| op.not_found(destination))?;
            *route = target.clone();
            Ok(())
        })
    }

    async fn delete_route(&self, table: &str, destination: &str) -> Result<()> {
        let op = self.call(EC2, "DeleteRoute").await?;
        self.with(op, |s, _| {
            let t = self
                .here(s)
                .tables
                .get_mut(table)
                .ok_or_else(|| op.not_found(table))?;
            t.routes
                .remove(destination)
                .map(|_| ())
                .ok_or_else(|| op.not_found(destination))
        })
    }

    async fn associate_route_table(&self, table: &str, subnet: &str) -> Result<String> {
        let op = self.call(EC2, "AssociateRouteTable").await?;
        self.with(op, |s, lag| {
            let id = self.new_id(s, "rtbassoc");
            let r = self.here(s);
            if !r.subnets.get(subnet).is_some_and(|x| visible(&x.life, lag)) {
                return Err(op.not_found(subnet));
            }
            if r.tables
                .values()
                .any(|t| t.associations.values().any(|x| x == subnet))
            {
                return Err(op.exists(format!("{subnet} is already associated")));
            }
            let t = r
                .tables
                .get_mut(table)
                .filter(|t| visible(&t.life, lag))
                .ok_or_else(|| op.not_found(table))?;
            t.associations.insert(id.clone(), subnet.into());
            Ok(id)
        })
    }

    async fn disassociate_route_table(&self, association: &str) -> Result<()> {
        let op = self.call(EC2, "DisassociateRouteTable").await?;
        self.with(op, |s, _| {
            let t = self
                .here(s)
                .tables
                .values_mut()
                .find(|t| t.associations.contains_key(association));
            let t = t.ok_or_else(|| op.not_found(association))?;
            t.associations.remove(association);
            Ok(())
        })
    }

    async fn create_security_group(
        &self,
        vpc: &str,
        name: &str,
        description: &str,
        tags: &Tags,
    ) -> Result<String> {
        let op = self.call(EC2, "CreateSecurityGroup").await?;
        self.with(op, |s, lag| {
            let id = self.new_id(s, "sg");
            let life = self.life(Duration::ZERO);
            let r = self.here(s);
            if !r.vpcs.get(vpc).is_some_and(|v| visible(&v.life, lag)) {
                return Err(op.not_found(vpc));
            }
            if r.groups.values().any(|g| g.vpc == vpc && g.name == name) {
                return Err(op.exists(format!("{name} exists in {vpc}")));
            }
            let group = Group {
                vpc: vpc.into(),
                name: name.into(),
                description: description.into(),
                rules: vec![open_egress()],
                tags: tags.clone(),
                life,
            };
            r.groups.insert(id.clone(), group);
            Ok(id)
        })
    }

    async fn default_security_group(&self, vpc: &str) -> Result<SecurityGroupInfo> {
        let op = self.call(EC2, "DescribeSecurityGroups").await?;
        self.with(op, |s, lag| {
            let r = self.here(s);
            let v = r
                .vpcs
                .get(vpc)
                .filter(|v| visible(&v.life, lag))
                .ok_or_else(|| op.not_found(vpc))?;
            let g = r
                .groups
                .get(&v.default_group)
                .ok_or_else(|| op.not_found("default group"))?;
            Ok(group_info(&v.default_group, g))
        })
    }

    async fn delete_security_group(&self, group: &str) -> Result<()> {
        let op = self.call(EC2, "DeleteSecurityGroup").await?;
        self.with(op, |s, _| {
            let r = self.here(s);
            if !r.groups.contains_key(group) {
                return Err(op.not_found(group));
            }
            let peer = RulePeerId::Group(group.to_string());
            let referenced = r
                .groups
                .iter()
                .any(|(id, g)| id != group && g.rules.iter().any(|x| x.peer == peer));
            let used = r.lbs.values().any(|l| l.groups.iter().any(|g| g == group))
                || r.interfaces
                    .values()
                    .any(|i| i.groups.iter().any(|g| g == group));
            if referenced || used {
                return Err(op.in_use(format!("{group} is referenced or in use")));
            }
            r.groups.remove(group);
            Ok(())
        })
    }

    async fn authorize(&self, group: &str, rule: &RuleSpec, _tags: &Tags) -> Result<()> {
        let op = if rule.egress {
            "AuthorizeSecurityGroupEgress"
        } else {
            "AuthorizeSecurityGroupIngress"
        };
        let op = self.call(EC2, op).await?;
        self.with(op, |s, lag| {
            let r = self.here(s);
            if let RulePeerId::Group(other) = &rule.peer
                && !r.groups.get(other).is_some_and(|g| visible(&g.life, lag))
            {
                return Err(op.not_found(other));
            }
            let g = r
                .groups
                .get_mut(group)
                .filter(|g| visible(&g.life, lag))
                .ok_or_else(|| op.not_found(group))?;
            if g.rules.iter().any(|x| same_rule(x, rule)) {
                return Err(op.exists("the rule already exists"));
            }
            g.rules.push(rule.clone());
            Ok(())
        })
    }

    async fn revoke(&self, group: &str, rule: &RuleSpec) -> Result<()> {
        let op = if rule.egress {
            "RevokeSecurityGroupEgress"
        } else {
            "RevokeSecurityGroupIngress"
        };
        let op = self.call(EC2, op).await?;
        self.with(op, |s, _| {
            let g = self
                .here(s)
                .groups
                .get_mut(group)
                .ok_or_else(|| op.not_found(group))?;
            let before = g.rules.len();
            g.rules.retain(|x| !same_rule(x, rule));
            if g.rules.len() == before {
                return Err(op.not_found("the rule"));
            }
            Ok(())
        })
    }

    async fn create_peering(
        &self,
        vpc: &str,
        peer_vpc: &str,
        peer_region: &str,
        tags: &Tags,
    ) -> Result<String> {
        let op = self.call(EC2, "CreateVpcPeeringConnection").await?;
        self.with(op, |s, lag| {
            let id = self.new_id(s, "pcx");
            let life = self.life(Duration::ZERO);
            let here = self
                .here(s)
                .vpcs
                .get(vpc)
                .is_some_and(|v| visible(&v.life, lag));
            let there = s
                .regions
                .get(peer_region)
                .is_some_and(|r| r.vpcs.get(peer_vpc).is_some_and(|v| visible(&v.life, lag)));
            if !here || !there {
                return Err(op.not_found(if here { peer_vpc } else { vpc }));
            }
            s.peerings.insert(
                id.clone(),
                Peering {
                    requester_region: self.region.clone(),
                    requester_vpc: vpc.into(),
                    accepter_region: peer_region.into(),
                    accepter_vpc: peer_vpc.into(),
                    accepted_at: None,
                    deleted: false,
                    requester_dns: false,
                    accepter_dns: false,
                    requester_tags: tags.clone(),
                    accepter_tags: Tags::new(),
                    life,
                },
            );
            Ok(id)
        })
    }

    async fn accept_peering(&self, peering: &str) -> Result<()> {
        let op = self.call(EC2, "AcceptVpcPeeringConnection").await?;
        let takes = self.world.behaviour().peering;
        self.with(op, |s, lag| {
            let p = s
                .peerings
                .get_mut(peering)
                .filter(|p| visible(&p.life, lag) && !p.deleted)
                .ok_or_else(|| op.not_found(peering))?;
            if p.accepter_region != self.region {
                return Err(op.refused("accept in the accepter's region"));
            }
            if p.accepted_at.is_some() {
                return Err(op.invalid_state("already accepted"));
            }
            p.accepted_at = Some(Instant::now() + takes);
            Ok(())
        })
    }

    async fn wait_peering_active(&self, peering: &str, max: Duration) -> Result<()> {
        // The waiter's reads, uncounted.
        let op = Op("DescribeVpcPeeringConnections");
        poll("wait VpcPeeringActive", max, || {
            self.with(op, |s, _| {
                let p = s
                    .peerings
                    .get(peering)
                    .ok_or_else(|| op.not_found(peering))?;
                Ok(p.accepted_at.is_some_and(|t| Instant::now() >= t))
            })
        })
        .await
    }

    async fn set_peering_dns(&self, peering: &str, side: PeeringSideRef, on: bool) -> Result<()> {
        let op = self.call(EC2, "ModifyVpcPeeringConnectionOptions").await?;
        self.with(op, |s, _| {
            let p = s
                .peerings
                .get_mut(peering)
                .filter(|p| !p.deleted)
                .ok_or_else(|| op.not_found(peering))?;
            if p.accepted_at.is_none_or(|t| Instant::now() < t) {
                return Err(op.invalid_state("the peering is not active"));
            }
            let own_region = match side {
                PeeringSideRef::Requester => &p.requester_region,
                PeeringSideRef::Accepter => &p.accepter_region,
            };
            if *own_region != self.region {
                return Err(op.refused("each side's options are set in its own region"));
            }
            match side {
                PeeringSideRef::Requester => p.requester_dns = on,
                PeeringSideRef::Accepter => p.accepter_dns = on,
            }
            Ok(())
        })
    }

    async fn delete_peering(&self, peering: &str) -> Result<()> {
        let op = self.call(EC2, "DeleteVpcPeeringConnection").await?;
        self.with(op, |s, _| {
            let p = s
                .peerings
                .get_mut(peering)
                .filter(|p| !p.deleted)
                .ok_or_else(|| op.not_found(peering))?;
            p.deleted = true;
            Ok(())
        })
    }

    async fn create_launch_template(
        &self,
        name: &str,
        groups: &[String],
        imdsv2_required: bool,
        hop_limit: u8,
        tags: &Tags,
    ) -> Result<String> {
        let op = self.call(EC2, "CreateLaunchTemplate").await?;
        self.with(op, |s, lag| {
            let id = self.new_id(s, "lt");
            let life = self.life(Duration::ZERO);
            let r = self.here(s);
            if r.templates.values().any(|t| t.name == name) {
                return Err(op.exists(format!("{name} exists")));
            }
            for g in groups {
                if !r.groups.get(g).is_some_and(|x| visible(&x.life, lag)) {
                    return Err(op.not_found(g));
                }
            }
            r.templates.insert(
                id.clone(),
                Template {
                    name: name.into(),
                    groups: groups.to_vec(),
                    imdsv2_required,
                    hop_limit,
                    tags: tags.clone(),
                    life,
                },
            );
            Ok(id)
        })
    }

    async fn delete_launch_template(&self, id: &str) -> Result<()> {
        let op = self.call(EC2, "DeleteLaunchTemplate").await?;
        self.with(op, |s, _| {
            self.here(s)
                .templates
                .remove(id)
                .map(|_| ())
                .ok_or_else(|| op.not_found(id))
        })
    }

    async fn vpc_contents(&self, vpc: &str) -> Result<Vec<String>> {
        let (op, ..) = futures::try_join!(
            self.call(EC2, "DescribeSubnets"),
            self.call(EC2, "DescribeRouteTables"),
            self.call(EC2, "DescribeSecurityGroups"),
            self.call(EC2, "DescribeInternetGateways"),
            self.call(EC2, "DescribeNatGateways"),
        )?;
        self.with(op, |s, _| Ok(vpc_holders(self.here(s), vpc)))
    }

    async fn leftovers(
        &self,
        vpcs: &[String],
    ) -> Result<(Vec<InterfaceInfo>, Vec<SecurityGroupInfo>)> {
        let (op, _) = futures::try_join!(
            self.call(EC2, "DescribeNetworkInterfaces"),
            self.call(EC2, "DescribeSecurityGroups")
        )?;
        self.with(op, |s, _| {
            let r = self.here(s);
            let interfaces = r
                .interfaces
                .iter()
                .filter(|(_, i)| vpcs.contains(&i.vpc))
                .map(|(id, i)| InterfaceInfo {
                    id: id.clone(),
                    vpc_id: i.vpc.clone(),
                    status: "available".into(),
                    description: i.description.clone(),
                    security_groups: i.groups.clone(),
                })
                .collect();
            let groups = r
                .groups
                .iter()
                .filter(|(_, g)| vpcs.contains(&g.vpc) && g.name != "default")
                .map(|(id, g)| group_info(id, g))
                .collect();
            Ok((interfaces, groups))
        })
    }

    async fn delete_network_interface(&self, id: &str) -> Result<()> {
        let op = self.call(EC2, "DeleteNetworkInterface").await?;
        self.with(op, |s, _| {
            self.here(s)
                .interfaces
                .remove(id)
                .map(|_| ())
                .ok_or_else(|| op.not_found(id))
        })
    }

    /// Nodes exist while their node group is ACTIVE: `desired` of them, named after it.
    async fn node_instances(&self, cluster: &str) -> Result<Vec<NodeInstance>> {
        let op = self.call(EC2, "DescribeInstances").await?;
        self.with(op, |s, _| {
            let now = Instant::now();
            Ok(self
                .here(s)
                .node_groups
                .values()
                .filter(|g| {
                    g.info.cluster == cluster && g.deleted_at.is_none() && now >= g.life.ready
                })
                .flat_map(|g| {
                    (1..=g.info.desired).map(|k| NodeInstance {
                        id: format!("i-{}-{}-{k}", g.info.cluster, g.info.name),
                        node_group: g.info.name.clone(),
                    })
                })
                .collect())
        })
    }

    async fn create_flow_log(
        &self,
        vpc: &str,
        log_group: &str,
        role_arn: &str,
        traffic_type: &str,
        tags: &Tags,
    ) -> Result<String> {
        let op = self.call(EC2, "CreateFlowLogs").await?;
        let role_known = {
            let s = self.world.lock();
            s.roles.values().any(|r| r.arn == role_arn)
        };
        self.with(op, |s, lag| {
            if !role_known {
                return Err(op.not_found(role_arn));
            }
            let id = self.new_id(s, "fl");
            let life = self.life(Duration::ZERO);
            let r = self.here(s);
            if !r.vpcs.get(vpc).is_some_and(|v| visible(&v.life, lag)) {
                return Err(op.not_found(vpc));
            }
            if !r.log_groups.contains_key(log_group) {
                return Err(op.not_found(log_group));
            }
            r.flow_logs.insert(
                id.clone(),
                FlowLog {
                    vpc: vpc.into(),
                    log_group: log_group.into(),
                    traffic_type: traffic_type.into(),
                    tags: tags.clone(),
                    life,
                },
            );
            Ok(id)
        })
    }

    async fn delete_flow_log(&self, id: &str) -> Result<()> {
        let op = self.call(EC2, "DeleteFlowLogs").await?;
        self.with(op, |s, _| {
            self.here(s)
                .flow_logs
                .remove(id)
                .map(|_| ())
                .ok_or_else(|| op.not_found(id))
        })
    }

    async fn set_tags(&self, resource: &str, add: &Tags, remove: &[String]) -> Result<()> {
        let op = self.call(EC2, "CreateTags").await?;
        self.with(op, |s, lag| {
            let region = self.region.clone();
            let apply = |tags: &mut Tags| {
                for k in remove {
                    tags.remove(k);
                }
                tags.extend(add.iter().map(|(k, v)| (k.clone(), v.clone())));
            };
            if let Some(p) = s
                .peerings
                .get_mut(resource)
                .filter(|p| visible(&p.life, lag))
            {
                apply(if p.requester_region == region {
                    &mut p.requester_tags
                } else {
                    &mut p.accepter_tags
                });
                return Ok(());
            }
            let r = self.here(s);
            let tags = if let Some(x) = r.vpcs.get_mut(resource) {
                &mut x.tags
            } else if let Some(x) = r.subnets.get_mut(resource) {
                &mut x.tags
            } else if let Some(x) = r.gateways.get_mut(resource) {
                &mut x.tags
            } else if let Some(x) = r.addresses.get_mut(resource) {
                &mut x.tags
            } else if let Some(x) = r.nats.get_mut(resource) {
                &mut x.tags
            } else if let Some(x) = r.tables.get_mut(resource) {
                &mut x.tags
            } else if let Some(x) = r.groups.get_mut(resource) {
                &mut x.tags
            } else if let Some(x) = r.templates.get_mut(resource) {
                &mut x.tags
            } else {
                return Err(op.not_found(resource));
            };
            apply(tags);
            Ok(())
        })
    }
}
