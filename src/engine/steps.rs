//! The steps of a run: one per change, ordered by what depends on what, and the sweeps that
//! clear a region's VPCs before they are deleted.

use std::collections::HashMap;

use super::diff::{Action, Change};
use super::executor::Step;
use super::observe::Observed;
use crate::kinds::Kind;
use crate::model::Resource;

/// The work of one step.
pub(super) enum Work<'c> {
    Apply(&'c Change),
    Delete(&'c Change),
    /// Remove what EKS and Kubernetes left in a region's VPCs, so they can be deleted.
    Sweep(String),
}

/// One sweep step per region with a VPC to delete: after everything that leaves network
/// interfaces and groups behind (clusters, node groups, load balancers), before the subnets,
/// groups and VPC that those leftovers would block.
pub(super) fn add_sweeps(steps: &mut Vec<Step<Work<'_>>>, changes: &[Change]) {
    const LEAVE_BEHIND: &[Kind] = &[Kind::EksCluster, Kind::NodeGroup, Kind::LoadBalancer];
    const BLOCKED: &[Kind] = &[Kind::Subnet, Kind::SecurityGroup, Kind::Vpc];
    let kind_of = |step: &Step<Work<'_>>| match step.work {
        Work::Delete(c) => Some(c.kind),
        _ => None,
    };
    let regions: Vec<String> = changes
        .iter()
        .filter(|c| c.kind == Kind::Vpc && c.action == Action::Delete)
        .filter_map(|c| c.region.clone())
        .collect();
    for region in regions {
        let in_region = |s: &Step<Work<'_>>| s.lane == region;
        let after: Vec<usize> = (0..steps.len())
            .filter(|&i| {
                in_region(&steps[i])
                    && kind_of(&steps[i]).is_some_and(|k| LEAVE_BEHIND.contains(&k))
            })
            .collect();
        let sweep = steps.len();
        for step in steps.iter_mut() {
            if step.lane == region && kind_of(step).is_some_and(|k| BLOCKED.contains(&k)) {
                step.after.push(sweep);
            }
        }
        steps.push(Step {
            label: format!("sweep {region}"),
            lane: region.clone(),
            after,
            work: Work::Sweep(region.clone()),
        });
    }
}

/// Steps for `changes`: creates and updates after what they depend on, deletes before what
/// they depend on (the create edges reversed), and a replacement's create after its delete.
pub(super) fn steps<'c>(
    desired: &[Resource],
    observed: &Observed,
    changes: &'c [Change],
) -> Vec<Step<Work<'c>>> {
    let mut steps: Vec<Step<Work<'c>>> = Vec::new();
    let mut apply_of: HashMap<&str, usize> = HashMap::new();
    let mut delete_of: HashMap<&str, usize> = HashMap::new();
    for c in changes {
        let lane = c.region.clone().unwrap_or_else(|| "global".to_string());
        if matches!(c.action, Action::Delete | Action::Replace) {
            delete_of.insert(&c.id, steps.len());
            steps.push(Step {
                label: format!("delete {}", c.id),
                lane: lane.clone(),
                after: vec![],
                work: Work::Delete(c),
            });
        }
        if c.action != Action::Delete {
            apply_of.insert(&c.id, steps.len());
            let verb = match c.action {
                Action::Update => "update",
                Action::Replace => "recreate",
                _ => "create",
            };
            steps.push(Step {
                label: format!("{verb} {}", c.id),
                lane,
                after: vec![],
                work: Work::Apply(c),
            });
        }
    }
    let deps: HashMap<&str, &[String]> = desired
        .iter()
        .map(|r| (r.id.as_str(), r.depends_on.as_slice()))
        .collect();
    for c in changes {
        if let Some(&i) = apply_of.get(c.id.as_str()) {
            let mut after: Vec<usize> = deps
                .get(c.id.as_str())
                .into_iter()
                .flat_map(|d| d.iter())
                .filter_map(|d| apply_of.get(d.as_str()).copied())
                .collect();
            if let Some(&d) = delete_of.get(c.id.as_str()) {
                after.push(d);
            }
            steps[i].after = after;
        }
    }
    // What the registry makes after its region waits for every other change there and for
    // the global ones.
    for c in changes.iter().filter(|c| c.kind.def().after_region) {
        let Some(&mine) = apply_of.get(c.id.as_str()) else {
            continue;
        };
        let others = changes
            .iter()
            .filter(|o| o.id != c.id && (o.region == c.region || o.region.is_none()));
        let firsts: Vec<usize> = others
            .flat_map(|o| [apply_of.get(o.id.as_str()), delete_of.get(o.id.as_str())])
            .flatten()
            .copied()
            .collect();
        steps[mine].after.extend(firsts);
    }
    // Deleting X waits for the deletion of everything that refers to X.
    for o in observed.resources.values() {
        let Some(&mine) = delete_of.get(o.id.as_str()) else {
            continue;
        };
        for dep in &o.depends_on {
            if let Some(&theirs) = delete_of.get(dep.as_str())
                && theirs != mine
                && !steps[theirs].after.contains(&mine)
            {
                steps[theirs].after.push(mine);
            }
        }
    }
    steps
}
