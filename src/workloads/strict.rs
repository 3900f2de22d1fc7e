//! Offline strict checking of manifests: each object must deserialize into its k8s-openapi
//! type, and nothing may be lost on the way. k8s-openapi skips unknown fields when it reads, so
//! a misspelt field (`imagePullPolcy`) is found by serializing the typed value again and looking
//! for input fields that did not survive the round trip.

use std::collections::BTreeSet;

use k8s_openapi::api::{apps, autoscaling, batch, core, networking, policy, rbac};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value as Json;

use super::render::{Manifest, PathPart, path_text};
use crate::stack::diagnostic::{Diagnostic, Kind};

/// The kinds the checker knows, by `apiVersion` and `kind`.
pub const KNOWN: &[(&str, &str)] = &[
    ("v1", "Namespace"),
    ("v1", "Service"),
    ("v1", "ConfigMap"),
    ("v1", "Secret"),
    ("v1", "ServiceAccount"),
    ("apps/v1", "Deployment"),
    ("apps/v1", "StatefulSet"),
    ("apps/v1", "DaemonSet"),
    ("batch/v1", "Job"),
    ("batch/v1", "CronJob"),
    ("policy/v1", "PodDisruptionBudget"),
    ("autoscaling/v2", "HorizontalPodAutoscaler"),
    ("networking.k8s.io/v1", "NetworkPolicy"),
    ("networking.k8s.io/v1", "Ingress"),
    ("rbac.authorization.k8s.io/v1", "Role"),
    ("rbac.authorization.k8s.io/v1", "RoleBinding"),
    ("rbac.authorization.k8s.io/v1", "ClusterRole"),
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"),
    ("apiextensions.k8s.io/v1", "CustomResourceDefinition"),
];

/// The known kinds that live outside namespaces.
const CLUSTER_SCOPED: &[&str] = &[
    "Namespace",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
];

/// A custom kind of the manifests' CRDs: (group, kind) and whether it is cluster-scoped.
type CustomKinds = BTreeSet<(String, String, bool)>;

/// Every problem in a set of manifests (one cluster's, so custom resources can find their CRD).
pub fn check_all(manifests: &[Manifest]) -> Vec<Diagnostic> {
    let custom: CustomKinds = manifests
        .iter()
        .filter(|m| m.kind() == "CustomResourceDefinition")
        .map(|m| {
            let spec = &m.object["spec"];
            (
                spec["group"].as_str().unwrap_or_default().to_string(),
                spec["names"]["kind"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                spec["scope"].as_str() == Some("Cluster"),
            )
        })
        .collect();
    manifests
        .iter()
        .filter_map(|m| check(m, &custom).and_then(|()| scope(m, &custom)).err())
        .collect()
}

/// A namespace on a cluster-scoped object is dropped by the server, so the live object would
/// never match its manifest and be pruned after every apply.
fn scope(m: &Manifest, custom: &CustomKinds) -> Result<(), Diagnostic> {
    let group = m.api_version().rsplit_once('/').map_or("", |(g, _)| g);
    let cluster_scoped = CLUSTER_SCOPED.contains(&m.kind())
        || custom.contains(&(group.to_string(), m.kind().to_string(), true));
    match m.namespace() {
        Some(ns) if cluster_scoped => {
            let path = [
                PathPart::Key("metadata".into()),
                PathPart::Key("namespace".into()),
            ];
            Err(Diagnostic::new(
                &m.file,
                m.pos_of(&path),
                &path_text(&path),
                format!(
                    "document {} ({}): a {} is cluster-scoped and cannot be in namespace `{ns}`",
                    m.document,
                    m.describe(),
                    m.kind()
                ),
                Some("remove `metadata.namespace`".into()),
            ))
        }
        _ => Ok(()),
    }
}

fn check(m: &Manifest, custom: &CustomKinds) -> Result<(), Diagnostic> {
    let problem = |path: &[PathPart], message: String, hint: Option<String>| {
        let unknown = message.starts_with("unknown field");
        Diagnostic::new(
            &m.file,
            match unknown {
                true => m.key_pos_of(path),
                false => m.pos_of(path),
            },
            &path_text(path),
            format!("document {} ({}): {message}", m.document, m.describe()),
            hint,
        )
        .of_kind(if unknown {
            Kind::UnknownField
        } else {
            Kind::Other
        })
    };
    let object = &m.object;
    let outcome = match (m.api_version(), m.kind()) {
        ("v1", "Namespace") => round_trip::<core::v1::Namespace>(object),
        ("v1", "Service") => round_trip::<core::v1::Service>(object),
        ("v1", "ConfigMap") => round_trip::<core::v1::ConfigMap>(object),
        ("v1", "Secret") => round_trip::<core::v1::Secret>(object),
        ("v1", "ServiceAccount") => round_trip::<core::v1::ServiceAccount>(object),
        ("apps/v1", "Deployment") => round_trip::<apps::v1::Deployment>(object),
        ("apps/v1", "StatefulSet") => round_trip::<apps::v1::StatefulSet>(object),
        ("apps/v1", "DaemonSet") => round_trip::<apps::v1::DaemonSet>(object),
        ("batch/v1", "Job") => round_trip::<batch::v1::Job>(object),
        ("batch/v1", "CronJob") => round_trip::<batch::v1::CronJob>(object),
        ("policy/v1", "PodDisruptionBudget") => {
            round_trip::<policy::v1::PodDisruptionBudget>(object)
        }
        ("autoscaling/v2", "HorizontalPodAutoscaler") => {
            round_trip::<autoscaling::v2::HorizontalPodAutoscaler>(object)
        }
        ("networking.k8s.io/v1", "NetworkPolicy") => {
            round_trip::<networking::v1::NetworkPolicy>(object)
        }
        ("networking.k8s.io/v1", "Ingress") => round_trip::<networking::v1::Ingress>(object),
        ("rbac.authorization.k8s.io/v1", "Role") => round_trip::<rbac::v1::Role>(object),
        ("rbac.authorization.k8s.io/v1", "RoleBinding") => {
            round_trip::<rbac::v1::RoleBinding>(object)
        }
        ("rbac.authorization.k8s.io/v1", "ClusterRole") => {
            round_trip::<rbac::v1::ClusterRole>(object)
        }
        ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding") => {
            round_trip::<rbac::v1::ClusterRoleBinding>(object)
        }
        ("apiextensions.k8s.io/v1", "CustomResourceDefinition") => {
            round_trip::<CustomResourceDefinition>(object)
        }
        (api_version, kind) => {
            let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
            if custom.iter().any(|(g, k, _)| g == group && k == kind) {
                // Its schema lives in the cluster; the API server checks it on apply.
                return Ok(());
            }
            let kinds: Vec<String> = KNOWN.iter().map(|(v, k)| format!("{v} {k}")).collect();
            return Err(problem(
                &[PathPart::Key("kind".into())],
                format!("`{api_version}` `{kind}` is not a kind that can be checked offline"),
                Some(format!(
                    "known: {}; custom resources need their CustomResourceDefinition in the same manifests",
                    kinds.join(", ")
                )),
            ));
        }
    };
    match outcome {
        Ok(()) => Ok(()),
        Err(Mismatch::Type { path, message }) => Err(problem(&path, message, None)),
        Err(Mismatch::Unknown { path }) => {
            let field = match path.last() {
                Some(PathPart::Key(k)) => k.clone(),
                _ => String::new(),
            };
            Err(problem(
                &path,
                format!("unknown field `{field}`"),
                Some(
                    "check its spelling and where it sits against the Kubernetes API reference"
                        .into(),
                ),
            ))
        }
    }
}

