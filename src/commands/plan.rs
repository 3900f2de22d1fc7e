use super::report_load_error;
use crate::cli::{Output, PlanArgs};
use crate::exit::Exit;
use crate::printer::Printer;
use crate::{plan, spec};

pub fn run(args: &PlanArgs, printer: &Printer) -> Exit {
    if !args.offline {
        printer.error(
            "error: a live plan needs the AWS reconcile engine, which this build does not have yet\n  hint: `multiregion plan --offline` shows what `up` would create in an empty account",
        );
        return Exit::Error;
    }
    let valid = match spec::load(&args.stack.stack) {
        Ok(valid) => valid,
        Err(e) => {
            report_load_error(printer, &e);
            return Exit::Error;
        }
    };
    let plan = match plan::offline(&valid) {
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
