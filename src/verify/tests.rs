//! Every check against the reference stack (all pass) and against a world broken in exactly
//! the way that check looks for (only that check fails). The live worlds come from the fake
//! AWS after `up`, with the rendered manifests standing in for the clusters' objects.

use std::path::Path;

use k8s_openapi::api::core::v1::Service;
use serde_json::json;

use super::world::{Kube, KubeObjects, RouteView, RuleView, TargetKind, World};
use super::*;
use crate::engine::tests::{engine, reference, world};
use crate::progress::Silent;
use crate::stack::ValidStack;
use crate::stack::types::Scheme;

fn kube_of(stack: &ValidStack) -> Vec<Kube> {
    crate::workloads::prepare(
        stack,
        Path::new("stacks/two-region.yaml"),
        &Default::default(),
    )
    .unwrap()
    .iter()
    .map(|m| Kube::Objects(KubeObjects::from_manifests(m)))
    .collect()
}

/// The reference stack with the HTTPS it shows commented out: port 80 redirects to 443.
fn reference_with_tls() -> ValidStack {
    let text = include_str!("../../stacks/two-region.yaml");
    let commented =
        "# tls: { certificateArn: \"arn:aws:acm:us-east-1:<account>:certificate/<id>\" }";
    assert!(text.contains(commented));
    let tls =
        "tls: { certificateArn: \"arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d\" }";
    crate::stack::parse("two-region.yaml", text.replace(commented, tls).as_bytes()).expect("valid")
}

/// A stack after `up` on the fake AWS.
async fn live_of(stack: &ValidStack) -> World {
    let fake = world();
    let engine = engine(stack, &fake, &Silent);
    let (_, report) = engine.up(false).await.unwrap();
    assert_eq!(report.failed(), 0);
    let snapshots = engine.read().await.unwrap();
    world::from_observed(stack, &engine.map_regions(&snapshots), kube_of(stack))
}

async fn live_reference() -> World {
    live_of(&reference()).await
}

fn static_of(stack: &ValidStack) -> World {
    world::from_desired(stack, &crate::model::desired(stack), kube_of(stack))
}

fn static_reference() -> World {
    static_of(&reference())
}

/// The static reference with HTTPS on: nothing fails.
fn static_mended() -> World {
    static_of(&reference_with_tls())
}

fn verdicts(world: &World) -> Vec<(&'static str, Verdict)> {
    run(&reference(), world, &[], Severity::High)
        .results
        .into_iter()
        .map(|r| (r.id, r.verdict))
        .collect()
}

fn failing(world: &World) -> Vec<&'static str> {
    verdicts(world)
        .into_iter()
        .filter(|(_, v)| *v != Verdict::Pass)
        .map(|(id, _)| id)
        .collect()
}

/// The reference stack with HTTPS, live, in a dev environment whose cost hazard is mended:
/// one NAT gateway per region. Every check passes on it.
async fn healthy() -> World {
    let mut world = live_of(&reference_with_tls()).await;
    world.env = Some("dev".to_string());
    for region in &mut world.regions {
        region.nat_gateways.truncate(1);
        // The reference's e-mail subscriber has followed AWS's link.
        if let Some(topic) = &mut region.alert_topic {
            topic.confirmed = topic.subscriptions;
        }
    }
    world
}

#[tokio::test(start_paused = true)]
async fn a_healthy_world_passes_every_check_live() {
    let world = healthy().await;
    let report = run(&reference(), &world, &[], Severity::Low);
    for r in &report.results {
        assert_eq!(r.verdict, Verdict::Pass, "{}: {:?}", r.id, r.evidence);
        assert!(!r.resources.is_empty(), "{} looked at nothing", r.id);
        assert!(!r.evidence.is_empty(), "{} gave no evidence", r.id);
    }
    assert_eq!(report.summary.passed, CATALOG_LEN);
}

#[tokio::test(start_paused = true)]
async fn the_reference_stack_live_fails_only_plain_http_and_unconfirmed_alerts() {
    // Plain HTTP (the stack's own skip accepts it); not a dev environment, so one NAT
    // gateway per AZ is no hazard; the e-mail subscriber has not confirmed yet.
    let results = verdicts(&live_reference().await);
    let not_passed: Vec<&(&str, Verdict)> = results
        .iter()
        .filter(|(_, v)| *v != Verdict::Pass)
        .collect();
    assert_eq!(not_passed.len(), 3, "{not_passed:?}");
    assert!(matches!(not_passed[0], ("MR-LB-002", Verdict::Fail)));
    assert!(matches!(
        not_passed[1],
        ("MR-COST-001", Verdict::NotApplicable(_))
    ));
    assert!(matches!(not_passed[2], ("MR-OBS-001", Verdict::Fail)));
}

