//! The Cluster Autoscaler's AWS side: one IAM role for the stack, which only EKS Pod Identity
//! can hand out, allowed to read the Auto Scaling groups and to resize only those of the
//! stack's own clusters; and in each region that runs it, the association that gives the
//! autoscaler's service account that role.

use super::Builder;
use crate::model::{ResourceSpec, ids};
use crate::stack::ValidStack;
use crate::stack::autoscaler;

/// The service account of the built-in manifests (`workloads/builtin`).
pub const NAMESPACE: &str = "cluster-autoscaler";
pub const SERVICE_ACCOUNT: &str = "cluster-autoscaler";

/// What the autoscaler reads to learn the groups, their instance types and templates.
const READS: &[&str] = &[
    "autoscaling:DescribeAutoScalingGroups",
    "autoscaling:DescribeAutoScalingInstances",
    "autoscaling:DescribeLaunchConfigurations",
    "autoscaling:DescribeScalingActivities",
    "autoscaling:DescribeTags",
    "ec2:DescribeImages",
    "ec2:DescribeInstanceTypes",
    "ec2:DescribeLaunchTemplateVersions",
    "ec2:GetInstanceTypesFromInstanceRequirements",
];

/// The role's inline policy: reads anywhere (they name no resource), and per region the
/// resizing calls on the groups EKS tags as the cluster's own, and the node groups' details.
pub fn policy(valid: &ValidStack) -> String {
    let mut statements = vec![serde_json::json!({
        "Sid": "Discover",
        "Effect": "Allow",
        "Action": READS,
        "Resource": "*",
    })];
    for region in &valid.stack.spec.regions {
        let cluster = &region.cluster;
        if !autoscaler::wanted(cluster) {
            continue;
        }
        let aws = &region.region;
        statements.push(serde_json::json!({
            "Effect": "Allow",
            "Action": [
                "autoscaling:SetDesiredCapacity",
                "autoscaling:TerminateInstanceInAutoScalingGroup",
            ],
            "Resource": format!("arn:aws:autoscaling:{aws}:*:autoScalingGroup:*:autoScalingGroupName/*"),
            "Condition": {"StringEquals": {
                format!("aws:ResourceTag/k8s.io/cluster-autoscaler/{}", cluster.name): "owned",
            }},
        }));
        statements.push(serde_json::json!({
            "Effect": "Allow",
            "Action": ["eks:DescribeNodegroup"],
            "Resource": format!("arn:aws:eks:{aws}:*:nodegroup/{}/*/*", cluster.name),
        }));
    }
    serde_json::json!({"Version": "2012-10-17", "Statement": statements}).to_string()
}

/// The role, when some region runs the autoscaler (added with the other global roles).
pub fn role(b: &mut Builder, valid: &ValidStack) -> Option<String> {
    let regions = &valid.stack.spec.regions;
    if !regions.iter().any(|r| autoscaler::wanted(&r.cluster)) {
        return None;
    }
    let policy = policy(valid);
    Some(b.iam_role(
        ids::AUTOSCALER_ROLE,
        "cluster-autoscaler",
        "pods.eks.amazonaws.com",
        &[],
        Some(&policy),
    ))
}

/// The region's association, once its cluster and the role exist.
pub fn association(b: &mut Builder, region: &str, cluster_name: &str, eks: &str, role: &str) {
    b.add(
        ids::pod_identity(region, SERVICE_ACCOUNT),
        vec![eks.to_string(), role.to_string()],
        ResourceSpec::PodIdentity {
            cluster: eks.to_string(),
            cluster_name: cluster_name.to_string(),
            namespace: NAMESPACE.to_string(),
            service_account: SERVICE_ACCOUNT.to_string(),
            role: role.to_string(),
        },
    );
}
