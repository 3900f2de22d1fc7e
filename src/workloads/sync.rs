//! One cluster's workloads against what it runs: drift found by a server-side dry-run apply
//! compared with the live object (new objects are dry-run too, so an invalid one is found by
//! `plan`), changes made by server-side apply (field manager `multiregion`, forced), an
//! immutable field changed made a replacement, and what the manifests no longer name pruned
//! (`prune.rs`).

use std::collections::BTreeSet;
use std::time::Duration;

use kube::api::{Api, DeleteParams, DynamicObject, Patch, PatchParams, PropagationPolicy};
use kube::discovery::Scope;
use serde::Serialize;
use serde_json::{Value as Json, json};
use tokio::time::Instant;

use super::connect::ClusterApi;
use super::discovery::{self, Discovery, Kind};
use super::render::{LABEL_REGION, LABEL_STACK, Manifest};
use super::{WorkloadError, api_error};
use crate::progress::Progress;

pub const FIELD_MANAGER: &str = "multiregion";
/// Holds a Deployment's `spec.replicas` for a moment while its HorizontalPodAutoscaler takes
/// them over: a field the only applier drops is reset (to 1 replica), one another manager
/// still holds is kept.
const REPLICAS_HANDOVER: &str = "multiregion-replicas-handover";
/// How long a deleted object (a replacement, a terminating namespace) may take to be gone.
const GONE_WITHIN: Duration = Duration::from_secs(300);
const GONE_POLL: Duration = Duration::from_secs(1);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Create,
    Update,
    /// Deleted and created again: a field the server will not change in place differs.
    Replace,
    Delete,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Replace => "replace",
            Action::Delete => "prune",
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            Action::Create => "+",
            Action::Update => "~",
            Action::Replace => "-/+",
            Action::Delete => "-",
        }
    }
}

/// Whose objects these are: the stack's, in one of its regions.
#[derive(Debug, Clone)]
pub struct Owner {
    pub stack: String,
    /// The stack's name for the region (`c1`).
    pub region: String,
}

impl Owner {
    /// The label selector of the objects this owner put in a cluster.
    pub fn selector(&self) -> String {
        format!(
            "{LABEL_STACK}={},{LABEL_REGION}={}",
            self.stack, self.region
        )
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
    /// The differing fields of an update or a replacement (`spec.replicas`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<String>,
    /// What `up` will have to wait for first (a namespace still terminating).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(skip)]
    pub(super) target: Target,
}

#[derive(Debug, Clone)]
pub(super) enum Target {
    Manifest {
        /// Index into the manifests the plan was made from.
        index: usize,
        /// The object exists (and stays): an autoscaled Deployment is applied without its
        /// replicas.
        exists: bool,
        /// The live Deployment's replicas, when its autoscaler must be handed them first.
        handover: Option<i64>,
        /// The object exists but is being deleted; the apply waits until it is gone.
        terminating: bool,
    },
    Live(LiveObject),
}

#[derive(Debug, Clone)]
pub(super) struct LiveObject {
    pub(super) kind: Kind,
    pub(super) namespace: Option<String>,
    pub(super) name: String,
}

/// The plan for a cluster that does not exist yet: every object is new.
pub fn all_new(cluster: &str, manifests: &[Manifest]) -> Vec<WorkloadChange> {
    manifests
        .iter()
        .enumerate()
        .map(|(index, m)| WorkloadChange {
            cluster: cluster.to_string(),
            action: Action::Create,
            object: m.describe(),
            fields: Vec::new(),
            note: None,
            target: Target::Manifest {
                index,
                exists: false,
                handover: None,
                terminating: false,
            },
        })
        .collect()
}

/// Namespaces first (their contents need them), then CRDs (custom resources need them).
fn rank(m: &Manifest) -> u8 {
    match m.kind() {
        "Namespace" => 0,
        "CustomResourceDefinition" => 1,
        _ => 2,
    }
}

/// A conversation with one cluster; remembers the kinds it has resolved.
pub struct Session<'a> {
    pub api: &'a ClusterApi,
    pub(super) owner: Owner,
    pub(super) discovery: Discovery,
}

