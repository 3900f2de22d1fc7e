//! Duplicates: two or more resources carrying one logical id. Discovery observes them all (see
//! `kinds::mapping`); this decides which one keeps the id — the one the rest of the stack
//! hangs on — so that `up` removes the others and keeps what works.

use std::collections::{BTreeMap, HashMap};

use crate::kinds::{Observed, ObservedResource};

/// The resources that carry one logical id: the one that keeps it first, then the extras.
pub fn groups(observed: &Observed) -> BTreeMap<&str, Vec<&ObservedResource>> {
    let mut groups: BTreeMap<&str, Vec<&ObservedResource>> = BTreeMap::new();
    for o in observed.resources.values() {
        if let Some(of) = &o.duplicate_of {
            groups.entry(of.as_str()).or_default().push(o);
        }
    }
    for (id, members) in groups.iter_mut() {
        if let Some(kept) = observed.resources.get(*id) {
            members.insert(0, kept);
        }
    }
    groups
}

/// Logical id -> the AWS id that should keep it, where that is not the one that does: per
/// group, the member that depends on the fewest duplicates (a subnet inside the kept VPC, not
/// one inside a duplicate VPC), then the one most others depend on; the current holder on a
/// tie. Empty when every group is kept as it should be.
pub fn better_keepers(observed: &Observed) -> HashMap<String, String> {
    let mut dependents: HashMap<&str, usize> = HashMap::new();
    for o in observed.resources.values() {
        for d in &o.depends_on {
            *dependents.entry(d.as_str()).or_default() += 1;
        }
    }
    let is_duplicate = |id: &String| {
        observed
            .resources
            .get(id)
            .is_some_and(|o| o.duplicate_of.is_some())
    };
    let mut better = HashMap::new();
    for (id, members) in groups(observed) {
        let score = |o: &ObservedResource| {
            let on_duplicates = o.depends_on.iter().filter(|d| is_duplicate(d)).count();
            let held = dependents.get(o.id.as_str()).copied().unwrap_or(0);
            (std::cmp::Reverse(on_duplicates), held)
        };
        let Some(current) = members.first() else {
            continue;
        };
        let best =
            members.iter().skip(1).fold(
                *current,
                |best, o| if score(o) > score(best) { o } else { best },
            );
        if best.id != current.id {
            better.insert(id.to_string(), best.handle.aws_id().to_string());
        }
    }
    better
}

/// `2 found: vpc-a (kept), vpc-b (extra)`, for plans and checks.
pub fn describe(members: &[&ObservedResource]) -> String {
    let names: Vec<String> = members
        .iter()
        .map(|o| {
            let role = if o.duplicate_of.is_some() {
                "extra"
            } else {
                "kept"
            };
            format!("{} ({role})", o.handle.aws_id())
        })
        .collect();
    format!("{} found: {}", members.len(), names.join(", "))
}
