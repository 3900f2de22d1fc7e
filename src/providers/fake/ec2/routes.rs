//! Route tables, their routes and their subnet associations.

use std::time::Duration;

use super::EC2;
use crate::providers::fake::*;
use crate::providers::*;

/// What describing a route table returns: the local route first, the main association where
/// the table is its VPC's main one.
pub(super) fn table_info(r: &Region, id: &str, t: &Table) -> RouteTableInfo {
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

pub(super) async fn create_route_table(
    fake: &FakeRegion,
    vpc: &str,
    tags: &Tags,
) -> Result<String> {
    let op = fake.call(EC2, "CreateRouteTable").await?;
    fake.create(op, "rtb", Duration::ZERO, |r, _, life, lag| {
        op.seen(&r.vpcs, vpc, lag)?;
        Ok(Table {
            vpc: vpc.into(),
            routes: Default::default(),
            associations: Default::default(),
            tags: tags.clone(),
            life,
        })
    })
}

pub(super) async fn main_route_table(fake: &FakeRegion, vpc: &str) -> Result<RouteTableInfo> {
    let op = fake.call(EC2, "DescribeRouteTables").await?;
    fake.with(op, |s, lag| {
        let r = fake.here(s);
        let v = op.seen(&r.vpcs, vpc, lag)?;
        let t = r
            .tables
            .get(&v.main_table)
            .ok_or_else(|| op.not_found("main route table"))?;
        Ok(table_info(r, &v.main_table, t))
    })
}

pub(super) async fn delete_route_table(fake: &FakeRegion, table: &str) -> Result<()> {
    let op = fake.call(EC2, "DeleteRouteTable").await?;
    fake.with(op, |s, _| {
        let r = fake.here(s);
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

pub(super) async fn create_route(
    fake: &FakeRegion,
    table: &str,
    destination: &str,
    target: &RouteTargetId,
) -> Result<()> {
    let op = fake.call(EC2, "CreateRoute").await?;
    fake.with(op, |s, lag| {
        let target_ok = match target {
            RouteTargetId::Peering(p) => s
                .peerings
                .get(p)
                .is_some_and(|p| visible(&p.life, lag) && !p.deleted),
            RouteTargetId::Gateway(g) => fake
                .here(s)
                .gateways
                .get(g)
                .is_some_and(|g| visible(&g.life, lag)),
            RouteTargetId::NatGateway(n) => fake
                .here(s)
                .nats
                .get(n)
                .is_some_and(|n| visible(&n.life, lag)),
            _ => false,
        };
        if !target_ok {
            return Err(op.not_found(&format!("{target:?}")));
        }
        let t = op.seen_mut(&mut fake.here(s).tables, table, lag)?;
        if t.routes.contains_key(destination) {
            return Err(op.exists(format!("a route to {destination} exists")));
        }
        t.routes.insert(destination.into(), target.clone());
        Ok(())
    })
}

pub(super) async fn replace_route(
    fake: &FakeRegion,
    table: &str,
    destination: &str,
    target: &RouteTargetId,
) -> Result<()> {
    let op = fake.call(EC2, "ReplaceRoute").await?;
    fake.with(op, |s, lag| {
        let t = op.seen_mut(&mut fake.here(s).tables, table, lag)?;
        let route = op.get_mut(&mut t.routes, destination)?;
        *route = target.clone();
        Ok(())
    })
}

pub(super) async fn delete_route(fake: &FakeRegion, table: &str, destination: &str) -> Result<()> {
    let op = fake.call(EC2, "DeleteRoute").await?;
    fake.with(op, |s, _| {
        let t = op.get_mut(&mut fake.here(s).tables, table)?;
        op.remove(&mut t.routes, destination).map(drop)
    })
}

pub(super) async fn associate_route_table(
    fake: &FakeRegion,
    table: &str,
    subnet: &str,
) -> Result<String> {
    let op = fake.call(EC2, "AssociateRouteTable").await?;
    fake.with(op, |s, lag| {
        let id = fake.new_id(s, "rtbassoc");
        let r = fake.here(s);
        op.seen(&r.subnets, subnet, lag)?;
        if r.tables
            .values()
            .any(|t| t.associations.values().any(|x| x == subnet))
        {
            return Err(op.exists(format!("{subnet} is already associated")));
        }
        let t = op.seen_mut(&mut r.tables, table, lag)?;
        t.associations.insert(id.clone(), subnet.into());
        Ok(id)
    })
}

pub(super) async fn disassociate_route_table(fake: &FakeRegion, association: &str) -> Result<()> {
    let op = fake.call(EC2, "DisassociateRouteTable").await?;
    fake.with(op, |s, _| {
        let t = fake
            .here(s)
            .tables
            .values_mut()
            .find(|t| t.associations.contains_key(association));
        let t = t.ok_or_else(|| op.not_found(association))?;
        t.associations.remove(association);
        Ok(())
    })
}
