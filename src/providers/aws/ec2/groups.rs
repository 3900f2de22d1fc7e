//! Security groups and their rules, and what a cluster's deletion leaves of them: unattached
//! network interfaces and their groups.

use aws_sdk_ec2::Client;
use aws_sdk_ec2::operation::describe_security_groups::DescribeSecurityGroupsOutput;
use aws_sdk_ec2::types::{IpPermission, IpRange, ResourceType, SecurityGroup, UserIdGroupPair};

use super::{filter, tag_spec};
use crate::providers::aws::{carried, done, every, operation_of, sent, tags_of};
use crate::providers::*;

fn permission(rule: &RuleSpec) -> IpPermission {
    let mut p = IpPermission::builder().ip_protocol(&rule.protocol);
    if let Some(from) = rule.from_port {
        p = p.from_port(from);
    }
    if let Some(to) = rule.to_port {
        p = p.to_port(to);
    }
    match &rule.peer {
        RulePeerId::Cidr(cidr) => p.ip_ranges(
            IpRange::builder()
                .cidr_ip(cidr)
                .set_description(rule.description.clone())
                .build(),
        ),
        RulePeerId::Group(group) => p.user_id_group_pairs(
            UserIdGroupPair::builder()
                .group_id(group)
                .set_description(rule.description.clone())
                .build(),
        ),
    }
    .build()
}

/// One rule per (permission, peer), the shape the engine compares.
fn rules_of(permissions: &[IpPermission], egress: bool) -> Vec<RuleSpec> {
    let mut rules = Vec::new();
    for p in permissions {
        let protocol = p.ip_protocol().unwrap_or("-1").to_string();
        let (from_port, to_port) = if protocol == "-1" {
            (None, None)
        } else {
            (p.from_port(), p.to_port())
        };
        let base = |peer, description: Option<&str>| RuleSpec {
            egress,
            protocol: protocol.clone(),
            from_port,
            to_port,
            peer,
            description: description.map(str::to_string),
        };
        let cidrs = p
            .ip_ranges()
            .iter()
            .filter_map(|r| Some((r.cidr_ip()?, r.description())))
            .chain(
                p.ipv6_ranges()
                    .iter()
                    .filter_map(|r| Some((r.cidr_ipv6()?, r.description()))),
            );
        for (cidr, description) in cidrs {
            rules.push(base(RulePeerId::Cidr(cidr.to_string()), description));
        }
        for pair in p.user_id_group_pairs() {
            if let Some(group) = pair.group_id() {
                rules.push(base(
                    RulePeerId::Group(group.to_string()),
                    pair.description(),
                ));
            }
        }
    }
    rules
}

/// What describing a group answers, in the engine's terms.
pub(super) fn group_of(g: &SecurityGroup) -> SecurityGroupInfo {
    let mut rules = rules_of(g.ip_permissions(), false);
    rules.extend(rules_of(g.ip_permissions_egress(), true));
    SecurityGroupInfo {
        id: g.group_id().unwrap_or_default().to_string(),
        vpc_id: g.vpc_id().unwrap_or_default().to_string(),
        name: g.group_name().unwrap_or_default().to_string(),
        description: g.description().unwrap_or_default().to_string(),
        rules,
        tags: tags_of(g.tags()),
    }
}

/// The default group of each of the VPCs: one filtered call.
/// Every security group in `vpcs`, whoever made it.
pub(super) async fn groups_in(c: &Client, vpcs: &[String]) -> Result<Vec<SecurityGroupInfo>> {
    if vpcs.is_empty() {
        return Ok(Vec::new());
    }
    let groups: Vec<_> = every!(
        c.describe_security_groups()
            .filters(filter("vpc-id", vpcs.iter().cloned()))
    )
    .await?;
    Ok(groups
        .iter()
        .map(group_of)
        .filter(|g| vpcs.contains(&g.vpc_id))
        .collect())
}

