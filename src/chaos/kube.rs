//! The experiments that act on a cluster: deleting pods, the backend's injected errors or
//! latency, losing a node. Every change is marked with the stack and the experiment
//! (`multiregion.dev/chaos`), so `chaos --cleanup` — and every `chaos` run, before its own —
//! finds what an experiment that was killed left behind.

use std::collections::BTreeSet;
use std::time::Duration;

use async_trait::async_trait;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Node, Pod};
use kube::api::{Api, DeleteParams, EvictParams, ListParams, Patch, PatchParams};
use serde_json::json;
use tokio::sync::Mutex;

use super::run::Fault;
use crate::workloads::render::LABEL_STACK;

/// On what an experiment changed: the experiment's name.
pub const LABEL_CHAOS: &str = "multiregion.dev/chaos";
/// On what an experiment changed: the stack, the run and what to undo, as JSON.
pub const ANNOTATION_INTENT: &str = "multiregion.dev/chaos-intent";
const CHAOS_MANAGER: &str = "multiregion-chaos";

/// The Deployment an experiment works on, and the stack's own version of it (to restore).
pub struct Workload {
    pub client: kube::Client,
    pub cluster: String,
    pub stack: String,
    pub namespace: String,
    pub name: String,
    /// The Deployment as the stack renders it.
    pub manifest: serde_json::Value,
}

impl Workload {
    fn deployments(&self) -> Api<Deployment> {
        Api::namespaced(self.client.clone(), &self.namespace)
    }

    fn pods(&self) -> Api<Pod> {
        Api::namespaced(self.client.clone(), &self.namespace)
    }

    fn describe(&self) -> String {
        format!("{}/{} on {}", self.namespace, self.name, self.cluster)
    }

    async fn read(&self) -> Result<Deployment, String> {
        self.deployments()
            .get(&self.name)
            .await
            .map_err(|e| format!("reading Deployment {}: {e}", self.describe()))
    }

    /// Every replica updated and available, as the rollout wait reads it.
    pub async fn rolled_out(&self) -> Result<bool, String> {
        Ok(rolled_out(&self.read().await?))
    }

    /// The Deployment's pods that are not being deleted, with their nodes, and whether it is
    /// rolled out: one read of each.
    async fn live_pods(&self) -> Result<(Vec<(String, Option<String>)>, bool), String> {
        let d = self.read().await?;
        let whole = rolled_out(&d);
        let selector = d
            .spec
            .and_then(|s| s.selector.match_labels)
            .unwrap_or_default()
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(",");
        let pods = self
            .pods()
            .list(&ListParams::default().labels(&selector))
            .await
            .map_err(|e| format!("listing the pods of {}: {e}", self.describe()))?;
        let pods = pods
            .items
            .into_iter()
            .filter(|p| p.metadata.deletion_timestamp.is_none())
            .map(|p| {
                let node = p.spec.and_then(|s| s.node_name);
                (p.metadata.name.unwrap_or_default(), node)
            })
            .collect();
        Ok((pods, whole))
    }

    /// Puts the stack's own Deployment back (server-side apply, as `up` does) and removes the
    /// experiment's marks.
    pub async fn restore(&self) -> Result<(), String> {
        let params = PatchParams::apply(crate::workloads::sync::FIELD_MANAGER).force();
        self.deployments()
            .patch(&self.name, &params, &Patch::Apply(&self.manifest))
            .await
            .map_err(|e| format!("restoring Deployment {}: {e}", self.describe()))?;
        let unmark = json!({"metadata": {
            "labels": {LABEL_CHAOS: null},
            "annotations": {ANNOTATION_INTENT: null},
        }});
        self.deployments()
            .patch(&self.name, &PatchParams::default(), &Patch::Merge(&unmark))
            .await
            .map_err(|e| format!("unmarking Deployment {}: {e}", self.describe()))?;
        Ok(())
    }
}

fn rolled_out(d: &Deployment) -> bool {
    let want = d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
    let generation = d.metadata.generation.unwrap_or(0);
    let Some(s) = &d.status else { return false };
    s.observed_generation.unwrap_or(0) >= generation
        && s.updated_replicas.unwrap_or(0) == want
        && s.available_replicas.unwrap_or(0) == want
        && s.replicas.unwrap_or(0) == want
}

fn intent(stack: &str, experiment: &str, undo: &str) -> String {
    json!({
        "stack": stack,
        "experiment": experiment,
        "since": crate::lock::now_text(),
        "undo": undo,
        "by": format!("pid {} on {}", std::process::id(), crate::lock::host_name()),
    })
    .to_string()
}

/// `pod-kill`: delete pods of the Deployment; whole again once it has every replica
/// available and none of the deleted pods is left.
pub struct PodKill {
    pub workload: Workload,
    pub count: usize,
    pub killed: Mutex<BTreeSet<String>>,
}

