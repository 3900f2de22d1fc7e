//! A subnet's link to its route table, known by the subnet.

use super::*;

pub const ROUTE_TABLE: Field = Field::updatable("routeTable");
pub const SUBNET: Field = Field::force_new("subnet");

pub const DEF: KindDef = KindDef {
    kind: Kind::RouteTableAssociation,
    scope: Scope::Regional,
    tagging: Tagging::Untaggable,
    fields: &[ROUTE_TABLE, SUBNET],
    desired,
};

fn desired(r: &Resource, _: &DesiredContext<'_>) -> Fields {
    let ResourceSpec::RouteTableAssociation {
        route_table,
        subnet,
    } = &r.spec
    else {
        return Fields::new();
    };
    fields([(ROUTE_TABLE, route_table.clone()), (SUBNET, subnet.clone())])
}
