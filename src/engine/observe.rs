//! Discovery's mapping: what the stack owns in both regions, from the snapshots read at once,
//! into the observed model — each kind found by its own module (by tag or name), then the
//! engine's rules across kinds: content-matched parts, the peering across regions, target
//! group links. Pure: all AWS reading happened before.

use super::matching::{self, Matches};
use super::peering;
pub use crate::kinds::Observed;
use crate::kinds::{Discovery, Mapper, REGISTRY, RegionTarget, Snapshot};
use crate::model::Resource;
use crate::providers::RoleInfo;

/// Maps region snapshots (and the global IAM roles) into the observed model.
pub fn map(
    targets: &[RegionTarget],
    snapshots: &[Snapshot],
    roles: &[RoleInfo],
    desired: &[Resource],
) -> Observed {
    let mut m = Mapper::new(desired);
    let matches = Matches::new(desired);
    // Every tagged AWS id, across both regions, so cross-region references resolve too.
    for snap in snapshots {
        m.index_tags(snap);
    }
    m.index_roles(roles);
    for def in REGISTRY {
        if let Discovery::Global(observe) = def.discovery {
            observe(&mut m, roles);
        }
    }
    let mut observed = Observed::default();
    for (target, snap) in targets.iter().zip(snapshots) {
        observed
            .azs
            .insert(target.name.clone(), snap.network.azs.clone());
        m.region = target.name.clone();
        m.aws_region = target.aws_region.clone();
        for def in REGISTRY {
            if let Discovery::InRegion(observe) = def.discovery {
                observe(&mut m, snap);
            }
        }
        matches.map_region(&mut m, snap);
    }
    peering::map(&mut m, &matches, targets, snapshots);
    for (target, snap) in targets.iter().zip(snapshots) {
        m.region = target.name.clone();
        matching::target_attachments(&mut m, snap);
    }
    observed.resources = m.out;
    observed
}
