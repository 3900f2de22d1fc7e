//! The VPC's main route table, adopted (the engine's adoption rule): tagged, with only the
//! VPC's local route.

use super::*;
use crate::providers::{RouteInfo, RouteTargetId};

pub const VPC: Field = Field::updatable("vpc");

pub const DEF: KindDef = KindDef {
    kind: Kind::MainRouteTable,
    scope: Scope::Regional,
    tagging: Tagging::Kept(TagService::Ec2),
    after_region: false,
    fields: &[VPC],
    desired,
    index: None,
    discovery: Discovery::ByRule(
        "the tagged route table with the main association (route_table.rs)",
    ),
    ops: &MainRouteTable,
};

fn desired(r: &Resource, _: &DesiredContext<'_>) -> Fields {
    let ResourceSpec::MainRouteTable { vpc } = &r.spec else {
        return Fields::new();
    };
    fields([(VPC, vpc.clone())])
}

struct MainRouteTable;

#[async_trait]
impl Ops for MainRouteTable {
    /// Adopted like the default group: nothing but the local route, and tagged.
    async fn create(&self, cx: &Applier<'_>, r: &Resource) -> StepResult<(Handle, String)> {
        let ResourceSpec::MainRouteTable { vpc } = &r.spec else {
            return Err(not_a(r));
        };
        let net = &cx.target(&r.region)?.clients.network;
        let vpc = cx.aws(vpc)?;
        let table = retry::change(|| net.main_route_table(&vpc)).await?;
        let extra: Vec<&RouteInfo> = table
            .routes
            .iter()
            .filter(|x| x.target != RouteTargetId::Local)
            .collect();
        for route in &extra {
            retry::delete(|| net.delete_route(&table.id, &route.destination)).await?;
        }
        adopt_tags(net.as_ref(), &table.id, &r.tags, &table.tags).await?;
        let what = format!("{} adopted ({} routes removed)", table.id, extra.len());
        Ok((Handle::Id(table.id), what))
    }

    /// It goes with its VPC.
    async fn delete(&self, _: &Applier<'_>, _: &ObservedResource) -> StepResult<()> {
        Ok(())
    }
}
