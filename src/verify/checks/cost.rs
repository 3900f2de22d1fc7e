//! The cost hazards the source documents discuss: told at low severity, since each is a choice
//! a team may make on purpose (and `verify.skip` with a reason records that it did).

use super::*;
use crate::verify::world::NodeGroupView;

/// Environment names that mean "not production".
const DEV_LIKE: [&str; 5] = ["dev", "development", "test", "sandbox", "staging"];

fn is_dev(env: &str) -> bool {
    let env = env.to_ascii_lowercase();
    DEV_LIKE
        .iter()
        .any(|d| env == *d || env.starts_with(&format!("{d}-")))
}

/// A NAT gateway in each AZ is production's resilience; a dev environment pays for it twice.
pub(super) fn single_nat_in_dev(world: &World) -> Finding {
    let Some(env) = world.env.as_deref().filter(|e| is_dev(e)) else {
        return not_applicable(
            "not a dev environment (`--env` names none of dev, development, test, sandbox, staging)",
        );
    };
    let mut look = Look::default();
    for r in &world.regions {
        for nat in &r.nat_gateways {
            look.saw(&nat.label);
        }
        match r.nat_gateways.len() {
            0 | 1 => look.ok(format!(
                "{}: {} NAT gateway(s) in environment `{env}`",
                r.name,
                r.nat_gateways.len()
            )),
            n => look.problem(format!(
                "{}: {n} NAT gateways in environment `{env}`: {} more than one region needs",
                r.name,
                n - 1
            )),
        }
    }
    look.finish()
}

/// How far max may exceed desired before the headroom is worth an autoscaler.
fn far_above(desired: u32, max: u32) -> bool {
    max >= desired.saturating_mul(2).max(desired + 2)
}

fn has_autoscaler(kube: &Kube) -> Option<bool> {
    match kube {
        Kube::Objects(objects) => Some(objects.deployments.iter().any(|d| {
            let name = d.metadata.name.as_deref().unwrap_or_default();
            name.contains("cluster-autoscaler") || name.contains("karpenter")
        })),
        Kube::Unavailable(_) => None,
    }
}

/// A max far above desired says the group should grow under load; without an autoscaler it
/// never does, and the capacity planned for is not there (nor is its bill foreseen).
pub(super) fn headroom_has_an_autoscaler(world: &World) -> Finding {
    let mut look = Look::default();
    for r in &world.regions {
        let far: Vec<&NodeGroupView> = r
            .node_groups
            .iter()
            .filter(|g| far_above(g.sizes.1, g.sizes.2))
            .collect();
        for g in &r.node_groups {
            look.saw(&g.name.label);
        }
        if far.is_empty() {
            look.ok(format!(
                "{}: every node group's max is close to its desired size",
                r.name
            ));
            continue;
        }
        match has_autoscaler(&r.kubernetes) {
            Some(true) => look.ok(format!("{}: an autoscaler runs in the cluster", r.name)),
            Some(false) => {
                for g in far {
                    let (_, desired, max) = g.sizes;
                    look.problem(format!(
                        "{}: max {max} is far above desired {desired}, and no Cluster Autoscaler or Karpenter runs in the cluster to use it",
                        g.name.label
                    ));
                }
            }
            None => look.problem(format!(
                "{}: cannot tell whether an autoscaler runs: the cluster was not read",
                r.name
            )),
        }
    }
    look.finish()
}

/// Logs kept forever are a bill that grows every month. (EKS's own control-plane log group,
/// which the tool does not make, is not among them: `multiregion cost` prices it as kept
/// forever.)
pub(super) fn logs_expire(world: &World) -> Finding {
    let mut look = Look::default();
    for r in &world.regions {
        for g in &r.log_groups {
            look.saw(&g.name.label);
            match g.retention_days {
                Some(days) => look.ok(format!("{}: kept {days} days", g.name.label)),
                None => look.problem(format!("{}: no retention, kept forever", g.name.label)),
            }
        }
    }
    if look.resources.is_empty() {
        return not_applicable("the stack makes no log groups (flow logs are off)");
    }
    look.finish()
}
