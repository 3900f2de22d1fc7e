//! Plans: what `up` would do. For now the offline plan — everything the stack implies, to be
//! created in an empty account — rendered as text or one JSON document.

pub mod live;
pub mod saved;

use std::fmt::Write as _;

use serde::Serialize;

use crate::model::graph::{self, GraphError};
use crate::model::{self, Resource};
use crate::stack::ValidStack;

/// One step of a plan.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Change {
    pub action: Action,
    /// Position in execution order, from 1.
    pub step: usize,
    /// Steps in the same wave have no dependency between them and can run at once.
    pub wave: usize,
    #[serde(flatten)]
    pub resource: Resource,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Action {
    Create,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    pub stack: String,
    pub offline: bool,
    pub regions: Vec<RegionSummary>,
    pub changes: Vec<Change>,
    pub summary: Summary,
    /// The Kubernetes objects `up` would then apply in each cluster.
    pub workloads: Vec<crate::workloads::sync::WorkloadChange>,
    /// The monthly cost the plan adds, from the project's price table.
    pub cost: crate::cost::CostDelta,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RegionSummary {
    /// `global` for IAM, else the stack's region name.
    pub name: String,
    pub aws_region: Option<String>,
    pub role: Option<&'static str>,
    pub create: usize,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub create: usize,
    pub waves: usize,
}

const GLOBAL: &str = "global";

/// What `up` would create in an account holding none of the stack's resources.
pub fn offline(valid: &ValidStack) -> Result<Plan, GraphError> {
    let resources = model::desired(valid);
    let placements = graph::order(&resources)?;
    let waves = placements.iter().map(|p| p.wave + 1).max().unwrap_or(0);
    let mut slots: Vec<Option<Resource>> = resources.into_iter().map(Some).collect();
    let changes: Vec<Change> = placements
        .iter()
        .enumerate()
        .filter_map(|(step, p)| {
            Some(Change {
                action: Action::Create,
                step: step + 1,
                wave: p.wave + 1,
                resource: slots[p.index].take()?,
            })
        })
        .collect();
    let count = |name: Option<&str>| {
        changes
            .iter()
            .filter(|c| c.resource.region.as_deref() == name)
            .count()
    };
    let mut regions = vec![RegionSummary {
        name: GLOBAL.to_string(),
        aws_region: None,
        role: None,
        create: count(None),
    }];
    regions.extend(valid.stack.spec.regions.iter().map(|r| RegionSummary {
        name: r.name.clone(),
        aws_region: Some(r.region.clone()),
        role: Some(r.role.as_str()),
        create: count(Some(&r.name)),
    }));
    Ok(Plan {
        stack: valid.name().to_string(),
        offline: true,
        regions,
        summary: Summary {
            create: changes.len(),
            waves,
        },
        changes,
        workloads: Vec::new(),
        cost: crate::cost::offline_delta(valid),
    })
}

impl Plan {
    /// Human-readable plan: grouped by region, dependency order within each group.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "Offline plan for stack `{}`: an empty account assumed, no AWS calls made.",
            self.stack
        );
        let id_width = self
            .changes
            .iter()
            .map(|c| c.resource.id.len())
            .max()
            .unwrap_or(0);
        let kind_width = self
            .changes
            .iter()
            .map(|c| c.resource.spec.kind().name().len())
            .max()
            .unwrap_or(0);
        for region in self.regions.iter().filter(|r| r.create > 0) {
            let _ = writeln!(out);
            match (&region.aws_region, region.role) {
                (Some(aws), Some(role)) => {
                    let _ = writeln!(
                        out,
                        "{} ({aws}, {role}): {} to create",
                        region.name, region.create
                    );
                }
                _ => {
                    let _ = writeln!(out, "{}: {} to create", region.name, region.create);
                }
            }
            let in_region = self
                .changes
                .iter()
                .filter(|c| c.resource.region.as_deref().unwrap_or(GLOBAL) == region.name);
            for change in in_region {
                let r = &change.resource;
                let _ = writeln!(
                    out,
                    "  + {:<id_width$}  {:<kind_width$}  {}",
                    r.id,
                    r.spec.kind(),
                    r.spec.summary()
                );
            }
        }
        let by_region: Vec<String> = self
            .regions
            .iter()
            .filter(|r| r.create > 0)
            .map(|r| format!("{} {}", r.name, r.create))
            .collect();
        if !self.workloads.is_empty() {
            live::workloads_text(&self.workloads, &mut out);
        }
        let _ = writeln!(
            out,
            "\nPlan: {} to create ({}), in {} dependent waves.",
            self.summary.create,
            by_region.join(", "),
            self.summary.waves
        );
        let _ = writeln!(out, "{}", crate::cost::delta_text(&self.cost));
        out
    }
}
