use std::sync::Arc;

use super::live;
use crate::cli::{Output, PlanArgs};
use crate::exit::Exit;
use crate::plan::live::{LivePlan, counts};
use crate::printer::Printer;
use crate::stats::CallStats;
use crate::{plan, spec};

pub fn run(args: &PlanArgs, printer: &Printer) -> Exit {
    let valid = match super::load_stack(&args.stack.stack, printer) {
        Ok(valid) => valid,
        Err(exit) => return exit,
    };
    if args.offline {
        return offline(&valid, printer);
    }
    let runtime = match live::start(printer) {
        Ok(rt) => rt,
        Err(exit) => return exit,
    };
    let stats = Arc::new(CallStats::default());
    let progress = live::progress(printer);
    let result = runtime.block_on(async {
        let engine = live::connect(&valid, &args.aws, &stats, progress.as_ref()).await;
        engine.plan().await
    });
    live::report_stats(printer, &args.aws, &stats);
    let changes = match result {
        Ok((_, changes)) => changes,
        Err(e) => {
            printer.error(&crate::error_chain(&e));
            return Exit::Error;
        }
    };
    match printer.output {
        Output::Json => printer.json(&LivePlan {
            stack: valid.name(),
            in_sync: changes.is_empty(),
            changes: &changes,
            summary: counts(&changes),
            not_built_yet: live::not_built_yet(&valid),
        }),
        Output::Text => {
            printer.data(&plan::live::to_text(&valid, &changes));
            live::say_not_built_yet(printer, &valid);
        }
    }
    if changes.is_empty() {
        Exit::Ok
    } else {
        Exit::Changes
    }
}

fn offline(valid: &spec::ValidStack, printer: &Printer) -> Exit {
    let plan = match plan::offline(valid) {
        Ok(plan) => plan,
        Err(e) => {
            printer.error(&format!("error: the stack's resource graph is broken: {e}"));
            return Exit::Error;
        }
    };
    match printer.output {
        Output::Json => printer.json(&plan),
        Output::Text => printer.data(&plan.to_text()),
    }
    if plan.changes.is_empty() {
        Exit::Ok
    } else {
        Exit::Changes
    }
}
