//! `chaos EXPERIMENT` and `chaos --cleanup`: holding the stack's lock, undo what killed
//! experiments left, then run one experiment on the chosen workload and report it.

use std::sync::Arc;
use std::time::Duration;

use super::{live, workloads};
use crate::chaos::kube::{Flags, NodeLoss, PodKill, Workload};
use crate::chaos::run::{Fault, Timing, Traffic};
use crate::chaos::{ChaosReport, Verdict};
use crate::cli::{ChaosArgs, Experiment, Output};
use crate::errors::CliError;
use crate::exit::Exit;
use crate::printer::Printer;
use crate::stack::ValidStack;
use crate::stack::types::Role;
use crate::stats::CallStats;
use crate::workloads::render::{LABEL_WORKLOAD, Manifest};

/// The workload's whole-rollout state is read this often during an experiment.
const POLL: Duration = Duration::from_millis(500);
/// After recovery, the probe measures this long more.
const SETTLE: Duration = Duration::from_secs(5);

pub fn run(args: &ChaosArgs, printer: &Printer) -> Result<Exit, CliError> {
    let (valid, runtime) = live::prepare(&args.stack)?;
    let stats = Arc::new(CallStats::default());
    let progress = live::progress(printer);
    let traffic = match &args.url {
        Some(url) => Some(traffic(url, args)?),
        None => None,
    };
    let result = runtime.block_on(async {
        let config = live::aws_config(&args.aws)
            .await
            .map_err(live::Stopped::Failed)?;
        let engine = live::connect(&valid, &config, &stats, progress.as_ref());
        let work = async {
            let facts = workloads::facts(&engine)
                .await
                .map_err(|e| CliError::from_error(&e))?;
            let manifests = workloads::prepare(&valid, &args.stack.stack, &facts.outputs)?;
            let apis = workloads::cluster_apis(
                &valid,
                &facts.clusters,
                workloads::credentials(&config),
            );
            let clients = connect_all(&apis).await;
            let mut cleaned = Vec::new();
            for (i, client) in clients.iter().enumerate() {
                let cluster = valid.stack.spec.regions[i].cluster.name.clone();
                let client = match client {
                    Ok(client) => client,
                    Err(why) => {
                        printer.info(&format!(
                            "note: {why}; what experiments left in it was not looked for"
                        ));
                        continue;
                    }
                };
                let restore = |namespace: &str, name: &str| {
                    let manifest = deployment_manifest(&manifests[i], namespace, name)?;
                    Some(workload_of(&valid, client, &cluster, manifest))
                };
                let done = crate::chaos::kube::cleanup(client, &cluster, valid.name(), restore)
                    .await
                    .map_err(CliError::new)?;
                cleaned.extend(done);
            }
            for region in &valid.stack.spec.regions {
                let ec2 = crate::providers::aws::ec2_client(&config, &region.region, &stats);
                let done = crate::chaos::network::cleanup(&ec2, valid.name(), &region.region)
                    .await
                    .map_err(CliError::new)?;
                cleaned.extend(done);
            }
            let Some(experiment) = args.experiment else {
                return Ok((None, cleaned));
            };
            let (fault, described) = match experiment {
                Experiment::AzOutage => az_outage(&valid, args, &config, &stats)?,
                _ => {
                    let (region, workload) = chosen(&valid, args.workload.as_deref())?;
                    let cluster = valid.stack.spec.regions[region].cluster.name.clone();
                    let client = clients[region].as_ref().map_err(|why| {
                        CliError::new(why.clone()).with_hint("run `multiregion up` first")
                    })?;
                    let manifest = manifests[region]
                        .iter()
                        .find(|m| {
                            m.kind() == "Deployment"
                                && m.object["metadata"]["labels"][LABEL_WORKLOAD]
                                    == workload.as_str()
                        })
                        .ok_or_else(|| {
                            CliError::new(format!(
                                "workload `{workload}` renders no Deployment to act on"
                            ))
                        })?;
                    let target = workload_of(&valid, client, &cluster, manifest);
                    let described = format!("{}/{} on {cluster}", target.namespace, target.name);
                    let fault = fault(experiment, args, target).ok_or_else(|| {
                        CliError::new("this experiment does not act on a workload")
                    })?;
                    (fault, described)
                }
            };
            let timing = Timing {
                steady: args.steady,
                timeout: args.timeout,
                poll: POLL,
                settle: SETTLE,
            };
            printer.info(&format!(
                "Experiment {} on {described}: steady state, fault, observation (up to {} s), rollback...",
                name_of(experiment),
                args.timeout.as_secs()
            ));
            let outcome =
                crate::chaos::run::experiment(fault.as_ref(), traffic, timing, &engine.stop).await;
            Ok((Some((experiment, described, outcome)), cleaned))
        };
        live::locked(&engine, &config, "chaos", args.lock.lock_timeout, printer, work).await
    });
    live::report_stats(printer, &args.aws, &stats);
    let (ran, cleaned) = result.map_err(|how| match how {
        live::Stopped::Interrupted => CliError::new(
            "interrupted twice: `chaos` stopped at once, possibly with its fault still in; what it \
             changed is marked (`multiregion.dev/chaos`)",
        )
        .with_hint(
            "run `multiregion chaos --cleanup` to undo it (any later `chaos` run does it first)",
        )
        .with_exit(Exit::Interrupted),
        other => live::stopped("chaos", other),
    })?;
    let Some((experiment, target, outcome)) = ran else {
        return cleanup_done(printer, &valid, &cleaned);
    };
    let report = ChaosReport {
        stack: valid.name().to_string(),
        experiment: name_of(experiment).to_string(),
        target,
        cleaned,
        outcome,
    };
    match printer.output {
        Output::Json => printer.json(&report),
        Output::Text => printer.data(&report.to_text()),
    }
    Ok(match report.outcome.verdict {
        Verdict::Recovered => Exit::Ok,
        Verdict::NotRecovered | Verdict::SteadyStateMissed => Exit::ChecksFailed,
        Verdict::Interrupted => Exit::Interrupted,
        Verdict::Failed => Exit::Error,
    })
}

