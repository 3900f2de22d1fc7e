//! One route of a route table, known by its table and destination.

use super::*;
use crate::model::RouteTarget;

pub const TARGET: Field = Field::updatable("target");

pub const DEF: KindDef = KindDef {
    kind: Kind::Route,
    scope: Scope::Regional,
    tagging: Tagging::Untaggable,
    fields: &[TARGET],
    desired,
};

fn desired(r: &Resource, _: &DesiredContext<'_>) -> Fields {
    let ResourceSpec::Route { target, .. } = &r.spec else {
        return Fields::new();
    };
    let (RouteTarget::InternetGateway(t) | RouteTarget::NatGateway(t) | RouteTarget::VpcPeering(t)) =
        target;
    fields([(TARGET, t.clone())])
}
