//! Discovery in the fake EC2: everything of the stack's, with as many calls as the AWS adapter
//! makes.

use tokio::time::Instant;

use super::EC2;
use super::groups::group_info;
use super::routes::table_info;
use crate::providers::fake::*;
use crate::providers::*;

pub(super) async fn read(fake: &FakeRegion, stack: &str) -> Result<NetworkSnapshot> {
    // As many calls as the AWS adapter makes: filtered reads, then the VPC attributes, the
    // groups in the stack's VPCs (its own and the default ones) and the flow logs.
    let first = [
        "DescribeAvailabilityZones",
        "DescribeVpcs",
        "DescribeSubnets",
        "DescribeInternetGateways",
        "DescribeAddresses",
        "DescribeNatGateways",
        "DescribeRouteTables",
        "DescribeVpcPeeringConnections",
        "DescribeLaunchTemplates",
    ];
    let first = futures::future::try_join_all(first.iter().map(|op| fake.call(EC2, op))).await?;
    // What is read below is what DescribeVpcs and the others answer; the one names them.
    let describe = first[1];
    let (vpc_count, templates) = fake.with(describe, |s, lag| {
        let r = fake.here(s);
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
    futures::future::try_join_all(second.iter().map(|op| fake.call(EC2, op))).await?;

    fake.with(describe, |s, lag| {
        let now = Instant::now();
        let mut snap = NetworkSnapshot::default();
        let region_name = fake.region.clone();
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
        let r = fake.here(s);
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
            // As on AWS, read from the stack's VPCs.
            .filter(|(_, g)| show(&g.life, &g.tags) && g.name != "default")
            .filter(|(_, g)| snap.vpcs.iter().any(|v| v.id == g.vpc))
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
