//! Security groups and their rules, and what a cluster's deletion leaves of them: unattached
//! network interfaces and their groups.

use std::time::Duration;

use super::EC2;
use crate::providers::fake::*;
use crate::providers::*;

pub(super) fn open_egress() -> RuleSpec {
    RuleSpec {
        egress: true,
        protocol: "-1".into(),
        from_port: None,
        to_port: None,
        peer: RulePeerId::Cidr("0.0.0.0/0".into()),
        description: None,
    }
}

/// Rules are the same rule whatever their description says.
pub(super) fn same_rule(a: &RuleSpec, b: &RuleSpec) -> bool {
    (a.egress, &a.protocol, a.from_port, a.to_port, &a.peer)
        == (b.egress, &b.protocol, b.from_port, b.to_port, &b.peer)
}

/// What describing a group returns.
pub(super) fn group_info(id: &str, g: &Group) -> SecurityGroupInfo {
    SecurityGroupInfo {
        id: id.to_string(),
        vpc_id: g.vpc.clone(),
        name: g.name.clone(),
        description: g.description.clone(),
        rules: g.rules.clone(),
        tags: g.tags.clone(),
    }
}

pub(super) async fn create_security_group(
    fake: &FakeRegion,
    vpc: &str,
    name: &str,
    description: &str,
    tags: &Tags,
) -> Result<String> {
    let op = fake.call(EC2, "CreateSecurityGroup").await?;
    fake.create(op, "sg", Duration::ZERO, |r, _, life, lag| {
        op.seen(&r.vpcs, vpc, lag)?;
        if r.groups.values().any(|g| g.vpc == vpc && g.name == name) {
            return Err(op.exists(format!("{name} exists in {vpc}")));
        }
        Ok(Group {
            vpc: vpc.into(),
            name: name.into(),
            description: description.into(),
            rules: vec![open_egress()],
            tags: tags.clone(),
            life,
        })
    })
}

pub(super) async fn default_security_group(
    fake: &FakeRegion,
    vpc: &str,
) -> Result<SecurityGroupInfo> {
    let op = fake.call(EC2, "DescribeSecurityGroups").await?;
    fake.with(op, |s, lag| {
        let r = fake.here(s);
        let v = op.seen(&r.vpcs, vpc, lag)?;
        let g = r
            .groups
            .get(&v.default_group)
            .ok_or_else(|| op.not_found("default group"))?;
        Ok(group_info(&v.default_group, g))
    })
}

pub(super) async fn delete_security_group(fake: &FakeRegion, group: &str) -> Result<()> {
    let op = fake.call(EC2, "DeleteSecurityGroup").await?;
    fake.with(op, |s, _| {
        let r = fake.here(s);
        if !r.groups.contains_key(group) {
            return Err(op.not_found(group));
        }
        let peer = RulePeerId::Group(group.to_string());
        let referenced = r
            .groups
            .iter()
            .any(|(id, g)| id != group && g.rules.iter().any(|x| x.peer == peer));
        let used = r.lbs.values().any(|l| l.groups.iter().any(|g| g == group))
            || r.interfaces
                .values()
                .any(|i| i.groups.iter().any(|g| g == group));
        if referenced || used {
            return Err(op.in_use(format!("{group} is referenced or in use")));
        }
        r.groups.remove(group);
        Ok(())
    })
}

pub(super) async fn authorize(
    fake: &FakeRegion,
    group: &str,
    rule: &RuleSpec,
    _tags: &Tags,
) -> Result<()> {
    let op = if rule.egress {
        "AuthorizeSecurityGroupEgress"
    } else {
        "AuthorizeSecurityGroupIngress"
    };
    let op = fake.call(EC2, op).await?;
    fake.with(op, |s, lag| {
        let r = fake.here(s);
        if let RulePeerId::Group(other) = &rule.peer
            && !r.groups.get(other).is_some_and(|g| visible(&g.life, lag))
        {
            return Err(op.not_found(other));
        }
        let g = op.seen_mut(&mut r.groups, group, lag)?;
        if g.rules.iter().any(|x| same_rule(x, rule)) {
            return Err(op.exists("the rule already exists"));
        }
        g.rules.push(rule.clone());
        Ok(())
    })
}

pub(super) async fn revoke(fake: &FakeRegion, group: &str, rule: &RuleSpec) -> Result<()> {
    let op = if rule.egress {
        "RevokeSecurityGroupEgress"
    } else {
        "RevokeSecurityGroupIngress"
    };
    let op = fake.call(EC2, op).await?;
    fake.with(op, |s, _| {
        let g = op.get_mut(&mut fake.here(s).groups, group)?;
        let before = g.rules.len();
        g.rules.retain(|x| !same_rule(x, rule));
        if g.rules.len() == before {
            return Err(op.not_found("the rule"));
        }
        Ok(())
    })
}

pub(super) async fn leftovers(
    fake: &FakeRegion,
    vpcs: &[String],
) -> Result<(Vec<InterfaceInfo>, Vec<SecurityGroupInfo>)> {
    let (op, _) = futures::try_join!(
        fake.call(EC2, "DescribeNetworkInterfaces"),
        fake.call(EC2, "DescribeSecurityGroups")
    )?;
    fake.with(op, |s, _| {
        let r = fake.here(s);
        let interfaces = r
            .interfaces
            .iter()
            .filter(|(_, i)| vpcs.contains(&i.vpc))
            .map(|(id, i)| InterfaceInfo {
                id: id.clone(),
                vpc_id: i.vpc.clone(),
                status: "available".into(),
                description: i.description.clone(),
                security_groups: i.groups.clone(),
            })
            .collect();
        let groups = r
            .groups
            .iter()
            .filter(|(_, g)| vpcs.contains(&g.vpc) && g.name != "default")
            .map(|(id, g)| group_info(id, g))
            .collect();
        Ok((interfaces, groups))
    })
}

pub(super) async fn delete_network_interface(fake: &FakeRegion, id: &str) -> Result<()> {
    let op = fake.call(EC2, "DeleteNetworkInterface").await?;
    fake.with(op, |s, _| {
        op.remove(&mut fake.here(s).interfaces, id).map(drop)
    })
}
