//! The resource graph of the shipped stacks and of variations on them.

use std::collections::{BTreeMap, HashSet};

use super::graph::order;
use super::{Resource, ResourceSpec, RouteTarget, RulePeer, TAG_ID, TAG_STACK, desired};
use crate::stack::{ValidStack, parse};

fn stack(text: &str) -> ValidStack {
    parse("s.yaml", text.as_bytes()).unwrap_or_else(|d| panic!("invalid: {d:#?}"))
}

fn reference() -> Vec<Resource> {
    desired(&stack(include_str!("../../stacks/two-region.yaml")))
}

fn minimal() -> Vec<Resource> {
    desired(&stack(include_str!("../../stacks/minimal.yaml")))
}

fn minimal_with(from: &str, to: &str) -> Vec<Resource> {
    let text = include_str!("../../stacks/minimal.yaml");
    assert!(text.contains(from));
    desired(&stack(&text.replacen(from, to, 1)))
}

fn kinds(resources: &[Resource], region: Option<&str>) -> BTreeMap<&'static str, usize> {
    let mut counts = BTreeMap::new();
    for r in resources.iter().filter(|r| r.region.as_deref() == region) {
        *counts.entry(r.spec.kind().name()).or_default() += 1;
    }
    counts
}

fn get<'a>(resources: &'a [Resource], id: &str) -> &'a Resource {
    resources
        .iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("no {id}"))
}

#[test]
fn reference_stack_has_every_resource_of_the_topology() {
    let rs = reference();
    let c1 = kinds(&rs, Some("c1"));
    let expected_c1 = [
        ("Vpc", 1),
        ("DefaultSecurityGroup", 1),
        ("MainRouteTable", 1),
        ("InternetGateway", 1),
        ("Subnet", 4),
        ("ElasticIp", 2),
        ("NatGateway", 2),
        ("RouteTable", 3),
        ("Route", 5),
        ("RouteTableAssociation", 4),
        ("SecurityGroup", 2),
        ("SecurityGroupRule", 4),
        ("VpcPeering", 1),
        ("VpcPeeringDns", 1),
        ("LoadBalancer", 1),
        ("TargetGroup", 1),
        ("Listener", 1),
        ("WebAcl", 1),
        ("WebAclAssociation", 1),
        ("LogGroup", 1),
        ("FlowLog", 1),
        ("SecretsKey", 1),
        ("AlertsKey", 1),
        ("EksCluster", 1),
        ("LaunchTemplate", 1),
        ("NodeGroup", 1),
        // The Cluster Autoscaler's and the CloudWatch agent's service accounts.
        ("PodIdentity", 2),
        // vpc-cni, coredns, kube-proxy, eks-pod-identity-agent, metrics-server, and
        // amazon-cloudwatch-observability for the alarms on Container Insights.
        ("ClusterAddon", 6),
        ("TargetGroupAttachment", 1),
        ("AlertTopic", 1),
        ("AlertSubscription", 1),
        // Error rate, node CPU, memory and readiness, the frontend's restarts.
        ("MetricAlarm", 5),
        ("RunRecord", 1),
    ];
    assert_eq!(c1, expected_c1.into_iter().collect());
    let c2 = kinds(&rs, Some("c2"));
    assert_eq!(c2.get("VpcPeeringAccepter"), Some(&1));
    assert_eq!(c2.get("WebAcl"), None, "the backend has no WAF");
    // Cluster, nodes, flow logs, the Cluster Autoscaler, the CloudWatch agent.
    assert_eq!(kinds(&rs, None).get("IamRole"), Some(&5));
}

#[test]
fn ids_are_unique_and_every_dependency_exists() {
    let rs = reference();
    let ids: HashSet<&str> = rs.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids.len(), rs.len());
    for r in &rs {
        for dep in &r.depends_on {
            assert!(
                ids.contains(dep.as_str()),
                "{} depends on unknown {dep}",
                r.id
            );
        }
    }
    order(&rs).expect("acyclic");
}

