//! One module per command; each returns the exit status it ends with.

pub mod down;
pub mod kubeconfig;
pub mod live;
pub mod output;
pub mod plan;
pub mod schema;
pub mod status;
pub mod token;
pub mod unlock;
pub mod up;
pub mod validate;
pub mod verify;
pub mod workloads;

use std::path::Path;

use crate::exit::Exit;
use crate::printer::Printer;
use crate::stack::{self, LoadError, ValidStack};

/// The stack, or the exit status after every problem with it was said.
pub fn load_stack(path: &Path, printer: &Printer) -> Result<ValidStack, Exit> {
    stack::load(path).map_err(|e| {
        report_load_error(printer, &e);
        Exit::Error
    })
}

/// Problems found in a file, one `error:` block each, as one text.
pub fn diagnostics_text(problems: &[crate::stack::diagnostic::Diagnostic]) -> String {
    let mut lines: Vec<String> = problems.iter().map(|p| format!("error: {p}")).collect();
    lines.push(format!(
        "error: {} problem(s) in the workload manifests",
        crate::stack::diagnostic::count(problems)
    ));
    lines.join("\n")
}

/// Prints a stack that failed to load: every diagnostic, then the summary with its cause chain.
pub fn report_load_error(printer: &Printer, error: &LoadError) {
    if let LoadError::Invalid { diagnostics, .. } = error {
        for d in diagnostics {
            printer.error(&format!("error: {d}"));
        }
    }
    printer.error(&crate::errors::error_chain(error));
}
