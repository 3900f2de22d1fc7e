//! What `plan`, `up` and `down` share about workloads: the manifests, the clusters as AWS
//! reports them, and a client for each cluster that can be reached.

use std::path::Path;

use aws_credential_types::provider::SharedCredentialsProvider;

use crate::engine::{Engine, retry};
use crate::exit::Exit;
use crate::model::TAG_ID;
use crate::printer::Printer;
use crate::providers::ClusterInfo;
use crate::providers::ProviderError;
use crate::spec::ValidStack;
use crate::spec::types::Role;
use crate::workloads::ClusterWork;
use crate::workloads::connect::{Access, ClusterApi};
use crate::workloads::render::{Manifest, Outputs};

/// Every region's manifests, or the exit status after every problem in them was said.
pub fn prepare(
    stack: &ValidStack,
    stack_file: &Path,
    outputs: &Outputs,
    printer: &Printer,
) -> Result<Vec<Vec<Manifest>>, Exit> {
    crate::workloads::prepare(stack, stack_file, outputs).map_err(|problems| {
        printer.error(&super::diagnostics_text(&problems));
        Exit::Error
    })
}

/// What AWS says about the stack's clusters (per region, in `spec.regions` order) and outputs.
pub struct Facts {
    pub clusters: Vec<Option<ClusterInfo>>,
    pub outputs: Outputs,
}

/// One EKS and one load-balancer read per region, all at once.
pub async fn facts(engine: &Engine<'_>) -> Result<Facts, ProviderError> {
    let stack = engine.stack;
    let backend = stack.index_of_role(Role::Backend);
    let backend_lb = format!("{}/lb", stack.stack.spec.regions[backend].name);
    let reads = engine.regions.iter().enumerate().map(|(i, target)| {
        let c = &target.clients;
        let name = &stack.stack.spec.regions[i].cluster.name;
        let backend_lb = &backend_lb;
        async move {
            let eks = retry::call(Default::default(), || c.eks.snapshot(stack.name())).await?;
            let cluster = eks.clusters.into_iter().find(|c| &c.name == name);
            let dns = if i == backend {
                let lbs = retry::call(Default::default(), || {
                    c.load_balancing.snapshot(stack.name())
                })
                .await?;
                lbs.load_balancers
                    .into_iter()
                    .find(|l| l.tags.get(TAG_ID) == Some(backend_lb))
                    .map(|l| l.dns_name)
            } else {
                None
            };
            Ok::<_, ProviderError>((cluster, dns))
        }
    });
    let mut facts = Facts {
        clusters: Vec::new(),
        outputs: Outputs::default(),
    };
    for (cluster, dns) in futures::future::try_join_all(reads).await? {
        facts.clusters.push(cluster);
        facts.outputs.backend_dns = facts.outputs.backend_dns.or(dns);
    }
    Ok(facts)
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
            let c = cluster.as_ref().filter(|c| c.status == "ACTIVE")?;
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
