//! `status`: per region and per kind what exists, what is missing, drifted or extra, and the
//! last `up` that converged each region — from one discovery pass, changing nothing.

use std::sync::Arc;

use super::live;
use crate::cli::{Output, StatusArgs};
use crate::errors::CliError;
use crate::exit::Exit;
use crate::printer::Printer;
use crate::stats::CallStats;

pub fn run(args: &StatusArgs, printer: &Printer) -> Result<Exit, CliError> {
    let (valid, runtime) = live::prepare(&args.stack.stack)?;
    let stats = Arc::new(CallStats::default());
    let progress = live::progress(printer);
    let result = runtime.block_on(async {
        let config = live::aws_config(&args.aws).await;
        let engine = live::connect(&valid, &config, &stats, progress.as_ref());
        engine.plan_reading().await
    });
    live::report_stats(printer, &args.aws, &stats);
    let (snapshots, observed, changes) = result.map_err(|e| CliError::from_error(&e))?;
    live::note_lock(printer, &valid, &snapshots);
    let status = crate::status::from_plan(&valid, &observed, &changes);
    match printer.output {
        Output::Json => printer.json(&status),
        Output::Text => {
            printer.data(&status.to_text());
            printer.info("note: workloads' rollout state is not shown yet (`plan` compares the Kubernetes objects)");
        }
    }
    Ok(Exit::Ok)
}
