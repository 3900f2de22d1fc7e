//! The security-check suite: pure checks over a [`world::World`] (read live, or built from the
//! stack alone), each with a stable id, a severity, what it looked at, its evidence and a
//! remediation; and the reports CI systems read.

pub mod checks;
pub mod report;
pub mod world;

#[cfg(test)]
mod tests;

use serde::Serialize;

use world::World;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "status", content = "reason")]
pub enum Verdict {
    Pass,
    Fail,
    /// Only makes sense on the other kind of world (live vs. static), or nothing to look at.
    NotApplicable(String),
    /// Skipped on the command line or in the stack, with the reason given.
    Skipped(String),
    /// Could not be decided: what it needed could not be read.
    Error(String),
}

impl Verdict {
    pub fn label(&self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "FAIL",
            Verdict::NotApplicable(_) => "n/a",
            Verdict::Skipped(_) => "skipped",
            Verdict::Error(_) => "ERROR",
        }
    }
}

/// A check's definition.
pub struct Check {
    pub id: &'static str,
    pub title: &'static str,
    pub severity: Severity,
    pub remediation: &'static str,
    pub run: fn(&World) -> Finding,
}

/// What a check found: its verdict, what it looked at and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub verdict: Verdict,
    pub resources: Vec<String>,
    pub evidence: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckResult {
    pub id: &'static str,
    pub title: &'static str,
    pub severity: Severity,
    #[serde(flatten)]
    pub verdict: Verdict,
    pub resources: Vec<String>,
    pub evidence: Vec<String>,
    pub remediation: &'static str,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub stack: String,
    /// `live` or `static`.
    pub mode: &'static str,
    pub fail_on: Severity,
    pub results: Vec<CheckResult>,
    pub summary: Summary,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub passed: usize,
    pub failed: usize,
    pub not_applicable: usize,
    pub skipped: usize,
    pub errors: usize,
    /// Failed checks at or above `failOn`: these make the exit status 3.
    pub blocking: usize,
}

/// A check left out, and why (from `--skip`, or the stack's `verify.skip`).
#[derive(Debug, Clone)]
pub struct Skip {
    pub id: String,
    pub reason: String,
}

/// Runs every check over `world`, honouring `skips`.
pub fn run(stack: &str, world: &World, skips: &[Skip], fail_on: Severity) -> Report {
    let mut results = Vec::new();
    for check in checks::CATALOG {
        let finding = match skips.iter().find(|s| s.id == check.id) {
            Some(skip) => Finding {
                verdict: Verdict::Skipped(skip.reason.clone()),
                resources: Vec::new(),
                evidence: Vec::new(),
            },
            None => (check.run)(world),
        };
        results.push(CheckResult {
            id: check.id,
            title: check.title,
            severity: check.severity,
            verdict: finding.verdict,
            resources: finding.resources,
            evidence: finding.evidence,
            remediation: check.remediation,
        });
    }
    let mut summary = Summary::default();
    for r in &results {
        match r.verdict {
            Verdict::Pass => summary.passed += 1,
            Verdict::Fail => {
                summary.failed += 1;
                if r.severity >= fail_on {
                    summary.blocking += 1;
                }
            }
            Verdict::NotApplicable(_) => summary.not_applicable += 1,
            Verdict::Skipped(_) => summary.skipped += 1,
            Verdict::Error(_) => summary.errors += 1,
        }
    }
    Report {
        stack: stack.to_string(),
        mode: if world.live { "live" } else { "static" },
        fail_on,
        results,
        summary,
    }
}

/// Whether `id` names a check; for `--skip` and the stack's skips.
pub fn is_check(id: &str) -> bool {
    checks::CATALOG.iter().any(|c| c.id == id)
}