#[derive(Debug, PartialEq)]
enum Mismatch {
    Type {
        path: Vec<PathPart>,
        message: String,
    },
    Unknown {
        path: Vec<PathPart>,
    },
}

fn round_trip<T: DeserializeOwned + Serialize>(input: &Json) -> Result<(), Mismatch> {
    let typed: T = serde_path_to_error::deserialize(input).map_err(|e| Mismatch::Type {
        path: parse_serde_path(&e.path().to_string()),
        message: e.inner().to_string(),
    })?;
    let back = serde_json::to_value(&typed).map_err(|e| Mismatch::Type {
        path: Vec::new(),
        message: e.to_string(),
    })?;
    let mut path = Vec::new();
    match first_lost(input, &back, &mut path) {
        true => Err(Mismatch::Unknown { path }),
        false => Ok(()),
    }
}

/// Finds the first input field (not null) with no counterpart in `back`; leaves its path.
fn first_lost(input: &Json, back: &Json, path: &mut Vec<PathPart>) -> bool {
    match (input, back) {
        (Json::Object(fields), Json::Object(kept)) => {
            for (key, value) in fields {
                if value.is_null() {
                    continue;
                }
                path.push(PathPart::Key(key.clone()));
                match kept.get(key) {
                    None => return true,
                    Some(other) if first_lost(value, other, path) => return true,
                    Some(_) => {}
                }
                path.pop();
            }
            false
        }
        (Json::Array(items), Json::Array(kept)) => {
            for (i, (item, other)) in items.iter().zip(kept).enumerate() {
                path.push(PathPart::Index(i));
                if first_lost(item, other, path) {
                    return true;
                }
                path.pop();
            }
            false
        }
        _ => false,
    }
}

/// serde_path_to_error's `spec.template.spec.containers[0].image` back into parts.
fn parse_serde_path(text: &str) -> Vec<PathPart> {
    if text == "." {
        return Vec::new();
    }
    let mut parts = Vec::new();
    for segment in text.split('.') {
        let mut rest = segment;
        if let Some(i) = rest.find('[') {
            if i > 0 {
                parts.push(PathPart::Key(rest[..i].to_string()));
            }
            rest = &rest[i..];
            while let Some(close) = rest.find(']') {
                if let Ok(n) = rest[1..close].parse() {
                    parts.push(PathPart::Index(n));
                }
                rest = &rest[close + 1..];
            }
        } else if !rest.is_empty() {
            parts.push(PathPart::Key(rest.to_string()));
        }
    }
    parts
}
