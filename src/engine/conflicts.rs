//! What the stack asks for that contradicts what it owns, found once the regions are read and
//! told before anything changes: a run that went ahead would fail the same way every time.

use super::EngineError;
use super::diff::Change;
use crate::kinds::{Handle, Kind, Observed};
use crate::model::{Resource, ResourceSpec};

/// A cluster whose `keyArn` names a key this stack made (for its secrets or its alert
/// topic). The stack deletes a key it no longer asks for, but never one a cluster reads its
/// secrets with (EKS cannot change a cluster's key), so such a run would be refused on every
/// `up` and never settle.
///
/// Told only where `changes` touch the cluster or the key (a run targeted elsewhere is not
/// held up by it): every plan of the whole stack does, the cluster's key being drift.
pub fn own_key_named_by_arn(
    desired: &[Resource],
    observed: &Observed,
    changes: &[Change],
) -> Result<(), EngineError> {
    let touched = |id: &str| changes.iter().any(|c| c.id == id);
    for r in desired {
        let ResourceSpec::EksCluster {
            secrets_key: Some(arn),
            ..
        } = &r.spec
        else {
            continue;
        };
        let own = observed.resources.values().find(|o| {
            matches!(o.kind, Kind::SecretsKey | Kind::AlertsKey)
                && matches!(&o.handle, Handle::Id(id) if id == arn.as_str())
        });
        if let Some(key) = own.filter(|k| touched(&r.id) || touched(&k.id)) {
            let what = match key.kind {
                Kind::AlertsKey => {
                    "the key this stack made for its alert topic; name a key made outside the stack, or leave keyArn out for the stack's own secrets key"
                }
                _ => {
                    "the key this stack made and manages; leave keyArn out to go on using it, or name a key made outside the stack"
                }
            };
            return Err(EngineError::OwnKeyNamedByArn {
                region: r.region.clone().unwrap_or_default(),
                arn: arn.clone(),
                key: key.id.clone(),
                what,
            });
        }
    }
    Ok(())
}
