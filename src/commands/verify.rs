//! `verify`: one discovery pass (AWS in both regions, then each cluster's Kubernetes objects),
//! or the stack file alone with `--static`; every check; the reports.

use std::path::Path;
use std::sync::Arc;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Service;
use k8s_openapi::api::networking::v1::NetworkPolicy;
use kube::api::{Api, ListParams};

use super::{live, workloads};
use crate::cli::{Output, VerifyArgs};
use crate::errors::CliError;
use crate::exit::Exit;
use crate::printer::Printer;
use crate::stack::ValidStack;
use crate::stack::suggest::did_you_mean;
use crate::stats::CallStats;
use crate::verify::report::ObjectPlaces;
use crate::verify::world::{self, Kube, KubeObjects, World};
use crate::verify::{self, Skip, checks};
use crate::workloads::connect::ClusterApi;
use crate::workloads::render::{LABEL_STACK, Manifest};

pub fn run(args: &VerifyArgs, printer: &Printer) -> Result<Exit, CliError> {
    if args.list {
        match printer.output {
            Output::Json => printer.json(&verify::report::catalog_json(checks::CATALOG)),
            Output::Text => printer.data(&verify::report::catalog_text(checks::CATALOG)),
        }
        return Ok(Exit::Ok);
    }
    let valid = super::load_stack(&args.stack)?;
    let skips = skips(args, &valid).map_err(CliError::from)?;
    // The manifests are the static world's Kubernetes side, and checked either way.
    let manifests = workloads::prepare(&valid, &args.stack.stack, &Default::default())?;
    let world = if args.static_only {
        let kube = manifests
            .iter()
            .map(|m| Kube::Objects(KubeObjects::from_manifests(m)))
            .collect();
        world::from_desired(&valid, &crate::model::desired(&valid), kube)
    } else {
        live_world(args, &valid, printer)?
    };
    let report = verify::run(&valid, &world, &skips, args.fail_on.into());
    let file = args.stack.stack.display().to_string();
    if let Some(path) = &args.junit {
        write_file(path, &verify::report::junit(&report))?;
    }
    if let Some(path) = &args.sarif {
        let sarif = verify::report::sarif(&report, &file, &object_places(&manifests));
        let text = serde_json::to_string_pretty(&sarif).unwrap_or_default() + "\n";
        write_file(path, &text)?;
    }
    match printer.output {
        Output::Json => printer.json(&report),
        Output::Text => printer.data(&verify::report::text(&report)),
    }
    Ok(if report.summary.blocking > 0 {
        Exit::ChecksFailed
    } else if report.summary.errors > 0 {
        Exit::Error
    } else {
        Exit::Ok
    })
}

/// Where each manifest object is written, by the name the checks give it.
fn object_places(manifests: &[Vec<Manifest>]) -> ObjectPlaces {
    manifests
        .iter()
        .flatten()
        .map(|m| {
            let name = format!(
                "{} {}/{}",
                m.kind(),
                m.namespace().unwrap_or("default"),
                m.name()
            );
            (name, (tidy(&m.file), m.node.pos.line))
        })
        .collect()
}

/// `stacks/../manifests/app.yaml` -> `manifests/app.yaml`: SARIF viewers match paths as text.
fn tidy(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "." => {}
            ".." if parts.last().is_some_and(|p| *p != ".." && !p.is_empty()) => {
                parts.pop();
            }
            _ => parts.push(part),
        }
    }
    parts.join("/")
}

/// `--skip` from the command line, then the stack's skips with their reasons.
fn skips(args: &VerifyArgs, valid: &ValidStack) -> Result<Vec<Skip>, String> {
    let ids: Vec<&str> = checks::CATALOG.iter().map(|c| c.id).collect();
    let mut out = Vec::new();
    for id in &args.skip {
        if let Some(why) = crate::check_ids::retired(id) {
            eprintln!("warning: --skip {id}: {why}");
            continue;
        }
        if !verify::is_check(id) {
            let hint = did_you_mean(id, ids.iter().copied())
                .unwrap_or_else(|| format!("check ids: {}", ids.join(", ")));
            return Err(format!("error: --skip {id}: no such check\n  hint: {hint}"));
        }
        out.push(Skip {
            id: id.clone(),
            reason: "skipped with --skip on the command line".into(),
        });
    }
    for skip in &valid.stack.spec.verify.skip {
        if !out.iter().any(|s| s.id == skip.id) {
            out.push(Skip {
                id: skip.id.clone(),
                reason: format!("skipped by the stack: {}", skip.reason),
            });
        }
    }
    Ok(out)
}

/// One discovery pass over both regions, then each cluster's objects, both clusters at once.
fn live_world(args: &VerifyArgs, valid: &ValidStack, printer: &Printer) -> Result<World, CliError> {
    let runtime = live::runtime()?;
    let stats = Arc::new(CallStats::default());
    let progress = live::progress(printer);
    let result = runtime.block_on(async {
        let config = live::aws_config(&args.aws).await?;
        let engine = live::connect(valid, &config, &stats, progress.as_ref());
        let snapshots = engine.read().await.map_err(|e| CliError::from_error(&e))?;
        live::note_lock(printer, valid, &snapshots);
        let facts = workloads::facts_from(valid, &snapshots);
        let apis = workloads::cluster_apis(valid, &facts.clusters, workloads::credentials(&config));
        let kube = futures::future::join_all(apis.iter().map(|api| async move {
            match api {
                None => Kube::Unavailable("the cluster does not exist or is not ACTIVE".into()),
                Some(api) => match read_objects(api, valid.name()).await {
                    Ok(objects) => Kube::Objects(objects),
                    Err(e) => Kube::Unavailable(crate::errors::cause_chain(&e)),
                },
            }
        }))
        .await;
        Ok::<_, CliError>(world::from_observed(
            valid,
            &engine.map_regions(&snapshots),
            kube,
        ))
    });
    live::report_stats(printer, &args.aws, &stats);
    result
}

/// Every Service and NetworkPolicy in the cluster, and the stack's Deployments.
async fn read_objects(
    api: &ClusterApi,
    stack: &str,
) -> Result<KubeObjects, crate::workloads::WorkloadError> {
    api.check_reachable().await?;
    let client = api.client().await?;
    let fail = |what: &str| {
        let what = what.to_string();
        move |source| crate::workloads::api_error(api, format!("listing {what}"), source)
    };
    let all = ListParams::default();
    let ours = ListParams::default().labels(&format!("{LABEL_STACK}={stack}"));
    let (services, deployments, policies) = futures::try_join!(
        async {
            Api::<Service>::all(client.clone())
                .list(&all)
                .await
                .map_err(fail("Services"))
        },
        async {
            Api::<Deployment>::all(client.clone())
                .list(&ours)
                .await
                .map_err(fail("Deployments"))
        },
        async {
            Api::<NetworkPolicy>::all(client.clone())
                .list(&all)
                .await
                .map_err(fail("NetworkPolicies"))
        },
    )?;
    Ok(KubeObjects {
        services: services.items,
        deployments: deployments.items,
        network_policies: policies.items,
    })
}

/// Writes a report whole or not at all.
fn write_file(path: &Path, text: &str) -> Result<(), CliError> {
    crate::files::write_whole(path, text, false).map_err(CliError::new)
}
