//! One rule of a security group. Its identity is its whole content (direction, protocol,
//! ports, peer), matched against the model in discovery, so there is nothing more to compare.

use super::*;
use crate::model::{Direction, RulePeer};
use crate::providers::{RulePeerId, RuleSpec};

pub const DEF: KindDef = KindDef {
    kind: Kind::SecurityGroupRule,
    scope: Scope::Regional,
    tagging: Tagging::AtCreation(TagService::Ec2),
    after_region: false,
    fields: &[],
    desired: |_, _| Fields::new(),
    index: None,
    discovery: Discovery::ByRule("matching: a rule by its group and content"),
    ops: &SecurityGroupRule,
};

struct SecurityGroupRule;

#[async_trait]
impl Ops for SecurityGroupRule {
    async fn create(&self, cx: &Applier<'_>, r: &Resource) -> StepResult<(Handle, String)> {
        let ResourceSpec::SecurityGroupRule {
            group,
            direction,
            protocol,
            from_port,
            to_port,
            peer,
            description,
        } = &r.spec
        else {
            return Err(not_a(r));
        };
        let net = &cx.target(&r.region)?.clients.network;
        let group = cx.aws(group)?;
        let rule = RuleSpec {
            egress: *direction == Direction::Egress,
            protocol: protocol.clone(),
            from_port: from_port.map(i32::from),
            to_port: to_port.map(i32::from),
            peer: match peer {
                RulePeer::Cidr(c) => RulePeerId::Cidr(c.clone()),
                RulePeer::SecurityGroup(g) => RulePeerId::Group(cx.aws(g)?),
            },
            description: Some(description.clone()),
        };
        // "Already exists" is success when discovery finds this very rule.
        retry::checked(
            || net.authorize(&group, &rule, &r.tags),
            || cx.exists(&r.id),
        )
        .await?;
        Ok((Handle::Rule { group, rule }, String::new()))
    }

    async fn delete(&self, cx: &Applier<'_>, o: &ObservedResource) -> StepResult<()> {
        let Handle::Rule { group, rule } = &o.handle else {
            return Err(StepError::precondition("not a rule"));
        };
        let net = &cx.target(&o.region)?.clients.network;
        Ok(retry::delete(|| net.revoke(group, rule)).await?)
    }
}
