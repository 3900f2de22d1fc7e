//! One cluster's workloads against what it runs: kinds resolved by discovery (one call per API
//! group version), drift found by a server-side dry-run apply compared with the live object,
//! changes made by server-side apply (field manager `multiregion`, forced), and objects that
//! carry the stack's label but are no longer in the manifests pruned.

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use kube::api::{
    Api, ApiResource, DeleteParams, DynamicObject, ListParams, Patch, PatchParams,
    PropagationPolicy,
};
use kube::discovery::{ApiCapabilities, Scope};
use serde::Serialize;
use serde_json::Value as Json;

use super::connect::ClusterApi;
use super::render::{LABEL_STACK, Manifest};
use super::{WorkloadError, api_error};

pub const FIELD_MANAGER: &str = "multiregion";

/// Kinds looked through for objects to prune even when the manifests no longer use them.
const PRUNABLE: &[(&str, &str)] = &[
    ("v1", "Namespace"),
    ("v1", "Service"),
    ("v1", "ConfigMap"),
    ("v1", "ServiceAccount"),
    ("apps/v1", "Deployment"),
    ("policy/v1", "PodDisruptionBudget"),
    ("autoscaling/v2", "HorizontalPodAutoscaler"),
    ("networking.k8s.io/v1", "NetworkPolicy"),
];

/// How often a conflicting apply (409) is tried again before it counts as a failure.
const CONFLICT_ATTEMPTS: u32 = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Create,
    Update,
    Delete,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "prune",
        }
    }
}

/// One object to create, change or prune in one cluster.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkloadChange {
    pub cluster: String,
    pub action: Action,
    /// `Deployment frontend/frontend`.
    pub object: String,
    /// The differing fields of an update (`spec.replicas`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<String>,
    #[serde(skip)]
    target: Target,
}

#[derive(Debug, Clone)]
enum Target {
    /// Index into the manifests the plan was made from.
    Manifest(usize),
    Live(LiveObject),
}

#[derive(Debug, Clone)]
struct LiveObject {
    resource: ApiResource,
    namespaced: bool,
    namespace: Option<String>,
    name: String,
}

type Kind = (ApiResource, ApiCapabilities);

/// The plan for a cluster that does not exist yet: every object is new.
pub fn all_new(cluster: &str, manifests: &[Manifest]) -> Vec<WorkloadChange> {
    manifests
        .iter()
        .enumerate()
        .map(|(i, m)| WorkloadChange {
            cluster: cluster.to_string(),
            action: Action::Create,
            object: m.describe(),
            fields: Vec::new(),
            target: Target::Manifest(i),
        })
        .collect()
}

/// A conversation with one cluster; remembers the kinds it has resolved.
pub struct Session<'a> {
    pub api: &'a ClusterApi,
    stack: String,
    groups: HashMap<String, Vec<Kind>>,
}

impl<'a> Session<'a> {
    pub fn new(api: &'a ClusterApi, stack: &str) -> Self {
        Session {
            api,
            stack: stack.to_string(),
            groups: HashMap::new(),
        }
    }

    fn cluster(&self) -> String {
        self.api.cluster.clone()
    }

    /// The resource behind `apiVersion`/`kind`; `None` when the cluster does not serve it.
    async fn resolve(
        &mut self,
        api_version: &str,
        kind: &str,
    ) -> Result<Option<Kind>, WorkloadError> {
        if !self.groups.contains_key(api_version) {
            let client = self.api.client().await?;
            let gv: kube::core::GroupVersion =
                api_version.parse().map_err(|e| WorkloadError::Other {
                    cluster: self.cluster(),
                    message: format!("`{api_version}` is not an apiVersion: {e}"),
                })?;
            let kinds = match kube::discovery::pinned_group(&client, &gv).await {
                Ok(group) => group.versioned_resources(&gv.version),
                Err(kube::Error::Api(s)) if s.is_not_found() => Vec::new(),
                Err(e) => return Err(api_error(self.api, format!("discovering {api_version}"), e)),
            };
            self.groups.insert(api_version.to_string(), kinds);
        }
        Ok(self.groups[api_version]
            .iter()
            .find(|(r, _)| r.kind == kind)
            .cloned())
    }

    fn forget(&mut self, api_version: &str) {
        self.groups.remove(api_version);
    }

    async fn dynamic(
        &self,
        (resource, caps): &Kind,
        namespace: Option<&str>,
    ) -> Result<Api<DynamicObject>, WorkloadError> {
        let client = self.api.client().await?;
        Ok(match (caps.scope == Scope::Namespaced, namespace) {
            (true, Some(ns)) => Api::namespaced_with(client, ns, resource),
            (true, None) => Api::namespaced_with(client, "default", resource),
            (false, _) => Api::all_with(client, resource),
        })
    }

