//! Which API resource serves each `apiVersion`/`kind` in one cluster, found by discovery (one
//! call per group version) and remembered; and the waits a real API server needs before a kind
//! it has just been taught (a CRD in the same manifests) can be used.

use std::collections::HashMap;
use std::time::Duration;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, ApiResource};
use kube::discovery::ApiCapabilities;
use tokio::time::Instant;

use super::connect::ClusterApi;
use super::{WorkloadError, api_error};

pub type Kind = (ApiResource, ApiCapabilities);

/// How long a kind whose CRD was just applied may take to be served. A real API server
/// establishes a CRD in well under a second, but its discovery can lag by several.
pub const SERVED_WITHIN: Duration = Duration::from_secs(60);
const FIRST_BACKOFF: Duration = Duration::from_millis(250);
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// Whether the server said 404. A group version it does not serve (yet) is answered with a
/// plain-text `404 page not found`, which kube turns into a `Status` without the `NotFound`
/// reason, so the code is what tells.
pub fn is_not_found(error: &kube::Error) -> bool {
    matches!(error, kube::Error::Api(s) if s.code == 404)
}

/// The kinds of one cluster, resolved as they are asked for.
#[derive(Default)]
pub struct Discovery {
    groups: HashMap<String, Vec<Kind>>,
}

impl Discovery {
    /// The resource behind `apiVersion`/`kind`; `None` when the cluster does not serve it.
    pub async fn resolve(
        &mut self,
        api: &ClusterApi,
        api_version: &str,
        kind: &str,
    ) -> Result<Option<Kind>, WorkloadError> {
        if !self.groups.contains_key(api_version) {
            let client = api.client().await?;
            let gv: kube::core::GroupVersion =
                api_version.parse().map_err(|e| WorkloadError::Other {
                    cluster: api.cluster.clone(),
                    message: format!("`{api_version}` is not an apiVersion: {e}"),
                })?;
            let kinds = match kube::discovery::pinned_group(&client, &gv).await {
                Ok(group) => group.versioned_resources(&gv.version),
                Err(e) if is_not_found(&e) => Vec::new(),
                Err(e) => return Err(api_error(api, format!("discovering {api_version}"), e)),
            };
            self.groups.insert(api_version.to_string(), kinds);
        }
        Ok(self.groups[api_version]
            .iter()
            .find(|(r, _)| r.kind == kind)
            .cloned())
    }

    /// The resource behind `apiVersion`/`kind`, asking again with backoff for up to
    /// [`SERVED_WITHIN`]: a custom kind whose CRD was just applied is served a moment later.
    pub async fn wait_served(
        &mut self,
        api: &ClusterApi,
        api_version: &str,
        kind: &str,
    ) -> Result<Kind, WorkloadError> {
        let mut backoff = Backoff::new();
        loop {
            if let Some(found) = self.resolve(api, api_version, kind).await? {
                return Ok(found);
            }
            self.groups.remove(api_version);
            if !backoff.wait().await {
                return Err(WorkloadError::Other {
                    cluster: api.cluster.clone(),
                    message: format!(
                        "the cluster does not serve `{api_version}` `{kind}` (asked for {}s)",
                        SERVED_WITHIN.as_secs()
                    ),
                });
            }
        }
    }

    /// Forgets what was learnt of a group version, so that the next question asks the server.
    pub fn forget(&mut self, api_version: &str) {
        self.groups.remove(api_version);
    }
}

/// Waits until the CRD `name` has the `Established` condition: only then are its custom
/// resources accepted.
pub async fn wait_established(api: &ClusterApi, name: &str) -> Result<(), WorkloadError> {
    let mut backoff = Backoff::new();
    loop {
        let crds: Api<CustomResourceDefinition> = Api::all(api.client().await?);
        let crd = crds
            .get_opt(name)
            .await
            .map_err(|e| api_error(api, format!("reading CustomResourceDefinition {name}"), e))?;
        let established = crd
            .and_then(|c| c.status)
            .and_then(|s| s.conditions)
            .unwrap_or_default()
            .iter()
            .any(|c| c.type_ == "Established" && c.status == "True");
        if established {
            return Ok(());
        }
        if !backoff.wait().await {
            return Err(WorkloadError::Other {
                cluster: api.cluster.clone(),
                message: format!(
                    "CustomResourceDefinition {name} is not Established after {}s",
                    SERVED_WITHIN.as_secs()
                ),
            });
        }
    }
}

/// Asking again, 0.25 s to 5 s apart, for up to [`SERVED_WITHIN`].
struct Backoff {
    started: Instant,
    next: Duration,
}

impl Backoff {
    fn new() -> Self {
        Backoff {
            started: Instant::now(),
            next: FIRST_BACKOFF,
        }
    }

    /// Sleeps until the next try; `false` once the time is up (without sleeping).
    async fn wait(&mut self) -> bool {
        if self.started.elapsed() >= SERVED_WITHIN {
            return false;
        }
        tokio::time::sleep(self.next).await;
        self.next = (self.next * 2).min(MAX_BACKOFF);
        true
    }
}
