//! How `up` and `down` end: the summary that names what changed, as text and as the one JSON
//! document (the stack, the counts, the duration, what remains, and every step).

use serde::Serialize;

use crate::engine::{RunReport, StepOutcome, StepReport};
use crate::errors::CliError;
use crate::exit::Exit;
use crate::printer::Printer;
use crate::providers::ErrorKind;

/// What `up` or `down` did, as `--output json` prints it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunDocument<'a> {
    pub stack: &'a str,
    pub command: &'a str,
    pub summary: &'a Summary,
    pub steps: &'a [StepReport],
    /// `up`: what a user needs next, once everything converged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outputs: Option<&'a crate::outputs::Outputs>,
    /// Why the run did not succeed, when it did not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<&'a crate::errors::Failure>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub created: usize,
    pub updated: usize,
    pub replaced: usize,
    pub deleted: usize,
    pub failed: usize,
    pub skipped: usize,
    pub not_started: usize,
    pub seconds: f64,
    pub interrupted: bool,
    /// Steps that did not happen (failed, skipped, not started): what a next run does.
    pub remaining: Vec<String>,
}

fn done<'r>(report: &'r RunReport, action: &str) -> Vec<&'r str> {
    report
        .steps
        .iter()
        .filter(|s| s.outcome == StepOutcome::Done && s.action == action)
        .map(|s| s.id.as_str())
        .collect()
}

pub fn summary(report: &RunReport, elapsed: std::time::Duration, interrupted: bool) -> Summary {
    Summary {
        created: done(report, "create").len(),
        updated: done(report, "update").len(),
        replaced: done(report, "recreate").len(),
        deleted: done(report, "delete").len(),
        failed: report.failed(),
        skipped: report.skipped(),
        not_started: report.count(StepOutcome::NotStarted),
        seconds: (elapsed.as_secs_f64() * 10.0).round() / 10.0,
        interrupted,
        remaining: report
            .steps
            .iter()
            .filter(|s| s.outcome != StepOutcome::Done)
            .map(|s| s.step.clone())
            .collect(),
    }
}

/// At most this many ids are named per action in the text summary.
const NAMED: usize = 8;

/// The text summary: what failed or did not happen, what changed by action, one line of
/// counts. The exit status: 130 when interrupted, 1 when a step failed.
pub fn print(printer: &Printer, report: &RunReport, verb: &str, summary: &Summary) -> Exit {
    for s in report
        .steps
        .iter()
        .filter(|s| matches!(s.outcome, StepOutcome::Failed | StepOutcome::Skipped))
    {
        printer.error(&format!("{}: {} {}", s.outcome.as_str(), s.step, s.detail));
        if s.error == Some(ErrorKind::Throttled) {
            printer.error("  hint: AWS kept throttling the calls; run again in a few minutes");
        }
    }
    for (action, past) in [
        ("create", "created"),
        ("update", "updated"),
        ("recreate", "replaced"),
        ("delete", "deleted"),
    ] {
        let ids = done(report, action);
        if ids.is_empty() {
            continue;
        }
        let more = match ids.len().saturating_sub(NAMED) {
            0 => String::new(),
            n => format!(" and {n} more"),
        };
        let named: Vec<&str> = ids.iter().take(NAMED).copied().collect();
        printer.info(&format!("{past}: {}{more}", named.join(", ")));
    }
    let line = format!(
        "{verb}: {} created, {} updated, {} replaced, {} deleted; {} failed, {} skipped, {} not \
         started in {:.1}s",
        summary.created,
        summary.updated,
        summary.replaced,
        summary.deleted,
        summary.failed,
        summary.skipped,
        summary.not_started,
        summary.seconds
    );
    if summary.interrupted {
        printer.error(&format!(
            "interrupted: {line}\n  hint: run `{verb}` again; it carries on from where it stopped"
        ));
        Exit::Interrupted
    } else if summary.failed > 0 {
        printer.error(&format!(
            "error: {line}\n  hint: fix the cause and run `{verb}` again; it carries on from where it stopped"
        ));
        Exit::Error
    } else {
        printer.info(&line);
        Exit::Ok
    }
}

/// The error a run that did not succeed carries in its JSON document.
pub fn failure(summary: &Summary, verb: &str) -> Option<CliError> {
    let hint = format!("run `{verb}` again; it carries on from where it stopped");
    if summary.interrupted {
        Some(
            CliError::new(format!(
                "interrupted: {} step(s) not started",
                summary.not_started
            ))
            .with_hint(hint),
        )
    } else if summary.failed > 0 {
        Some(CliError::new(format!("{} step(s) failed", summary.failed)).with_hint(hint))
    } else {
        None
    }
}