#[async_trait]
impl Fault for PodKill {
    async fn healthy(&self) -> Result<bool, String> {
        let killed = self.killed.lock().await.clone();
        let (pods, whole) = self.workload.live_pods().await?;
        let left = pods.iter().any(|(name, _)| killed.contains(name));
        Ok(!left && whole)
    }

    async fn inject(&self) -> Result<String, String> {
        let (mut pods, _) = self.workload.live_pods().await?;
        pods.sort();
        let chosen: Vec<String> = pods.into_iter().take(self.count).map(|p| p.0).collect();
        if chosen.is_empty() {
            return Err(format!("{} has no pod to delete", self.workload.describe()));
        }
        for name in &chosen {
            self.workload
                .pods()
                .delete(name, &DeleteParams::default())
                .await
                .map_err(|e| format!("deleting pod {name}: {e}"))?;
            self.killed.lock().await.insert(name.clone());
        }
        Ok(format!(
            "deleted pod{} {} of {}",
            if chosen.len() == 1 { "" } else { "s" },
            chosen.join(", "),
            self.workload.describe()
        ))
    }

    async fn rollback(&self) -> Result<String, String> {
        Ok("nothing to undo: the Deployment replaces its pods".into())
    }

    fn lasts(&self) -> Option<Duration> {
        None
    }
}

/// `errors` / `latency`: the backend's injected error share or delay turned on for a while,
/// then the stack's setting put back.
pub struct Flags {
    pub workload: Workload,
    pub experiment: &'static str,
    /// The podinfo flags to set, such as `--random-error=true`.
    pub set: Vec<(String, String)>,
    pub lasts: Duration,
}

#[async_trait]
impl Fault for Flags {
    async fn healthy(&self) -> Result<bool, String> {
        self.workload.rolled_out().await
    }

    async fn inject(&self) -> Result<String, String> {
        let w = &self.workload;
        let d = w.read().await?;
        let container = d
            .spec
            .and_then(|s| s.template.spec)
            .and_then(|s| s.containers.into_iter().next())
            .ok_or_else(|| format!("{} has no container", w.describe()))?;
        let args = with_flags(container.args.unwrap_or_default(), &self.set);
        let undo = "restore the stack's Deployment (server-side apply), then remove these marks";
        let patch = json!({
            "metadata": {
                "labels": {LABEL_CHAOS: self.experiment},
                "annotations": {ANNOTATION_INTENT: intent(&w.stack, self.experiment, undo)},
            },
            "spec": {"template": {"spec": {"containers": [
                {"name": container.name, "args": args}
            ]}}},
        });
        let params = PatchParams {
            field_manager: Some(CHAOS_MANAGER.into()),
            ..PatchParams::default()
        };
        w.deployments()
            .patch(&w.name, &params, &Patch::Strategic(&patch))
            .await
            .map_err(|e| format!("patching Deployment {}: {e}", w.describe()))?;
        let set: Vec<String> = self.set.iter().map(|(k, v)| format!("{k}={v}")).collect();
        Ok(format!("set {} on {}", set.join(" "), w.describe()))
    }

    async fn rollback(&self) -> Result<String, String> {
        self.workload.restore().await?;
        Ok(format!(
            "restored the stack's Deployment {}",
            self.workload.describe()
        ))
    }

    fn lasts(&self) -> Option<Duration> {
        Some(self.lasts)
    }
}

/// `args` with each `--flag=value` of `set` replaced, or added when missing.
pub fn with_flags(mut args: Vec<String>, set: &[(String, String)]) -> Vec<String> {
    for (flag, value) in set {
        let prefix = format!("{flag}=");
        let item = format!("{flag}={value}");
        match args
            .iter_mut()
            .find(|a| a.starts_with(&prefix) || *a == flag)
        {
            Some(a) => *a = item,
            None => args.push(item),
        }
    }
    args
}

/// `node-loss`: the node running most of the Deployment's pods is cordoned and the
/// Deployment's pods on it evicted (as a drain would, respecting disruption budgets); whole
/// again once every replica is available elsewhere. The node is uncordoned at the end.
pub struct NodeLoss {
    pub workload: Workload,
    pub node: Mutex<Option<String>>,
}

impl NodeLoss {
    fn nodes(&self) -> Api<Node> {
        Api::all(self.workload.client.clone())
    }
}

#[async_trait]
impl Fault for NodeLoss {
    async fn healthy(&self) -> Result<bool, String> {
        let lost = self.node.lock().await.clone();
        let (pods, whole) = self.workload.live_pods().await?;
        let on_lost = pods.iter().any(|(_, n)| lost.is_some() && *n == lost);
        Ok(!on_lost && whole)
    }

