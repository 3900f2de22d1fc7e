//! The Kubernetes workloads of the stack: manifests rendered from the stack and its outputs,
//! checked offline, and applied to, compared with and removed from each region's cluster.

mod autoscaler;
pub mod connect;
pub mod discovery;
mod prune;
pub mod render;
pub mod rollout;
pub mod source;
pub mod strict;
pub mod sync;

#[cfg(test)]
mod tests;

use std::path::Path;
use std::time::Duration;

use futures::future::join_all;
use k8s_openapi::api::core::v1::Service;
use k8s_openapi::api::networking::v1::Ingress;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::Resource;
use kube::api::{Api, ApiResource, DeleteParams, DynamicObject, ListParams};
use tokio::time::Instant;

use crate::progress::Progress;
use crate::stack::ValidStack;
use crate::stack::diagnostic::{self, Diagnostic};
use connect::ClusterApi;
use render::{Manifest, Outputs};
use sync::{Owner, Session, WorkloadChange};

#[derive(Debug, thiserror::Error)]
pub enum WorkloadError {
    #[error("cluster {cluster} ({endpoint}): {message}")]
    Setup {
        cluster: String,
        endpoint: String,
        message: String,
    },
    #[error("cluster {cluster}: its API at {endpoint} cannot be reached")]
    Unreachable {
        cluster: String,
        endpoint: String,
        #[source]
        source: KubeError,
    },
    #[error("cluster {cluster}: the API at {endpoint} refused the credentials")]
    Refused {
        cluster: String,
        endpoint: String,
        #[source]
        source: KubeError,
    },
    #[error("cluster {cluster}: {action} failed")]
    Api {
        cluster: String,
        action: String,
        #[source]
        source: KubeError,
    },
    #[error("cluster {cluster}: {message}")]
    Other { cluster: String, message: String },
    #[error("cluster {cluster}: Deployment {deployment} did not roll out: {why}{}", reasons_text(.reasons))]
    Rollout {
        cluster: String,
        deployment: String,
        why: String,
        reasons: Vec<String>,
    },
}

/// A Kubernetes client error as people read it: an API server's refusal is its own message
/// with the HTTP code and reason (kube's text repeats the message and dumps the `Status`).
#[derive(Debug)]
pub struct KubeError(pub kube::Error);

impl std::fmt::Display for KubeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            kube::Error::Api(s) => {
                let message = match s.message.as_str() {
                    "" => "no explanation given",
                    text => text,
                };
                // kube's reason for an answer that is not a `Status` (plain text, empty).
                match s.reason.as_str() {
                    "" | "Failed to parse error data" => {
                        write!(f, "{message} (HTTP {})", s.code)
                    }
                    reason => write!(f, "{message} (HTTP {} {reason})", s.code),
                }
            }
            other => other.fmt(f),
        }
    }
}

impl std::error::Error for KubeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.0 {
            kube::Error::Api(_) => None,
            other => other.source(),
        }
    }
}

fn reasons_text(reasons: &[String]) -> String {
    reasons.iter().map(|r| format!("\n    {r}")).collect()
}

pub(crate) fn api_error(api: &ClusterApi, action: String, source: kube::Error) -> WorkloadError {
    WorkloadError::Api {
        cluster: api.cluster.clone(),
        action,
        source: KubeError(source),
    }
}

/// Every region's objects (in `spec.regions` order), rendered and strictly checked; or every
/// problem found. A region without workloads gets an empty list, so that what the stack once
/// put there is pruned.
pub fn prepare(
    stack: &ValidStack,
    stack_file: &Path,
    outputs: &Outputs,
) -> Result<Vec<Vec<Manifest>>, Vec<Diagnostic>> {
    let dir = match stack_file.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let rendered = render::render_all(stack, dir, outputs).map_err(diagnostic::cap)?;
    let mut per_region = Vec::new();
    let mut problems = Vec::new();
    for region in &stack.stack.spec.regions {
        let manifests: Vec<Manifest> = rendered
            .iter()
            .filter(|w| w.region == region.name)
            .flat_map(|w| w.manifests.iter().cloned())
            .collect();
        problems.extend(strict::check_all(&manifests));
        problems.extend(duplicates(&manifests));
        per_region.push(manifests);
    }
    if problems.is_empty() {
        Ok(per_region)
    } else {
        Err(diagnostic::cap(problems))
    }
}