const CATALOG_LEN: usize = checks::CATALOG.len();

#[test]
fn the_reference_stack_passes_statically_and_live_only_checks_say_not_applicable() {
    let results = verdicts(&static_reference());
    let not_applicable: Vec<&str> = results
        .iter()
        .filter(|(_, v)| matches!(v, Verdict::NotApplicable(_)))
        .map(|(id, _)| *id)
        .collect();
    assert_eq!(
        not_applicable,
        [
            "MR-NET-003",
            "MR-NET-006",
            "MR-NET-007",
            "MR-NET-008",
            "MR-STK-001",
            "MR-COST-001"
        ]
    );
    let failed: Vec<&str> = results
        .iter()
        .filter(|(_, v)| matches!(v, Verdict::Fail))
        .map(|(id, _)| *id)
        .collect();
    // Plain HTTP, which the stack's own `verify.skip` accepts.
    assert_eq!(failed, ["MR-LB-002"]);
    let with_tls = verdicts(&static_mended());
    assert!(
        with_tls.iter().all(|(_, v)| !matches!(v, Verdict::Fail)),
        "{with_tls:?}"
    );
}

fn frontend(world: &mut World) -> &mut world::RegionView {
    &mut world.regions[0]
}

fn backend(world: &mut World) -> &mut world::RegionView {
    &mut world.regions[1]
}

fn objects(region: &mut world::RegionView) -> &mut KubeObjects {
    match &mut region.kubernetes {
        Kube::Objects(o) => o,
        Kube::Unavailable(_) => panic!("no objects"),
    }
}

fn open_rule(port: i32) -> RuleView {
    RuleView {
        protocol: "tcp".into(),
        from_port: Some(port),
        to_port: Some(port),
        cidr: Some("0.0.0.0/0".into()),
        group: None,
    }
}

