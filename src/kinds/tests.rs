//! The registry holds every kind once, in dependency order, each with its tagging service,
//! scope and fields declared.

use std::collections::{BTreeMap, BTreeSet};

use super::*;
use crate::model::{TAG_ID, TAG_STACK};
use crate::stack::parse;

/// The reference stack, with a cluster admin and a requested certificate so that it has
/// every kind.
fn reference() -> Vec<Resource> {
    let text = include_str!("../../stacks/two-region.yaml")
        .replacen(
            "        name: petclinic-c1\n",
            "        name: petclinic-c1\n        admins: [\"arn:aws:iam::123456789012:role/ops\"]\n",
            1,
        )
        .replacen(
            "# tls: { domain: shop.example.com",
            "tls: { domain: shop.example.com",
            1,
        );
    let stack = parse("two-region.yaml", text.as_bytes()).expect("the reference stack is valid");
    crate::model::desired(&stack)
}

#[test]
fn every_kind_is_registered_once_in_the_order_the_enum_lists_them() {
    assert_eq!(REGISTRY.len(), Kind::ALL.len());
    for (i, (def, kind)) in REGISTRY.iter().zip(Kind::ALL).enumerate() {
        assert_eq!(def.kind, *kind, "registry entry {i}");
        assert_eq!(kind.def().kind, *kind);
    }
}

/// Today's dependency order, as the engine made things before the registry: a new kind goes
/// where its dependencies allow, and this list says so.
#[test]
fn the_registry_creates_in_the_golden_dependency_order() {
    let order: Vec<&str> = REGISTRY.iter().map(|d| d.kind.name()).collect();
    assert_eq!(
        order,
        [
            "IamRole",
            "LogGroup",
            "SecretsKey",
            "AlertsKey",
            "Vpc",
            "InternetGateway",
            "Subnet",
            "ElasticIp",
            "NatGateway",
            "RouteTable",
            "MainRouteTable",
            "DefaultSecurityGroup",
            "SecurityGroup",
            "SecurityGroupRule",
            "VpcPeering",
            "VpcPeeringAccepter",
            "VpcPeeringDns",
            "Route",
            "RouteTableAssociation",
            "FlowLog",
            "Certificate",
            "CertificateValidation",
            "LoadBalancer",
            "TargetGroup",
            "Listener",
            "DomainAlias",
            "WebAcl",
            "WebAclAssociation",
            "EksCluster",
            "AccessEntry",
            "PodIdentity",
            "LaunchTemplate",
            "NodeGroup",
            "ClusterAddon",
            "TargetGroupAttachment",
            "AlertTopic",
            "AlertSubscription",
            "MetricAlarm",
            "RunRecord",
        ]
    );
}

#[test]
fn every_dependency_of_the_reference_model_is_on_a_kind_made_earlier() {
    let rs = reference();
    let kind_of: BTreeMap<&str, Kind> = rs.iter().map(|r| (r.id.as_str(), r.spec.kind())).collect();
    for r in &rs {
        for d in &r.depends_on {
            let dep = kind_of[d.as_str()];
            assert!(
                dep <= r.spec.kind(),
                "{} ({}) depends on {d} ({dep}), which the registry makes later",
                r.id,
                r.spec.kind()
            );
        }
    }
}

#[test]
fn every_kind_declares_its_fields_tagging_and_scope() {
    let rs = reference();
    let seen: BTreeSet<Kind> = rs.iter().map(|r| r.spec.kind()).collect();
    let missing: Vec<&Kind> = Kind::ALL.iter().filter(|k| !seen.contains(k)).collect();
    assert!(missing.is_empty(), "the reference stack lacks {missing:?}");
    let azs = ["az-a".to_string(), "az-b".to_string(), "az-c".to_string()];
    for r in &rs {
        let def = r.spec.kind().def();
        let declared: BTreeSet<&str> = def.fields.iter().map(|f| f.name).collect();
        assert_eq!(
            declared.len(),
            def.fields.len(),
            "{}: a field twice",
            def.kind
        );
        for field in desired(r, &azs).keys() {
            assert!(
                declared.contains(field),
                "{}: `{field}` is compared but not declared",
                def.kind
            );
        }
        assert_eq!(
            r.region.is_none(),
            def.scope == Scope::Global,
            "{}: scope {:?} but region {:?}",
            r.id,
            def.scope,
            r.region
        );
        if def.tagging != Tagging::Untaggable {
            assert!(
                r.tags.contains_key(TAG_STACK) && r.tags.contains_key(TAG_ID),
                "{}: tagged kind without the stack's tags",
                r.id
            );
        }
    }
}

/// The fields that force a replacement, as they were before the registry.
#[test]
fn force_new_fields_are_as_before() {
    let force_new: BTreeMap<&str, Vec<&str>> = REGISTRY
        .iter()
        .map(|d| {
            let names = d.fields.iter().filter(|f| f.force_new).map(|f| f.name);
            (d.kind.name(), names.collect())
        })
        .filter(|(_, f): &(_, Vec<_>)| !f.is_empty())
        .collect();
    let expected: BTreeMap<&str, Vec<&str>> = [
        ("Vpc", vec!["cidr"]),
        ("Subnet", vec!["vpc", "cidr", "az"]),
        ("NatGateway", vec!["subnet", "elasticIp"]),
        ("RouteTable", vec!["vpc"]),
        ("RouteTableAssociation", vec!["subnet"]),
        ("SecurityGroup", vec!["vpc", "name", "description"]),
        (
            "VpcPeering",
            vec!["requesterVpc", "accepterVpc", "accepterRegion"],
        ),
        ("LoadBalancer", vec!["type", "scheme"]),
        ("TargetGroup", vec!["protocol", "port", "vpc", "targetType"]),
        ("Listener", vec!["loadBalancer"]),
        ("WebAclAssociation", vec!["loadBalancer"]),
        ("IamRole", vec!["trustedService"]),
        ("LogGroup", vec!["name"]),
        ("AlertTopic", vec!["name"]),
        ("AlertSubscription", vec!["topic", "protocol", "endpoint"]),
        ("MetricAlarm", vec!["name"]),
        ("FlowLog", vec!["vpc", "logGroup", "trafficType"]),
        ("EksCluster", vec!["role", "subnets"]),
        ("Certificate", vec!["domain"]),
        ("DomainAlias", vec!["name", "hostedZone"]),
        ("CertificateValidation", vec!["certificate", "hostedZone"]),
        (
            "PodIdentity",
            vec!["cluster", "namespace", "serviceAccount"],
        ),
        (
            "LaunchTemplate",
            vec!["securityGroups", "imdsv2Required", "hopLimit"],
        ),
        (
            "NodeGroup",
            vec![
                "cluster",
                "role",
                "subnets",
                "launchTemplate",
                "instanceTypes",
            ],
        ),
    ]
    .into_iter()
    .collect();
    assert_eq!(force_new, expected);
}
