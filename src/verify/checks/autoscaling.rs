//! Node groups that may grow have something that grows them: a Cluster Autoscaler that
//! discovers the cluster's groups (or Karpenter, which replaces them).

use k8s_openapi::api::apps::v1::Deployment;

use super::*;

/// What runs the autoscaling of `cluster`'s node groups, by the Deployment's name.
fn autoscaler_of<'a>(deployments: &'a [Deployment], cluster: &str) -> Option<&'a Deployment> {
    let tag = format!("k8s.io/cluster-autoscaler/{cluster}");
    deployments.iter().find(|d| {
        let containers = d
            .spec
            .as_ref()
            .and_then(|s| s.template.spec.as_ref())
            .map(|p| p.containers.as_slice())
            .unwrap_or_default();
        containers.iter().any(|c| {
            let image = c.image.as_deref().unwrap_or_default();
            let words = c.command.iter().chain(c.args.iter()).flatten();
            let discovers = words.clone().any(|w| {
                // The cluster's own tag, as a whole key, or a group named outright.
                w.starts_with("--node-group-auto-discovery=")
                    && w.split([',', '=']).any(|part| part == tag)
                    || w.starts_with("--nodes=")
            });
            (image.contains("cluster-autoscaler") && discovers) || image.contains("karpenter")
        })
    })
}

/// A group whose max is above its min is meant to grow under load; without an autoscaler its
/// size never moves, and pods wait for nodes that never come.
pub(super) fn growing_groups_have_an_autoscaler(world: &World) -> Finding {
    let mut look = Look::default();
    for r in &world.regions {
        for g in &r.node_groups {
            look.saw(&g.name.label);
        }
        let growing: Vec<String> = r
            .node_groups
            .iter()
            .filter(|g| g.sizes.2 > g.sizes.0)
            .map(|g| g.name.label.clone())
            .collect();
        if growing.is_empty() {
            look.ok(format!("{}: no node group can grow (max = min)", r.name));
            continue;
        }
        // A cluster that cannot be read leaves the check undecided, as for the Kubernetes
        // checks.
        let objects = match objects(r, &mut look) {
            Ok(objects) => objects,
            Err(undecided) => return undecided,
        };
        match autoscaler_of(&objects.deployments, &r.cluster_name) {
            Some(d) => {
                let name = object_name(&d.metadata);
                look.saw(&format!("Deployment {name}"));
                look.ok(format!(
                    "{}: Deployment {name} scales {} (max above min)",
                    r.name,
                    growing.join(", ")
                ));
            }
            None => look.problem(format!(
                "{}: {} can grow, but no Cluster Autoscaler discovering cluster {}'s node groups (tag k8s.io/cluster-autoscaler/{}) or Karpenter runs",
                r.name,
                growing.join(", "),
                r.cluster_name,
                r.cluster_name
            )),
        }
    }
    look.finish()
}