type Breakage = (&'static str, fn(&mut World));

/// For each check, one way to break exactly what it looks at.
const BREAKAGES: &[Breakage] = &[
    ("MR-WAF-001", |w| {
        let acl = frontend(w)
            .load_balancer
            .as_mut()
            .unwrap()
            .web_acl
            .as_mut()
            .unwrap();
        acl.managed_rule_groups
            .as_mut()
            .unwrap()
            .retain(|g| g != "AWSManagedRulesSQLiRuleSet");
    }),
    ("MR-LB-001", |w| {
        backend(w).load_balancer.as_mut().unwrap().scheme = Some(Scheme::InternetFacing);
    }),
    ("MR-LB-002", |w| {
        // Port 80 serves plain HTTP again.
        let lb = frontend(w).load_balancer.as_mut().unwrap();
        let plain = lb.listeners.iter_mut().find(|l| l.port == 80).unwrap();
        plain.redirect = None;
    }),
    ("MR-NET-001", |w| {
        backend(w).security_groups[0].ingress.push(open_rule(22));
    }),
    ("MR-NET-002", |w| {
        let lb_group = frontend(w).load_balancer.as_ref().unwrap().security_groups[0].clone();
        let group = frontend(w)
            .security_groups
            .iter_mut()
            .find(|g| g.name.id == lb_group)
            .unwrap();
        group.ingress.push(open_rule(8080));
    }),
    ("MR-NET-003", |w| {
        w.peerings[0].status = "pending-acceptance".into()
    }),
    ("MR-NET-004", |w| {
        let peer = backend(w).peer_cidr.clone();
        let table = backend(w)
            .route_tables
            .iter_mut()
            .find(|t| t.routes.iter().any(|r| r.destination == peer))
            .unwrap();
        table.routes.retain(|r| r.destination != peer);
    }),
    ("MR-NET-005", |w| {
        let nodes = frontend(w).node_groups[0].subnets[0].clone();
        let subnet = frontend(w)
            .subnets
            .iter_mut()
            .find(|s| s.name.id == nodes)
            .unwrap();
        subnet.map_public_ip = true;
    }),
    ("MR-NET-006", |w| {
        let group = frontend(w).default_group.as_mut().unwrap();
        let own = group.name.id.clone();
        group.ingress.push(RuleView {
            protocol: "-1".into(),
            from_port: None,
            to_port: None,
            cidr: None,
            group: Some(own),
        });
    }),
    ("MR-NET-007", |w| backend(w).flow_logs.clear()),
    ("MR-NET-008", |w| {
        let main = backend(w).route_tables.iter_mut().find(|t| t.main).unwrap();
        main.routes.push(RouteView {
            destination: "0.0.0.0/0".into(),
            target_kind: TargetKind::InternetGateway,
            target: "igw-0abc".into(),
        });
    }),
    ("MR-EKS-001", |w| {
        frontend(w).cluster.as_mut().unwrap().public_cidrs = vec!["0.0.0.0/0".into()];
    }),
    ("MR-EKS-002", |w| {
        backend(w)
            .cluster
            .as_mut()
            .unwrap()
            .log_types
            .retain(|t| t != "audit");
    }),
    ("MR-EKS-003", |w| {
        frontend(w).node_groups[0].imdsv2_required = Some(false)
    }),
    ("MR-EKS-004", |w| {
        let c = backend(w).cluster.as_mut().unwrap();
        c.secrets_key_state = Some(world::KeyStateView {
            enabled: true,
            rotation: false,
        });
    }),
    ("MR-EKS-005", |w| {
        backend(w).cluster.as_mut().unwrap().version = "1.31".to_string()
    }),
    ("MR-EKS-006", |w| {
        // The autoscaler discovers another cluster's groups.
        let autoscaler = objects(backend(w))
            .deployments
            .iter_mut()
            .find(|d| d.metadata.name.as_deref() == Some("cluster-autoscaler"))
            .unwrap();
        let pod = autoscaler.spec.as_mut().unwrap().template.spec.as_mut();
        for word in pod.unwrap().containers[0].command.as_mut().unwrap() {
            *word = word.replace("petclinic-c2", "other");
        }
    }),
    ("MR-K8S-001", |w| {
        let service: Service = serde_json::from_value(json!({
            "metadata": {"name": "shortcut", "namespace": "backend"},
            "spec": {"type": "LoadBalancer", "ports": [{"port": 80}]}
        }))
        .unwrap();
        objects(backend(w)).services.push(service);
    }),
    ("MR-K8S-002", |w| {
        let deployment = &mut objects(frontend(w)).deployments[0];
        let pod = deployment
            .spec
            .as_mut()
            .unwrap()
            .template
            .spec
            .as_mut()
            .unwrap();
        pod.containers[0].liveness_probe = None;
    }),
    ("MR-STK-001", |w| {
        let found = "c1/vpc: 2 found: vpc-a (kept), vpc-b (extra)";
        w.duplicates.push(found.to_string());
    }),
    ("MR-COST-001", |w| {
        let second = world::Named::new("nat-b", Some("c1/nat-2"));
        frontend(w).nat_gateways.push(second);
    }),
    ("MR-COST-003", |w| {
        frontend(w).log_groups[0].retention_days = None
    }),
    ("MR-OBS-001", |w| backend(w).alarms[0].actions.clear()),
];

#[tokio::test(start_paused = true)]
async fn each_check_fails_alone_on_a_world_broken_its_way() {
    let healthy = healthy().await;
    let ids: Vec<&str> = checks::CATALOG.iter().map(|c| c.id).collect();
    let broken: Vec<&str> = BREAKAGES.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids, broken, "every check has its breakage");
    for (id, breakage) in BREAKAGES {
        let mut world = healthy.clone();
        breakage(&mut world);
        assert_eq!(failing(&world), [*id], "breaking {id}");
        let report = run(&reference(), &world, &[], Severity::Low);
        let result = report.results.iter().find(|r| r.id == *id).unwrap();
        assert!(!result.evidence.is_empty(), "{id} says why");
        // And where in the stack file to look: a written field, never just the file's start.
        assert!(!result.settings.is_empty(), "{id} points nowhere");
        for s in &result.settings {
            assert!(s.line > 1, "{id}: {s:?}");
        }
    }
}

#[tokio::test(start_paused = true)]
async fn the_evidence_names_what_is_wrong() {
    let mut world = live_reference().await;
    backend(&mut world).security_groups[0]
        .ingress
        .push(open_rule(22));
    let report = run(&reference(), &world, &[], Severity::High);
    let r = report
        .results
        .iter()
        .find(|r| r.id == "MR-NET-001")
        .unwrap();
    assert_eq!(r.evidence.len(), 1);
    assert!(
        r.evidence[0]
            .ends_with("admits tcp/22 from 0.0.0.0/0 (only 10.0.0.0/16 may reach the backend)"),
        "{}",
        r.evidence[0]
    );
    assert!(
        r.resources.iter().any(|x| x.starts_with("c2/sg/")),
        "{:?}",
        r.resources
    );
}

