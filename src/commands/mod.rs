//! One module per command; each returns the exit status it ends with.

pub mod alarms;
pub mod chaos;
pub mod completions;
pub mod cost;
pub mod down;
pub mod kubeconfig;
pub mod live;
pub mod output;
pub mod plan;
pub mod probe;
pub mod render;
pub mod review;
pub mod schema;
pub mod status;
pub mod summary;
pub mod token;
pub mod unlock;
pub mod up;
pub mod validate;
pub mod verify;
pub mod webhook;
pub mod workloads;

use std::path::Path;

use crate::cli::StackArg;
use crate::errors::CliError;
use crate::stack::{self, LoadError, ValidStack};

/// The stack (in its environment), or the error that says every problem with it.
pub fn load_stack(arg: &StackArg) -> Result<ValidStack, CliError> {
    stack::load_env(&arg.stack, arg.env.as_deref()).map_err(|e| load_error(&e))
}

/// The stack's warnings on stderr: what it may hold but probably should not.
pub fn tell_warnings(valid: &ValidStack, printer: &crate::printer::Printer) {
    for warning in &valid.warnings {
        printer.info(&format!("warning: {warning}"));
    }
}

/// A stack that failed to load: every diagnostic, then the summary with its cause chain.
pub fn load_error(error: &LoadError) -> CliError {
    let e = CliError::from_error(error);
    match error {
        LoadError::Invalid { diagnostics, .. } => e.with_diagnostics(diagnostics),
        LoadError::Read { path, source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
            e.with_hint(missing_stack_hint(path))
        }
        LoadError::Read { .. } => e,
        LoadError::NoEnvironment { available, .. } if available.is_empty() => e.with_hint(
            "an environment is an overlay file envs/NAME.yaml beside the stack file; \
             --env also takes the overlay's path",
        ),
        LoadError::NoEnvironment { available, .. } => e.with_hint(format!(
            "environments beside the stack: {}; --env also takes an overlay's path",
            available.join(", ")
        )),
    }
}

/// How to name the stack file, when the one named does not exist.
fn missing_stack_hint(path: &str) -> String {
    let path = Path::new(path);
    let env = std::env::var_os("MULTIREGION_STACK");
    let mut hint = String::new();
    if env.is_some_and(|v| Path::new(&v) == path) {
        hint.push_str("MULTIREGION_STACK is set to this path; ");
    }
    hint.push_str(
        "name the stack file with `--stack FILE` or `-f FILE` (before or after the command), \
         or with MULTIREGION_STACK",
    );
    if path.is_relative()
        && let Ok(cwd) = std::env::current_dir()
    {
        hint.push_str(&format!(
            "; a relative path is read from the current directory, {}",
            cwd.display()
        ));
    }
    hint.push_str(&format!(
        "; with neither, the stack is {}",
        crate::cli::DEFAULT_STACK
    ));
    hint
}

/// Problems found in the workload manifests, each said, under one error.
pub fn manifest_error(problems: &[crate::stack::diagnostic::Diagnostic]) -> CliError {
    CliError::new(format!(
        "{} problem(s) in the workload manifests",
        crate::stack::diagnostic::count(problems)
    ))
    .with_diagnostics(problems)
}
