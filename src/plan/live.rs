//! Rendering of a live plan: the changes with their differing fields, grouped by region.

use std::fmt::Write as _;

use serde::Serialize;

use crate::engine::diff::{Action, Change};
use crate::stack::ValidStack;
use crate::workloads::sync::{self, WorkloadChange};

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LivePlan<'a> {
    pub stack: &'a str,
    pub in_sync: bool,
    pub changes: &'a [Change],
    pub summary: Counts,
    /// Kubernetes objects to create, update or prune in each cluster; absent when skipped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workloads: Option<&'a [WorkloadChange]>,
    /// The monthly cost change the AWS changes make, from the project's price table.
    pub cost: &'a crate::cost::CostDelta,
}

#[derive(Debug, Default, Serialize)]
pub struct Counts {
    pub create: usize,
    pub update: usize,
    pub replace: usize,
    pub delete: usize,
    /// Deletions of duplicates (counted apart from `delete`).
    pub duplicate: usize,
}

pub fn counts(changes: &[Change]) -> Counts {
    let mut c = Counts::default();
    for change in changes {
        match change.action {
            Action::Create => c.create += 1,
            Action::Update => c.update += 1,
            Action::Replace => c.replace += 1,
            Action::Delete if change.duplicate_of.is_some() => c.duplicate += 1,
            Action::Delete => c.delete += 1,
        }
    }
    c
}

pub fn to_text(stack: &ValidStack, changes: &[Change], workloads: &[WorkloadChange]) -> String {
    let mut out = String::new();
    if changes.is_empty() && workloads.is_empty() {
        let _ = writeln!(
            out,
            "Stack `{}` is in sync: nothing to change in either region.",
            stack.name()
        );
        return out;
    }
    let _ = writeln!(out, "Plan for stack `{}`:", stack.name());
    if !changes.is_empty() {
        infrastructure_text(stack, changes, &mut out);
    }
    if !workloads.is_empty() {
        workloads_text(workloads, &mut out);
    }
    out
}

/// Each cluster's Kubernetes objects: `+ Deployment frontend/frontend`, with differing fields.
pub(crate) fn workloads_text(changes: &[WorkloadChange], out: &mut String) {
    let mut clusters: Vec<&str> = changes.iter().map(|c| c.cluster.as_str()).collect();
    clusters.dedup();
    for cluster in clusters {
        let _ = writeln!(out, "\nworkloads in {cluster}");
        for c in changes.iter().filter(|c| c.cluster == cluster) {
            let _ = writeln!(out, "  {:<3} {}", c.action.symbol(), c.object);
            if let Some(note) = &c.note {
                let _ = writeln!(out, "        ({note})");
            }
            for f in &c.fields {
                let _ = writeln!(out, "        {f}");
            }
        }
    }
    let count = |a| changes.iter().filter(|c| c.action == a).count();
    let replace = match count(sync::Action::Replace) {
        0 => String::new(),
        n => format!(", {n} to replace"),
    };
    let _ = writeln!(
        out,
        "\nWorkloads: {} to create, {} to update{replace}, {} to prune.",
        count(sync::Action::Create),
        count(sync::Action::Update),
        count(sync::Action::Delete)
    );
}

fn infrastructure_text(stack: &ValidStack, changes: &[Change], out: &mut String) {
    let width = changes.iter().map(|c| c.id.len()).max().unwrap_or(0);
    let kind_width = changes
        .iter()
        .map(|c| c.kind.name().len())
        .max()
        .unwrap_or(0);
    let mut groups: Vec<(Option<String>, String)> = vec![(None, "global".to_string())];
    groups.extend(stack.stack.spec.regions.iter().map(|r| {
        (
            Some(r.name.clone()),
            format!("{} ({}, {})", r.name, r.region, r.role.as_str()),
        )
    }));
    for (region, title) in groups {
        let in_region: Vec<&Change> = changes.iter().filter(|c| c.region == region).collect();
        if in_region.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{title}");
        for c in in_region {
            // A duplicate shows the id it carries: `!   c1/vpc  Vpc  (2 found: …)`.
            let (symbol, id) = match &c.duplicate_of {
                Some(of) => ("!", of),
                None => (c.action.symbol(), &c.id),
            };
            let mut line = format!("  {symbol:<3} {id:<width$}  {}", c.kind);
            if let Some(summary) = c.summary.as_deref().filter(|s| !s.is_empty()) {
                let pad = kind_width.saturating_sub(c.kind.name().len());
                let _ = write!(line, "{:pad$}  {summary}", "");
            }
            if let Some(reason) = &c.reason {
                let _ = write!(line, "  ({reason})");
            }
            let _ = writeln!(out, "{line}");
            for f in &c.fields {
                let show = |v: &Option<String>| match v.as_deref() {
                    None => "(none)".to_string(),
                    Some("") => "(empty)".to_string(),
                    Some(v) => v.to_string(),
                };
                let _ = writeln!(
                    out,
                    "        {}: {} -> {}",
                    f.field,
                    show(&f.observed),
                    show(&f.desired)
                );
            }
        }
    }
    let n = counts(changes);
    let duplicates = match n.duplicate {
        0 => String::new(),
        k => format!(", {k} duplicate(s) to remove"),
    };
    let _ = writeln!(
        out,
        "\nPlan: {} to create, {} to update, {} to replace, {} to delete{duplicates}.",
        n.create, n.update, n.replace, n.delete
    );
    if n.replace > 0 {
        let _ = writeln!(
            out,
            "Replacements delete and create again; `up` carries them out only with --allow-replace."
        );
    }
}
