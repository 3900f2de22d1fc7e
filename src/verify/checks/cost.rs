//! The cost hazards the source documents discuss: told at low severity, since each is a choice
//! a team may make on purpose (and `verify.skip` with a reason records that it did).

use super::*;

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
