//! `up`: discover, show the plan and ask (or carry out a saved plan), converge the
//! infrastructure and then the workloads, and end with the outputs.

use std::sync::Arc;

use super::{live, review, summary, workloads};
use crate::cli::{Output, UpArgs};
use crate::engine::{self, RunReport, StepOutcome, StepReport, target};
use crate::errors::CliError;
use crate::exit::Exit;
use crate::plan::saved::{self, SavedPlan};
use crate::printer::Printer;
use crate::stats::CallStats;

pub fn run(args: &UpArgs, printer: &Printer) -> Result<Exit, CliError> {
    let (valid, runtime) = live::prepare(&args.stack)?;
    super::tell_warnings(&valid, printer);
    let saved = match &args.plan {
        Some(path) => {
            Some(SavedPlan::read(path, valid.name()).map_err(|e| CliError::from_error(&e))?)
        }
        None => None,
    };
    let targets = match &saved {
        Some(plan) => plan.targets.clone(),
        None => args.target.targets.clone(),
    };
    let with_workloads =
        !args.skip_workloads && targets.is_empty() && saved.as_ref().is_none_or(|p| p.workloads);
    // Broken manifests stop `up` before it changes anything.
    let manifests = match with_workloads || saved.is_some() {
        true => workloads::prepare(&valid, &args.stack.stack, &Default::default())?,
        false => Vec::new(),
    };
    // A saved plan was reviewed when it was made.
    live::refuse_plain_webhooks(&valid, &args.aws)?;
    let ask = review::will_ask(args.yes || saved.is_some(), "up", "changes the account")?;
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
            let (_, observed, changes) = engine
                .plan_reading()
                .await
                .map_err(|e| CliError::from_error(&e))?;
            let changes = match targets.is_empty() {
                true => changes,
                false => target::for_up(&targets, &desired, &observed, changes)
                    .map_err(super::plan::target_error)?,
            };
            engine
                .refuse_conflicts(&desired, &observed, &changes)
                .map_err(|e| CliError::from_error(&e))?;
            if let Some(plan) = &saved {
                let digest = saved::desired_digest(&desired, &manifests);
                plan.still_holds(&digest, &observed, &changes)
                    .map_err(|e| {
                        CliError::from_error(&e).with_hint(
                            "nothing was changed; make a new plan with `plan --out FILE`, review it, and carry it out",
                        )
                    })?;
            }
            engine::consented(&changes, args.allow_replace).map_err(|e| CliError::from_error(&e))?;
            if ask && !changes.is_empty() {
                printer.info_painted(&crate::plan::live::to_text(&valid, &changes, &[]));
                let cost = crate::cost::plan_delta(&valid, &desired, &observed, &changes);
                printer.info(&crate::cost::delta_text(&cost));
                if with_workloads {
                    printer.info("Then the workloads are applied to both clusters.");
                }
                review::confirm(
                    "Carry out these changes? Only `yes` goes ahead:",
                    "yes",
                    &engine.stop,
                )
                .await?;
            }
            let mut report = engine.apply(&desired, &observed, &changes).await;
            if with_workloads && report.failed() == 0 && !engine.stop.requested() {
                let objects = apply_workloads(args, &valid, &engine, &config).await?;
                report.steps.extend(objects);
            }
            // What the user needs next, read afresh once everything converged.
            let outputs = match report.failed() == 0 && !engine.stop.requested() {
                true => engine
                    .read()
                    .await
                    .ok()
                    .map(|s| crate::outputs::from_snapshots(&valid, &s)),
                false => None,
            };
            Ok::<_, CliError>((changes.is_empty(), report, outputs, engine.stop.requested()))
        };
        let wait = args.lock.lock_timeout;
        live::locked(&engine, &config, "up", wait, printer, work).await
    });
    live::report_stats(printer, &args.aws, &stats);
    let (no_changes, report, outputs, interrupted) =
        result.map_err(|how| live::stopped("up", how))?;
    let summary = summary::summary(&report, started.elapsed(), interrupted);
    if printer.output == Output::Json {
        let error = summary::failure(&summary, "up");
        printer.json(&summary::RunDocument {
            stack: valid.name(),
            command: "up",
            summary: &summary,
            steps: &report.steps,
            outputs: outputs.as_ref(),
            error: error.as_deref(),
        });
    } else if let Some(outputs) = &outputs {
        printer.data(&outputs.to_text());
    }
    let exit = summary::print(printer, &report, "up", &summary);
    if no_changes && report.steps.iter().all(|s| s.detail == IN_SYNC) {
        printer.info(&format!("Stack `{}` was already in sync.", valid.name()));
    }
    notes(args, &targets, &report, printer);
    Ok(exit)
}

fn notes(args: &UpArgs, targets: &[String], report: &RunReport, printer: &Printer) {
    if !targets.is_empty() {
        printer.info(&format!(
            "note: only {} and what they depend on were converged (--target); no workloads were applied",
            targets.join(", ")
        ));
    } else if args.skip_workloads {
        printer.info("note: no workloads were applied (--skip-workloads)");
    } else if report
        .steps
        .iter()
        .any(|s| s.step.ends_with("/workloads") && s.outcome == StepOutcome::Failed)
    {
        printer.error("  hint: a cluster's API can also be reached through a kubeconfig context (`cluster.kubeconfigContext` in the stack); `up --skip-workloads` builds the infrastructure alone");
    }
}

const IN_SYNC: &str = "in sync";

/// After the infrastructure: each cluster's objects applied, pruned and rolled out, both
/// clusters at once; one report step per cluster.
async fn apply_workloads(
    args: &UpArgs,
    valid: &crate::stack::ValidStack,
    engine: &crate::engine::Engine<'_>,
    config: &aws_config::SdkConfig,
) -> Result<Vec<StepReport>, CliError> {
    let facts = workloads::facts(engine)
        .await
        .map_err(|e| CliError::from_error(&e))?;
    let manifests = workloads::prepare(valid, &args.stack.stack, &facts.outputs)?;
    let work = workloads::work(valid, &facts, workloads::credentials(config), manifests);
    let timeout = std::time::Duration::from_secs(args.rollout_timeout);
    let started = std::time::Instant::now();
    let results = crate::workloads::converge(&work, timeout, engine.progress).await;
    Ok(work
        .iter()
        .zip(results)
        .map(|(w, result)| {
            let (outcome, detail) = match result {
                Ok(changes) if changes.is_empty() => (StepOutcome::Done, IN_SYNC.to_string()),
                Ok(changes) => {
                    let list: Vec<String> = changes
                        .iter()
                        .map(|c| format!("{} {}", c.action.as_str(), c.object))
                        .collect();
                    (StepOutcome::Done, list.join(", "))
                }
                Err(e) => (StepOutcome::Failed, crate::errors::cause_chain(&e)),
            };
            StepReport::new(
                &format!("apply {}/workloads", w.cluster),
                outcome,
                detail,
                started.elapsed(),
            )
        })
        .collect())
}
