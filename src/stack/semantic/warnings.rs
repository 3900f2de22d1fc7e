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
    found.extend(unread_insights(stack));
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

/// Alarms on Container Insights metrics where the add-on that publishes them is left out.
fn unread_insights(stack: &Stack) -> Vec<Finding> {
    const ADDON: &str = "amazon-cloudwatch-observability";
    let Some(alerts) = &stack.spec.alerts else {
        return Vec::new();
    };
    let alarms = alerts.container_insights();
    if alarms.is_empty() {
        return Vec::new();
    }
    let regions = stack.spec.regions.iter().enumerate();
    let left_out = regions.filter(|(_, r)| r.cluster.addons.get(ADDON).is_some_and(|a| !a.enabled));
    left_out
        .map(|(i, _)| {
            Finding::new(
                format!("spec.regions[{i}].cluster.addons.{ADDON}.enabled"),
                format!(
                    "the alarms {} read Container Insights metrics, which only this add-on publishes: without it they never leave INSUFFICIENT_DATA",
                    alarms.join(", ")
                ),
            )
            .hint("leave the add-on on, or turn those alarms off under spec.alerts.alarms")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn alarms_on_container_insights_without_its_add_on_are_warned_of() {
        let text = include_str!("../../../stacks/two-region.yaml");
        let at = "        name: petclinic-c2\n";
        let off = "        addons: { amazon-cloudwatch-observability: { enabled: false } }\n";
        let text = text.replacen(at, &format!("{at}{off}"), 1);
        let stack = crate::stack::parse("two-region.yaml", text.as_bytes()).expect("valid");
        let warned: Vec<_> = stack
            .warnings
            .iter()
            .filter(|w| w.path.ends_with("amazon-cloudwatch-observability.enabled"))
            .collect();
        assert_eq!(warned.len(), 1, "{:?}", stack.warnings);
        assert_eq!(
            warned[0].path,
            "spec.regions[1].cluster.addons.amazon-cloudwatch-observability.enabled"
        );
        assert!(
            warned[0]
                .message
                .contains("backendPods, nodeCpu, nodeMemory, nodeNotReady, podRestarts")
        );
    }
}