#[test]
fn severity_and_fail_on_decide_what_blocks() {
    let mut world = static_mended();
    backend(&mut world)
        .cluster
        .as_mut()
        .unwrap()
        .log_types
        .clear();
    let medium = run(&reference(), &world, &[], Severity::Medium);
    assert_eq!((medium.summary.failed, medium.summary.blocking), (1, 1));
    let high = run(&reference(), &world, &[], Severity::High);
    assert_eq!((high.summary.failed, high.summary.blocking), (1, 0));
}

#[test]
fn skipped_checks_carry_their_reason_and_unreadable_clusters_are_errors() {
    let mut world = static_reference();
    backend(&mut world).kubernetes =
        Kube::Unavailable("cluster petclinic-c2: its API cannot be reached".into());
    let skips = [Skip {
        id: "MR-EKS-002".into(),
        reason: "skipped by the stack: logging goes to a central account".into(),
    }];
    let report = run(&reference(), &world, &skips, Severity::High);
    let get = |id| report.results.iter().find(|r| r.id == id).unwrap();
    assert_eq!(
        get("MR-EKS-002").verdict,
        Verdict::Skipped("skipped by the stack: logging goes to a central account".into())
    );
    assert!(
        matches!(&get("MR-K8S-001").verdict, Verdict::Error(why) if why.contains("cannot be reached"))
    );
    // Hardening looks at both clusters, so one it cannot read leaves it undecided too; so
    // does the autoscaler's check (the backend's group can grow).
    assert!(matches!(&get("MR-K8S-002").verdict, Verdict::Error(_)));
    assert!(matches!(&get("MR-EKS-006").verdict, Verdict::Error(_)));
    assert_eq!(report.summary.errors, 3);
    assert_eq!(report.summary.skipped, 1);
}

#[test]
fn junit_and_sarif_reports() {
    let mut world = static_mended();
    backend(&mut world).load_balancer.as_mut().unwrap().scheme = Some(Scheme::InternetFacing);
    let report = run(&reference(), &world, &[], Severity::High);
    let xml = report::junit(&report);
    assert!(xml.contains("<testsuites name=\"multiregion verify petclinic (static)\" tests=\"23\" failures=\"1\" errors=\"0\" skipped=\"6\">"), "{xml}");
    assert!(xml.contains("<testcase classname=\"multiregion.MR-LB-001\" name=\"MR-LB-001 The backend load balancer is internal\">\n      <failure type=\"critical\" message=\"c2/lb: scheme internet-facing\">"), "{xml}");
    assert_eq!(xml.matches("<testcase ").count(), CATALOG_LEN);
    assert_eq!(xml.matches("</testcase>").count(), CATALOG_LEN);

    let sarif = report::sarif(&report, "stacks/two-region.yaml", &Default::default());
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../../tests/data/sarif-schema-2.1.0.json")).unwrap();
    let validator = jsonschema::draft4::new(&schema).unwrap();
    let problems: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| e.to_string())
        .collect();
    assert!(problems.is_empty(), "{problems:?}");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let failed: Vec<&serde_json::Value> = results.iter().filter(|r| r["kind"] == "fail").collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["ruleId"], "MR-LB-001");
    assert_eq!(failed[0]["level"], "error");
    // It points at the backend's `scheme:` line of the stack file.
    let text = std::fs::read_to_string("stacks/two-region.yaml").unwrap();
    let line = 1 + text
        .lines()
        .position(|l| l.trim_start().starts_with("scheme: internal"))
        .unwrap();
    let location = &failed[0]["locations"][0];
    assert_eq!(
        location["physicalLocation"]["region"]["startLine"], line,
        "{location}"
    );
    assert_eq!(
        location["logicalLocations"][0]["fullyQualifiedName"],
        "spec.regions[1].loadBalancer.scheme"
    );
}

#[test]
fn the_catalog_holds_exactly_the_check_ids_the_stack_format_knows() {
    let ids: Vec<&str> = super::checks::CATALOG.iter().map(|c| c.id).collect();
    assert_eq!(ids, crate::check_ids::CHECK_IDS);
}

#[tokio::test(start_paused = true)]
async fn a_cluster_on_a_key_that_is_not_the_stacks_own_fails_encryption() {
    // The stack makes its own key, but the cluster reads its secrets with another: one pending
    // deletion (discovery reads no such keys) or made elsewhere.
    let mut world = healthy().await;
    let c = backend(&mut world).cluster.as_mut().unwrap();
    c.secrets_key = Some("arn:aws:kms:us-west-2:123456789012:key/gone".into());
    c.secrets_key_state = None;
    assert_eq!(failing(&world), ["MR-EKS-004"]);
}
