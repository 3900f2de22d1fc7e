//! One route of a route table, known by its table and destination.

use super::*;
use crate::model::RouteTarget;
use crate::providers::{ErrorKind, RouteTargetId};

pub const TARGET: Field = Field::updatable("target");

pub const DEF: KindDef = KindDef {
    kind: Kind::Route,
    scope: Scope::Regional,
    tagging: Tagging::Untaggable,
    after_region: false,
    fields: &[TARGET],
    desired,
    index: None,
    discovery: Discovery::ByRule("matching: a route by its table and destination"),
    ops: &Route,
};

fn desired(r: &Resource, _: &DesiredContext<'_>) -> Fields {
    let ResourceSpec::Route { target, .. } = &r.spec else {
        return Fields::new();
    };
    let (RouteTarget::InternetGateway(t) | RouteTarget::NatGateway(t) | RouteTarget::VpcPeering(t)) =
        target;
    fields([(TARGET, t.clone())])
}

struct Route;

fn target_id(cx: &Applier<'_>, target: &RouteTarget) -> StepResult<RouteTargetId> {
    Ok(match target {
        RouteTarget::InternetGateway(id) => RouteTargetId::Gateway(cx.aws(id)?),
        RouteTarget::NatGateway(id) => RouteTargetId::NatGateway(cx.aws(id)?),
        RouteTarget::VpcPeering(id) => RouteTargetId::Peering(cx.aws(id)?),
    })
}

#[async_trait]
impl Ops for Route {
    async fn create(&self, cx: &Applier<'_>, r: &Resource) -> StepResult<(Handle, String)> {
        let ResourceSpec::Route {
            route_table,
            destination,
            target,
        } = &r.spec
        else {
            return Err(not_a(r));
        };
        let net = &cx.target(&r.region)?.clients.network;
        let (table, target) = (cx.aws(route_table)?, target_id(cx, target)?);
        match retry::change(|| net.create_route(&table, destination, &target)).await {
            Err(e) if e.kind == ErrorKind::AlreadyExists => {
                retry::change(|| net.replace_route(&table, destination, &target)).await?
            }
            other => other?,
        }
        let handle = Handle::Route {
            table,
            destination: destination.clone(),
        };
        Ok((handle, String::new()))
    }

    async fn update(&self, u: InPlace<'_>) -> StepResult<()> {
        let InPlace(cx, r, changed, _) = u;
        let ResourceSpec::Route {
            route_table,
            destination,
            target,
        } = &r.spec
        else {
            return Err(not_a(r));
        };
        if changed != [TARGET.name] {
            return Err(cannot_change(r, &changed.join(", ")));
        }
        let net = &cx.target(&r.region)?.clients.network;
        let (table, target) = (cx.aws(route_table)?, target_id(cx, target)?);
        Ok(retry::change(|| net.replace_route(&table, destination, &target)).await?)
    }

    async fn delete(&self, cx: &Applier<'_>, o: &ObservedResource) -> StepResult<()> {
        let Handle::Route { table, destination } = &o.handle else {
            return Err(StepError::precondition("not a route"));
        };
        let net = &cx.target(&o.region)?.clients.network;
        Ok(retry::delete(|| net.delete_route(table, destination)).await?)
    }
}
