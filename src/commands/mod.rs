//! One module per command; each returns the exit status it ends with.

pub mod down;
pub mod kubeconfig;
pub mod live;
pub mod plan;
pub mod schema;
pub mod token;
pub mod up;
pub mod validate;

use crate::printer::Printer;
use crate::spec::LoadError;

/// Prints a stack that failed to load: every diagnostic, then the summary with its cause chain.
pub fn report_load_error(printer: &Printer, error: &LoadError) {
    if let LoadError::Invalid { diagnostics, .. } = error {
        for d in diagnostics {
            printer.error(&format!("error: {d}"));
        }
    }
    printer.error(&crate::error_chain(error));
}
