//! A subnet's link to its route table, known by the subnet.

use super::*;

pub const ROUTE_TABLE: Field = Field::updatable("routeTable");
pub const SUBNET: Field = Field::force_new("subnet");

pub const DEF: KindDef = KindDef {
    kind: Kind::RouteTableAssociation,
    scope: Scope::Regional,
    tagging: Tagging::Untaggable,
    after_region: false,
    fields: &[ROUTE_TABLE, SUBNET],
    desired,
    index: None,
    discovery: Discovery::ByRule("matching: an association by its subnet"),
    ops: &RouteTableAssociation,
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

struct RouteTableAssociation;

#[async_trait]
impl Ops for RouteTableAssociation {
    async fn create(&self, cx: &Applier<'_>, r: &Resource) -> StepResult<(Handle, String)> {
        let ResourceSpec::RouteTableAssociation {
            route_table,
            subnet,
        } = &r.spec
        else {
            return Err(not_a(r));
        };
        let net = &cx.target(&r.region)?.clients.network;
        let (table, subnet) = (cx.aws(route_table)?, cx.aws(subnet)?);
        let id = cx
            .create_id(r, || net.associate_route_table(&table, &subnet))
            .await?;
        Ok((Handle::Association { id: id.clone() }, id))
    }

    /// A subnet moves to another table: the old link goes, a new one is made.
    async fn update(&self, u: InPlace<'_>) -> StepResult<()> {
        let InPlace(cx, r, changed, o) = u;
        let Handle::Association { id } = &o.handle else {
            return Err(not_a(r));
        };
        if changed != [ROUTE_TABLE.name] {
            return Err(cannot_change(r, &changed.join(", ")));
        }
        let net = &cx.target(&r.region)?.clients.network;
        retry::change(|| net.disassociate_route_table(id)).await?;
        let (handle, _) = self.create(cx, r).await?;
        cx.remember(&r.id, handle);
        Ok(())
    }

    async fn delete(&self, cx: &Applier<'_>, o: &ObservedResource) -> StepResult<()> {
        let net = &cx.target(&o.region)?.clients.network;
        Ok(retry::delete(|| net.disassociate_route_table(o.handle.aws_id())).await?)
    }
}
