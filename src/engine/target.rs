//! `--target ID`: a run limited to some resources. `up` and `plan` take each target with what
//! it depends on (it cannot be made without them); `down` takes each target with what depends
//! on it (that must go first).

use std::collections::BTreeSet;

use super::diff::Change;
use super::observe::Observed;
use crate::kinds::Kind;
use crate::model::Resource;
use crate::stack::suggest::did_you_mean;

#[derive(Debug, thiserror::Error)]
#[error("the stack has no resource `{id}`")]
pub struct UnknownTarget {
    pub id: String,
    /// `did you mean `c1/vpc`?`, when one is close.
    pub suggestion: Option<String>,
}

/// The changes `up` makes for `targets`: theirs and those of everything they depend on. The
/// run records are left out (a targeted run does not converge a region) unless targeted.
pub fn for_up(
    targets: &[String],
    desired: &[Resource],
    observed: &Observed,
    changes: Vec<Change>,
) -> Result<Vec<Change>, UnknownTarget> {
    known(targets, desired, observed)?;
    let mut keep: BTreeSet<&str> = BTreeSet::new();
    let mut todo: Vec<&str> = targets.iter().map(String::as_str).collect();
    while let Some(id) = todo.pop() {
        if !keep.insert(id) {
            continue;
        }
        if let Some(r) = desired.iter().find(|r| r.id == id) {
            todo.extend(r.depends_on.iter().map(String::as_str));
        }
    }
    Ok(changes
        .into_iter()
        .filter(|c| {
            let id = c.duplicate_of.as_deref().unwrap_or(&c.id);
            keep.contains(id) && (c.kind != Kind::RunRecord || targets.contains(&c.id))
        })
        .collect())
}

/// The deletions `down` makes for `targets`: theirs and those of everything that refers to
/// them, through any number of links.
pub fn for_down(
    targets: &[String],
    desired: &[Resource],
    observed: &Observed,
    changes: Vec<Change>,
) -> Result<Vec<Change>, UnknownTarget> {
    known(targets, desired, observed)?;
    let mut keep: BTreeSet<String> = targets.iter().cloned().collect();
    loop {
        let more: Vec<String> = observed
            .resources
            .values()
            .filter(|o| !keep.contains(&o.id))
            .filter(|o| {
                o.depends_on.iter().any(|d| keep.contains(d))
                    || o.duplicate_of.as_ref().is_some_and(|d| keep.contains(d))
            })
            .map(|o| o.id.clone())
            .collect();
        if more.is_empty() {
            break;
        }
        keep.extend(more);
    }
    Ok(changes
        .into_iter()
        .filter(|c| keep.contains(&c.id))
        .collect())
}

/// Every target is a logical id the stack wants or owns.
fn known(
    targets: &[String],
    desired: &[Resource],
    observed: &Observed,
) -> Result<(), UnknownTarget> {
    let ids = || {
        desired
            .iter()
            .map(|r| r.id.as_str())
            .chain(observed.resources.keys().map(String::as_str))
    };
    for t in targets {
        if !ids().any(|id| id == t) {
            return Err(UnknownTarget {
                id: t.chars().take(120).collect(),
                suggestion: did_you_mean(t, ids()),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::diff;

    fn world() -> (Vec<Resource>, Observed) {
        let valid = crate::engine::tests::reference();
        (crate::model::desired(&valid), Observed::default())
    }

    #[test]
    fn a_target_brings_what_it_depends_on_and_nothing_else() {
        let (desired, observed) = world();
        let changes = diff::diff(&desired, &observed);
        let subnet = desired
            .iter()
            .find(|r| r.spec.kind() == Kind::Subnet)
            .unwrap();
        let kept = for_up(
            std::slice::from_ref(&subnet.id),
            &desired,
            &observed,
            changes,
        )
        .unwrap();
        let ids: Vec<&str> = kept.iter().map(|c| c.id.as_str()).collect();
        assert!(ids.contains(&subnet.id.as_str()), "{ids:?}");
        for d in &subnet.depends_on {
            assert!(ids.contains(&d.as_str()), "{d} missing from {ids:?}");
        }
        assert!(ids.len() < desired.len() / 2, "{ids:?}");
        assert!(!kept.iter().any(|c| c.kind == Kind::RunRecord));
    }

    #[test]
    fn an_unknown_target_says_what_it_might_be() {
        let (desired, observed) = world();
        let vpc = desired.iter().find(|r| r.spec.kind() == Kind::Vpc).unwrap();
        let typo = format!("{}x", vpc.id);
        let e = for_up(&[typo], &desired, &observed, vec![]).unwrap_err();
        assert!(
            e.suggestion
                .as_deref()
                .unwrap_or_default()
                .contains(&vpc.id),
            "{e:?}"
        );
    }
}
