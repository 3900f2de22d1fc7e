//! Route tables, their routes and their subnet associations.

use aws_sdk_ec2::Client;
use aws_sdk_ec2::operation::create_route::CreateRouteOutput;
use aws_sdk_ec2::operation::replace_route::ReplaceRouteOutput;
use aws_sdk_ec2::types::{ResourceType, Route, RouteTable};

use super::{filter, tag_spec};
use crate::providers::aws::{answered, carried, done, operation_of, sent, tags_of};
use crate::providers::*;

/// What describing a route table answers, in the engine's terms.
pub(super) fn table_of(t: &RouteTable) -> RouteTableInfo {
    RouteTableInfo {
        id: t.route_table_id().unwrap_or_default().to_string(),
        vpc_id: t.vpc_id().unwrap_or_default().to_string(),
        // Routes to prefix lists (gateway endpoints) have no block and are not the stack's.
        routes: t
            .routes()
            .iter()
            .filter_map(|r| {
                Some(RouteInfo {
                    destination: r.destination_cidr_block()?.to_string(),
                    target: target_of(r),
                })
            })
            .collect(),
        associations: t
            .associations()
            .iter()
            .map(|a| RouteTableAssociationInfo {
                id: a
                    .route_table_association_id()
                    .unwrap_or_default()
                    .to_string(),
                subnet_id: a.subnet_id().map(str::to_string),
                main: a.main().unwrap_or(false),
            })
            .collect(),
        tags: tags_of(t.tags()),
    }
}

fn target_of(route: &Route) -> RouteTargetId {
    if let Some(nat) = route.nat_gateway_id() {
        return RouteTargetId::NatGateway(nat.to_string());
    }
    if let Some(pcx) = route.vpc_peering_connection_id() {
        return RouteTargetId::Peering(pcx.to_string());
    }
    match route.gateway_id() {
        Some("local") => RouteTargetId::Local,
        Some(gw) if gw.starts_with("igw-") => RouteTargetId::Gateway(gw.to_string()),
        Some(other) => RouteTargetId::Other(other.to_string()),
        None => RouteTargetId::Other("unknown".to_string()),
    }
}

pub(super) async fn create_route_table(c: &Client, vpc: &str, tags: &Tags) -> Result<String> {
    let tags = tag_spec(ResourceType::RouteTable, tags)?;
    let out = sent(
        c.create_route_table()
            .vpc_id(vpc)
            .tag_specifications(tags)
            .customize()
            .config_override(super::once())
            .send(),
    )
    .await?;
    carried(&out, "id", |o| o.route_table()?.route_table_id())
}

pub(super) async fn main_route_table(c: &Client, vpc: &str) -> Result<RouteTableInfo> {
    let out = sent(
        c.describe_route_tables()
            .filters(filter("vpc-id", [vpc]))
            .filters(filter("association.main", ["true"]))
            .send(),
    )
    .await?;
    out.route_tables().first().map(table_of).ok_or_else(|| {
        answered(
            &out,
            ErrorKind::NotFound,
            format!("no main route table in {vpc} yet"),
        )
    })
}

pub(super) async fn delete_route_table(c: &Client, table: &str) -> Result<()> {
    done(c.delete_route_table().route_table_id(table).send()).await
}

/// A create or replace request routed to `target`, which names its kind of target: the two
/// requests take the same three.
macro_rules! routed_to {
    ($request:expr, $target:expr, $output:ty) => {
        match $target {
            RouteTargetId::Gateway(id) => $request.gateway_id(id),
            RouteTargetId::NatGateway(id) => $request.nat_gateway_id(id),
            RouteTargetId::Peering(id) => $request.vpc_peering_connection_id(id),
            RouteTargetId::Local | RouteTargetId::Other(_) => {
                return Err(ProviderError::new(
                    ErrorKind::Other,
                    operation_of::<$output>(),
                    format!("cannot route to {:?}", $target),
                ));
            }
        }
    };
}

pub(super) async fn create_route(
    c: &Client,
    table: &str,
    destination: &str,
    target: &RouteTargetId,
) -> Result<()> {
    let create = c
        .create_route()
        .route_table_id(table)
        .destination_cidr_block(destination);
    done(routed_to!(create, target, CreateRouteOutput).send()).await
}

pub(super) async fn replace_route(
    c: &Client,
    table: &str,
    destination: &str,
    target: &RouteTargetId,
) -> Result<()> {
    let replace = c
        .replace_route()
        .route_table_id(table)
        .destination_cidr_block(destination);
    done(routed_to!(replace, target, ReplaceRouteOutput).send()).await
}

pub(super) async fn delete_route(c: &Client, table: &str, destination: &str) -> Result<()> {
    done(
        c.delete_route()
            .route_table_id(table)
            .destination_cidr_block(destination)
            .send(),
    )
    .await
}

pub(super) async fn associate_route_table(c: &Client, table: &str, subnet: &str) -> Result<String> {
    let out = sent(
        c.associate_route_table()
            .route_table_id(table)
            .subnet_id(subnet)
            .send(),
    )
    .await?;
    carried(&out, "id", |o| o.association_id())
}

pub(super) async fn disassociate_route_table(c: &Client, association: &str) -> Result<()> {
    done(
        c.disassociate_route_table()
            .association_id(association)
            .send(),
    )
    .await
}