fn cleanup_done(
    printer: &Printer,
    valid: &ValidStack,
    cleaned: &[String],
) -> Result<Exit, CliError> {
    match printer.output {
        Output::Json => printer.json(&serde_json::json!({
            "stack": valid.name(),
            "cleaned": cleaned,
        })),
        Output::Text if cleaned.is_empty() => printer.data("No experiment left anything behind."),
        Output::Text => printer.data(&cleaned.join("\n")),
    }
    Ok(Exit::Ok)
}

fn traffic(url: &str, args: &ChaosArgs) -> Result<Traffic, CliError> {
    let url = crate::probe::http::probe_url(url).map_err(CliError::new)?;
    let target =
        crate::probe::http::Http::new(url, Duration::from_secs(5)).map_err(CliError::new)?;
    Ok(Traffic {
        target: Arc::new(target),
        rate: args.rate,
        concurrency: 10,
        min_success: args.min_success,
    })
}

/// A client of each region's cluster, or why there is none.
async fn connect_all(
    apis: &[Option<crate::workloads::connect::ClusterApi>],
) -> Vec<Result<kube::Client, String>> {
    let reads = apis.iter().map(|api| async move {
        let Some(api) = api else {
            return Err("a cluster of the stack does not exist or is not ACTIVE".to_string());
        };
        let reach = async {
            api.check_reachable().await?;
            api.client().await
        };
        reach.await.map_err(|e| {
            format!(
                "cluster {} cannot be reached: {}",
                api.cluster,
                crate::errors::error_chain(&e)
            )
        })
    });
    futures::future::join_all(reads).await
}

