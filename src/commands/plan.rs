use std::sync::Arc;

use super::{live, workloads};
use crate::cli::{Output, PlanArgs};
use crate::engine::target;
use crate::errors::CliError;
use crate::exit::Exit;
use crate::plan::live::{LivePlan, counts};
use crate::plan::saved::{self, SavedPlan};
use crate::printer::Printer;
use crate::stats::CallStats;
use crate::{plan, stack};

pub fn run(args: &PlanArgs, printer: &Printer) -> Result<Exit, CliError> {
    let valid = super::load_stack(&args.stack)?;
    super::tell_warnings(&valid, printer);
    if args.offline {
        return offline(&valid, &args.stack.stack, printer);
    }
    live::refuse_plain_webhooks(&valid, &args.aws)?;
    let runtime = live::runtime()?;
    // Broken manifests stop the plan before any AWS call.
    let manifests = workloads::prepare(&valid, &args.stack.stack, &Default::default())?;
    let targets = &args.target.targets;
    let with_workloads = !args.skip_workloads && targets.is_empty();
    let stats = Arc::new(CallStats::default());
    let progress = live::progress(printer);
    let result = runtime.block_on(async {
        let config = live::aws_config(&args.aws).await?;
        let engine = live::connect(&valid, &config, &stats, progress.as_ref());
        let (snapshots, observed, changes) = engine
            .plan_reading()
            .await
            .map_err(|e| CliError::from_error(&e))?;
        live::note_lock(printer, &valid, &snapshots);
        let desired = engine.desired();
        let changes = match targets.is_empty() {
            true => changes,
            false => target::for_up(targets, &desired, &observed, changes).map_err(target_error)?,
        };
        engine
            .refuse_conflicts(&desired, &observed, &changes)
            .map_err(|e| CliError::from_error(&e))?;
        if let Some(path) = &args.out {
            let digest = saved::desired_digest(&desired, &manifests);
            let plan = SavedPlan::new(
                valid.name(),
                digest,
                &observed,
                targets,
                with_workloads,
                &changes,
            );
            let text = serde_json::to_string_pretty(&plan).unwrap_or_default() + "\n";
            crate::files::write_whole(path, &text, false).map_err(CliError::new)?;
            printer.info(&format!(
                "Saved the plan to {}; `up --plan {}` carries out exactly this.",
                path.display(),
                path.display()
            ));
        }
        let cost = crate::cost::plan_delta(&valid, &desired, &observed, &changes);
        if !with_workloads {
            return Ok((changes, cost, None));
        }
        let facts = workloads::facts_from(&valid, &snapshots);
        let manifests = workloads::prepare(&valid, &args.stack.stack, &facts.outputs)?;
        let work = workloads::work(&valid, &facts, workloads::credentials(&config), manifests);
        let objects = crate::workloads::plan(&work).await.map_err(|e| {
            CliError::from_error(&e)
                .with_hint("`plan --skip-workloads` compares the AWS resources alone")
        })?;
        Ok::<_, CliError>((changes, cost, Some(objects)))
    });
    live::report_stats(printer, &args.aws, &stats);
    let (changes, cost, objects) = result?;
    let objects_or_none = objects.as_deref().unwrap_or_default();
    match printer.output {
        Output::Json => printer.json(&LivePlan {
            stack: valid.name(),
            in_sync: changes.is_empty() && objects_or_none.is_empty(),
            changes: &changes,
            summary: counts(&changes),
            workloads: objects.as_deref(),
            cost: &cost,
        }),
        Output::Text => {
            printer.painted(&plan::live::to_text(&valid, &changes, objects_or_none));
            if !changes.is_empty() {
                printer.data(&crate::cost::delta_text(&cost));
            }
            if !targets.is_empty() {
                printer.info("note: workloads were not compared (--target)");
            } else if objects.is_none() {
                printer.info("note: workloads were not compared (--skip-workloads)");
            }
        }
    }
    Ok(if changes.is_empty() && objects_or_none.is_empty() {
        Exit::Ok
    } else {
        Exit::Changes
    })
}

fn offline(
    valid: &stack::ValidStack,
    stack_file: &std::path::Path,
    printer: &Printer,
) -> Result<Exit, CliError> {
    let manifests = workloads::prepare(valid, stack_file, &Default::default())?;
    let mut plan = plan::offline(valid)
        .map_err(|e| CliError::new(format!("the stack's resource graph is broken: {e}")))?;
    for (region, manifests) in valid.stack.spec.regions.iter().zip(&manifests) {
        let cluster = &region.cluster.name;
        plan.workloads
            .extend(crate::workloads::sync::all_new(cluster, manifests));
    }
    match printer.output {
        Output::Json => printer.json(&plan),
        Output::Text => printer.painted(&plan.to_text()),
    }
    Ok(if plan.changes.is_empty() {
        Exit::Ok
    } else {
        Exit::Changes
    })
}

/// An unknown `--target`, with the id it may have meant.
pub fn target_error(e: target::UnknownTarget) -> CliError {
    let error = CliError::from_error(&e);
    match e.suggestion {
        Some(s) => error.with_hint(s),
        None => error.with_hint("`plan --output json` lists every id"),
    }
}
