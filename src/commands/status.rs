//! `status`: per region and per kind what exists, what is missing, drifted or extra, and the
//! last `up` that converged each region — from one discovery pass, changing nothing.

use std::sync::Arc;

use super::{live, workloads};
use crate::cli::{Output, StatusArgs};
use crate::errors::CliError;
use crate::exit::Exit;
use crate::printer::Printer;
use crate::stats::CallStats;
use crate::status::{ClusterRollout, DeploymentRollout};

pub fn run(args: &StatusArgs, printer: &Printer) -> Result<Exit, CliError> {
    let (valid, runtime) = live::prepare(&args.stack)?;
    let stats = Arc::new(CallStats::default());
    let progress = live::progress(printer);
    let config = runtime.block_on(live::aws_config(&args.aws))?;
    let result = runtime.block_on(async {
        let engine = live::connect(&valid, &config, &stats, progress.as_ref());
        let (snapshots, observed, changes) = engine.plan_reading().await?;
        let rollouts = rollouts(&valid, &snapshots, &config).await;
        Ok::<_, crate::engine::EngineError>((snapshots, observed, changes, rollouts))
    });
    live::report_stats(printer, &args.aws, &stats);
    let (snapshots, observed, changes, rollouts) = result.map_err(|e| CliError::from_error(&e))?;
    live::note_lock(printer, &valid, &snapshots);
    let mut status = crate::status::from_plan(&valid, &observed, &changes);
    status.workloads = rollouts;
    match printer.output {
        Output::Json => printer.json(&status),
        Output::Text => printer.data(&status.to_text()),
    }
    Ok(Exit::Ok)
}

/// Each cluster's Deployments of the stack, both clusters at once; a cluster that cannot be
/// read says why.
async fn rollouts(
    valid: &crate::stack::ValidStack,
    snapshots: &[crate::engine::Snapshot],
    config: &aws_config::SdkConfig,
) -> Vec<ClusterRollout> {
    use k8s_openapi::api::apps::v1::Deployment;
    use kube::api::{Api, ListParams};
    let facts = workloads::facts_from(valid, snapshots);
    let apis = workloads::cluster_apis(valid, &facts.clusters, workloads::credentials(config));
    let names = valid
        .stack
        .spec
        .regions
        .iter()
        .map(|r| r.cluster.name.clone());
    let reads = apis.iter().zip(names).map(|(api, cluster)| async move {
        let Some(api) = api else {
            return ClusterRollout {
                cluster,
                unavailable: Some("the cluster does not exist or is not ACTIVE".into()),
                deployments: Vec::new(),
            };
        };
        let ours = ListParams::default().labels(&format!(
            "{}={}",
            crate::workloads::render::LABEL_STACK,
            valid.name()
        ));
        let listed = async {
            api.check_reachable().await?;
            let client = api.client().await?;
            Api::<Deployment>::all(client)
                .list(&ours)
                .await
                .map_err(|e| crate::workloads::api_error(api, "listing Deployments".into(), e))
        };
        match listed.await {
            Ok(list) => ClusterRollout {
                cluster,
                unavailable: None,
                deployments: list.items.iter().map(DeploymentRollout::of).collect(),
            },
            Err(e) => ClusterRollout {
                cluster,
                unavailable: Some(crate::errors::cause_chain(&e)),
                deployments: Vec::new(),
            },
        }
    });
    futures::future::join_all(reads).await
}