    async fn inject(&self) -> Result<String, String> {
        let w = &self.workload;
        let (pods, _) = w.live_pods().await?;
        let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
        for node in pods.iter().filter_map(|p| p.1.clone()) {
            *counts.entry(node).or_default() += 1;
        }
        let node = counts
            .iter()
            .max_by_key(|(name, n)| (**n, std::cmp::Reverse((*name).clone())))
            .map(|(name, _)| name.clone())
            .ok_or_else(|| format!("no pod of {} runs on a node", w.describe()))?;
        *self.node.lock().await = Some(node.clone());
        let undo = "uncordon the node, then remove these marks";
        let cordon = json!({
            "metadata": {
                "labels": {LABEL_CHAOS: "node-loss"},
                "annotations": {ANNOTATION_INTENT: intent(&w.stack, "node-loss", undo)},
            },
            "spec": {"unschedulable": true},
        });
        self.nodes()
            .patch(&node, &PatchParams::default(), &Patch::Merge(&cordon))
            .await
            .map_err(|e| format!("cordoning node {node}: {e}"))?;
        let mut evicted = Vec::new();
        for (pod, _) in pods.iter().filter(|p| p.1.as_deref() == Some(&node)) {
            evict(&w.pods(), pod).await?;
            evicted.push(pod.clone());
        }
        Ok(format!(
            "cordoned node {node} of {} and evicted {}",
            w.cluster,
            evicted.join(", ")
        ))
    }

    async fn rollback(&self) -> Result<String, String> {
        let Some(node) = self.node.lock().await.clone() else {
            return Ok("no node was cordoned".into());
        };
        uncordon(&self.nodes(), &node).await?;
        Ok(format!("uncordoned node {node}"))
    }

    fn lasts(&self) -> Option<Duration> {
        None
    }
}

/// An eviction a disruption budget refuses (429) is asked again, for up to a minute.
async fn evict(pods: &Api<Pod>, name: &str) -> Result<(), String> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        match pods.evict(name, &EvictParams::default()).await {
            Ok(_) => return Ok(()),
            Err(kube::Error::Api(e)) if e.code == 404 => return Ok(()),
            Err(kube::Error::Api(e)) if e.code == 429 && tokio::time::Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            Err(e) => return Err(format!("evicting pod {name}: {e}")),
        }
    }
}

async fn uncordon(nodes: &Api<Node>, node: &str) -> Result<(), String> {
    let patch = json!({
        "metadata": {"labels": {LABEL_CHAOS: null}, "annotations": {ANNOTATION_INTENT: null}},
        "spec": {"unschedulable": null},
    });
    match nodes
        .patch(node, &PatchParams::default(), &Patch::Merge(&patch))
        .await
    {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(e)) if e.code == 404 => Ok(()),
        Err(e) => Err(format!("uncordoning node {node}: {e}")),
    }
}

/// What killed experiments left in a cluster: nodes still cordoned and Deployments still
/// carrying a fault, each undone. `restore` gives the stack's version of a marked Deployment.
pub async fn cleanup(
    client: &kube::Client,
    cluster: &str,
    stack: &str,
    restore: impl Fn(&str, &str) -> Option<Workload>,
) -> Result<Vec<String>, String> {
    let mut done = Vec::new();
    let marked = ListParams::default().labels(LABEL_CHAOS);
    let nodes: Api<Node> = Api::all(client.clone());
    let listed = nodes
        .list(&marked)
        .await
        .map_err(|e| format!("listing nodes of {cluster}: {e}"))?;
    for node in listed.items {
        let ours = node
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get(ANNOTATION_INTENT))
            .and_then(|i| serde_json::from_str::<serde_json::Value>(i).ok())
            .is_some_and(|i| i["stack"] == stack);
        let name = node.metadata.name.unwrap_or_default();
        if ours {
            uncordon(&nodes, &name).await?;
            done.push(format!("uncordoned node {name} of {cluster}"));
        }
    }
    let deployments: Api<Deployment> = Api::all(client.clone());
    let ours = ListParams::default().labels(&format!("{LABEL_CHAOS},{LABEL_STACK}={stack}"));
    let listed = deployments
        .list(&ours)
        .await
        .map_err(|e| format!("listing Deployments of {cluster}: {e}"))?;
    for d in listed.items {
        let namespace = d.metadata.namespace.unwrap_or_default();
        let name = d.metadata.name.unwrap_or_default();
        let Some(workload) = restore(&namespace, &name) else {
            return Err(format!(
                "Deployment {namespace}/{name} on {cluster} carries a fault, but the stack no \
                 longer renders it: remove it, or run `up`"
            ));
        };
        workload.restore().await?;
        done.push(format!(
            "restored the stack's Deployment {}",
            workload.describe()
        ));
    }
    Ok(done)
}
