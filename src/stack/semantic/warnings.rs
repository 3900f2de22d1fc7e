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
    found.extend(placeholder_recipients(stack));
    for (i, skip) in stack.spec.verify.skip.iter().enumerate() {
        if let Some(why) = crate::check_ids::retired(&skip.id) {
            found.push(
                Finding::new(format!("spec.verify.skip[{i}].id"), why)
                    .hint("remove this skip; it no longer skips anything"),
            );
        }
    }
    found
}

/// The domains kept for examples (RFC 2606): nobody reads mail there or serves a webhook.
const EXAMPLE_DOMAINS: [&str; 3] = ["example.com", "example.net", "example.org"];

fn is_example(host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    EXAMPLE_DOMAINS
        .iter()
        .any(|d| host == *d || host.ends_with(&format!(".{d}")))
}

/// Alarms sent to an example domain reach nobody.
fn placeholder_recipients(stack: &Stack) -> Vec<Finding> {
    let Some(alerts) = &stack.spec.alerts else {
        return vec![];
    };
    let mut found = Vec::new();
    for (i, hook) in alerts.webhooks.iter().enumerate() {
        let host = url::Url::parse(hook)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string));
        if host.as_deref().is_some_and(is_example) {
            found.push(
                Finding::new(
                    format!("spec.alerts.webhooks[{i}]"),
                    format!("{hook} is on an example domain (RFC 2606): the alarms reach nobody"),
                )
                .hint("replace it with your receiver's URL"),
            );
        }
    }
    for (i, mail) in alerts.emails.iter().enumerate() {
        if mail.rsplit_once('@').is_some_and(|(_, d)| is_example(d)) {
            found.push(
                Finding::new(
                    format!("spec.alerts.emails[{i}]"),
                    format!("{mail} is on an example domain (RFC 2606): the alarms reach nobody"),
                )
                .hint("replace it with your on-call address"),
            );
        }
    }
    found
}
