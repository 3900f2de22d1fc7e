//! VPCs and their subnets, and what a VPC still holds when it is to be deleted.

use std::time::Duration;

use tokio::time::Instant;

use super::EC2;
use super::groups::open_egress;
use crate::providers::fake::*;
use crate::providers::*;

/// What keeps a VPC from being deleted: everything in it but its default group and main table.
pub(super) fn vpc_holders(r: &Region, vpc: &str) -> Vec<String> {
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

pub(super) async fn create_vpc(fake: &FakeRegion, cidr: &str, tags: &Tags) -> Result<String> {
    let op = fake.call(EC2, "CreateVpc").await?;
    fake.with(op, |s, _| {
        let id = fake.new_id(s, "vpc");
        let group = fake.new_id(s, "sg");
        let main_table = fake.new_id(s, "rtb");
        let life = fake.life(Duration::ZERO);
        let r = fake.here(s);
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

pub(super) async fn set_vpc_dns(
    fake: &FakeRegion,
    vpc: &str,
    attribute: VpcDnsAttribute,
    on: bool,
) -> Result<()> {
    let op = fake.call(EC2, "ModifyVpcAttribute").await?;
    fake.with(op, |s, lag| {
        let v = op.seen_mut(&mut fake.here(s).vpcs, vpc, lag)?;
        match attribute {
            VpcDnsAttribute::Support => v.dns_support = on,
            VpcDnsAttribute::Hostnames => v.dns_hostnames = on,
        }
        Ok(())
    })
}

pub(super) async fn delete_vpc(fake: &FakeRegion, vpc: &str) -> Result<()> {
    let op = fake.call(EC2, "DeleteVpc").await?;
    fake.with(op, |s, _| {
        let r = fake.here(s);
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

pub(super) async fn create_subnet(
    fake: &FakeRegion,
    vpc: &str,
    cidr: &str,
    az: &str,
    tags: &Tags,
) -> Result<String> {
    let op = fake.call(EC2, "CreateSubnet").await?;
    fake.create(op, "subnet", Duration::ZERO, |r, _, life, lag| {
        op.seen(&r.vpcs, vpc, lag)?;
        if !r.azs.iter().any(|z| z == az) {
            return Err(op.refused(format!("no zone {az}")));
        }
        Ok(Subnet {
            vpc: vpc.into(),
            cidr: cidr.into(),
            az: az.into(),
            map_public_ip: false,
            tags: tags.clone(),
            life,
        })
    })
}

pub(super) async fn set_map_public_ip(fake: &FakeRegion, subnet: &str, on: bool) -> Result<()> {
    let op = fake.call(EC2, "ModifySubnetAttribute").await?;
    fake.with(op, |s, lag| {
        let x = op.seen_mut(&mut fake.here(s).subnets, subnet, lag)?;
        x.map_public_ip = on;
        Ok(())
    })
}

pub(super) async fn delete_subnet(fake: &FakeRegion, subnet: &str) -> Result<()> {
    let op = fake.call(EC2, "DeleteSubnet").await?;
    fake.with(op, |s, _| {
        let now = Instant::now();
        let r = fake.here(s);
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

pub(super) async fn vpc_contents(fake: &FakeRegion, vpc: &str) -> Result<Vec<String>> {
    let (op, ..) = futures::try_join!(
        fake.call(EC2, "DescribeSubnets"),
        fake.call(EC2, "DescribeRouteTables"),
        fake.call(EC2, "DescribeSecurityGroups"),
        fake.call(EC2, "DescribeInternetGateways"),
        fake.call(EC2, "DescribeNatGateways"),
    )?;
    fake.with(op, |s, _| Ok(vpc_holders(fake.here(s), vpc)))
}