    /// What applying `manifests` would change: missing objects, objects whose fields differ
    /// from a server-side dry run of the apply, and labelled objects no manifest names.
    pub async fn plan(
        &mut self,
        manifests: &[Manifest],
    ) -> Result<Vec<WorkloadChange>, WorkloadError> {
        let mut changes = Vec::new();
        let cluster = self.cluster();
        for (i, m) in manifests.iter().enumerate() {
            let change = |action, fields| WorkloadChange {
                cluster: cluster.clone(),
                action,
                object: m.describe(),
                fields,
                target: Target::Manifest(i),
            };
            // A kind the cluster does not serve yet comes with a CRD in the same manifests
            // (validation makes sure of that): it will exist after the apply.
            let Some(kind) = self.resolve(m.api_version(), m.kind()).await? else {
                changes.push(change(Action::Create, Vec::new()));
                continue;
            };
            let api = self.dynamic(&kind, m.namespace()).await?;
            let live = api
                .get_opt(m.name())
                .await
                .map_err(|e| api_error(self.api, format!("reading {}", m.describe()), e))?;
            let Some(live) = live else {
                changes.push(change(Action::Create, Vec::new()));
                continue;
            };
            let params = PatchParams::apply(FIELD_MANAGER).force().dry_run();
            let would_be = api
                .patch(m.name(), &params, &Patch::Apply(&m.object))
                .await
                .map_err(|e| {
                    api_error(self.api, format!("dry-run applying {}", m.describe()), e)
                })?;
            let mut fields = differences(&to_json(&live), &to_json(&would_be));
            // The autoscaler moves `replicas`; that is not drift (an apply for another reason
            // still sets the stack's count, which the autoscaler then adjusts).
            if autoscaled(manifests, m) {
                fields.retain(|f| f != "spec.replicas");
            }
            if !fields.is_empty() {
                changes.push(change(Action::Update, fields));
            }
        }
        changes.extend(self.extras(manifests).await?);
        Ok(changes)
    }

    /// Objects labelled with the stack, of any kind the manifests or [`PRUNABLE`] name, that no
    /// manifest names any more. Namespaces come last, since deleting one deletes its contents.
    async fn extras(
        &mut self,
        manifests: &[Manifest],
    ) -> Result<Vec<WorkloadChange>, WorkloadError> {
        let wanted: BTreeSet<(String, String, Option<String>, String)> = manifests
            .iter()
            .map(|m| {
                (
                    m.api_version().to_string(),
                    m.kind().to_string(),
                    m.namespace().map(str::to_string),
                    m.name().to_string(),
                )
            })
            .collect();
        let mut kinds: Vec<(String, String)> = Vec::new();
        for (v, k) in PRUNABLE
            .iter()
            .map(|(v, k)| (v.to_string(), k.to_string()))
            .chain(
                manifests
                    .iter()
                    .map(|m| (m.api_version().to_string(), m.kind().to_string())),
            )
        {
            if !kinds.contains(&(v.clone(), k.clone())) {
                kinds.push((v, k));
            }
        }
        kinds.sort_by_key(|(_, k)| k == "Namespace");
        let selector = ListParams::default().labels(&format!("{LABEL_STACK}={}", self.stack));
        let mut extras = Vec::new();
        for (api_version, kind) in kinds {
            let Some(found) = self.resolve(&api_version, &kind).await? else {
                continue;
            };
            let namespaced = found.1.scope == Scope::Namespaced;
            let client = self.api.client().await?;
            let api: Api<DynamicObject> = Api::all_with(client, &found.0);
            let listed = api
                .list(&selector)
                .await
                .map_err(|e| api_error(self.api, format!("listing {kind} objects"), e))?;
            for object in listed.items {
                let name = object.metadata.name.clone().unwrap_or_default();
                let namespace = object.metadata.namespace.clone();
                // A manifest without a namespace lands in `default`.
                let as_written = if namespaced && namespace.as_deref() == Some("default") {
                    vec![namespace.clone(), None]
                } else {
                    vec![namespace.clone()]
                };
                let listed_in_manifests = as_written.into_iter().any(|ns| {
                    wanted.contains(&(api_version.clone(), kind.clone(), ns, name.clone()))
                });
                if listed_in_manifests {
                    continue;
                }
                let object_text = match &namespace {
                    Some(ns) => format!("{kind} {ns}/{name}"),
                    None => format!("{kind} {name}"),
                };
                extras.push(WorkloadChange {
                    cluster: self.cluster(),
                    action: Action::Delete,
                    object: object_text,
                    fields: Vec::new(),
                    target: Target::Live(LiveObject {
                        resource: found.0.clone(),
                        namespaced,
                        namespace,
                        name,
                    }),
                });
            }
        }
        Ok(extras)
    }

    /// Carries out a plan made from `manifests`: namespaces and CRDs first, then the rest in
    /// manifest order, then the prunes.
    pub async fn apply(
        &mut self,
        manifests: &[Manifest],
        changes: &[WorkloadChange],
    ) -> Result<(), WorkloadError> {
        let rank = |m: &Manifest| match m.kind() {
            "Namespace" => 0,
            "CustomResourceDefinition" => 1,
            _ => 2,
        };
        let mut applies: Vec<usize> = changes
            .iter()
            .filter_map(|c| match c.target {
                Target::Manifest(i) => Some(i),
                Target::Live(_) => None,
            })
            .collect();
        applies.sort_by_key(|&i| (rank(&manifests[i]), i));
        for i in applies {
            self.apply_one(&manifests[i]).await?;
        }
        for change in changes {
            if let Target::Live(object) = &change.target {
                self.delete(object, &change.object).await?;
            }
        }
        Ok(())
    }

