//! A plan saved by `plan --out FILE` and carried out by `up --plan FILE`, as
//! `terraform apply PLANFILE` does: exactly those changes, refused if the stack (the desired
//! model and the manifests) or the account (what discovery sees) changed since.

use serde::{Deserialize, Serialize};

use crate::engine::diff::Change;
use crate::engine::observe::Observed;
use crate::model::Resource;
use crate::stack::digest;
use crate::workloads::render::Manifest;

/// Bumped when what a plan file holds changes meaning.
const FORMAT: u32 = 1;
/// A plan file is small JSON; more than this is not one.
const MAX_BYTES: u64 = 8 << 20;

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SavedPlan {
    pub format: u32,
    pub tool_version: String,
    pub stack: String,
    /// The desired model and the manifests, digested.
    pub desired_digest: String,
    /// What discovery saw, digested.
    pub observed_digest: String,
    /// `--target` ids the plan was limited to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<String>,
    /// Whether the workloads are converged after the infrastructure.
    pub workloads: bool,
    /// The changes, as `plan --output json` shows them (for people and scripts; what is
    /// carried out is recomputed and must be the same).
    pub changes: serde_json::Value,
}

#[derive(Debug, thiserror::Error)]
pub enum PlanFileError {
    #[error("cannot read the plan file {path}: {reason}")]
    Unreadable { path: String, reason: String },
    #[error("the plan file {path} was made by {made_by}, this is {this}")]
    OtherTool {
        path: String,
        made_by: String,
        this: String,
    },
    #[error("the plan file {path} is for stack `{planned}`, the stack file is `{this}`")]
    OtherStack {
        path: String,
        planned: String,
        this: String,
    },
    #[error("the stack changed since the plan was made (its resources or manifests differ)")]
    StackChanged,
    #[error("the account changed since the plan was made (discovery sees something else)")]
    AccountChanged,
}

/// The digest of what the stack asks for: the desired model and the rendered manifests.
pub fn desired_digest(desired: &[Resource], manifests: &[Vec<Manifest>]) -> String {
    let mut text = serde_json::to_string(desired).unwrap_or_default();
    for m in manifests.iter().flatten() {
        text.push_str(&format!("\n{}#{} {}", m.file, m.document, m.object));
    }
    digest(text.as_bytes())
}

/// The digest of what discovery saw (ids, fields, tags, states and links of every resource).
pub fn observed_digest(observed: &Observed) -> String {
    // The observed model is made of ordered maps, so its debug form is stable within a version
    // of the tool, which the plan file also records.
    digest(format!("{:?}", observed.resources).as_bytes())
}

impl SavedPlan {
    pub fn new(
        stack: &str,
        desired_digest: String,
        observed: &Observed,
        targets: &[String],
        workloads: bool,
        changes: &[Change],
    ) -> Self {
        SavedPlan {
            format: FORMAT,
            tool_version: tool_version(),
            stack: stack.to_string(),
            desired_digest,
            observed_digest: observed_digest(observed),
            targets: targets.to_vec(),
            workloads,
            changes: serde_json::to_value(changes).unwrap_or_default(),
        }
    }

    /// Reads a plan file and checks it is one of this tool for this stack.
    pub fn read(path: &std::path::Path, stack: &str) -> Result<Self, PlanFileError> {
        use std::io::Read;
        let label = path.display().to_string();
        let unreadable = |reason: String| PlanFileError::Unreadable {
            path: label.clone(),
            reason,
        };
        let mut text = String::new();
        std::fs::File::open(path)
            .and_then(|f| f.take(MAX_BYTES + 1).read_to_string(&mut text))
            .map_err(|e| unreadable(e.to_string()))?;
        if text.len() as u64 > MAX_BYTES {
            return Err(unreadable(format!("larger than {} MiB", MAX_BYTES >> 20)));
        }
        let plan: SavedPlan = serde_json::from_str(&text)
            .map_err(|e| unreadable(format!("not a plan file of this tool: {e}")))?;
        if plan.format != FORMAT || plan.tool_version != tool_version() {
            return Err(PlanFileError::OtherTool {
                path: label,
                made_by: format!("multiregion {} (format {})", plan.tool_version, plan.format),
                this: format!("multiregion {} (format {FORMAT})", tool_version()),
            });
        }
        if plan.stack != stack {
            return Err(PlanFileError::OtherStack {
                path: label,
                planned: plan.stack,
                this: stack.to_string(),
            });
        }
        Ok(plan)
    }

    /// The plan still holds: the same stack, the same account, the same changes.
    pub fn still_holds(
        &self,
        desired_digest: &str,
        observed: &Observed,
        changes: &[Change],
    ) -> Result<(), PlanFileError> {
        if self.desired_digest != desired_digest {
            return Err(PlanFileError::StackChanged);
        }
        let now = serde_json::to_value(changes).unwrap_or_default();
        if self.observed_digest != observed_digest(observed) || self.changes != now {
            return Err(PlanFileError::AccountChanged);
        }
        Ok(())
    }
}

fn tool_version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::diff;

    #[test]
    fn a_plan_holds_until_the_stack_or_the_account_changes() {
        let valid = crate::engine::tests::reference();
        let desired = crate::model::desired(&valid);
        let observed = Observed::default();
        let changes = diff::diff(&desired, &observed);
        let digest = desired_digest(&desired, &[]);
        let plan = SavedPlan::new(valid.name(), digest.clone(), &observed, &[], true, &changes);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plan.json");
        std::fs::write(&path, serde_json::to_string(&plan).unwrap()).unwrap();
        let plan = SavedPlan::read(&path, valid.name()).unwrap();
        plan.still_holds(&digest, &observed, &changes).unwrap();
        assert!(matches!(
            plan.still_holds("sha256:other", &observed, &changes),
            Err(PlanFileError::StackChanged)
        ));
        assert!(matches!(
            plan.still_holds(&digest, &observed, &changes[1..]),
            Err(PlanFileError::AccountChanged)
        ));
        assert!(matches!(
            SavedPlan::read(&path, "other"),
            Err(PlanFileError::OtherStack { .. })
        ));
        std::fs::write(&path, "{").unwrap();
        assert!(matches!(
            SavedPlan::read(&path, valid.name()),
            Err(PlanFileError::Unreadable { .. })
        ));
    }
}
