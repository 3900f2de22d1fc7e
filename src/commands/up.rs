use std::sync::Arc;

use super::live;
use crate::cli::{Output, UpArgs};
use crate::engine::RunReport;
use crate::exit::Exit;
use crate::printer::Printer;
use crate::stats::CallStats;

pub fn run(args: &UpArgs, printer: &Printer) -> Exit {
    let valid = match super::load_stack(&args.stack.stack, printer) {
        Ok(valid) => valid,
        Err(exit) => return exit,
    };
    let runtime = match live::start(printer) {
        Ok(rt) => rt,
        Err(exit) => return exit,
    };
    let stats = Arc::new(CallStats::default());
    let progress = live::progress(printer);
    let started = std::time::Instant::now();
    let result = runtime.block_on(async {
        let engine = live::connect(&valid, &args.aws, &stats, progress.as_ref()).await;
        engine.up(args.allow_replace).await
    });
    live::report_stats(printer, &args.aws, &stats);
    let (changes, report) = match result {
        Ok(done) => done,
        Err(e) => {
            printer.error(&crate::error_chain(&e));
            return Exit::Error;
        }
    };
    if printer.output == Output::Json {
        printer.json(&report);
    }
    let exit = summarize(printer, &report, "up", started.elapsed());
    if changes.is_empty() {
        printer.info(&format!("Stack `{}` was already in sync.", valid.name()));
    }
    live::say_not_built_yet(printer, &valid);
    exit
}

/// Every failure and skip, then one line of counts; exit 1 when anything failed.
pub fn summarize(
    printer: &Printer,
    report: &RunReport,
    verb: &str,
    elapsed: std::time::Duration,
) -> Exit {
    for s in report.steps.iter().filter(|s| s.outcome != "done") {
        printer.error(&format!("{}: {} {}", s.outcome, s.step, s.detail));
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
