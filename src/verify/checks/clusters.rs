//! The cluster checks: the API endpoint, control plane logs, the nodes' instance metadata.

use super::*;

pub(super) fn endpoint_limited(world: &World) -> Finding {
    let mut look = Look::default();
    for r in &world.regions {
        let Some(c) = &r.cluster else {
            look.problem(format!("{}: no EKS cluster found", r.name));
            continue;
        };
        look.saw(&c.name.label);
        if !c.endpoint_public {
            look.ok(format!("{}: public endpoint off", c.name.label));
            continue;
        }
        if c.public_cidrs.is_empty() {
            look.problem(format!(
                "{}: public endpoint open to all (no CIDRs)",
                c.name.label
            ));
        }
        for cidr in &c.public_cidrs {
            if is_anywhere(cidr) {
                look.problem(format!("{}: public endpoint open to {cidr}", c.name.label));
            } else if !r.endpoint_cidrs.contains(cidr) {
                look.problem(format!(
                    "{}: public endpoint admits {cidr}, which the stack does not list",
                    c.name.label
                ));
            } else {
                look.ok(format!(
                    "{}: public endpoint limited to {cidr}",
                    c.name.label
                ));
            }
        }
    }
    look.finish()
}

pub(super) fn all_logs_on(world: &World) -> Finding {
    let mut look = Look::default();
    for r in &world.regions {
        let Some(c) = &r.cluster else {
            look.problem(format!("{}: no EKS cluster found", r.name));
            continue;
        };
        look.saw(&c.name.label);
        let missing: Vec<&str> = LOG_TYPES
            .iter()
            .copied()
            .filter(|t| !c.log_types.iter().any(|l| l == t))
            .collect();
        if missing.is_empty() {
            look.ok(format!("{}: all five log types on", c.name.label));
        } else {
            look.problem(format!(
                "{}: log types off: {}",
                c.name.label,
                missing.join(", ")
            ));
        }
    }
    look.finish()
}

pub(super) fn imdsv2_required(world: &World) -> Finding {
    let mut look = Look::default();
    for r in &world.regions {
        if r.node_groups.is_empty() {
            look.problem(format!("{}: no node group found", r.name));
        }
        for g in &r.node_groups {
            look.saw(&g.name.label);
            match g.imdsv2_required {
                Some(true) => look.ok(format!("{}: IMDSv2 required", g.name.label)),
                Some(false) => look.problem(format!(
                    "{}: its launch template allows IMDSv1",
                    g.name.label
                )),
                None => look.problem(format!(
                    "{}: made without a launch template, so IMDSv1 is allowed",
                    g.name.label
                )),
            }
        }
    }
    look.finish()
}

/// Without envelope encryption a secret is protected only by the encryption of etcd's disks:
/// anyone who reads etcd (or a backup of it) reads every secret.
pub(super) fn secrets_encrypted(world: &World) -> Finding {
    let mut look = Look::default();
    for r in &world.regions {
        let Some(c) = &r.cluster else {
            look.problem(format!("{}: no EKS cluster found", r.name));
            continue;
        };
        look.saw(&c.name.label);
        let Some(key) = &c.secrets_key else {
            look.problem(format!(
                "{}: secrets are not envelope-encrypted",
                c.name.label
            ));
            continue;
        };
        match c.secrets_key_state {
            Some(s) if !s.enabled => look.problem(format!(
                "{}: secrets key {key} is disabled: the cluster cannot read its secrets",
                c.name.label
            )),
            Some(s) if !s.rotation => look.problem(format!(
                "{}: secrets encrypted with {key}, but its automatic rotation is off",
                c.name.label
            )),
            Some(_) => look.ok(format!(
                "{}: secrets encrypted with {key} (rotation on)",
                c.name.label
            )),
            // The stack makes its own key, but the cluster's is none of its live keys: one
            // pending deletion (the cluster loses its secrets when KMS deletes it) or made
            // elsewhere.
            None if r.own_secrets_key => look.problem(format!(
                "{}: secrets encrypted with {key}, which is not the stack's key: one pending deletion, or made elsewhere",
                c.name.label
            )),
            None => look.ok(format!(
                "{}: secrets encrypted with the existing key {key}",
                c.name.label
            )),
        }
    }
    look.finish()
}

/// A version past EKS standard support costs six times as much an hour, and past extended
/// support EKS upgrades the cluster on its own schedule.
pub(super) fn version_supported(world: &World) -> Finding {
    use crate::stack::eks_versions::{self, Support};
    let today = eks_versions::today();
    let mut look = Look::default();
    for r in &world.regions {
        let Some(c) = &r.cluster else {
            look.problem(format!("{}: no EKS cluster found", r.name));
            continue;
        };
        look.saw(&c.name.label);
        let Some(minor) = crate::model::minor(&c.version) else {
            look.problem(format!(
                "{}: version {:?} is not a minor version",
                c.name.label, c.version
            ));
            continue;
        };
        let target = eks_versions::oldest_in_standard(today).unwrap_or_else(eks_versions::newest);
        let path = || {
            let steps: Vec<String> = (minor..=target).map(|m| format!("1.{m}")).collect();
            format!("upgrade path, one minor per `up`: {}", steps.join(" -> "))
        };
        let at = format!("{} (1.{minor})", c.name.label);
        match eks_versions::support(minor, today) {
            Support::Standard { until } => look.ok(format!("{at}: in standard support until {until}")),
            Support::Newer => look.ok(format!(
                "{at}: newer than any version in the table of {}, so in standard support",
                eks_versions::TABLE_DATE
            )),
            Support::Extended { since, until } => look.problem(format!(
                "{at}: standard support ended {since}; extended support (billed at six times the hourly price) ends {until}; {}",
                path()
            )),
            Support::Ended { since } => look.problem(format!(
                "{at}: all support ended {since}: EKS upgrades such clusters on its own; {}",
                path()
            )),
            Support::TooOld => look.problem(format!(
                "{at}: older than any version EKS supports; {}",
                path()
            )),
        }
    }
    look.finish()
}
