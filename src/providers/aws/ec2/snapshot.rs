//! Discovery: everything of the stack's in one region's EC2, read in two rounds of filtered,
//! paginated calls, a fixed number however many resources exist.

use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::{NatGatewayState, Tag};

use super::filter;
use super::groups::groups_in;
use super::instances::{flow_logs, launch_template};
use super::peering::peering_of;
use super::routes::table_of;
use super::vpcs::{availability_zones, vpc_dns};
use crate::model::TAG_STACK;
use crate::providers::aws::{every, sent, tags_of};
use crate::providers::*;

/// Server-side filters are an optimisation; this keeps the answer right where they are ignored.
fn owned(tags: &Tags, stack: &str) -> bool {
    tags.get(TAG_STACK).map(String::as_str) == Some(stack)
}

pub(super) async fn read(c: &Client, stack: &str) -> Result<NetworkSnapshot> {
    let ours = || filter(&format!("tag:{TAG_STACK}"), [stack]);
    let (azs, vpcs, subnets, igws, addresses, nats, tables, peerings, templates) = futures::join!(
        availability_zones(c),
        every!(c.describe_vpcs().filters(ours())),
        every!(c.describe_subnets().filters(ours())),
        every!(c.describe_internet_gateways().filters(ours())),
        sent(c.describe_addresses().filters(ours()).send()),
        every!(c.describe_nat_gateways().filter(ours())),
        every!(c.describe_route_tables().filters(ours())),
        every!(c.describe_vpc_peering_connections().filters(ours())),
        every!(c.describe_launch_templates().filters(ours())),
    );
    // The stack's tags, or nothing for what is not the stack's.
    let tagged = |tags: &[Tag]| Some(tags_of(tags)).filter(|t| owned(t, stack));
    let mut snap = NetworkSnapshot {
        azs: azs?,
        ..Default::default()
    };
    for v in vpcs? {
        let Some(tags) = tagged(v.tags()) else {
            continue;
        };
        snap.vpcs.push(VpcInfo {
            id: v.vpc_id().unwrap_or_default().to_string(),
            cidr: v.cidr_block().unwrap_or_default().to_string(),
            state: v
                .state()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
            tags,
        });
    }
    for s in subnets? {
        let Some(tags) = tagged(s.tags()) else {
            continue;
        };
        snap.subnets.push(SubnetInfo {
            id: s.subnet_id().unwrap_or_default().to_string(),
            vpc_id: s.vpc_id().unwrap_or_default().to_string(),
            cidr: s.cidr_block().unwrap_or_default().to_string(),
            az: s.availability_zone().unwrap_or_default().to_string(),
            map_public_ip_on_launch: s.map_public_ip_on_launch().unwrap_or(false),
            tags,
        });
    }
    for g in igws? {
        let Some(tags) = tagged(g.tags()) else {
            continue;
        };
        snap.internet_gateways.push(InternetGatewayInfo {
            id: g.internet_gateway_id().unwrap_or_default().to_string(),
            attached_vpc: g
                .attachments()
                .first()
                .and_then(|a| a.vpc_id())
                .map(str::to_string),
            tags,
        });
    }
    for a in addresses?.addresses() {
        let Some(tags) = tagged(a.tags()) else {
            continue;
        };
        snap.addresses.push(AddressInfo {
            allocation_id: a.allocation_id().unwrap_or_default().to_string(),
            association_id: a.association_id().map(str::to_string),
            tags,
        });
    }
    for n in nats? {
        let state = match n.state() {
            // Deleted gateways linger in listings for an hour; gone for our purposes.
            Some(NatGatewayState::Deleted) => continue,
            Some(NatGatewayState::Available) => Lifecycle::Ready,
            Some(NatGatewayState::Deleting) => Lifecycle::Deleting,
            Some(NatGatewayState::Failed) => Lifecycle::Failed,
            _ => Lifecycle::Pending,
        };
        let Some(tags) = tagged(n.tags()) else {
            continue;
        };
        snap.nat_gateways.push(NatGatewayInfo {
            id: n.nat_gateway_id().unwrap_or_default().to_string(),
            subnet_id: n.subnet_id().unwrap_or_default().to_string(),
            allocation_id: n
                .nat_gateway_addresses()
                .first()
                .and_then(|a| a.allocation_id())
                .map(str::to_string),
            state,
            tags,
        });
    }
    snap.route_tables = tables?
        .iter()
        .map(table_of)
        .filter(|t| owned(&t.tags, stack))
        .collect();
    snap.peerings = peerings?
        .iter()
        .filter_map(peering_of)
        .filter(|p| owned(&p.tags, stack))
        .collect();
    let templates: Vec<_> = templates?
        .into_iter()
        .filter(|t| owned(&tags_of(t.tags()), stack))
        .collect();
    // The second round: what needs the ids of the first.
    let vpc_ids: Vec<String> = snap.vpcs.iter().map(|v| v.id.clone()).collect();
    let dns = futures::future::try_join_all(vpc_ids.iter().map(|v| vpc_dns(c, v)));
    let versions = futures::future::try_join_all(templates.iter().map(|t| launch_template(c, t)));
    // Security groups live in VPCs: one read of the stack's VPCs gives both the stack's own
    // groups and each VPC's default group.
    let (dns, groups, versions, flow_logs) = futures::try_join!(
        dns,
        groups_in(c, &vpc_ids),
        versions,
        flow_logs(c, &vpc_ids)
    )?;
    snap.vpc_dns = vpc_ids.into_iter().zip(dns).collect();
    let (defaults, others): (Vec<_>, Vec<_>) =
        groups.into_iter().partition(|g| g.name == "default");
    snap.default_security_groups = defaults;
    snap.security_groups = others
        .into_iter()
        .filter(|g| owned(&g.tags, stack))
        .collect();
    snap.launch_templates = versions;
    snap.flow_logs = flow_logs;
    Ok(snap)
}
