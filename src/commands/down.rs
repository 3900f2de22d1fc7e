//! `down`: discover what the stack owns, show it and ask (the stack's name), remove the
//! clusters' objects, then delete everything in reverse dependency order and check it is gone.

use std::sync::Arc;

use super::{live, review, summary, workloads};
use crate::cli::{DownArgs, Output};
use crate::engine::{self, target};
use crate::errors::CliError;
use crate::exit::Exit;
use crate::printer::Printer;
use crate::stack::ValidStack;
use crate::stats::CallStats;

pub fn run(args: &DownArgs, printer: &Printer) -> Result<Exit, CliError> {
    let (valid, runtime) = live::prepare(&args.stack)?;
    let ask = review::will_ask(args.yes, "down", "deletes what the stack owns")?;
    let targets = &args.target.targets;
    let stats = Arc::new(CallStats::default());
    let progress = live::run_progress(printer);
    let started = std::time::Instant::now();
    let result = runtime.block_on(async {
        let config = live::aws_config(&args.aws)
            .await
            .map_err(live::Stopped::Failed)?;
        let engine = live::connect(&valid, &config, &stats, progress.as_ref());
        let work = async {
            let desired = engine.desired();
            let observed = engine.observe(&desired).await.map_err(|e| CliError::from_error(&e))?;
            let changes = engine::teardown_changes(&observed);
            let changes = match targets.is_empty() {
                true => changes,
                false => target::for_down(targets, &desired, &observed, changes)
                    .map_err(super::plan::target_error)?,
            };
            if ask {
                printer.info_painted(&crate::plan::live::to_text(&valid, &changes, &[]));
                let cost = crate::cost::plan_delta(&valid, &desired, &observed, &changes);
                printer.info(&crate::cost::delta_text(&cost));
                let question = format!(
                    "This deletes {} resource(s) tagged multiregion:stack={} in {}{}.\nType the stack name to go on:",
                    changes.len(),
                    valid.name(),
                    regions(&valid),
                    if targets.is_empty() && !args.skip_workloads {
                        ", after the clusters' Kubernetes objects"
                    } else {
                        ""
                    },
                );
                review::confirm(&question, valid.name(), &engine.stop).await?;
            }
            if !args.skip_workloads && targets.is_empty() {
                remove_workloads(&valid, &engine, &config, printer)
                    .await
                    .map_err(|e| CliError::from_error(&e))?;
            }
            if targets.is_empty() {
                remove_experiment_acls(&valid, &config, &stats, printer).await?;
            }
            let report = engine.teardown(&desired, &observed, &changes).await;
            // Deletes are confirmed by reading again: only an empty answer means gone.
            let left = match report.failed() == 0 && !engine.stop.requested() {
                true => {
                    let now = engine.observe(&desired).await.map_err(|e| CliError::from_error(&e))?;
                    changes.iter().filter(|c| now.resources.contains_key(&c.id)).count()
                }
                false => 0,
            };
            Ok::<_, CliError>((report, left, engine.stop.requested()))
        };
        let wait = args.lock.lock_timeout;
        live::locked(&engine, &config, "down", wait, printer, work).await
    });
    live::report_stats(printer, &args.aws, &stats);
    let (report, left, interrupted) = result.map_err(|how| live::stopped("down", how))?;
    let summary = summary::summary(&report, started.elapsed(), interrupted);
    let mut error = summary::failure(&summary, "down");
    if error.is_none() && left > 0 {
        error = Some(
            CliError::new(format!(
                "{left} resource(s) tagged multiregion:stack={} are still there",
                valid.name()
            ))
            .with_hint("run `down` again"),
        );
    }
    if printer.output == Output::Json {
        printer.json(&summary::RunDocument {
            stack: valid.name(),
            command: "down",
            summary: &summary,
            steps: &report.steps,
            outputs: None,
            error: error.as_deref(),
        });
    }
    let exit = summary::print(printer, &report, "down", &summary);
    if exit != Exit::Ok {
        return Ok(exit);
    }
    if let Some(e) = error {
        printer.error(&e.to_text());
        return Ok(e.exit());
    }
    match targets.is_empty() {
        true => printer.info(&format!(
            "{} resource(s) deleted; nothing tagged multiregion:stack={} remains in {}.",
            summary.deleted,
            valid.name(),
            regions(&valid)
        )),
        false => printer.info(&format!(
            "{} resource(s) deleted: {} and what depended on them (--target).",
            summary.deleted,
            targets.join(", ")
        )),
    }
    Ok(Exit::Ok)
}

fn regions(valid: &ValidStack) -> String {
    let names: Vec<&str> = valid
        .stack
        .spec
        .regions
        .iter()
        .map(|r| r.region.as_str())
        .collect();
    names.join(" and ")
}

/// A network ACL an `az-outage` experiment left (killed before its rollback) holds its VPC:
/// put the subnets' own ACLs back and delete it first.
async fn remove_experiment_acls(
    valid: &ValidStack,
    config: &aws_config::SdkConfig,
    stats: &Arc<CallStats>,
    printer: &Printer,
) -> Result<(), CliError> {
    for region in &valid.stack.spec.regions {
        let ec2 = crate::providers::aws::ec2_client(config, &region.region, stats);
        let done = crate::chaos::network::cleanup(&ec2, valid.name(), &region.region)
            .await
            .map_err(CliError::new)?;
        for d in done {
            printer.info(&d);
        }
    }
    Ok(())
}

/// Kubernetes first: LoadBalancer Services (and so their load balancers), then the stack's
/// objects, in every cluster that answers. A cluster that does not is said plainly and left to
/// the infrastructure teardown, whose sweep removes what Kubernetes left in the VPCs.
async fn remove_workloads(
    valid: &ValidStack,
    engine: &crate::engine::Engine<'_>,
    config: &aws_config::SdkConfig,
    printer: &Printer,
) -> Result<(), crate::engine::EngineError> {
    let facts =
        workloads::facts(engine)
            .await
            .map_err(|source| crate::engine::EngineError::Discovery {
                region: "the clusters".into(),
                source,
            })?;
    let none = vec![Vec::new(); valid.stack.spec.regions.len()];
    let work = workloads::work(valid, &facts, workloads::credentials(config), none);
    let removals = work
        .iter()
        .filter_map(|w| Some((w.api.as_ref()?, &w.owner)))
        .map(|(api, owner)| async move {
            let result = crate::workloads::remove(api, owner, engine.progress).await;
            (api, result)
        });
    for (api, result) in futures::future::join_all(removals).await {
        match result {
            Ok(n) => printer.info(&format!(
                "{}: {n} Kubernetes object(s) removed",
                api.cluster
            )),
            Err(e) => printer.error(&format!(
                "warning: {}\n  note: going on with the teardown; what Kubernetes left in the VPCs is swept",
                crate::errors::cause_chain(&e)
            )),
        }
    }
    Ok(())
}