impl<'a> Session<'a> {
    pub fn new(api: &'a ClusterApi, owner: Owner) -> Self {
        Session {
            api,
            owner,
            discovery: Discovery::default(),
        }
    }

    pub(super) fn cluster(&self) -> String {
        self.api.cluster.clone()
    }

    pub(super) async fn dynamic(
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

    /// What applying `manifests` would change: missing objects (dry-run created, so the
    /// server's objections come now), objects whose fields differ from a server-side dry run
    /// of the apply, replacements, and labelled objects no manifest names.
    pub async fn plan(
        &mut self,
        manifests: &[Manifest],
    ) -> Result<Vec<WorkloadChange>, WorkloadError> {
        let mut order: Vec<usize> = (0..manifests.len()).collect();
        order.sort_by_key(|&i| (rank(&manifests[i]), i));
        let mut terminating_namespaces = BTreeSet::new();
        let mut planned = Vec::new();
        for index in order {
            let m = &manifests[index];
            let in_terminating = m
                .namespace()
                .is_some_and(|ns| terminating_namespaces.contains(ns));
            if let Some(change) = self.plan_one(manifests, index, in_terminating).await? {
                if let Target::Manifest {
                    terminating: true, ..
                } = change.target
                {
                    terminating_namespaces.insert(m.name().to_string());
                }
                planned.push((index, change));
            }
        }
        planned.sort_by_key(|(index, _)| *index);
        let mut changes: Vec<WorkloadChange> = planned.into_iter().map(|(_, c)| c).collect();
        changes.extend(self.extras(manifests).await?);
        Ok(changes)
    }

    async fn plan_one(
        &mut self,
        manifests: &[Manifest],
        index: usize,
        in_terminating_namespace: bool,
    ) -> Result<Option<WorkloadChange>, WorkloadError> {
        let m = &manifests[index];
        let target = |exists, handover, terminating| Target::Manifest {
            index,
            exists,
            handover,
            terminating,
        };
        let create = self.change(m, Action::Create, Vec::new(), target(false, None, false));
        // A kind the cluster does not serve yet comes with a CRD in the same manifests
        // (validation makes sure of that): it will exist after the apply.
        let Some(kind) = self
            .discovery
            .resolve(self.api, m.api_version(), m.kind())
            .await?
        else {
            return Ok(Some(create));
        };
        // Whatever is in a terminating namespace goes with it and is made again.
        if in_terminating_namespace {
            return Ok(Some(create));
        }
        let api = self.dynamic(&kind, m.namespace()).await?;
        let live = api
            .get_opt(m.name())
            .await
            .map_err(|e| self.manifest_error("reading", m, e))?;
        if let Some(live) = &live
            && live.metadata.deletion_timestamp.is_some()
        {
            let mut change = self.change(m, Action::Create, Vec::new(), target(false, None, true));
            change.note =
                Some("still terminating: `up` waits until it is gone, then creates it".into());
            return Ok(Some(change));
        }
        let exists = live.is_some();
        let body = applied_body(manifests, m, exists);
        let would_be = match dry_run(&api, m, &body).await {
            Ok(would_be) => would_be,
            // Its namespace is created by the same apply.
            Err(e) if !exists && namespace_missing(&e) => return Ok(Some(create)),
            Err(e) => match immutable_fields(&e) {
                Some(fields) if exists => {
                    let replace = target(false, None, false);
                    return Ok(Some(self.change(m, Action::Replace, fields, replace)));
                }
                _ => return Err(self.manifest_error("dry-run applying", m, e)),
            },
        };
        let Some(live) = live else {
            return Ok(Some(create));
        };
        let mut fields = differences(&to_json(&live), &to_json(&would_be));
        // The autoscaler owns `replicas` once the Deployment exists: not drift.
        if autoscaled(manifests, m) {
            fields.retain(|f| f != "spec.replicas");
        }
        let handover = replicas_to_hand_over(manifests, m, &live);
        let update = target(true, handover, false);
        Ok((!fields.is_empty()).then(|| self.change(m, Action::Update, fields, update)))
    }

    fn change(
        &self,
        m: &Manifest,
        action: Action,
        fields: Vec<String>,
        target: Target,
    ) -> WorkloadChange {
        WorkloadChange {
            cluster: self.cluster(),
            action,
            object: m.describe(),
            fields,
            note: None,
            target,
        }
    }

    /// An API error about one manifest's object, naming its file and document: what the
    /// server objects to (a 422) is then found in the manifests at once.
    pub(super) fn manifest_error(
        &self,
        doing: &str,
        m: &Manifest,
        e: kube::Error,
    ) -> WorkloadError {
        api_error(
            self.api,
            format!(
                "{doing} {} ({} document {})",
                m.describe(),
                m.file,
                m.document
            ),
            e,
        )
    }

    /// Carries out a plan made from `manifests`: namespaces and CRDs first, then the rest in
    /// manifest order, then the prunes (namespaces last).
    pub async fn apply(
        &mut self,
        manifests: &[Manifest],
        changes: &[WorkloadChange],
        progress: &dyn Progress,
    ) -> Result<(), WorkloadError> {
        let mut applies: Vec<(usize, &WorkloadChange)> = changes
            .iter()
            .filter_map(|c| match c.target {
                Target::Manifest { index, .. } => Some((index, c)),
                Target::Live(_) => None,
            })
            .collect();
        applies.sort_by_key(|&(i, _)| (rank(&manifests[i]), i));
        for (index, change) in applies {
            let m = &manifests[index];
            let Target::Manifest {
                exists,
                handover,
                terminating,
                ..
            } = change.target
            else {
                continue;
            };
            // A namespace being deleted refuses another delete (409): it is only waited for.
            if terminating || change.action == Action::Replace {
                self.delete_and_wait(m, !terminating, progress).await?;
            }
            self.apply_one(manifests, m, exists, handover).await?;
        }
        for change in changes {
            if let Target::Live(object) = &change.target {
                self.delete(object, &change.object).await?;
            }
        }
        Ok(())
    }

    async fn apply_one(
        &mut self,
        manifests: &[Manifest],
        m: &Manifest,
        exists: bool,
        handover: Option<i64>,
    ) -> Result<(), WorkloadError> {
        let kind = self
            .discovery
            .wait_served(self.api, m.api_version(), m.kind())
            .await?;
        let api = self.dynamic(&kind, m.namespace()).await?;
        if let Some(replicas) = handover {
            let hold = json!({
                "apiVersion": m.api_version(), "kind": m.kind(),
                "metadata": { "name": m.name(), "namespace": m.namespace() },
                "spec": { "replicas": replicas },
            });
            let params = PatchParams::apply(REPLICAS_HANDOVER).force();
            api.patch(m.name(), &params, &Patch::Apply(&hold))
                .await
                .map_err(|e| self.manifest_error("handing over the replicas of", m, e))?;
        }
        let body = applied_body(manifests, m, exists);
        let params = PatchParams::apply(FIELD_MANAGER).force();
        api.patch(m.name(), &params, &Patch::Apply(&body))
            .await
            .map_err(|e| self.manifest_error("applying", m, e))?;
        if m.kind() == "CustomResourceDefinition" {
            discovery::wait_established(self.api, m.name()).await?;
            for version in m.object["spec"]["versions"]
                .as_array()
                .into_iter()
                .flatten()
            {
                let group = m.object["spec"]["group"].as_str().unwrap_or_default();
                let name = version["name"].as_str().unwrap_or_default();
                self.discovery.forget(&format!("{group}/{name}"));
            }
        }
        Ok(())
    }

    /// Deletes the live object of `m` (unless it is being deleted already) and waits until
    /// the server has let it go.
    async fn delete_and_wait(
        &mut self,
        m: &Manifest,
        delete: bool,
        progress: &dyn Progress,
    ) -> Result<(), WorkloadError> {
        let Some(kind) = self
            .discovery
            .resolve(self.api, m.api_version(), m.kind())
            .await?
        else {
            return Ok(());
        };
        let api = self.dynamic(&kind, m.namespace()).await?;
        let params = DeleteParams {
            propagation_policy: Some(PropagationPolicy::Foreground),
            ..Default::default()
        };
        if delete {
            match api.delete(m.name(), &params).await {
                Ok(_) => {}
                Err(e) if discovery::is_not_found(&e) => return Ok(()),
                Err(e) => return Err(self.manifest_error("deleting", m, e)),
            }
        }
        let label = format!("{}: {} to be gone", self.api.cluster, m.describe());
        let started = Instant::now();
        loop {
            let found = api
                .get_opt(m.name())
                .await
                .map_err(|e| self.manifest_error("reading", m, e))?;
            if found.is_none() {
                return Ok(());
            }
            if started.elapsed() >= GONE_WITHIN {
                return Err(WorkloadError::Other {
                    cluster: self.cluster(),
                    message: format!(
                        "{} is still there {}s after it was deleted; its finalizers may be stuck",
                        m.describe(),
                        GONE_WITHIN.as_secs()
                    ),
                });
            }
            progress.waiting(&label, "deleting", started.elapsed());
            tokio::time::sleep(GONE_POLL).await;
        }
    }
}

async fn dry_run(
    api: &Api<DynamicObject>,
    m: &Manifest,
    body: &Json,
) -> Result<DynamicObject, kube::Error> {
    let params = PatchParams::apply(FIELD_MANAGER).force().dry_run();
    api.patch(m.name(), &params, &Patch::Apply(body)).await
}

/// What is applied for `m`: the manifest, without `spec.replicas` once an autoscaled
/// Deployment exists, so that an apply never takes capacity back from its autoscaler.
fn applied_body(manifests: &[Manifest], m: &Manifest, exists: bool) -> Json {
    let mut body = m.object.clone();
    if exists
        && autoscaled(manifests, m)
        && let Some(spec) = body.get_mut("spec").and_then(Json::as_object_mut)
    {
        spec.remove("replicas");
    }
    body
}

/// The live replicas of an autoscaled Deployment whose `spec.replicas` this tool still
/// applies: before an apply leaves the field out, another manager must hold it.
fn replicas_to_hand_over(
    manifests: &[Manifest],
    m: &Manifest,
    live: &DynamicObject,
) -> Option<i64> {
    if !autoscaled(manifests, m) {
        return None;
    }
    let owns = live.metadata.managed_fields.iter().flatten().any(|f| {
        f.manager.as_deref() == Some(FIELD_MANAGER)
            && f.operation.as_deref() == Some("Apply")
            && f.fields_v1
                .as_ref()
                .is_some_and(|v| v.0["f:spec"].get("f:replicas").is_some())
    });
    owns.then(|| live.data["spec"]["replicas"].as_i64())
        .flatten()
}

/// A 404 for a namespace that does not exist (yet).
fn namespace_missing(e: &kube::Error) -> bool {
    matches!(e, kube::Error::Api(s) if s.code == 404
        && s.details.as_ref().is_some_and(|d| d.kind == "namespaces"))
}

/// The fields of a 422 the server gave because they cannot change in place.
fn immutable_fields(e: &kube::Error) -> Option<Vec<String>> {
    let kube::Error::Api(s) = e else { return None };
    if s.code != 422 || !s.message.contains("immutable") {
        return None;
    }
    let mut fields: Vec<String> = s
        .details
        .iter()
        .flat_map(|d| &d.causes)
        .filter(|c| c.message.contains("immutable"))
        .map(|c| c.field.clone())
        .collect();
    fields.dedup();
    Some(fields)
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