#[test]
fn every_resource_is_tagged_with_the_stack_its_id_and_user_tags() {
    for r in reference() {
        assert_eq!(
            r.tags.get(TAG_STACK).map(String::as_str),
            Some("petclinic"),
            "{}",
            r.id
        );
        assert_eq!(r.tags.get(TAG_ID), Some(&r.id));
        assert_eq!(
            r.tags.get("team").map(String::as_str),
            Some("platform"),
            "{}",
            r.id
        );
        assert!(r.tags.contains_key("Name"));
    }
}

#[test]
fn execution_order_respects_every_edge_and_runs_regions_side_by_side() {
    let rs = reference();
    let placed = order(&rs).unwrap();
    let position: BTreeMap<&str, usize> = placed
        .iter()
        .enumerate()
        .map(|(k, p)| (rs[p.index].id.as_str(), k))
        .collect();
    for r in &rs {
        for dep in &r.depends_on {
            assert!(
                position[dep.as_str()] < position[r.id.as_str()],
                "{dep} must come before {}",
                r.id
            );
        }
    }
    let wave_of = |id: &str| placed.iter().find(|p| rs[p.index].id == id).unwrap().wave;
    assert_eq!(wave_of("c1/vpc"), 0);
    assert_eq!(wave_of("c2/vpc"), 0, "both regions start at once");
    assert_eq!(wave_of("c1/eks"), wave_of("c2/eks"));
}

#[test]
fn peering_crosses_regions_in_the_right_order() {
    let rs = reference();
    let peering = get(&rs, "c1/peering");
    assert_eq!(peering.aws_region.as_deref(), Some("us-east-1"));
    assert!(peering.depends_on.contains(&"c2/vpc".to_string()));
    let accept = get(&rs, "c2/peering-accept");
    assert_eq!(accept.aws_region.as_deref(), Some("us-west-2"));
    assert_eq!(accept.depends_on, ["c1/peering"]);
    for id in ["c1/route/private-1/peer", "c2/route/private-2/peer"] {
        let route = get(&rs, id);
        assert!(
            route.depends_on.contains(&"c2/peering-accept".to_string()),
            "{id} waits for acceptance"
        );
        let ResourceSpec::Route {
            target,
            destination,
            ..
        } = &route.spec
        else {
            panic!()
        };
        assert_eq!(target, &RouteTarget::VpcPeering("c1/peering".into()));
        let peer = if id.starts_with("c1") {
            "10.1.0.0/16"
        } else {
            "10.0.0.0/16"
        };
        assert_eq!(destination, peer);
    }
    assert!(
        !rs.iter().any(|r| r.id.contains("/route/public/peer")),
        "public tables need no peer route"
    );
}

#[test]
fn backend_admits_only_the_peer_and_frontend_only_listener_ports() {
    let rs = reference();
    let ingress = |region: &str| -> Vec<(Option<u16>, RulePeer)> {
        rs.iter()
            .filter(|r| r.region.as_deref() == Some(region))
            .filter_map(|r| match &r.spec {
                ResourceSpec::SecurityGroupRule {
                    direction: super::Direction::Ingress,
                    from_port,
                    peer,
                    ..
                } => Some((*from_port, peer.clone())),
                _ => None,
            })
            .collect()
    };
    let c2 = ingress("c2");
    assert!(c2.iter().all(
        |(_, peer)| matches!(peer, RulePeer::Cidr(c) if c == "10.0.0.0/16")
            || matches!(peer, RulePeer::SecurityGroup(_))
    ));
    assert!(
        !c2.iter()
            .any(|(_, p)| matches!(p, RulePeer::Cidr(c) if c == "0.0.0.0/0"))
    );
    let c1_open: Vec<_> = ingress("c1")
        .into_iter()
        .filter(|(_, p)| matches!(p, RulePeer::Cidr(c) if c == "0.0.0.0/0"))
        .collect();
    assert_eq!(c1_open, [(Some(80), RulePeer::Cidr("0.0.0.0/0".into()))]);
}

