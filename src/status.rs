//! The stack's status from one discovery pass: per region and per kind what exists, what is
//! missing, drifted, extra or duplicated, and the last `up` that converged each region (its
//! run record), with whether the stack file has changed since.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::engine::diff::{Action, Change};
use crate::kinds::{Kind, Observed, run_record};
use crate::stack::ValidStack;

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Status {
    pub stack: String,
    pub in_sync: bool,
    /// `global` first, then each region by its name.
    pub regions: Vec<RegionStatus>,
    /// Each cluster's Deployments of the stack and how far they rolled out.
    pub workloads: Vec<ClusterRollout>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterRollout {
    pub cluster: String,
    /// Why the cluster's objects could not be read, when they could not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unavailable: Option<String>,
    pub deployments: Vec<DeploymentRollout>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentRollout {
    /// `namespace/name`.
    pub name: String,
    pub desired: i32,
    pub updated: i32,
    pub ready: i32,
    pub available: i32,
    /// Every desired replica is updated, ready and available.
    pub rolled_out: bool,
}

impl DeploymentRollout {
    pub fn of(d: &k8s_openapi::api::apps::v1::Deployment) -> Self {
        let desired = d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
        let status = d.status.clone().unwrap_or_default();
        let (updated, ready, available) = (
            status.updated_replicas.unwrap_or(0),
            status.ready_replicas.unwrap_or(0),
            status.available_replicas.unwrap_or(0),
        );
        let namespace = d.metadata.namespace.as_deref().unwrap_or("default");
        DeploymentRollout {
            name: format!(
                "{namespace}/{}",
                d.metadata.name.as_deref().unwrap_or_default()
            ),
            desired,
            updated,
            ready,
            available,
            rolled_out: updated >= desired && ready >= desired && available >= desired,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RegionStatus {
    pub name: String,
    pub kinds: Vec<KindStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_up: Option<LastUp>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KindStatus {
    pub kind: Kind,
    pub exist: usize,
    pub missing: usize,
    pub drifted: usize,
    /// Not in the stack any more, or a duplicate.
    pub extra: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LastUp {
    pub recorded_at: String,
    pub tool_version: String,
    /// Whether the stack file that run applied is the one read now.
    pub same_stack_file: bool,
}

/// What discovery found and what `plan` would change, counted per region and kind.
pub fn from_plan(stack: &ValidStack, observed: &Observed, changes: &[Change]) -> Status {
    let mut counts: BTreeMap<(Option<String>, Kind), KindStatus> = BTreeMap::new();
    fn entry<'m>(
        counts: &'m mut BTreeMap<(Option<String>, Kind), KindStatus>,
        region: &Option<String>,
        kind: Kind,
    ) -> &'m mut KindStatus {
        counts.entry((region.clone(), kind)).or_insert(KindStatus {
            kind,
            exist: 0,
            missing: 0,
            drifted: 0,
            extra: 0,
        })
    }
    for o in observed.resources.values() {
        entry(&mut counts, &o.region, o.kind).exist += 1;
    }
    for c in changes.iter().filter(|c| c.kind != Kind::RunRecord) {
        let k = entry(&mut counts, &c.region, c.kind);
        match c.action {
            Action::Create => k.missing += 1,
            Action::Update | Action::Replace => k.drifted += 1,
            Action::Delete => k.extra += 1,
        }
    }
    let mut names = vec![None];
    names.extend(
        stack
            .stack
            .spec
            .regions
            .iter()
            .map(|r| Some(r.name.clone())),
    );
    let regions = names
        .into_iter()
        .map(|region| {
            let kinds = counts
                .iter()
                .filter(|((r, _), _)| *r == region)
                .map(|(_, k)| k.clone())
                .collect();
            let last_up = region.as_ref().and_then(|r| last_up(stack, observed, r));
            RegionStatus {
                name: region.unwrap_or_else(|| "global".to_string()),
                kinds,
                last_up,
            }
        })
        .filter(|r| !r.kinds.is_empty() || r.name != "global")
        .collect();
    Status {
        stack: stack.name().to_string(),
        in_sync: changes.is_empty(),
        regions,
        workloads: Vec::new(),
    }
}

fn last_up(stack: &ValidStack, observed: &Observed, region: &str) -> Option<LastUp> {
    let record = observed
        .resources
        .values()
        .find(|o| o.kind == Kind::RunRecord && o.region.as_deref() == Some(region))?;
    let field = |name: &str| record.fields.get(name).cloned().unwrap_or_default();
    Some(LastUp {
        recorded_at: field(run_record::RECORDED_AT.name),
        tool_version: field(run_record::TOOL_VERSION.name),
        same_stack_file: field(run_record::STACK_DIGEST.name) == stack.digest,
    })
}

impl Status {
    pub fn to_text(&self) -> String {
        let mut out = format!(
            "Stack `{}`: {}\n",
            self.stack,
            if self.in_sync {
                "in sync"
            } else {
                "changes pending (`plan` shows them)"
            }
        );
        for r in &self.regions {
            out.push_str(&format!("\n{}\n", r.name));
            match &r.last_up {
                Some(l) => out.push_str(&format!(
                    "  last up: {} (multiregion {}){}\n",
                    l.recorded_at,
                    l.tool_version,
                    if l.same_stack_file {
                        ""
                    } else {
                        ", from another version of the stack file"
                    }
                )),
                None if r.name != "global" => out.push_str("  last up: none recorded\n"),
                None => {}
            }
            for k in &r.kinds {
                let mut notes = Vec::new();
                for (n, what) in [
                    (k.missing, "missing"),
                    (k.drifted, "drifted"),
                    (k.extra, "extra"),
                ] {
                    if n > 0 {
                        notes.push(format!("{n} {what}"));
                    }
                }
                let notes = match notes.is_empty() {
                    true => String::new(),
                    false => format!("  ({})", notes.join(", ")),
                };
                out.push_str(&format!(
                    "  {:<24} {:>3} exist{notes}\n",
                    k.kind.name(),
                    k.exist
                ));
            }
        }
        for c in &self.workloads {
            out.push_str(&format!("\nworkloads in {}\n", c.cluster));
            if let Some(why) = &c.unavailable {
                out.push_str(&format!("  not read: {why}\n"));
            }
            for d in &c.deployments {
                out.push_str(&format!(
                    "  {:<32} {}/{} ready, {} updated{}\n",
                    d.name,
                    d.ready,
                    d.desired,
                    d.updated,
                    if d.rolled_out { "" } else { "  (rolling out)" }
                ));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::tests::{engine, reference, world};
    use crate::progress::Silent;

    #[tokio::test(start_paused = true)]
    async fn status_counts_what_exists_and_what_is_missing_and_names_the_last_up() {
        let (stack, fake) = (reference(), world());
        let e = engine(&stack, &fake, &Silent);
        let (observed, changes) = e.plan().await.unwrap();
        let empty = from_plan(&stack, &observed, &changes);
        assert!(!empty.in_sync);
        let c1 = &empty.regions.iter().find(|r| r.name == "c1").unwrap();
        let vpc = c1.kinds.iter().find(|k| k.kind == Kind::Vpc).unwrap();
        assert_eq!((vpc.exist, vpc.missing), (0, 1));
        assert!(c1.last_up.is_none());
        assert!(empty.to_text().contains("last up: none recorded"));
        e.up(false).await.unwrap();
        let (observed, changes) = e.plan().await.unwrap();
        let done = from_plan(&stack, &observed, &changes);
        assert!(done.in_sync, "{}", done.to_text());
        let c1 = &done.regions.iter().find(|r| r.name == "c1").unwrap();
        let vpc = c1.kinds.iter().find(|k| k.kind == Kind::Vpc).unwrap();
        assert_eq!((vpc.exist, vpc.missing), (1, 0));
        let last = c1.last_up.as_ref().expect("recorded");
        assert!(last.same_stack_file);
        assert_eq!(last.tool_version, env!("CARGO_PKG_VERSION"));
    }
}
