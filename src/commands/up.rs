use std::sync::Arc;

use super::{live, workloads};
use crate::cli::{Output, UpArgs};
use crate::engine::{RunReport, StepOutcome, StepReport};
use crate::errors::CliError;
use crate::exit::Exit;
use crate::printer::Printer;
use crate::providers::ErrorKind;
use crate::stats::CallStats;

pub fn run(args: &UpArgs, printer: &Printer) -> Result<Exit, CliError> {
    let (valid, runtime) = live::prepare(&args.stack.stack)?;
    // Broken manifests stop `up` before it changes anything.
    if !args.skip_workloads {
        workloads::prepare(&valid, &args.stack.stack, &Default::default())?;
    }
    let stats = Arc::new(CallStats::default());
    let progress = live::progress(printer);
    let started = std::time::Instant::now();
    let result = runtime.block_on(async {
        let config = live::aws_config(&args.aws).await;
        let engine = live::connect(&valid, &config, &stats, progress.as_ref());
        let work = async {
            let (changes, mut report) = engine
                .up(args.allow_replace)
                .await
                .map_err(|e| CliError::from_error(&e))?;
            if !args.skip_workloads && report.failed() == 0 {
                let objects = apply_workloads(args, &valid, &engine, &config).await?;
                report.steps.extend(objects);
            }
            // What the user needs next, read afresh once everything converged.
            let outputs = match report.failed() {
                0 => engine
                    .read()
                    .await
                    .ok()
                    .map(|s| crate::outputs::from_snapshots(&valid, &s)),
                _ => None,
            };
            Ok::<_, CliError>((changes, report, outputs))
        };
        let wait = args.lock.lock_timeout;
        live::locked(&engine, &config, "up", wait, printer, work).await
    });
    live::report_stats(printer, &args.aws, &stats);
    let (changes, report, outputs) = match result {
        Ok(done) => done,
        Err(how) => return Err(live::stopped("up", how)),
    };
    if printer.output == Output::Json {
        printer.json(&report);
    } else if let Some(outputs) = &outputs {
        printer.data(&outputs.to_text());
    }
    let exit = summarize(printer, &report, "up", started.elapsed());
    if changes.is_empty() && report.steps.iter().all(|s| s.detail == IN_SYNC) {
        printer.info(&format!("Stack `{}` was already in sync.", valid.name()));
    }
    if args.skip_workloads {
        printer.info("note: no workloads were applied (--skip-workloads)");
    } else if report
        .steps
        .iter()
        .any(|s| s.step.ends_with("/workloads") && s.outcome == StepOutcome::Failed)
    {
        printer.error("  hint: a cluster's API can also be reached through a kubeconfig context (`cluster.kubeconfigContext` in the stack); `up --skip-workloads` builds the infrastructure alone");
    }
    Ok(exit)
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
            StepReport {
                step: format!("{}/workloads", w.cluster),
                outcome,
                detail,
                error: None,
            }
        })
        .collect())
}

/// Every failure and skip, then one line of counts; exit 1 when anything failed.
pub fn summarize(
    printer: &Printer,
    report: &RunReport,
    verb: &str,
    elapsed: std::time::Duration,
) -> Exit {
    for s in report
        .steps
        .iter()
        .filter(|s| s.outcome != StepOutcome::Done)
    {
        printer.error(&format!("{}: {} {}", s.outcome.as_str(), s.step, s.detail));
        if s.error == Some(ErrorKind::Throttled) {
            printer.error("  hint: AWS kept throttling the calls; run again in a few minutes");
        }
    }
    let done = report.steps.len() - report.failed() - report.skipped();
    let line = format!(
        "{verb}: {done} step(s) done, {} failed, {} skipped in {:.1}s",
        report.failed(),
        report.skipped(),
        elapsed.as_secs_f64()
    );
    if report.failed() > 0 {
        printer.error(&format!("error: {line}\n  hint: fix the cause and run `{verb}` again; it carries on from where it stopped"));
        Exit::Error
    } else {
        printer.info(&line);
        Exit::Ok
    }
}
