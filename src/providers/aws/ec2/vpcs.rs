//! VPCs and their subnets, and what a VPC still holds when it is to be deleted.

use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::{
    AttributeBooleanValue, AvailabilityZoneOptInStatus, AvailabilityZoneState, ResourceType,
    VpcAttributeName,
};

use super::{filter, tag_spec};
use crate::providers::aws::{carried, classify, done, sent};
use crate::providers::*;

fn flag(on: bool) -> AttributeBooleanValue {
    AttributeBooleanValue::builder().value(on).build()
}

pub(super) async fn create_vpc(c: &Client, cidr: &str, tags: &Tags) -> Result<String> {
    let out = sent(
        c.create_vpc()
            .cidr_block(cidr)
            .tag_specifications(tag_spec(ResourceType::Vpc, tags)?)
            .customize()
            .config_override(super::once())
            .send(),
    )
    .await?;
    carried(&out, "id", |o| o.vpc()?.vpc_id())
}

pub(super) async fn set_vpc_dns(
    c: &Client,
    vpc: &str,
    attribute: VpcDnsAttribute,
    on: bool,
) -> Result<()> {
    let call = c.modify_vpc_attribute().vpc_id(vpc);
    let call = match attribute {
        VpcDnsAttribute::Support => call.enable_dns_support(flag(on)),
        VpcDnsAttribute::Hostnames => call.enable_dns_hostnames(flag(on)),
    };
    done(call.send()).await
}

/// (enableDnsSupport, enableDnsHostnames): one attribute a call.
pub(super) async fn vpc_dns(c: &Client, vpc: &str) -> Result<(bool, bool)> {
    let ask = |attribute| {
        sent(
            c.describe_vpc_attribute()
                .vpc_id(vpc)
                .attribute(attribute)
                .send(),
        )
    };
    let (support, hostnames) = futures::try_join!(
        ask(VpcAttributeName::EnableDnsSupport),
        ask(VpcAttributeName::EnableDnsHostnames)
    )?;
    Ok((
        support
            .enable_dns_support()
            .and_then(|a| a.value())
            .unwrap_or(false),
        hostnames
            .enable_dns_hostnames()
            .and_then(|a| a.value())
            .unwrap_or(false),
    ))
}

/// Usable availability zones, in name order.
pub(super) async fn availability_zones(c: &Client) -> Result<Vec<String>> {
    let out = sent(c.describe_availability_zones().send()).await?;
    let mut zones: Vec<String> = out
        .availability_zones()
        .iter()
        .filter(|z| z.state() == Some(&AvailabilityZoneState::Available))
        .filter(|z| z.zone_type().is_none_or(|t| t == "availability-zone"))
        .filter(|z| {
            z.opt_in_status()
                .is_none_or(|s| *s == AvailabilityZoneOptInStatus::OptInNotRequired)
        })
        .filter_map(|z| z.zone_name().map(str::to_string))
        .collect();
    zones.sort();
    Ok(zones)
}

pub(super) async fn create_subnet(
    c: &Client,
    vpc: &str,
    cidr: &str,
    az: &str,
    tags: &Tags,
) -> Result<String> {
    let out = sent(
        c.create_subnet()
            .vpc_id(vpc)
            .cidr_block(cidr)
            .availability_zone(az)
            .tag_specifications(tag_spec(ResourceType::Subnet, tags)?)
            .customize()
            .config_override(super::once())
            .send(),
    )
    .await?;
    carried(&out, "id", |o| o.subnet()?.subnet_id())
}

pub(super) async fn set_map_public_ip(c: &Client, subnet: &str, on: bool) -> Result<()> {
    done(
        c.modify_subnet_attribute()
            .subnet_id(subnet)
            .map_public_ip_on_launch(flag(on))
            .send(),
    )
    .await
}

/// One listing per kind of thing, each filtered to the VPC.
pub(super) async fn contents(c: &Client, vpc: &str) -> Result<Vec<String>> {
    let in_vpc = || filter("vpc-id", [vpc]);
    let (subnets, tables, groups, gateways, nats, endpoints) = futures::join!(
        c.describe_subnets().filters(in_vpc()).send(),
        c.describe_route_tables().filters(in_vpc()).send(),
        c.describe_security_groups().filters(in_vpc()).send(),
        c.describe_internet_gateways()
            .filters(filter("attachment.vpc-id", [vpc]))
            .send(),
        c.describe_nat_gateways()
            .filter(in_vpc())
            .filter(filter("state", ["pending", "available"]))
            .send(),
        c.describe_vpc_endpoints().filters(in_vpc()).send(),
    );
    let named = |kind: &str, ids: Vec<&str>| -> Vec<String> {
        ids.into_iter().map(|id| format!("{kind} {id}")).collect()
    };
    let mut found = Vec::new();
    let subnets = subnets.map_err(classify)?;
    found.extend(named(
        "subnet",
        subnets
            .subnets()
            .iter()
            .filter_map(|s| s.subnet_id())
            .collect(),
    ));
    let tables = tables.map_err(classify)?;
    found.extend(named(
        "route table",
        tables
            .route_tables()
            .iter()
            .filter(|t| !t.associations().iter().any(|a| a.main() == Some(true)))
            .filter_map(|t| t.route_table_id())
            .collect(),
    ));
    let groups = groups.map_err(classify)?;
    found.extend(named(
        "security group",
        groups
            .security_groups()
            .iter()
            .filter(|g| g.group_name() != Some("default"))
            .filter_map(|g| g.group_id())
            .collect(),
    ));
    let gateways = gateways.map_err(classify)?;
    found.extend(named(
        "internet gateway",
        gateways
            .internet_gateways()
            .iter()
            .filter_map(|g| g.internet_gateway_id())
            .collect(),
    ));
    let nats = nats.map_err(classify)?;
    found.extend(named(
        "NAT gateway",
        nats.nat_gateways()
            .iter()
            .filter_map(|n| n.nat_gateway_id())
            .collect(),
    ));
    let endpoints = endpoints.map_err(classify)?;
    found.extend(named(
        "VPC endpoint",
        endpoints
            .vpc_endpoints()
            .iter()
            .filter(|e| !matches!(e.state().map(|s| s.as_str()), Some("deleting" | "deleted")))
            .filter_map(|e| e.vpc_endpoint_id())
            .collect(),
    ));
    Ok(found)
}
