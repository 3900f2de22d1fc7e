//! The pure diff: desired against observed, with field-level differences.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::observe::Observed;
use crate::kinds::{self, Fields, Kind, eks_cluster, tags_text};
use crate::model::Resource;
use crate::providers::Tags;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Action {
    Create,
    Update,
    /// Delete and create again: AWS cannot change it in place. Only with `--allow-replace`.
    Replace,
    Delete,
}

impl Action {
    pub fn symbol(self) -> &'static str {
        match self {
            Action::Create => "+",
            Action::Update => "~",
            Action::Replace => "-/+",
            Action::Delete => "-",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldChange {
    pub field: String,
    #[serde(serialize_with = "typed")]
    pub observed: Option<String>,
    #[serde(serialize_with = "typed")]
    pub desired: Option<String>,
}

/// Fields are compared as text; in JSON a boolean field stays a boolean.
fn typed<S: serde::Serializer>(value: &Option<String>, s: S) -> Result<S::Ok, S::Error> {
    match value.as_deref() {
        Some("true") => s.serialize_bool(true),
        Some("false") => s.serialize_bool(false),
        Some(text) => s.serialize_str(text),
        None => s.serialize_none(),
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Change {
    pub id: String,
    pub kind: Kind,
    pub region: Option<String>,
    pub action: Action,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldChange>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// A replacement of a failed resource, or of one that depends on it: it needs no consent,
    /// as what it replaces does not work.
    #[serde(skip)]
    pub mends_failure: bool,
    /// For the deletion of a duplicate: the logical id it carries, which another resource
    /// keeps.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duplicate_of: Option<String>,
    /// For a create, what it makes (`10.0.0.0/16`, `t3.medium x 2 (2..5)`), as the offline
    /// plan says it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
}

fn visible_tags(tags: &Tags) -> Tags {
    // `aws:` tags belong to AWS and cannot be changed by anyone.
    tags.iter()
        .filter(|(k, _)| !k.starts_with("aws:"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

fn compare(desired: &Fields, observed: &Fields) -> Vec<FieldChange> {
    desired
        .iter()
        .filter(|(k, v)| observed.get(*k) != Some(*v))
        .map(|(k, v)| FieldChange {
            field: k.to_string(),
            observed: observed.get(k).cloned(),
            desired: Some(v.clone()),
        })
        .collect()
}

/// Changes that bring `observed` to `desired`: in desired order, then deletions of what the
/// stack owns but no longer wants.
pub fn diff(desired: &[Resource], observed: &Observed) -> Vec<Change> {
    let mut changes: Vec<Change> = Vec::new();
    for r in desired {
        let kind = r.spec.kind();
        let want = desired_fields(r, observed);
        let Some(have) = observed.resources.get(&r.id) else {
            let reason = match kind {
                Kind::VpcPeeringAccepter => observed
                    .resources
                    .values()
                    .find(|o| o.kind == Kind::VpcPeering && o.state.is_some())
                    .map(|o| format!("the peering is {}", o.state.as_deref().unwrap_or_default())),
                _ => None,
            };
            changes.push(Change {
                id: r.id.clone(),
                kind,
                region: r.region.clone(),
                action: Action::Create,
                fields: vec![],
                reason,
                mends_failure: false,
                duplicate_of: None,
                summary: Some(r.spec.summary()),
            });
            continue;
        };
        if kind.def().after_region {
            // Recorded with the region's other changes, below.
            continue;
        }
        let mut differences = compare(&want, &have.fields);
        if let (true, Some(tags)) = (kind.keeps_tags(), &have.tags) {
            let (want_tags, have_tags) = (visible_tags(&r.tags), visible_tags(tags));
            if want_tags != have_tags {
                // Only the keys that differ, so the line says what changed.
                let differing = |a: &Tags, b: &Tags| -> Tags {
                    a.iter()
                        .filter(|(k, v)| b.get(*k) != Some(*v))
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect()
                };
                differences.push(FieldChange {
                    field: "tags".to_string(),
                    observed: Some(tags_text(&differing(&have_tags, &want_tags))),
                    desired: Some(tags_text(&differing(&want_tags, &have_tags))),
                });
            }
        }
        let failed = have.state.as_deref() == Some("failed");
        // Going away (a `down` stopped part way): made again once it is gone.
        let going = have.state.as_deref() == Some("deleting");
        if differences.is_empty() && !failed && !going {
            continue;
        }
        // EKS only moves forward: an older version means a new cluster.
        let downgrade = differences.iter().any(|d| {
            d.field == eks_cluster::VERSION.name
                && kind == Kind::EksCluster
                && d.desired.as_deref().and_then(crate::model::minor)
                    < d.observed.as_deref().and_then(crate::model::minor)
        });
        let replace =
            failed || going || downgrade || differences.iter().any(|d| kind.forces_new(&d.field));
        changes.push(Change {
            id: r.id.clone(),
            kind,
            region: r.region.clone(),
            action: if replace {
                Action::Replace
            } else {
                Action::Update
            },
            fields: differences,
            reason: match (failed, going) {
                (true, _) => Some("it is in state failed".to_string()),
                (_, true) => Some("it is being deleted".to_string()),
                _ => None,
            },
            mends_failure: failed || going,
            duplicate_of: None,
            summary: None,
        });
    }
    cascade_replacements(desired, observed, &mut changes);
    record_runs(desired, observed, &mut changes);
    let wanted: BTreeSet<&str> = desired.iter().map(|r| r.id.as_str()).collect();
    let duplicates = super::duplicates::groups(observed);
    for o in observed
        .resources
        .values()
        .filter(|o| !wanted.contains(o.id.as_str()))
    {
        let group = o.duplicate_of.as_deref().and_then(|of| duplicates.get(of));
        let reason = match group {
            Some(members) => super::duplicates::describe(members),
            None => "not in the stack".to_string(),
        };
        changes.push(Change {
            id: o.id.clone(),
            kind: o.kind,
            region: o.region.clone(),
            action: Action::Delete,
            fields: vec![],
            reason: Some(reason),
            mends_failure: false,
            duplicate_of: o.duplicate_of.clone(),
            summary: None,
        });
    }
    changes
}

/// A resource's desired fields, its region's zones as discovery found them.
fn desired_fields(r: &Resource, observed: &Observed) -> Fields {
    let azs = r
        .region
        .as_ref()
        .and_then(|n| observed.azs.get(n))
        .map(Vec::as_slice)
        .unwrap_or_default();
    kinds::desired(r, azs)
}

/// A kind made after its region (the run record) is rewritten by every run that changes
/// something there or globally, and by no other: a run that changes nothing leaves it alone.
fn record_runs(desired: &[Resource], observed: &Observed, changes: &mut Vec<Change>) {
    for r in desired.iter().filter(|r| r.spec.kind().def().after_region) {
        let Some(have) = observed.resources.get(&r.id) else {
            continue;
        };
        let touched = changes
            .iter()
            .any(|c| c.region.is_none() || c.region == r.region);
        if !touched {
            continue;
        }
        changes.push(Change {
            id: r.id.clone(),
            kind: r.spec.kind(),
            region: r.region.clone(),
            action: Action::Update,
            fields: compare(&desired_fields(r, observed), &have.fields),
            reason: Some("records this run".to_string()),
            mends_failure: false,
            duplicate_of: None,
            summary: None,
        });
    }
}

/// What depends on a replaced resource must be replaced with it (a subnet goes with its VPC).
fn cascade_replacements(desired: &[Resource], observed: &Observed, changes: &mut Vec<Change>) {
    // Each replaced id -> the root it is replaced with, and whether that root failed.
    let mut replaced: BTreeMap<String, (String, bool)> = changes
        .iter()
        .filter(|c| c.action == Action::Replace)
        .map(|c| (c.id.clone(), (c.id.clone(), c.mends_failure)))
        .collect();
    if replaced.is_empty() {
        return;
    }
    // Repeated until nothing more joins: declaration order is not dependency order.
    let mut grew = true;
    while grew {
        grew = false;
        for r in desired {
            if replaced.contains_key(&r.id) || !observed.resources.contains_key(&r.id) {
                continue;
            }
            // The run record is not part of what it records.
            if r.spec.kind().def().after_region {
                continue;
            }
            let Some((root, failed)) = r.depends_on.iter().find_map(|d| replaced.get(d)).cloned()
            else {
                continue;
            };
            grew = true;
            replaced.insert(r.id.clone(), (root.clone(), failed));
            let reason = Some(format!("replaced together with {root}"));
            match changes.iter_mut().find(|c| c.id == r.id) {
                Some(c) => {
                    // Its own replacement, if it has one, still asks for consent.
                    c.mends_failure = c.action != Action::Replace && failed;
                    c.action = Action::Replace;
                    c.reason = reason;
                }
                None => changes.push(Change {
                    id: r.id.clone(),
                    kind: r.spec.kind(),
                    region: r.region.clone(),
                    action: Action::Replace,
                    fields: vec![],
                    reason,
                    mends_failure: failed,
                    duplicate_of: None,
                    summary: None,
                }),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::FieldChange;

    #[test]
    fn a_boolean_field_stays_a_boolean_in_json() {
        let change = FieldChange {
            field: "dnsHostnames".into(),
            observed: Some("false".into()),
            desired: Some("true".into()),
        };
        let json = serde_json::to_value(&change).unwrap();
        assert_eq!(json["observed"], false);
        assert_eq!(json["desired"], true);
        let text = FieldChange {
            field: "cidr".into(),
            observed: None,
            desired: Some("10.0.0.0/16".into()),
        };
        let json = serde_json::to_value(&text).unwrap();
        assert!(json["observed"].is_null() && json["desired"] == "10.0.0.0/16");
    }
}
