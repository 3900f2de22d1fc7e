//! Waiting for a Deployment to roll out, and saying why when it does not: the pods' own
//! reasons (ImagePullBackOff, CrashLoopBackOff, OOMKilled, failing probes, Unschedulable ...)
//! of its newest ReplicaSet, or that ReplicaSet's events when it has no pod at all.

use std::collections::BTreeSet;
use std::time::Duration;

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::{Event, Pod};
use kube::api::{Api, ListParams};
use tokio::time::Instant;

use super::connect::ClusterApi;
use super::{WorkloadError, api_error};
use crate::progress::Progress;

const POLL: Duration = Duration::from_secs(2);
/// Progress lines for a long rollout come this often.
const REPORT_EVERY: Duration = Duration::from_secs(20);
/// The annotation that numbers a Deployment's ReplicaSets.
const REVISION: &str = "deployment.kubernetes.io/revision";

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
        let why = if state.paused {
            Some("it is paused (spec.paused); resume it to let it roll out".to_string())
        } else if state.deadline_exceeded {
            Some("its progress deadline passed".to_string())
        } else if elapsed >= timeout {
            Some(format!("not done after {}s", timeout.as_secs()))
        } else {
            None
        };
        if let Some(why) = why {
            let mut reasons = state.failures.clone();
            reasons.extend(newest_pods_reasons(api, namespace, &deployment).await);
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

#[derive(Debug)]
struct State {
    done: bool,
    paused: bool,
    deadline_exceeded: bool,
    /// Conditions that say pods could not even be made (`ReplicaFailure`, `FailedCreate`).
    failures: Vec<String>,
    summary: String,
}

impl State {
    /// kubectl's rule: the controller saw the newest generation, every replica is updated and
    /// available, and no old replica is left. Its verdicts (a passed deadline) count only once
    /// it has seen the newest generation: until then they are about the previous one.
    fn of(d: &Deployment) -> State {
        let spec = d.spec.clone().unwrap_or_default();
        let want = spec.replicas.unwrap_or(1);
        let generation = d.metadata.generation.unwrap_or(0);
        let status = d.status.clone().unwrap_or_default();
        let observed = status.observed_generation.unwrap_or(0) >= generation;
        let updated = status.updated_replicas.unwrap_or(0);
        let available = status.available_replicas.unwrap_or(0);
        let total = status.replicas.unwrap_or(0);
        let conditions = status.conditions.unwrap_or_default();
        let deadline_exceeded = observed
            && conditions.iter().any(|c| {
                c.type_ == "Progressing" && c.reason.as_deref() == Some("ProgressDeadlineExceeded")
            });
        let failures = conditions
            .iter()
            .filter(|c| c.type_ == "ReplicaFailure" && c.status == "True")
            .map(|c| {
                format!(
                    "{}: {}",
                    c.reason.as_deref().unwrap_or("ReplicaFailure"),
                    c.message.as_deref().unwrap_or_default()
                )
            })
            .collect();
        State {
            done: observed && updated >= want && available >= want && total <= updated,
            paused: spec.paused == Some(true),
            deadline_exceeded,
            failures,
            summary: format!("{updated}/{want} updated, {available} available"),
        }
    }
}

/// What the pods of the Deployment's newest ReplicaSet say about themselves, or that
/// ReplicaSet's warnings when it has no pod; best effort, as the rollout already failed.
async fn newest_pods_reasons(
    api: &ClusterApi,
    namespace: &str,
    deployment: &Deployment,
) -> Vec<String> {
    let Ok(client) = api.client().await else {
        return Vec::new();
    };
    let selector = match_labels(deployment);
    let replica_sets: Api<ReplicaSet> = Api::namespaced(client.clone(), namespace);
    let newest = replica_sets
        .list(&ListParams::default().labels(&selector))
        .await
        .ok()
        .and_then(|list| newest_replica_set(deployment, list.items));
    // The pods of the newest template: older ones may be fine and still serving.
    let pod_selector = match newest.as_ref().and_then(pod_template_hash) {
        Some(hash) => format!("{selector},pod-template-hash={hash}"),
        None => selector,
    };
    let pods: Api<Pod> = Api::namespaced(client.clone(), namespace);
    let Ok(list) = pods
        .list(&ListParams::default().labels(&pod_selector))
        .await
    else {
        return vec!["the pods could not be listed".into()];
    };
    let events: Api<Event> = Api::namespaced(client, namespace);
    let warnings = |kind: &'static str, name: String| {
        let events = events.clone();
        async move {
            let fields = format!("involvedObject.kind={kind},involvedObject.name={name}");
            let listed = events.list(&ListParams::default().fields(&fields)).await;
            listed
                .map(|l| l.items)
                .unwrap_or_default()
                .into_iter()
                .filter(|e| e.type_.as_deref() == Some("Warning"))
                .map(move |e| {
                    format!(
                        "{name}: {}: {}",
                        e.reason.unwrap_or_default(),
                        e.message.unwrap_or_default().trim()
                    )
                })
                .collect::<Vec<_>>()
        }
    };
    let mut reasons = BTreeSet::new();
    if list.items.is_empty() {
        if let Some(rs) = newest.and_then(|rs| rs.metadata.name) {
            reasons.extend(warnings("ReplicaSet", rs).await);
        }
        return reasons.into_iter().collect();
    }
    for pod in list.items {
        let pod_name = pod.metadata.name.clone().unwrap_or_default();
        let Some(status) = pod.status else { continue };
        reasons.extend(pod_status_reasons(&pod_name, &status));
        let unhealthy = warnings("Pod", pod_name.clone()).await;
        reasons.extend(
            unhealthy
                .into_iter()
                .filter(|w| w.contains(": Unhealthy: ") || w.contains(": FailedScheduling: ")),
        );
    }
    reasons.into_iter().collect()
}

