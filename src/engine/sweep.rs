//! The sweep, a rule across kinds: before `down` deletes a region's subnets, groups and VPC,
//! it removes what EKS and Kubernetes left in them, which the stack never made and so owns no
//! record of.

use crate::kinds::{Applier, StepResult};
use crate::model::TAG_STACK;
use crate::providers::{InterfaceInfo, SecurityGroupInfo, Tags};
use crate::retry;

/// Deletes what EKS and Kubernetes left in the region's VPCs: unattached network interfaces,
/// then the security groups they made (rules first, as they may refer to each other).
pub async fn sweep(cx: &Applier<'_>, stack: &str, region: &str, vpcs: &[String]) -> StepResult {
    let net = &cx.target(&Some(region.to_string()))?.clients.network;
    let (interfaces, groups) = retry::discover(|| net.leftovers(vpcs)).await?;
    let (interfaces, groups) = sweepable(stack, interfaces, groups);
    for i in &interfaces {
        retry::delete(|| net.delete_network_interface(&i.id)).await?;
    }
    for g in &groups {
        for rule in &g.rules {
            retry::delete(|| net.revoke(&g.id, rule)).await?;
        }
    }
    for g in &groups {
        retry::delete(|| net.delete_security_group(&g.id)).await?;
    }
    Ok(format!(
        "{} network interface(s), {} security group(s) left by EKS or Kubernetes",
        interfaces.len(),
        groups.len()
    ))
}

/// What of the candidates the sweep deletes: security groups that EKS or a Kubernetes load
/// balancer controller made (they say so in their tags), and unattached network interfaces of
/// the VPC CNI or in such a group or one of the stack's. Anything else in the stack's VPCs is
/// someone else's, and stays.
fn sweepable(
    stack: &str,
    interfaces: Vec<InterfaceInfo>,
    groups: Vec<SecurityGroupInfo>,
) -> (Vec<InterfaceInfo>, Vec<SecurityGroupInfo>) {
    let kubernetes = |tags: &Tags| {
        tags.keys().any(|k| {
            k.starts_with("kubernetes.io/cluster/")
                || k == "aws:eks:cluster-name"
                || k == "elbv2.k8s.aws/cluster"
        })
    };
    let ours = |tags: &Tags| tags.get(TAG_STACK).is_some_and(|s| s == stack);
    let known: Vec<&str> = groups
        .iter()
        .filter(|g| kubernetes(&g.tags) || ours(&g.tags))
        .map(|g| g.id.as_str())
        .collect();
    let interfaces = interfaces
        .into_iter()
        .filter(|i| {
            i.description.starts_with("aws-K8S-")
                || i.security_groups
                    .iter()
                    .any(|g| known.contains(&g.as_str()))
        })
        .collect();
    let groups = groups
        .into_iter()
        .filter(|g| kubernetes(&g.tags) && !ours(&g.tags))
        .collect();
    (interfaces, groups)
}
