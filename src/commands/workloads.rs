//! What `plan`, `up` and `down` share about workloads: the manifests, the clusters as AWS
//! reports them, and a client for each cluster that can be reached.

use std::path::Path;

use aws_credential_types::provider::SharedCredentialsProvider;

use crate::engine::{Engine, Snapshot};
use crate::errors::CliError;
use crate::model::TAG_ID;
use crate::providers::ClusterInfo;
use crate::providers::ProviderError;
use crate::retry;
use crate::stack::ValidStack;
use crate::stack::types::Role;
use crate::workloads::ClusterWork;
use crate::workloads::connect::{Access, ClusterApi};
use crate::workloads::render::{Manifest, Outputs};
use crate::workloads::sync::Owner;

/// Every region's manifests, or the error that says every problem in them.
pub fn prepare(
    stack: &ValidStack,
    stack_file: &Path,
    outputs: &Outputs,
) -> Result<Vec<Vec<Manifest>>, CliError> {
    crate::workloads::prepare(stack, stack_file, outputs)
        .map_err(|problems| super::manifest_error(&problems))
}

/// What AWS says about the stack's clusters (per region, in `spec.regions` order) and outputs.
pub struct Facts {
    pub clusters: Vec<Option<ClusterInfo>>,
    pub outputs: Outputs,
}

/// Read afresh, once the infrastructure may have changed (after `up`, before `down`): one EKS
/// read per region and the backend's load balancers, all at once.
pub async fn facts(engine: &Engine<'_>) -> Result<Facts, ProviderError> {
    let stack = engine.stack;
    let backend = stack.index_of_role(Role::Backend);
    let reads = engine.regions.iter().enumerate().map(|(i, target)| {
        let c = &target.clients;
        let cluster = stack.stack.spec.regions[i].cluster.name.as_str();
        async move {
            let eks = retry::discover(|| c.eks.snapshot(stack.name(), cluster, false)).await?;
            let load_balancing = if i == backend {
                retry::discover(|| c.load_balancing.snapshot(stack.name())).await?
            } else {
                Default::default()
            };
            Ok::<_, ProviderError>(Snapshot {
                eks,
                load_balancing,
                ..Default::default()
            })
        }
    });
    let snapshots = futures::future::try_join_all(reads).await?;
    Ok(facts_from(stack, &snapshots))
}

/// Each region's cluster and the backend load balancer's DNS name, from region snapshots (in
/// `spec.regions` order).
pub fn facts_from(stack: &ValidStack, snapshots: &[Snapshot]) -> Facts {
    let backend = stack.index_of_role(Role::Backend);
    let backend_lb = crate::model::ids::load_balancer(&stack.stack.spec.regions[backend].name);
    let clusters = stack
        .stack
        .spec
        .regions
        .iter()
        .zip(snapshots)
        .map(|(r, s)| {
            s.eks
                .clusters
                .iter()
                .find(|c| c.name == r.cluster.name)
                .cloned()
        })
        .collect();
    let backend_dns = snapshots.get(backend).and_then(|s| {
        s.load_balancing
            .load_balancers
            .iter()
            .find(|l| l.tags.get(TAG_ID) == Some(&backend_lb))
            .map(|l| l.dns_name.clone())
    });
    Facts {
        clusters,
        outputs: Outputs { backend_dns },
    }
}

/// Each region's cluster with the objects it should run.
pub fn work(
    stack: &ValidStack,
    facts: &Facts,
    credentials: Option<SharedCredentialsProvider>,
    manifests: Vec<Vec<Manifest>>,
) -> Vec<ClusterWork> {
    cluster_apis(stack, &facts.clusters, credentials)
        .into_iter()
        .zip(&stack.stack.spec.regions)
        .zip(manifests)
        .map(|((api, region), manifests)| ClusterWork {
            cluster: region.cluster.name.clone(),
            owner: Owner {
                stack: stack.name().to_string(),
                region: region.name.clone(),
            },
            api,
            manifests,
        })
        .collect()
}

/// How each region's cluster is reached: through its kubeconfig context when the stack names
/// one, else through EKS once it is ACTIVE; `None` while there is no cluster to talk to.
pub fn cluster_apis(
    stack: &ValidStack,
    clusters: &[Option<ClusterInfo>],
    credentials: Option<SharedCredentialsProvider>,
) -> Vec<Option<ClusterApi>> {
    stack
        .stack
        .spec
        .regions
        .iter()
        .zip(clusters)
        .map(|(region, cluster)| {
            let name = &region.cluster.name;
            if let Some(context) = &region.cluster.kubeconfig_context {
                return Some(ClusterApi::new(name, Access::Context(context.clone())));
            }
            let c = cluster
                .as_ref()
                .filter(|c| c.status == crate::providers::Lifecycle::Ready)?;
            Some(ClusterApi::new(
                name,
                Access::Eks {
                    region: region.region.clone(),
                    endpoint: c.endpoint.clone()?,
                    certificate_authority: c.certificate_authority.clone()?,
                    credentials: credentials.clone()?,
                },
            ))
        })
        .collect()
}

/// The credentials tokens are signed with.
pub fn credentials(config: &aws_config::SdkConfig) -> Option<SharedCredentialsProvider> {
    config.credentials_provider()
}