/// Two manifests for one object would fight each other on every apply.
fn duplicates(manifests: &[Manifest]) -> Vec<Diagnostic> {
    let mut seen: Vec<(&str, &str, Option<&str>, &str, &Manifest)> = Vec::new();
    let mut problems = Vec::new();
    for m in manifests {
        let key = (m.api_version(), m.kind(), m.namespace(), m.name());
        match seen.iter().find(|s| (s.0, s.1, s.2, s.3) == key) {
            Some(first) => problems.push(Diagnostic::new(
                &m.file,
                m.pos_of(&[]),
                "",
                format!(
                    "document {}: {} is already defined in {} document {}",
                    m.document,
                    m.describe(),
                    first.4.file,
                    first.4.document
                ),
                None,
            )),
            None => seen.push((key.0, key.1, key.2, key.3, m)),
        }
    }
    problems
}

/// One cluster and the objects it should run (every workload of its region).
pub struct ClusterWork {
    pub cluster: String,
    /// The stack's and the region's, whose objects these are.
    pub owner: Owner,
    /// How to reach it; `None` while the cluster does not exist (or is not ACTIVE).
    pub api: Option<ClusterApi>,
    pub manifests: Vec<Manifest>,
}

impl ClusterWork {
    fn api(&self) -> Result<&ClusterApi, WorkloadError> {
        self.api.as_ref().ok_or_else(|| WorkloadError::Other {
            cluster: self.cluster.clone(),
            message:
                "the cluster is not ACTIVE with an API endpoint in EKS; run `up` again once it is"
                    .into(),
        })
    }
}
/// How long `down` waits for Kubernetes to remove the load balancers of its Services.
const LOAD_BALANCERS_GONE: Duration = Duration::from_secs(600);

/// What would change in every cluster; both clusters are read at once.
pub async fn plan(work: &[ClusterWork]) -> Result<Vec<WorkloadChange>, WorkloadError> {
    let plans = join_all(work.iter().map(|w| async move {
        let Some(api) = &w.api else {
            return Ok(sync::all_new(&w.cluster, &w.manifests));
        };
        api.check_reachable().await?;
        Session::new(api, w.owner.clone()).plan(&w.manifests).await
    }))
    .await;
    let mut changes = Vec::new();
    for plan in plans {
        changes.extend(plan?);
    }
    Ok(changes)
}

/// Applies, prunes and waits for rollout in every cluster at once. One result per cluster,
/// with the changes it made.
pub async fn converge(
    work: &[ClusterWork],
    rollout_timeout: Duration,
    progress: &dyn Progress,
) -> Vec<Result<Vec<WorkloadChange>, WorkloadError>> {
    join_all(work.iter().map(|w| async move {
        let started = Instant::now();
        let label = format!("{}: workloads", w.cluster);
        progress.started(&label);
        let result = converge_one(w, rollout_timeout, progress).await;
        let said = match &result {
            Ok(changes) if changes.is_empty() => Ok("in sync".to_string()),
            Ok(changes) => Ok(format!("{} change(s), rolled out", changes.len())),
            Err(e) => Err(crate::errors::error_chain(e)),
        };
        progress.finished(&label, said.as_ref().map(String::as_str), started.elapsed());
        result
    }))
    .await
}

async fn converge_one(
    w: &ClusterWork,
    rollout_timeout: Duration,
    progress: &dyn Progress,
) -> Result<Vec<WorkloadChange>, WorkloadError> {
    let api = w.api()?;
    api.check_reachable().await?;
    let mut session = Session::new(api, w.owner.clone());
    let changes = session.plan(&w.manifests).await?;
    session.apply(&w.manifests, &changes, progress).await?;
    // Every Deployment is waited for, changed or not: a re-run after a failed rollout must
    // not call it done.
    for m in w.manifests.iter().filter(|m| m.kind() == "Deployment") {
        let namespace = m.namespace().unwrap_or("default");
        rollout::wait(api, namespace, m.name(), rollout_timeout, progress).await?;
    }
    Ok(changes)
}