fn match_labels(deployment: &Deployment) -> String {
    deployment
        .spec
        .as_ref()
        .and_then(|s| s.selector.match_labels.clone())
        .unwrap_or_default()
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// The ReplicaSet of the Deployment's current revision.
fn newest_replica_set(deployment: &Deployment, sets: Vec<ReplicaSet>) -> Option<ReplicaSet> {
    let revision = |m: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta| {
        m.annotations
            .as_ref()
            .and_then(|a| a.get(REVISION))
            .and_then(|r| r.parse::<u64>().ok())
    };
    let uid = deployment.metadata.uid.as_deref();
    let owned = sets.into_iter().filter(|rs| {
        rs.metadata
            .owner_references
            .iter()
            .flatten()
            .any(|o| Some(o.uid.as_str()) == uid)
    });
    match revision(&deployment.metadata) {
        Some(current) => owned
            .into_iter()
            .find(|rs| revision(&rs.metadata) == Some(current)),
        None => owned.max_by_key(|rs| revision(&rs.metadata)),
    }
}

fn pod_template_hash(rs: &ReplicaSet) -> Option<String> {
    rs.metadata
        .labels
        .as_ref()?
        .get("pod-template-hash")
        .cloned()
}

/// A pod's own account of why it is not ready.
fn pod_status_reasons(pod: &str, status: &k8s_openapi::api::core::v1::PodStatus) -> Vec<String> {
    let mut reasons = Vec::new();
    for c in status.conditions.iter().flatten() {
        if c.type_ == "PodScheduled" && c.status == "False" {
            let reason = c.reason.clone().unwrap_or_else(|| "Unschedulable".into());
            let message = c.message.clone().unwrap_or_default();
            reasons.push(format!("{pod}: {reason}: {message}"));
        }
    }
    let containers = status.init_container_statuses.iter().flatten();
    for c in containers.chain(status.container_statuses.iter().flatten()) {
        let state = c.state.as_ref();
        if let Some(waiting) = state.and_then(|s| s.waiting.as_ref()) {
            let reason = waiting.reason.clone().unwrap_or_default();
            if reason != "ContainerCreating" && reason != "PodInitializing" {
                let message = waiting.message.clone().unwrap_or_default();
                reasons.push(format!("{pod}/{}: {reason}: {message}", c.name));
            }
        } else if let Some(ended) = state.and_then(|s| s.terminated.as_ref()) {
            let reason = ended.reason.clone().unwrap_or_default();
            reasons.push(format!(
                "{pod}/{}: {reason} (exit code {})",
                c.name, ended.exit_code
            ));
        } else if !c.ready {
            reasons.push(format!("{pod}/{}: running but not ready", c.name));
        }
        // Why it restarted: the last run's end (OOMKilled, an exit code).
        if let Some(last) = c.last_state.as_ref().and_then(|s| s.terminated.as_ref()) {
            reasons.push(format!(
                "{pod}/{}: last ended {} (exit code {}), restarted {} time(s)",
                c.name,
                last.reason.as_deref().unwrap_or("Error"),
                last.exit_code,
                c.restart_count
            ));
        }
    }
    reasons
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn deployment(generation: i64, observed: i64, reason: &str, paused: bool) -> Deployment {
        serde_json::from_value(json!({
            "metadata": {"name": "d", "generation": generation},
            "spec": {"replicas": 2, "paused": paused, "selector": {}, "template": {}},
            "status": {"observedGeneration": observed, "replicas": 2, "updatedReplicas": 1,
                "availableReplicas": 1, "conditions": [
                    {"type": "Progressing", "status": "False", "reason": reason},
                    {"type": "ReplicaFailure", "status": "True", "reason": "FailedCreate",
                     "message": "pods \"d-1\" is forbidden: exceeded quota"}]}
        }))
        .unwrap()
    }

    #[test]
    fn a_passed_deadline_counts_only_once_the_newest_generation_is_observed() {
        let stale = State::of(&deployment(3, 2, "ProgressDeadlineExceeded", false));
        assert!(
            !stale.deadline_exceeded,
            "the verdict is about generation 2"
        );
        let current = State::of(&deployment(3, 3, "ProgressDeadlineExceeded", false));
        assert!(current.deadline_exceeded);
        assert!(!current.done);
        assert_eq!(
            current.failures,
            vec!["FailedCreate: pods \"d-1\" is forbidden: exceeded quota"]
        );
    }

    #[test]
    fn a_paused_deployment_is_said_to_be_paused() {
        assert!(State::of(&deployment(1, 1, "ReplicaSetUpdated", true)).paused);
        assert!(!State::of(&deployment(1, 1, "ReplicaSetUpdated", false)).paused);
    }

    #[test]
    fn a_restarted_container_says_how_its_last_run_ended() {
        let status = serde_json::from_value(json!({"containerStatuses": [{
            "name": "app", "ready": false, "restartCount": 4, "image": "x", "imageID": "",
            "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 40s"}},
            "lastState": {"terminated": {"reason": "OOMKilled", "exitCode": 137}}}]}))
        .unwrap();
        assert_eq!(
            pod_status_reasons("p", &status),
            vec![
                "p/app: CrashLoopBackOff: back-off 40s",
                "p/app: last ended OOMKilled (exit code 137), restarted 4 time(s)"
            ]
        );
    }
}
