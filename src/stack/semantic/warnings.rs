//! What a valid stack may hold but probably should not: told as warnings, which never stop a
//! command.

use ipnet::Ipv4Net;

use super::super::diagnostic::Finding;
use super::super::types::Stack;

/// The IPv4 blocks kept for documentation (RFC 5737): nobody's network, so an endpoint limited
/// to one admits no operator.
const DOCUMENTATION: [&str; 3] = ["192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"];

pub fn warnings(stack: &Stack) -> Vec<Finding> {
    let documentation: Vec<Ipv4Net> = DOCUMENTATION
        .iter()
        .filter_map(|b| b.parse().ok())
        .collect();
    let mut found = Vec::new();
    for (i, region) in stack.spec.regions.iter().enumerate() {
        let endpoint = &region.cluster.endpoint;
        if !endpoint.public {
            continue;
        }
        for (k, cidr) in endpoint.public_cidrs.iter().enumerate() {
            let Ok(block) = cidr.parse::<Ipv4Net>() else {
                continue;
            };
            if documentation.iter().any(|d| d.contains(&block)) {
                found.push(
                    Finding::new(
                        format!("spec.regions[{i}].cluster.endpoint.publicCidrs[{k}]"),
                        format!("{cidr} is a documentation range (RFC 5737), nobody's network: no operator can reach the public endpoint"),
                    )
                    .hint("replace it with your operators' or CI's egress blocks, or set `public: false`"),
                );
            }
        }
    }
    found
}
