//! The VPC's default security group, adopted (the engine's adoption rule) and kept empty.

use super::*;

/// Its rules, as text; the stack wants none.
pub const RULES: Field = Field::updatable("rules");

pub const DEF: KindDef = KindDef {
    kind: Kind::DefaultSecurityGroup,
    scope: Scope::Regional,
    tagging: Tagging::Kept(TagService::Ec2),
    after_region: false,
    fields: &[RULES],
    desired: |_, _| fields([(RULES, String::new())]),
    index: None,
    discovery: Discovery::ByRule("adoption: the default group of each stack VPC"),
    ops: &DefaultSecurityGroup,
};

struct DefaultSecurityGroup;

#[async_trait]
impl Ops for DefaultSecurityGroup {
    async fn create(&self, cx: &Applier<'_>, r: &Resource) -> StepResult<(Handle, String)> {
        let ResourceSpec::DefaultSecurityGroup { vpc } = &r.spec else {
            return Err(not_a(r));
        };
        let net = &cx.target(&r.region)?.clients.network;
        let vpc = cx.aws(vpc)?;
        let group = retry::change(|| net.default_security_group(&vpc)).await?;
        // Revoking is deleting a rule: one already gone is done.
        for rule in &group.rules {
            retry::delete(|| net.revoke(&group.id, rule)).await?;
        }
        adopt_tags(net.as_ref(), &group.id, &r.tags, &group.tags).await?;
        let what = format!("{} emptied ({} rules removed)", group.id, group.rules.len());
        let handle = Handle::DefaultGroup {
            id: group.id,
            rules: vec![],
        };
        Ok((handle, what))
    }

    async fn update(&self, u: InPlace<'_>) -> StepResult<()> {
        let InPlace(cx, r, changed, o) = u;
        let Handle::DefaultGroup { id, rules } = &o.handle else {
            return Err(not_a(r));
        };
        if changed != [RULES.name] {
            return Err(cannot_change(r, &changed.join(", ")));
        }
        let net = &cx.target(&r.region)?.clients.network;
        for rule in rules {
            retry::delete(|| net.revoke(id, rule)).await?;
        }
        Ok(())
    }

    /// It goes with its VPC.
    async fn delete(&self, _: &Applier<'_>, _: &ObservedResource) -> StepResult<()> {
        Ok(())
    }
}