fn az_outage(
    valid: &ValidStack,
    args: &ChaosArgs,
    config: &aws_config::SdkConfig,
    stats: &Arc<CallStats>,
) -> Result<(Box<dyn Fault>, String), CliError> {
    let spec = &valid.stack.spec;
    let region = match &args.region {
        Some(name) => spec
            .regions
            .iter()
            .find(|r| &r.name == name)
            .ok_or_else(|| {
                CliError::new(format!(
                    "the stack has no region `{}`",
                    name.chars().take(80).collect::<String>()
                ))
            })?,
        None => &spec.regions[valid.index_of_role(Role::Backend)],
    };
    let fault = crate::chaos::network::AzOutage {
        ec2: crate::providers::aws::ec2_client(config, &region.region, stats),
        stack: valid.name().to_string(),
        region: region.name.clone(),
        aws_region: region.region.clone(),
        az: usize::from(args.az),
        lasts: args.lasts,
        acl: Default::default(),
    };
    let described = format!("AZ {} of {} ({})", args.az, region.name, region.region);
    Ok((Box::new(fault), described))
}

/// The experiments that act on a cluster's workload (`None` for one that does not).
fn fault(experiment: Experiment, args: &ChaosArgs, workload: Workload) -> Option<Box<dyn Fault>> {
    let flag = |k: &str, v: String| (k.to_string(), v);
    Some(match experiment {
        Experiment::PodKill => Box::new(PodKill {
            workload,
            count: usize::from(args.count),
            killed: Default::default(),
        }),
        Experiment::Latency => Box::new(Flags {
            workload,
            experiment: "latency",
            set: vec![
                flag("--random-delay", "true".into()),
                flag("--random-delay-unit", "ms".into()),
                flag("--random-delay-min", args.delay_min.to_string()),
                flag(
                    "--random-delay-max",
                    args.delay_max.max(args.delay_min).to_string(),
                ),
            ],
            lasts: args.lasts,
        }),
        Experiment::Errors => Box::new(Flags {
            workload,
            experiment: "errors",
            set: vec![flag("--random-error", "true".into())],
            lasts: args.lasts,
        }),
        Experiment::NodeLoss => Box::new(NodeLoss {
            workload,
            node: Default::default(),
        }),
        Experiment::AzOutage => return None,
    })
}

fn name_of(experiment: Experiment) -> &'static str {
    match experiment {
        Experiment::PodKill => "pod-kill",
        Experiment::Latency => "latency",
        Experiment::Errors => "errors",
        Experiment::NodeLoss => "node-loss",
        Experiment::AzOutage => "az-outage",
    }
}

/// The region and name of the workload to act on: the one named, else the backend's first.
fn chosen(valid: &ValidStack, named: Option<&str>) -> Result<(usize, String), CliError> {
    let spec = &valid.stack.spec;
    let workload = match named {
        Some(name) => spec
            .workloads
            .iter()
            .find(|w| w.name == name)
            .ok_or_else(|| {
                let names = spec.workloads.iter().map(|w| w.name.as_str());
                let error = CliError::new(format!(
                    "the stack has no workload `{}`",
                    name.chars().take(80).collect::<String>()
                ));
                match crate::stack::suggest::did_you_mean(name, names) {
                    Some(hint) => error.with_hint(hint),
                    None => error,
                }
            })?,
        None => {
            let backend = &spec.regions[valid.index_of_role(Role::Backend)].name;
            spec.workloads
                .iter()
                .find(|w| &w.region == backend)
                .ok_or_else(|| {
                    CliError::new("the backend region runs no workload")
                        .with_hint("name one with --workload")
                })?
        }
    };
    let region = spec
        .regions
        .iter()
        .position(|r| r.name == workload.region)
        .unwrap_or_default();
    Ok((region, workload.name.clone()))
}

fn deployment_manifest<'a>(
    manifests: &'a [Manifest],
    namespace: &str,
    name: &str,
) -> Option<&'a Manifest> {
    manifests
        .iter()
        .find(|m| m.kind() == "Deployment" && m.name() == name && m.namespace() == Some(namespace))
}

fn workload_of(
    valid: &ValidStack,
    client: &kube::Client,
    cluster: &str,
    manifest: &Manifest,
) -> Workload {
    Workload {
        client: client.clone(),
        cluster: cluster.to_string(),
        stack: valid.name().to_string(),
        namespace: manifest.namespace().unwrap_or("default").to_string(),
        name: manifest.name().to_string(),
        manifest: manifest.object.clone(),
    }
}
