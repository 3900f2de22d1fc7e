//! The Cluster Autoscaler's objects for one region's cluster, from the manifests built into
//! the tool (`builtin/cluster-autoscaler.yaml`), labelled like a workload's so that sync,
//! drift, pruning and `down` treat them alike.

use std::collections::BTreeMap;

use super::render::{self, Manifest};
use crate::stack::ValidStack;
use crate::stack::autoscaler;
use crate::stack::diagnostic::Diagnostic;

/// The name its objects carry as their workload.
pub const WORKLOAD: &str = "cluster-autoscaler";

const FILE: &str = "(built in) cluster-autoscaler.yaml";
const MANIFESTS: &str = include_str!("builtin/cluster-autoscaler.yaml");

/// The objects for region `index`, or `None` when its cluster runs no autoscaler: none is
/// wanted, or an earlier region of the stack works on the same cluster (its context), which
/// then runs one already — its cluster-wide objects cannot have two owners.
pub fn render(stack: &ValidStack, index: usize) -> Result<Option<Vec<Manifest>>, Vec<Diagnostic>> {
    let regions = &stack.stack.spec.regions;
    let region = &regions[index];
    let cluster = &region.cluster;
    let shares_a_cluster = cluster.kubeconfig_context.is_some()
        && regions[..index]
            .iter()
            .any(|r| r.cluster.kubeconfig_context == cluster.kubeconfig_context);
    if !autoscaler::wanted(cluster) || shares_a_cluster {
        return Ok(None);
    }
    // Validation refuses a wanted autoscaler without an image.
    let Some(image) = autoscaler::image(cluster) else {
        return Ok(None);
    };
    let values = BTreeMap::from([
        ("image", image),
        ("cluster", cluster.name.clone()),
        ("region", region.region.clone()),
    ]);
    let mut manifests = render::render_text(FILE, MANIFESTS, &values)?;
    for m in &mut manifests {
        render::add_labels(&mut m.object, stack.name(), WORKLOAD, &region.name);
    }
    Ok(Some(manifests))
}
