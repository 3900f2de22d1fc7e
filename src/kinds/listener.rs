//! A load balancer's listener, known by its load balancer and port.

use super::*;

pub const LOAD_BALANCER: Field = Field::force_new("loadBalancer");
pub const TARGET_GROUP: Field = Field::updatable("targetGroup");
pub const PROTOCOL: Field = Field::updatable("protocol");
pub const PORT: Field = Field::updatable("port");

pub const DEF: KindDef = KindDef {
    kind: Kind::Listener,
    scope: Scope::Regional,
    tagging: Tagging::AtCreation(TagService::Elbv2),
    after_region: false,
    fields: &[LOAD_BALANCER, TARGET_GROUP, PROTOCOL, PORT],
    desired,
    index: None,
    discovery: Discovery::ByRule("matching: a listener by its load balancer and port"),
    ops: &Listener,
};

fn desired(r: &Resource, _: &DesiredContext<'_>) -> Fields {
    let ResourceSpec::Listener {
        load_balancer,
        target_group,
        protocol,
        port,
    } = &r.spec
    else {
        return Fields::new();
    };
    fields([
        (LOAD_BALANCER, load_balancer.clone()),
        (TARGET_GROUP, target_group.clone()),
        (PROTOCOL, protocol.clone()),
        (PORT, port.to_string()),
    ])
}

struct Listener;

#[async_trait]
impl Ops for Listener {
    async fn create(&self, cx: &Applier<'_>, r: &Resource) -> StepResult<(Handle, String)> {
        let ResourceSpec::Listener {
            load_balancer,
            target_group,
            protocol,
            port,
        } = &r.spec
        else {
            return Err(not_a(r));
        };
        let lbs = &cx.target(&r.region)?.clients.load_balancing;
        let (lb, tg) = (cx.aws(load_balancer)?, cx.aws(target_group)?);
        let arn = cx
            .create_id(r, || {
                lbs.create_listener(&lb, protocol, *port, &tg, &r.tags)
            })
            .await?;
        Ok((Handle::Id(arn.clone()), arn))
    }

    /// Protocol, port and target group change in one call.
    async fn update(&self, u: InPlace<'_>) -> StepResult<()> {
        let InPlace(cx, r, changed, _) = u;
        let ResourceSpec::Listener {
            target_group,
            protocol,
            port,
            ..
        } = &r.spec
        else {
            return Err(not_a(r));
        };
        let in_place = [PROTOCOL.name, PORT.name, TARGET_GROUP.name];
        if let Some(other) = changed.iter().find(|f| !in_place.contains(f)) {
            return Err(cannot_change(r, other));
        }
        let lbs = &cx.target(&r.region)?.clients.load_balancing;
        let (arn, tg) = (cx.aws(&r.id)?, cx.aws(target_group)?);
        Ok(retry::change(|| lbs.modify_listener(&arn, protocol, *port, &tg)).await?)
    }

    async fn delete(&self, cx: &Applier<'_>, o: &ObservedResource) -> StepResult<()> {
        let lbs = &cx.target(&o.region)?.clients.load_balancing;
        Ok(retry::delete(|| lbs.delete_listener(o.handle.aws_id())).await?)
    }
}
