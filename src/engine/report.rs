//! What a run did, step by step, as `up` and `down` report it. A step is one change carried
//! out (`create c1/vpc`), or one region's sweep, or one cluster's workloads.

use serde::Serialize;

use crate::providers::ErrorKind;

/// What a run did, step by step.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunReport {
    pub steps: Vec<StepReport>,
}

/// How a step ended, as reports say it (`"done"`, `"failed"`, `"skipped"`, `"notStarted"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum StepOutcome {
    Done,
    Failed,
    /// Not tried: something it depends on failed.
    Skipped,
    /// Not started: the run was interrupted first.
    NotStarted,
}

impl StepOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            StepOutcome::Done => "done",
            StepOutcome::Failed => "failed",
            StepOutcome::Skipped => "skipped",
            StepOutcome::NotStarted => "not started",
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StepReport {
    /// `create c1/vpc`: the action and what it acts on.
    pub step: String,
    /// `create`, `update`, `recreate`, `delete`, `sweep`, `apply`.
    pub action: String,
    /// The logical id, region or cluster the step acts on.
    pub id: String,
    pub outcome: StepOutcome,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub detail: String,
    /// How long it ran (0 when it did not).
    pub seconds: f64,
    /// What kind of error failed the step, for advice; `None` unless it failed.
    #[serde(skip)]
    pub error: Option<ErrorKind>,
}

impl StepReport {
    pub fn new(
        step: &str,
        outcome: StepOutcome,
        detail: String,
        took: std::time::Duration,
    ) -> Self {
        let (action, id) = step.split_once(' ').unwrap_or((step, ""));
        StepReport {
            step: step.to_string(),
            action: action.to_string(),
            id: id.to_string(),
            outcome,
            detail,
            seconds: (took.as_secs_f64() * 10.0).round() / 10.0,
            error: None,
        }
    }
}

impl RunReport {
    pub fn count(&self, outcome: StepOutcome) -> usize {
        self.steps.iter().filter(|s| s.outcome == outcome).count()
    }

    pub fn failed(&self) -> usize {
        self.count(StepOutcome::Failed)
    }

    pub fn skipped(&self) -> usize {
        self.count(StepOutcome::Skipped)
    }
}
