//! What a stack costs per month, before it is built: every billable resource the stack implies
//! priced from the project's dated table ([`prices`]) and the stack's usage assumptions
//! (`spec.usage`), itemised per region; and the change a plan would make to it.

pub mod billable;
pub mod lines;
pub mod prices;
mod report;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use serde::Serialize;

use billable::Billable;
pub use lines::Line;
pub use report::{compare_text, delta_text};

use crate::kinds::{self, Fields, Kind};
use crate::model;
use crate::stack::ValidStack;
use crate::stack::usage::UsageSpec;

/// Where the prices come from and how old they are.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PriceSource {
    pub date: &'static str,
    pub source: &'static str,
    pub age_days: Option<i64>,
}

impl PriceSource {
    pub fn table() -> Self {
        PriceSource {
            date: prices::TABLE_DATE,
            source: prices::TABLE_SOURCE,
            age_days: prices::table_age_days(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RegionCost {
    pub name: String,
    pub aws_region: String,
    pub lines: Vec<Line>,
    /// USD per month at the node groups' desired sizes.
    pub monthly: f64,
    /// USD per month with every node group at its max.
    pub at_max: f64,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Estimate {
    pub stack: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub env: Option<String>,
    pub prices: PriceSource,
    pub usage: UsageSpec,
    pub regions: Vec<RegionCost>,
    pub monthly: f64,
    pub at_max: f64,
    /// What the table could not price: left out of the totals, which are then too low.
    pub unpriced: Vec<String>,
}

/// A resource's id, kind and fields: what pricing reads, desired or observed alike.
pub struct Priced<'a> {
    pub id: &'a str,
    pub kind: Kind,
    /// The stack's region name; `None` for global (IAM, free).
    pub region: Option<&'a str>,
    pub fields: Fields,
}

/// The stack as written: everything `up` would create, priced.
pub fn estimate(valid: &ValidStack) -> Estimate {
    let resources = model::desired(valid);
    let priced: Vec<Priced<'_>> = resources.iter().map(desired_priced).collect();
    estimate_of(valid, &priced)
}

/// The bill of `resources` in the regions of `valid`, under its usage assumptions.
pub fn estimate_of(valid: &ValidStack, resources: &[Priced<'_>]) -> Estimate {
    let usage = &valid.stack.spec.usage;
    let mut unpriced = Vec::new();
    let regions: Vec<RegionCost> = valid
        .stack
        .spec
        .regions
        .iter()
        .map(|region| {
            let billables: Vec<Billable> = resources
                .iter()
                .filter(|r| r.region == Some(region.name.as_str()))
                .filter_map(|r| billable::of(r.id, r.kind, &r.fields))
                .collect();
            let (lines, missing) = lines::region(&region.region, &billables, usage);
            // Said once for the stack, however many regions say it.
            for m in missing {
                if !unpriced.contains(&m) {
                    unpriced.push(m);
                }
            }
            let monthly = lines.iter().map(|l| l.monthly).sum();
            let at_max = lines.iter().map(|l| l.at_max.unwrap_or(l.monthly)).sum();
            RegionCost {
                name: region.name.clone(),
                aws_region: region.region.clone(),
                lines,
                monthly,
                at_max,
            }
        })
        .collect();
    Estimate {
        stack: valid.name().to_string(),
        env: valid.env.clone(),
        prices: PriceSource::table(),
        usage: usage.clone(),
        monthly: regions.iter().map(|r| r.monthly).sum(),
        at_max: regions.iter().map(|r| r.at_max).sum(),
        regions,
        unpriced,
    }
}

/// One line's change between two bills.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LineChange {
    pub region: String,
    pub item: String,
    /// Change in the line's quantity (`1` NAT gateway more).
    pub quantity: f64,
    pub unit: &'static str,
    /// Change in USD per month.
    pub monthly: f64,
}

/// The monthly cost change from `before` to `after`, line by line.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CostDelta {
    pub monthly: f64,
    pub changes: Vec<LineChange>,
    /// The price table's date.
    pub prices_date: &'static str,
    pub unpriced: Vec<String>,
}

/// Differences below a cent a month are rounding, not change.
const CENT: f64 = 0.005;

pub fn delta(before: &Estimate, after: &Estimate) -> CostDelta {
    let mut lines: BTreeMap<(String, String), (f64, f64, &'static str)> = BTreeMap::new();
    for (sign, estimate) in [(-1.0, before), (1.0, after)] {
        for region in &estimate.regions {
            for l in &region.lines {
                let entry = lines
                    .entry((region.name.clone(), l.item.clone()))
                    .or_insert((0.0, 0.0, l.unit));
                entry.0 += sign * l.quantity;
                entry.1 += sign * l.monthly;
            }
        }
    }
    let changes: Vec<LineChange> = lines
        .into_iter()
        .filter(|(_, (_, monthly, _))| monthly.abs() >= CENT)
        .map(|((region, item), (quantity, monthly, unit))| LineChange {
            region,
            item,
            quantity,
            unit,
            monthly,
        })
        .collect();
    let mut unpriced = after.unpriced.clone();
    unpriced.extend(before.unpriced.iter().cloned());
    // Container Insights on before and after: the plan does not change its bill.
    let insights = lines::insights_unpriced();
    if before.unpriced.contains(&insights) && after.unpriced.contains(&insights) {
        unpriced.retain(|u| *u != insights);
    }
    unpriced.sort();
    unpriced.dedup();
    CostDelta {
        monthly: changes.iter().map(|c| c.monthly).sum(),
        changes,
        prices_date: after.prices.date,
        unpriced,
    }
}

/// The monthly cost change of carrying out `changes`: what exists now (`observed`, duplicates
/// included) against what will exist after, each created or changed resource at its desired
/// fields.
pub fn plan_delta(
    valid: &ValidStack,
    desired: &[model::Resource],
    observed: &kinds::Observed,
    changes: &[crate::engine::diff::Change],
) -> CostDelta {
    use crate::engine::diff::Action;
    let existing = || {
        observed.resources.values().map(|o| {
            let priced = Priced {
                id: &o.id,
                kind: o.kind,
                region: o.region.as_deref(),
                fields: o.fields.clone(),
            };
            (o.id.as_str(), priced)
        })
    };
    let before: Vec<Priced<'_>> = existing().map(|(_, p)| p).collect();
    let wanted: BTreeMap<&str, &model::Resource> =
        desired.iter().map(|r| (r.id.as_str(), r)).collect();
    let mut after: BTreeMap<&str, Priced<'_>> = existing().collect();
    for change in changes {
        match change.action {
            Action::Delete => {
                after.remove(change.id.as_str());
            }
            Action::Create | Action::Update | Action::Replace => {
                if let Some(r) = wanted.get(change.id.as_str()) {
                    after.insert(&r.id, desired_priced(r));
                }
            }
        }
    }
    let after: Vec<Priced<'_>> = after.into_values().collect();
    delta(&estimate_of(valid, &before), &estimate_of(valid, &after))
}

/// The change an offline plan makes: from nothing to the stack as written.
pub fn offline_delta(valid: &ValidStack) -> CostDelta {
    delta(&estimate_of(valid, &[]), &estimate(valid))
}

fn desired_priced(r: &model::Resource) -> Priced<'_> {
    let mut fields = kinds::desired(r, &[]);
    // An autoscaled group's desired size is no field the diff compares, but it is what runs
    // until the autoscaler moves it.
    if let model::ResourceSpec::NodeGroup { desired, .. } = &r.spec {
        fields.insert(kinds::node_group::DESIRED.name, desired.to_string());
    }
    Priced {
        id: &r.id,
        kind: r.spec.kind(),
        region: r.region.as_deref(),
        fields,
    }
}
