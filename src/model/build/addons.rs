//! A cluster's EKS managed add-ons: the defaults with the stack's entries laid over them.

use std::collections::BTreeMap;

use super::Builder;
use crate::model::{ResourceSpec, ids};
use crate::providers::canonical_configuration;
use crate::stack::types::{AddonSpec, ClusterSpec};

/// The add-ons every cluster gets unless the stack leaves one out, with their configuration:
/// the VPC CNI enforces NetworkPolicies (without it they are accepted and ignored), and
/// metrics-server is what HorizontalPodAutoscalers read.
pub fn defaults() -> BTreeMap<String, AddonSpec> {
    let on = |configuration: Option<serde_json::Value>| AddonSpec {
        enabled: true,
        version: None,
        configuration: configuration.and_then(|c| c.as_object().cloned()),
    };
    BTreeMap::from([
        (
            "vpc-cni".to_string(),
            on(Some(serde_json::json!({"enableNetworkPolicy": "true"}))),
        ),
        ("coredns".to_string(), on(None)),
        ("kube-proxy".to_string(), on(None)),
        ("eks-pod-identity-agent".to_string(), on(None)),
        ("metrics-server".to_string(), on(None)),
    ])
}

/// The add-ons a cluster runs: each default (with CloudWatch Observability where the alarms
/// read Container Insights), replaced by the stack's entry of that name, and the stack's
/// others.
pub fn effective(cluster: &ClusterSpec, insights: bool) -> BTreeMap<String, AddonSpec> {
    let mut all = defaults();
    if insights {
        let on = AddonSpec {
            enabled: true,
            version: None,
            configuration: None,
        };
        all.insert(super::insights::ADDON.to_string(), on);
    }
    all.extend(cluster.addons.clone());
    all.retain(|_, a| a.enabled);
    all
}

/// Adds the region's add-ons, after its node groups: CoreDNS and metrics-server are
/// Deployments that become active only once nodes run them.
pub fn add(
    b: &mut Builder,
    region: &str,
    cluster: &ClusterSpec,
    insights: bool,
    eks: &str,
    groups: &[String],
) {
    for (name, addon) in effective(cluster, insights) {
        let mut deps: Vec<String> = std::iter::once(eks.to_string())
            .chain(groups.iter().cloned())
            .collect();
        // Pod Identity hands credentials only to pods started after the association exists.
        if insights && name == super::insights::ADDON {
            deps.push(ids::pod_identity(region, super::insights::SERVICE_ACCOUNT));
        }
        let configuration = addon
            .configuration
            .map(|c| canonical_configuration(&serde_json::Value::Object(c).to_string()))
            .unwrap_or_default();
        b.add(
            ids::addon(region, &name),
            deps,
            ResourceSpec::ClusterAddon {
                cluster: eks.to_string(),
                cluster_name: cluster.name.clone(),
                kubernetes: cluster.version.clone(),
                name,
                version: addon.version,
                configuration,
            },
        );
    }
}
