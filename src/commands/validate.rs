use std::time::Instant;

use serde::Serialize;

use super::load_error;
use crate::cli::{Output, StackArg};
use crate::errors::CliError;
use crate::exit::Exit;
use crate::printer::Printer;
use crate::stack::{self, LoadError, diagnostic::Diagnostic};

#[derive(Serialize)]
struct Report<'a> {
    file: String,
    /// The environment's overlay file, when `--env` lays one over the stack.
    #[serde(skip_serializing_if = "Option::is_none")]
    overlay: Option<String>,
    valid: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    stack: Option<&'a str>,
    errors: &'a [Diagnostic],
    /// What the stack may hold but probably should not; never makes it invalid.
    #[serde(skip_serializing_if = "<[Diagnostic]>::is_empty")]
    warnings: &'a [Diagnostic],
}

pub fn run(args: &StackArg, printer: &Printer) -> Result<Exit, CliError> {
    let started = Instant::now();
    // The manifests are checked once the stack itself is valid: their values come from it.
    let loaded = stack::load_env(&args.stack, args.env.as_deref()).and_then(|valid| {
        match crate::workloads::prepare(&valid, &args.stack, &Default::default()) {
            Ok(_) => Ok(valid),
            Err(diagnostics) => Err(LoadError::Invalid {
                path: args.stack.display().to_string(),
                diagnostics,
            }),
        }
    });
    printer.detail(&format!(
        "checked in {:.2} ms",
        started.elapsed().as_secs_f64() * 1e3
    ));
    let file = args.stack.display().to_string();
    let overlay = args
        .env
        .as_deref()
        .map(|env| stack::overlay_path(&args.stack, env).display().to_string());
    let shown = match &overlay {
        Some(overlay) => format!("{file} with {overlay}"),
        None => file.clone(),
    };
    match (&loaded, printer.output) {
        (Ok(valid), Output::Json) => printer.json(&Report {
            file,
            overlay,
            valid: true,
            stack: Some(valid.name()),
            errors: &[],
            warnings: &valid.warnings,
        }),
        (Err(LoadError::Invalid { diagnostics, .. }), Output::Json) => printer.json(&Report {
            file,
            overlay,
            valid: false,
            stack: None,
            errors: diagnostics,
            warnings: &[],
        }),
        (Ok(valid), Output::Text) => {
            super::tell_warnings(valid, printer);
            printer.info(&format!(
                "{shown}: valid stack `{}` ({} regions)",
                valid.name(),
                valid.stack.spec.regions.len()
            ));
        }
        (Err(e), _) => return Err(load_error(e)),
    }
    Ok(if loaded.is_ok() {
        Exit::Ok
    } else {
        Exit::Error
    })
}
