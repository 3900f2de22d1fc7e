//! Waiting for a Deployment to roll out, and saying why when it does not: the pods' own
//! reasons (ImagePullBackOff, CrashLoopBackOff, Unschedulable ...), not just "timed out".

use std::collections::BTreeSet;
use std::time::Duration;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams};
use tokio::time::Instant;

use super::connect::ClusterApi;
use super::{WorkloadError, api_error};
use crate::engine::progress::Progress;

const POLL: Duration = Duration::from_secs(5);
/// Progress lines for a long rollout come this often.
const REPORT_EVERY: Duration = Duration::from_secs(20);

/// Waits until every replica of `namespace/name` runs the newest template and is available.
pub async fn wait(
    api: &ClusterApi,
    namespace: &str,
    name: &str,
    timeout: Duration,
    progress: &dyn Progress,
) -> Result<(), WorkloadError> {
    let label = format!("{}/{namespace}/{name}: rollout", api.cluster);
    let started = Instant::now();
    let mut reported = started;
    loop {
        let client = api.client().await?;
        let deployments: Api<Deployment> = Api::namespaced(client, namespace);
        let deployment = deployments
            .get(name)
            .await
            .map_err(|e| api_error(api, format!("reading Deployment {namespace}/{name}"), e))?;
        let state = State::of(&deployment);
        if state.done {
            return Ok(());
        }
        let elapsed = started.elapsed();
        if state.deadline_exceeded || elapsed >= timeout {
            let why = if state.deadline_exceeded {
                "its progress deadline passed".to_string()
            } else {
                format!("not done after {}s", timeout.as_secs())
            };
            let reasons = pod_reasons(api, namespace, &deployment).await;
            return Err(WorkloadError::Rollout {
                cluster: api.cluster.clone(),
                deployment: format!("{namespace}/{name}"),
                why: format!("{why} ({})", state.summary),
                reasons,
            });
        }
        if reported.elapsed() >= REPORT_EVERY {
            progress.waiting(&label, &state.summary, elapsed);
            reported = Instant::now();
        }
        tokio::time::sleep(POLL).await;
    }
}

struct State {
    done: bool,
    deadline_exceeded: bool,
    summary: String,
}

impl State {
    /// kubectl's rule: the controller saw the newest generation, every replica is updated and
    /// available, and no old replica is left.
    fn of(d: &Deployment) -> State {
        let want = d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
        let generation = d.metadata.generation.unwrap_or(0);
        let status = d.status.clone().unwrap_or_default();
        let observed = status.observed_generation.unwrap_or(0) >= generation;
        let updated = status.updated_replicas.unwrap_or(0);
        let available = status.available_replicas.unwrap_or(0);
        let total = status.replicas.unwrap_or(0);
        let deadline_exceeded = status.conditions.iter().flatten().any(|c| {
            c.type_ == "Progressing" && c.reason.as_deref() == Some("ProgressDeadlineExceeded")
        });
        State {
            done: observed && updated >= want && available >= want && total <= updated,
            deadline_exceeded,
            summary: format!("{updated}/{want} updated, {available} available"),
        }
    }
}

/// What the Deployment's pods say about themselves; best effort, as the rollout already failed.
async fn pod_reasons(api: &ClusterApi, namespace: &str, deployment: &Deployment) -> Vec<String> {
    let selector = deployment
        .spec
        .as_ref()
        .and_then(|s| s.selector.match_labels.clone())
        .unwrap_or_default()
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",");
    let Ok(client) = api.client().await else {
        return Vec::new();
    };
    let pods: Api<Pod> = Api::namespaced(client, namespace);
    let Ok(list) = pods.list(&ListParams::default().labels(&selector)).await else {
        return vec!["the pods could not be listed".into()];
    };
    let mut reasons = BTreeSet::new();
    for pod in list.items {
        let pod_name = pod.metadata.name.clone().unwrap_or_default();
        let Some(status) = pod.status else { continue };
        for c in status.conditions.iter().flatten() {
            if c.type_ == "PodScheduled" && c.status == "False" {
                let reason = c.reason.clone().unwrap_or_else(|| "Unschedulable".into());
                let message = c.message.clone().unwrap_or_default();
                reasons.insert(format!("{pod_name}: {reason}: {message}"));
            }
        }
        let containers = status.init_container_statuses.iter().flatten();
        for c in containers.chain(status.container_statuses.iter().flatten()) {
            let state = c.state.as_ref();
            if let Some(waiting) = state.and_then(|s| s.waiting.as_ref()) {
                let reason = waiting.reason.clone().unwrap_or_default();
                if reason == "ContainerCreating" || reason == "PodInitializing" {
                    continue;
                }
                let message = waiting.message.clone().unwrap_or_default();
                reasons.insert(format!("{pod_name}/{}: {reason}: {message}", c.name));
            } else if let Some(ended) = state.and_then(|s| s.terminated.as_ref()) {
                let reason = ended.reason.clone().unwrap_or_default();
                reasons.insert(format!(
                    "{pod_name}/{}: {reason} (exit code {})",
                    c.name, ended.exit_code
                ));
            } else if !c.ready {
                reasons.insert(format!("{pod_name}/{}: running but not ready", c.name));
            }
        }
    }
    reasons.into_iter().collect()
}