#[test]
fn subnets_only_public_ones_assign_public_ips() {
    for r in reference() {
        if let ResourceSpec::Subnet {
            public,
            map_public_ip_on_launch,
            ..
        } = r.spec
        {
            assert_eq!(public, map_public_ip_on_launch, "{}", r.id);
            assert_eq!(public, r.id.contains("/public-"));
        }
    }
}

#[test]
fn single_nat_mode_shares_one_gateway_and_one_private_table() {
    let rs = minimal();
    let c2 = kinds(&rs, Some("c2"));
    assert_eq!(c2["NatGateway"], 1);
    assert_eq!(c2["RouteTable"], 2);
    let assocs: Vec<&str> = rs
        .iter()
        .filter(|r| r.id.starts_with("c2/rtb-assoc/private"))
        .map(|r| match &r.spec {
            ResourceSpec::RouteTableAssociation { route_table, .. } => route_table.as_str(),
            _ => unreachable!(),
        })
        .collect();
    assert_eq!(assocs, ["c2/rtb/private", "c2/rtb/private"]);
}

#[test]
fn per_az_nat_gives_each_private_table_its_own_gateway() {
    let rs = minimal_with(
        "{ cidr: 10.11.0.0/16 }",
        "{ cidr: 10.11.0.0/16, azs: 3, nat: per-az }",
    );
    let ResourceSpec::Route { target, .. } = &get(&rs, "c2/route/private-3/internet").spec else {
        panic!()
    };
    assert_eq!(target, &RouteTarget::NatGateway("c2/nat/3".into()));
    assert_eq!(kinds(&rs, Some("c2"))["NatGateway"], 3);
}

#[test]
fn existing_role_arns_replace_created_roles() {
    let arn = "arn:aws:iam::123456789012:role/existing-node";
    let rs = minimal_with(
        "  wafAcls:",
        &format!("  iam: {{ nodeRoleArn: {arn} }}\n  wafAcls:"),
    );
    assert!(!rs.iter().any(|r| r.id == "iam/node-role"));
    assert!(rs.iter().any(|r| r.id == "iam/cluster-role"));
    let group = get(&rs, "c1/nodegroup/default");
    let ResourceSpec::NodeGroup { role, .. } = &group.spec else {
        panic!()
    };
    assert_eq!(role, arn);
    assert!(!group.depends_on.iter().any(|d| d.starts_with("arn:")));
    order(&rs).expect("acyclic without the role resource");
}

#[test]
fn flow_logs_and_waf_only_when_asked() {
    let rs = minimal_with("allow: [internet], waf: edge }", "allow: [internet] }");
    assert!(!rs.iter().any(|r| matches!(
        r.spec,
        ResourceSpec::WebAcl { .. }
            | ResourceSpec::WebAclAssociation { .. }
            | ResourceSpec::FlowLog { .. }
    )));
    assert!(!rs.iter().any(|r| r.id == "iam/flow-logs-role"));
}

#[test]
fn node_groups_wait_for_egress_and_attach_to_the_target_group() {
    let rs = reference();
    let group = get(&rs, "c1/nodegroup/default");
    for dep in [
        "c1/eks",
        "c1/route/private-1/internet",
        "c1/route/private-2/internet",
        "c1/rtb-assoc/private-1",
        "iam/node-role",
    ] {
        assert!(group.depends_on.contains(&dep.to_string()), "missing {dep}");
    }
    let attach = get(&rs, "c1/tg-attach/default");
    assert_eq!(attach.depends_on, ["c1/tg", "c1/nodegroup/default"]);
    let ResourceSpec::EksCluster {
        subnets,
        log_types,
        authentication_mode,
        ..
    } = &get(&rs, "c1/eks").spec
    else {
        panic!()
    };
    assert_eq!(subnets, &["c1/subnet/private-1", "c1/subnet/private-2"]);
    assert_eq!(log_types.len(), 5);
    assert_eq!(authentication_mode, "API");
}
