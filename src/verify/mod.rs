//! The security-check suite: pure checks over a [`world::World`] (read live, or built from the
//! stack alone), each with a stable id, a severity, what it looked at, its evidence and a
//! remediation; and the reports CI systems read.

pub mod checks;
pub mod report;
pub mod world;

#[cfg(test)]
mod tests;

use serde::Serialize;

use crate::stack::ValidStack;
use crate::stack::types::Role;
use world::World;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
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
    /// The stack settings behind what the check looks at: where a report points to fix it.
    pub settings: &'static [(Scope, &'static str)],
    pub run: fn(&World) -> Finding,
}

/// What a check setting's path is relative to.
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    /// `spec.<path>`.
    Spec,
    /// `spec.regions[i].<path>` of the region with this role.
    Region(Role),
    /// `spec.regions[i].<path>` of every region.
    EachRegion,
    /// `spec.workloads[j].<path>` of every workload in the region with this role.
    Workloads(Role),
}

/// A stack setting a check result points to, and where the stack file writes it (or the
/// nearest enclosing field, for a setting left to its default).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Setting {
    pub path: String,
    pub line: usize,
    pub column: usize,
}

/// `check`'s settings in `stack`, in the order the check lists them.
fn settings_of(check: &Check, stack: &ValidStack) -> Vec<Setting> {
    let spec = &stack.stack.spec;
    let region_index = |role: Role| spec.regions.iter().position(|r| r.role == role);
    let mut paths = Vec::new();
    for (scope, path) in check.settings {
        match scope {
            Scope::Spec => paths.push(format!("spec.{path}")),
            Scope::Region(role) => {
                paths.extend(region_index(*role).map(|i| format!("spec.regions[{i}].{path}")))
            }
            Scope::EachRegion => {
                paths.extend((0..spec.regions.len()).map(|i| format!("spec.regions[{i}].{path}")))
            }
            Scope::Workloads(role) => {
                let name = region_index(*role).map(|i| spec.regions[i].name.as_str());
                paths.extend(
                    spec.workloads
                        .iter()
                        .enumerate()
                        .filter(|(_, w)| Some(w.region.as_str()) == name)
                        .map(|(j, _)| format!("spec.workloads[{j}].{path}")),
                );
            }
        }
    }
    paths
        .into_iter()
        .map(|path| {
            let pos = stack.position(&path);
            Setting {
                path,
                line: pos.line,
                column: pos.column,
            }
        })
        .collect()
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
    /// Where in the stack file to look.
    pub settings: Vec<Setting>,
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
pub fn run(stack: &ValidStack, world: &World, skips: &[Skip], fail_on: Severity) -> Report {
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
            settings: settings_of(check, stack),
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
        stack: stack.name().to_string(),
        mode: if world.live { "live" } else { "static" },
        fail_on,
        results,
        summary,
    }
}

/// Whether `id` names a check; for `--skip` and the stack's skips.
pub fn is_check(id: &str) -> bool {
    crate::check_ids::is_check(id)
}
