//! One module per command; each returns the exit status it ends with.

pub mod completions;
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

use crate::errors::CliError;
use crate::stack::{self, LoadError, ValidStack};

/// The stack, or the error that says every problem with it.
pub fn load_stack(path: &Path) -> Result<ValidStack, CliError> {
    stack::load(path).map_err(|e| load_error(&e))
}

/// A stack that failed to load: every diagnostic, then the summary with its cause chain.
pub fn load_error(error: &LoadError) -> CliError {
    let e = CliError::from_error(error);
    match error {
        LoadError::Invalid { diagnostics, .. } => e.with_diagnostics(diagnostics),
        LoadError::Read { .. } => e,
    }
}

/// Problems found in the workload manifests, each said, under one error.
pub fn manifest_error(problems: &[crate::stack::diagnostic::Diagnostic]) -> CliError {
    CliError::new(format!(
        "{} problem(s) in the workload manifests",
        crate::stack::diagnostic::count(problems)
    ))
    .with_diagnostics(problems)
}
