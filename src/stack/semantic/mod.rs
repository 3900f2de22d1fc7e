//! Semantic validation: what a well-formed stack must also satisfy for AWS to accept it and for
//! the topology to work. Every problem is collected; the resolved networks come out alongside.

mod alerts;
mod clusters;
mod identity;
mod load_balancers;
mod networks;
mod roles;
mod verify;
mod warnings;
mod workloads;

use std::collections::HashMap;

use ipnet::Ipv4Net;

pub use alerts::plain_http_webhooks;
pub use load_balancers::MANAGED_RULE_GROUPS;
pub use warnings::warnings;

use super::diagnostic::{Finding, Kind};
use super::types::*;
use crate::quote::quoted;

/// A region's network with every block parsed: the VPC and one public and private subnet per AZ.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedNetwork {
    pub vpc: Ipv4Net,
    pub public: Vec<Ipv4Net>,
    pub private: Vec<Ipv4Net>,
}

pub fn check(stack: &Stack) -> (Vec<Finding>, Vec<Option<ResolvedNetwork>>) {
    let mut c = Checker::default();
    c.metadata(&stack.metadata);
    c.tags(&stack.spec.tags);
    c.iam(&stack.spec.iam);
    c.regions(&stack.spec.regions);
    let networks = c.networks(&stack.spec.regions);
    let region_names: Vec<&str> = stack.spec.regions.iter().map(|r| r.name.as_str()).collect();
    c.waf_acls(&stack.spec.waf_acls);
    for (i, region) in stack.spec.regions.iter().enumerate() {
        let path = format!("spec.regions[{i}]");
        c.cluster(&region.cluster, &format!("{path}.cluster"));
        c.secrets_encryption(
            &region.cluster.secrets_encryption,
            &region.region,
            &format!("{path}.cluster.secretsEncryption"),
        );
        c.load_balancer(
            &region.load_balancer,
            &stack.spec.waf_acls,
            &format!("{path}.loadBalancer"),
        );
        c.tls(
            &region.load_balancer,
            &region.region,
            &format!("{path}.loadBalancer"),
        );
    }
    c.unique(
        stack.spec.regions.iter().map(|r| r.cluster.name.as_str()),
        |i| format!("spec.regions[{i}].cluster.name"),
        "cluster name",
    );
    c.one_region_per_domain(&stack.spec.regions);
    c.peering(&stack.spec.peering, &region_names);
    c.workloads(&stack.spec.workloads, &region_names);
    c.verify(&stack.spec.verify);
    if let Some(alerts) = &stack.spec.alerts {
        c.alerts(alerts);
    }
    (c.findings, networks)
}

#[derive(Default)]
struct Checker {
    findings: Vec<Finding>,
}

fn is_dns_label(s: &str, max: usize) -> bool {
    !s.is_empty()
        && s.len() <= max
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && !s.ends_with('-')
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

impl Checker {
    fn push(&mut self, finding: Finding) {
        self.findings.push(finding);
    }

    /// Reports every repeat of a value after its first use.
    fn unique<'a>(
        &mut self,
        values: impl Iterator<Item = &'a str>,
        path: impl Fn(usize) -> String,
        what: &str,
    ) {
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (i, value) in values.enumerate() {
            if let Some(first) = seen.insert(value, i) {
                seen.insert(value, first);
                self.push(
                    Finding::new(
                        path(i),
                        format!(
                            "duplicate {what} {} (also at {})",
                            quoted(value),
                            path(first)
                        ),
                    )
                    .kind(Kind::Duplicate),
                );
            }
        }
    }
}
