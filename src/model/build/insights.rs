//! Container Insights for the alarms on pods and nodes: the CloudWatch Observability add-on
//! publishes those metrics (without it the alarms never leave INSUFFICIENT_DATA), and its
//! CloudWatch agent writes them with one IAM role of the stack, handed out by EKS Pod Identity.

use super::Builder;
use crate::model::{ResourceSpec, ids};
use crate::stack::ValidStack;
use crate::stack::types::ClusterSpec;

pub const ADDON: &str = "amazon-cloudwatch-observability";
/// The add-on's agent's service account.
pub const NAMESPACE: &str = "amazon-cloudwatch";
pub const SERVICE_ACCOUNT: &str = "cloudwatch-agent";
/// What the agent needs: to put metrics and logs, and to read its tags and configuration.
const POLICY: &str = "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy";

/// Whether the stack's alarms read Container Insights.
pub fn needed(valid: &ValidStack) -> bool {
    let alerts = valid.stack.spec.alerts.as_ref();
    alerts.is_some_and(|a| !a.container_insights().is_empty())
}

/// Whether the cluster runs the add-on: the alarms need it and the stack does not leave it out,
/// or the stack asks for it.
pub fn runs(valid: &ValidStack, cluster: &ClusterSpec) -> bool {
    match cluster.addons.get(ADDON) {
        Some(a) => a.enabled,
        None => needed(valid),
    }
}

/// The agent's role, when some cluster runs the add-on (added with the other global roles).
pub fn role(b: &mut Builder, valid: &ValidStack) -> Option<String> {
    let regions = &valid.stack.spec.regions;
    if !regions.iter().any(|r| runs(valid, &r.cluster)) {
        return None;
    }
    Some(b.iam_role(
        ids::CLOUDWATCH_AGENT_ROLE,
        "cloudwatch-agent",
        "pods.eks.amazonaws.com",
        &[POLICY],
        None,
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