    async fn apply_one(&mut self, m: &Manifest) -> Result<(), WorkloadError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let kind = match self.resolve(m.api_version(), m.kind()).await? {
                Some(kind) => kind,
                // A custom kind whose CRD was just applied is served a moment later.
                None if attempt < CONFLICT_ATTEMPTS => {
                    self.forget(m.api_version());
                    tokio::time::sleep(Duration::from_secs(2)).await;
                    continue;
                }
                None => {
                    return Err(WorkloadError::Other {
                        cluster: self.cluster(),
                        message: format!(
                            "{}: the cluster does not serve `{}` `{}`",
                            m.describe(),
                            m.api_version(),
                            m.kind()
                        ),
                    });
                }
            };
            let api = self.dynamic(&kind, m.namespace()).await?;
            let params = PatchParams::apply(FIELD_MANAGER).force();
            match api.patch(m.name(), &params, &Patch::Apply(&m.object)).await {
                Ok(_) => return Ok(()),
                // Someone changed the object between our read and write; forced apply settles
                // field ownership, so trying again is enough.
                Err(kube::Error::Api(s)) if s.is_conflict() && attempt < CONFLICT_ATTEMPTS => {
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
                Err(e) => return Err(api_error(self.api, format!("applying {}", m.describe()), e)),
            }
        }
    }

    async fn delete(&self, object: &LiveObject, text: &str) -> Result<(), WorkloadError> {
        let client = self.api.client().await?;
        let api: Api<DynamicObject> = match (&object.namespace, object.namespaced) {
            (Some(ns), true) => Api::namespaced_with(client, ns, &object.resource),
            _ => Api::all_with(client, &object.resource),
        };
        let params = DeleteParams {
            propagation_policy: Some(PropagationPolicy::Background),
            ..Default::default()
        };
        match api.delete(&object.name, &params).await {
            Ok(_) => Ok(()),
            Err(kube::Error::Api(s)) if s.is_not_found() => Ok(()),
            Err(e) => Err(api_error(self.api, format!("pruning {text}"), e)),
        }
    }
}

/// Whether a HorizontalPodAutoscaler among `manifests` scales `m`.
fn autoscaled(manifests: &[Manifest], m: &Manifest) -> bool {
    manifests.iter().any(|h| {
        let target = &h.object["spec"]["scaleTargetRef"];
        h.kind() == "HorizontalPodAutoscaler"
            && h.namespace() == m.namespace()
            && target["kind"].as_str() == Some(m.kind())
            && target["name"].as_str() == Some(m.name())
    })
}

fn to_json<T: Serialize>(value: &T) -> Json {
    serde_json::to_value(value).unwrap_or(Json::Null)
}

/// Field paths where the dry-run result differs from the live object, leaving out what the
/// server keeps for itself (status, resource versions, managed-fields bookkeeping).
pub fn differences(live: &Json, would_be: &Json) -> Vec<String> {
    let mut out = Vec::new();
    let (Some(live), Some(would_be)) = (live.as_object(), would_be.as_object()) else {
        return out;
    };
    let keys: BTreeSet<&String> = live.keys().chain(would_be.keys()).collect();
    for key in keys {
        if key == "status" {
            continue;
        }
        let (a, b) = (live.get(key), would_be.get(key));
        if key == "metadata" {
            let strip = |m: Option<&Json>| {
                let mut m = m.cloned().unwrap_or(Json::Null);
                if let Some(map) = m.as_object_mut() {
                    for volatile in [
                        "managedFields",
                        "resourceVersion",
                        "generation",
                        "uid",
                        "creationTimestamp",
                    ] {
                        map.remove(volatile);
                    }
                }
                m
            };
            walk(&strip(a), &strip(b), key.clone(), &mut out);
        } else {
            walk(
                a.unwrap_or(&Json::Null),
                b.unwrap_or(&Json::Null),
                key.clone(),
                &mut out,
            );
        }
    }
    out
}

fn walk(a: &Json, b: &Json, path: String, out: &mut Vec<String>) {
    match (a, b) {
        (Json::Object(x), Json::Object(y)) => {
            let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                let (p, q) = (
                    x.get(k).unwrap_or(&Json::Null),
                    y.get(k).unwrap_or(&Json::Null),
                );
                walk(p, q, format!("{path}.{k}"), out);
            }
        }
        (Json::Array(x), Json::Array(y)) if x.len() == y.len() => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                walk(p, q, format!("{path}[{i}]"), out);
            }
        }
        _ if a != b => out.push(path),
        _ => {}
    }
}
