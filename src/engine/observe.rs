//! Discovery's mapping: what the stack owns in both regions, from the snapshots read at once,
//! into the observed model — each kind found by its own module (by tag or name), then the
//! engine's rules across kinds: content-matched parts, the peering across regions, target
//! group links. Pure: all AWS reading happened before.

use std::collections::HashMap;

use super::duplicates;
use super::matching::{self, Matches};
use super::peering;
pub use crate::kinds::Observed;
use crate::kinds::{Discovery, Mapper, REGISTRY, RegionTarget, Snapshot};
use crate::model::Resource;
use crate::providers::RoleInfo;

/// How many times the mapping is redone to settle which duplicate keeps each logical id: each
/// pass can move the choice one level down (VPC, then its subnets, then their gateways).
const KEEPER_PASSES: usize = 8;

/// Maps region snapshots (and the global IAM roles) into the observed model.
pub fn map(
    targets: &[RegionTarget],
    snapshots: &[Snapshot],
    roles: &[RoleInfo],
    desired: &[Resource],
) -> Observed {
    let mut keep = HashMap::new();
    let mut observed = map_keeping(targets, snapshots, roles, desired, &keep);
    for _ in 0..KEEPER_PASSES {
        let better = duplicates::better_keepers(&observed);
        if better.is_empty() {
            break;
        }
        keep.extend(better);
        observed = map_keeping(targets, snapshots, roles, desired, &keep);
    }
    observed
}

/// One mapping, `keep` saying which AWS id keeps a logical id that several carry.
fn map_keeping(
    targets: &[RegionTarget],
    snapshots: &[Snapshot],
    roles: &[RoleInfo],
    desired: &[Resource],
    keep: &HashMap<String, String>,
) -> Observed {
    let mut m = Mapper::new(desired);
    m.keep = keep.clone();
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
