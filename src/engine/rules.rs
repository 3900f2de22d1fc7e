//! The identity of a security group rule: AWS gives rules no tags the stack can rely on, so a
//! rule is known by its content (direction, protocol, ports and peer), the same text on the
//! desired side (from the model) and the observed side (from discovery).

use crate::model::{Direction, ResourceSpec, RulePeer};

/// A rule's identity: direction, protocol, ports and peer (a CIDR or a group's logical id).
pub fn rule_key(
    egress: bool,
    protocol: &str,
    from: Option<i32>,
    to: Option<i32>,
    peer: &str,
) -> String {
    let direction = if egress { "out" } else { "in" };
    let ports = match (from, to) {
        (Some(a), Some(b)) if a == b => a.to_string(),
        (Some(a), Some(b)) => format!("{a}-{b}"),
        _ => "all".to_string(),
    };
    format!("{direction} {protocol} {ports} {peer}")
}

pub fn desired_rule_key(spec: &ResourceSpec) -> Option<(String, String)> {
    let ResourceSpec::SecurityGroupRule {
        group,
        direction,
        protocol,
        from_port,
        to_port,
        peer,
        ..
    } = spec
    else {
        return None;
    };
    let peer = match peer {
        RulePeer::Cidr(c) => c.clone(),
        RulePeer::SecurityGroup(g) => g.clone(),
    };
    let key = rule_key(
        *direction == Direction::Egress,
        protocol,
        from_port.map(i32::from),
        to_port.map(i32::from),
        &peer,
    );
    Some((group.clone(), key))
}