/// Removes what the stack put in a cluster: first its objects that make AWS load balancers
/// (Services of type LoadBalancer, Ingresses), waiting until Kubernetes has deleted them and
/// their load balancers, which would otherwise hold the VPC; then every object with the
/// owner's labels. Returns how many objects were deleted.
pub async fn remove(
    api: &ClusterApi,
    owner: &Owner,
    progress: &dyn Progress,
) -> Result<usize, WorkloadError> {
    api.check_reachable().await?;
    let balanced = delete_load_balanced(api, owner).await?;
    wait_gone(api, &balanced, progress).await?;
    let mut session = Session::new(api, owner.clone());
    let owned = session.plan(&[]).await?;
    session.apply(&[], &owned, progress).await?;
    Ok(balanced.len() + owned.len())
}

/// An object that holds an AWS load balancer: a Service of type LoadBalancer or an Ingress.
struct Balanced {
    kind: ApiResource,
    namespace: String,
    name: String,
}

impl Balanced {
    fn new<K: Resource<DynamicType = ()>>(meta: ObjectMeta) -> Option<Balanced> {
        Some(Balanced {
            kind: ApiResource::erase::<K>(&()),
            namespace: meta.namespace?,
            name: meta.name?,
        })
    }

    fn api(&self, client: kube::Client) -> Api<DynamicObject> {
        Api::namespaced_with(client, &self.namespace, &self.kind)
    }

    fn label(&self) -> String {
        format!("{} {}/{}", self.kind.kind, self.namespace, self.name)
    }
}

/// The owner's Services of type LoadBalancer and Ingresses, in any namespace. What others
/// made is theirs: if it holds the VPC, the teardown names it instead of deleting it.
async fn delete_load_balanced(
    api: &ClusterApi,
    owner: &Owner,
) -> Result<Vec<Balanced>, WorkloadError> {
    let client = api.client().await?;
    let owned = ListParams::default().labels(&owner.selector());
    let services = Api::<Service>::all(client.clone())
        .list(&owned)
        .await
        .map_err(|e| api_error(api, "listing Services".into(), e))?;
    let ingresses = Api::<Ingress>::all(client.clone())
        .list(&owned)
        .await
        .map_err(|e| api_error(api, "listing Ingresses".into(), e))?;
    let load_balancers = services
        .items
        .into_iter()
        .filter(|s| s.spec.as_ref().and_then(|x| x.type_.as_deref()) == Some("LoadBalancer"))
        .filter_map(|s| Balanced::new::<Service>(s.metadata));
    let found: Vec<Balanced> = load_balancers
        .chain(
            ingresses
                .items
                .into_iter()
                .filter_map(|i| Balanced::new::<Ingress>(i.metadata)),
        )
        .collect();
    for object in &found {
        match object
            .api(client.clone())
            .delete(&object.name, &DeleteParams::default())
            .await
        {
            Ok(_) => {}
            Err(e) if discovery::is_not_found(&e) => {}
            Err(e) => return Err(api_error(api, format!("deleting {}", object.label()), e)),
        }
    }
    Ok(found)
}

async fn wait_gone(
    api: &ClusterApi,
    objects: &[Balanced],
    progress: &dyn Progress,
) -> Result<(), WorkloadError> {
    let started = Instant::now();
    let label = format!("{}: load balancers of Services and Ingresses", api.cluster);
    loop {
        let client = api.client().await?;
        let mut left = Vec::new();
        for object in objects {
            let found = object
                .api(client.clone())
                .get_opt(&object.name)
                .await
                .map_err(|e| api_error(api, format!("reading {}", object.label()), e))?;
            if found.is_some() {
                left.push(object.label());
            }
        }
        if left.is_empty() {
            return Ok(());
        }
        if started.elapsed() >= LOAD_BALANCERS_GONE {
            return Err(WorkloadError::Other {
                cluster: api.cluster.clone(),
                message: format!(
                    "{} still exist after {}s: their load balancers were not removed",
                    left.join(", "),
                    LOAD_BALANCERS_GONE.as_secs()
                ),
            });
        }
        progress.waiting(&label, &format!("{} left", left.len()), started.elapsed());
        tokio::time::sleep(Duration::from_secs(5)).await;
    }
}