pub(super) async fn default_groups(c: &Client, vpcs: &[String]) -> Result<Vec<SecurityGroupInfo>> {
    if vpcs.is_empty() {
        return Ok(Vec::new());
    }
    let groups = sent(
        c.describe_security_groups()
            .filters(filter("vpc-id", vpcs.iter().cloned()))
            .filters(filter("group-name", ["default"]))
            .send(),
    )
    .await?;
    Ok(groups
        .security_groups()
        .iter()
        .map(group_of)
        .filter(|g| g.name == "default" && vpcs.contains(&g.vpc_id))
        .collect())
}

pub(super) async fn create_security_group(
    c: &Client,
    vpc: &str,
    name: &str,
    description: &str,
    tags: &Tags,
) -> Result<String> {
    let out = sent(
        c.create_security_group()
            .vpc_id(vpc)
            .group_name(name)
            .description(description)
            .tag_specifications(tag_spec(ResourceType::SecurityGroup, tags)?)
            .customize()
            .config_override(super::once())
            .send(),
    )
    .await?;
    carried(&out, "id", |o| o.group_id())
}

pub(super) async fn default_security_group(c: &Client, vpc: &str) -> Result<SecurityGroupInfo> {
    default_groups(c, &[vpc.to_string()])
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| {
            ProviderError::new(
                ErrorKind::NotFound,
                operation_of::<DescribeSecurityGroupsOutput>(),
                format!("no default security group in {vpc} yet"),
            )
        })
}

pub(super) async fn authorize(c: &Client, group: &str, rule: &RuleSpec, tags: &Tags) -> Result<()> {
    let tags = tag_spec(ResourceType::SecurityGroupRule, tags)?;
    if rule.egress {
        done(
            c.authorize_security_group_egress()
                .group_id(group)
                .ip_permissions(permission(rule))
                .tag_specifications(tags)
                .send(),
        )
        .await
    } else {
        done(
            c.authorize_security_group_ingress()
                .group_id(group)
                .ip_permissions(permission(rule))
                .tag_specifications(tags)
                .send(),
        )
        .await
    }
}

pub(super) async fn revoke(c: &Client, group: &str, rule: &RuleSpec) -> Result<()> {
    if rule.egress {
        done(
            c.revoke_security_group_egress()
                .group_id(group)
                .ip_permissions(permission(rule))
                .send(),
        )
        .await
    } else {
        done(
            c.revoke_security_group_ingress()
                .group_id(group)
                .ip_permissions(permission(rule))
                .send(),
        )
        .await
    }
}

/// The unattached interfaces in the VPCs and their groups but the default ones: two listings.
pub(super) async fn leftovers(
    c: &Client,
    vpcs: &[String],
) -> Result<(Vec<InterfaceInfo>, Vec<SecurityGroupInfo>)> {
    if vpcs.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let in_vpcs = || filter("vpc-id", vpcs.iter().cloned());
    let interfaces = every!(
        c.describe_network_interfaces()
            .filters(in_vpcs())
            .filters(filter("status", ["available"]))
    );
    let groups = every!(c.describe_security_groups().filters(in_vpcs()));
    let (interfaces, groups) = futures::join!(interfaces, groups);
    let interfaces = interfaces?
        .iter()
        .filter(|i| i.vpc_id().is_some_and(|v| vpcs.iter().any(|x| x == v)))
        .map(|i| InterfaceInfo {
            id: i.network_interface_id().unwrap_or_default().to_string(),
            vpc_id: i.vpc_id().unwrap_or_default().to_string(),
            status: i
                .status()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
            description: i.description().unwrap_or_default().to_string(),
            security_groups: i
                .groups()
                .iter()
                .filter_map(|g| g.group_id())
                .map(str::to_string)
                .collect(),
        })
        .filter(|i| i.status == "available")
        .collect();
    let groups = groups?
        .iter()
        .map(group_of)
        .filter(|g| g.name != "default" && vpcs.contains(&g.vpc_id))
        .collect();
    Ok((interfaces, groups))
}

pub(super) async fn delete_network_interface(c: &Client, id: &str) -> Result<()> {
    done(c.delete_network_interface().network_interface_id(id).send()).await
}
