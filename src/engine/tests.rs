//! The engine end to end on the fake world, in paused time: ordering, both regions at once,
//! failures and re-runs, throttling, lag, every kind of drift, replacements and teardown.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

use super::diff::{Action, Change};
use super::{Engine, EngineError, Limits, RegionTarget, StepOutcome};
use crate::kinds::Kind;
use crate::progress::{Progress, Silent};
use crate::providers::fake::{Behaviour, FakeWorld};
use crate::providers::*;
use crate::stack::{ValidStack, parse};
use std::result::Result;

const REGIONS: [&str; 2] = ["us-east-1", "us-west-2"];

pub(crate) fn reference() -> ValidStack {
    parse(
        "two-region.yaml",
        include_bytes!("../../stacks/two-region.yaml"),
    )
    .expect("the reference stack is valid")
}

pub(crate) fn world() -> FakeWorld {
    FakeWorld::new(&REGIONS, Behaviour::default())
}

pub(crate) fn engine<'a>(
    stack: &'a ValidStack,
    world: &FakeWorld,
    progress: &'a dyn Progress,
) -> Engine<'a> {
    let regions = stack
        .stack
        .spec
        .regions
        .iter()
        .map(|r| RegionTarget {
            name: r.name.clone(),
            aws_region: r.region.clone(),
            clients: world.clients(&r.region),
        })
        .collect();
    Engine {
        stack,
        regions,
        iam: world.iam(),
        limits: Limits::default(),
        progress,
    }
}

/// Calls made since `before`, per operation.
fn calls_since(before: &BTreeMap<String, u64>, world: &FakeWorld) -> BTreeMap<String, u64> {
    world
        .stats()
        .per_operation()
        .into_iter()
        .map(|(op, n)| (op.clone(), n - before.get(&op).copied().unwrap_or(0)))
        .filter(|(_, n)| *n > 0)
        .collect()
}

/// Calls since `before` that change something (everything but Describe*, List*, Get*).
fn mutating_calls(before: &BTreeMap<String, u64>, world: &FakeWorld) -> BTreeMap<String, u64> {
    calls_since(before, world)
        .into_iter()
        .filter(|(op, _)| {
            let name = op.rsplit(':').next().unwrap_or_default();
            !(name.starts_with("Describe") || name.starts_with("List") || name.starts_with("Get"))
        })
        .collect()
}

fn find<'c>(changes: &'c [Change], id: &str) -> &'c Change {
    changes
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no change for {id} in {:#?}", ids(changes)))
}

/// The changes to the stack's resources, beside the run records that follow them (see
/// `the_run_record_follows_the_runs_that_change_its_region`).
fn ids(changes: &[Change]) -> Vec<(Action, &str)> {
    changes
        .iter()
        .filter(|c| c.kind != Kind::RunRecord)
        .map(|c| (c.action, c.id.as_str()))
        .collect()
}

async fn converge(stack: &ValidStack, world: &FakeWorld) {
    let (_, report) = engine(stack, world, &Silent)
        .up(false)
        .await
        .expect("up runs");
    let failures: Vec<_> = report
        .steps
        .iter()
        .filter(|s| s.outcome != StepOutcome::Done)
        .collect();
    assert!(failures.is_empty(), "{failures:#?}");
}

/// What the reference stack leaves in an empty account, by kind.
fn expected_inventory() -> BTreeMap<&'static str, usize> {
    BTreeMap::from([
        ("EksCluster", 2),
        // Adopted, not made: tagged once emptied.
        ("DefaultSecurityGroup", 2),
        ("ElasticIp", 4),
        ("MainRouteTable", 2),
        ("FlowLog", 2),
        ("IamRole", 3),
        ("InternetGateway", 2),
        ("LaunchTemplate", 2),
        ("LogGroup", 2),
        ("LoadBalancer", 2),
        ("NatGateway", 4),
        ("NodeGroup", 2),
        // The record of the last successful up, one per region.
        ("Parameter", 2),
        ("RouteTable", 6),
        ("SecurityGroup", 4),
        ("Subnet", 8),
        ("TargetGroup", 2),
        ("Vpc", 2),
        ("VpcPeering", 1),
        ("WebAcl", 1),
    ])
}

#[tokio::test(start_paused = true)]
async fn up_builds_the_reference_stack_and_a_second_up_changes_nothing() {
    let (stack, world) = (reference(), world());
    converge(&stack, &world).await;
    assert_eq!(world.tagged("petclinic"), expected_inventory());

    let (_, changes) = engine(&stack, &world, &Silent).plan().await.unwrap();
    assert!(changes.is_empty(), "in sync after up: {:#?}", ids(&changes));

    let before = world.stats().per_operation();
    let (changes, report) = engine(&stack, &world, &Silent).up(false).await.unwrap();
    assert!(changes.is_empty() && report.steps.is_empty());
    assert_eq!(
        mutating_calls(&before, &world),
        BTreeMap::new(),
        "a second up makes no mutating call"
    );
}

/// Records when each step started and finished, in virtual time.
struct Timeline {
    start: Instant,
    events: Mutex<Vec<(String, bool, Duration)>>,
}

impl Progress for Timeline {
    fn started(&self, label: &str) {
        self.events
            .lock()
            .unwrap()
            .push((label.to_string(), true, self.start.elapsed()));
    }
    fn finished(&self, label: &str, _: Result<&str, &String>, _: Duration) {
        self.events
            .lock()
            .unwrap()
            .push((label.to_string(), false, self.start.elapsed()));
    }
    fn waiting(&self, _: &str, _: &str, _: Duration) {}
}

impl Timeline {
    fn at(&self, label: &str, started: bool) -> Duration {
        let events = self.events.lock().unwrap();
        events
            .iter()
            .find(|(l, s, _)| l == label && *s == started)
            .map(|(_, _, t)| *t)
            .unwrap_or_else(|| panic!("no event for {label}"))
    }
}

#[tokio::test(start_paused = true)]
async fn both_regions_are_built_at_once_and_in_dependency_order() {
    let (stack, world) = (reference(), world());
    let timeline = Timeline {
        start: Instant::now(),
        events: Mutex::new(Vec::new()),
    };
    let (_, report) = engine(&stack, &world, &timeline).up(false).await.unwrap();
    assert_eq!(report.failed(), 0);
    // Both VPCs are first steps, started together.
    assert_eq!(
        timeline.at("create c1/vpc", true),
        timeline.at("create c2/vpc", true)
    );
    // The slow NAT gateways (2 min each) of the two regions overlap.
    let (c1_start, c1_end) = (
        timeline.at("create c1/nat/1", true),
        timeline.at("create c1/nat/1", false),
    );
    let c2_start = timeline.at("create c2/nat/1", true);
    assert!(
        c2_start < c1_end && c1_start < timeline.at("create c2/nat/1", false),
        "NAT gateways overlap"
    );
    // Dependency order: nothing starts before what it needs has finished.
    for (after, before) in [
        ("create c1/subnet/public-1", "create c1/vpc"),
        ("create c1/nat/1", "create c1/igw"),
        ("create c1/route/private-1/internet", "create c1/nat/1"),
        ("create c2/peering-accept", "create c1/peering"),
        ("create c1/route/private-1/peer", "create c2/peering-accept"),
        ("create c1/waf-assoc", "create c1/lb"),
        ("create c1/listener/80", "create c1/tg"),
    ] {
        assert!(
            timeline.at(after, true) >= timeline.at(before, false),
            "{after} started before {before} finished"
        );
    }
    // The whole run takes one region's critical path (cluster 10 min, then node group 4 min)
    // within 10 %, not the sum of both regions.
    let total = Instant::now() - timeline.start;
    let critical = Duration::from_secs(14 * 60);
    println!(
        "up of the reference stack: {:.0} s of virtual time; bound {:.0} s",
        total.as_secs_f64(),
        critical.mul_f64(1.1).as_secs_f64()
    );
    assert!(total <= critical.mul_f64(1.1), "took {total:?}");
    assert!(
        timeline.at("create c2/eks", true) < timeline.at("create c1/eks", false),
        "both clusters are made at once"
    );
    assert!(
        timeline.at("create c1/nodegroup/default", true) >= timeline.at("create c1/eks", false)
    );
}

#[tokio::test(start_paused = true)]
async fn a_failure_mid_run_is_reported_and_a_rerun_converges_without_duplicates() {
    let (stack, world) = (reference(), world());
    world.fail("CreateNatGateway", ErrorKind::Other, 1);
    let (_, report) = engine(&stack, &world, &Silent).up(false).await.unwrap();
    assert_eq!(
        report.failed(),
        1,
        "{:#?}",
        report
            .steps
            .iter()
            .filter(|s| s.outcome == StepOutcome::Failed)
            .collect::<Vec<_>>()
    );
    let skipped: Vec<&str> = report
        .steps
        .iter()
        .filter(|s| s.outcome == StepOutcome::Skipped)
        .map(|s| s.step.as_str())
        .collect();
    assert!(
        !skipped.is_empty(),
        "the failed gateway's dependants are skipped"
    );
    assert!(
        skipped.iter().all(|s| s.contains("/route/")
            || s.contains("/nodegroup/")
            || s.contains("/tg-attach/")
            || s.ends_with("/last-up")),
        "only routes, and the nodes that need them for egress (and their load balancer targets), wait for the gateway, and the run's record waits for everything: {skipped:?}"
    );
    // Siblings in the other region finished.
    let failed = report
        .steps
        .iter()
        .find(|s| s.outcome == StepOutcome::Failed)
        .unwrap();
    let other = if failed.step.starts_with("create c1/") {
        "c2"
    } else {
        "c1"
    };
    assert!(
        report
            .steps
            .iter()
            .any(|s| s.step == format!("create {other}/nat/1") && s.outcome == StepOutcome::Done),
        "{} failed; {other}'s gateways were still made",
        failed.step
    );

    converge(&stack, &world).await;
    assert_eq!(
        world.tagged("petclinic"),
        expected_inventory(),
        "no duplicates after the re-run"
    );
    let (_, changes) = engine(&stack, &world, &Silent).plan().await.unwrap();
    assert!(changes.is_empty());
}

#[tokio::test(start_paused = true)]
async fn thirty_percent_throttling_is_survived() {
    let (stack, world) = (reference(), world());
    world.set_behaviour(|b| b.throttle = 0.3);
    converge(&stack, &world).await;
    let (_, changes) = engine(&stack, &world, &Silent).plan().await.unwrap();
    assert!(changes.is_empty());
    assert_eq!(world.tagged("petclinic"), expected_inventory());
}

#[tokio::test(start_paused = true)]
async fn read_after_write_lag_is_waited_out() {
    let (stack, world) = (reference(), world());
    world.set_behaviour(|b| b.lag = Duration::from_secs(4));
    converge(&stack, &world).await;
    tokio::time::sleep(Duration::from_secs(5)).await;
    let (_, changes) = engine(&stack, &world, &Silent).plan().await.unwrap();
    assert!(changes.is_empty(), "{:#?}", ids(&changes));
}

#[tokio::test(start_paused = true)]
async fn a_full_plan_reads_both_regions_within_the_call_and_time_budget() {
    let (stack, world) = (reference(), world());
    converge(&stack, &world).await;
    let before = world.stats().per_operation();
    let started = Instant::now();
    engine(&stack, &world, &Silent).plan().await.unwrap();
    let elapsed = started.elapsed();
    let calls = calls_since(&before, &world);
    // Networks, peering, load balancers and WAF: 40 calls at most (launch templates belong
    // to the node groups, with EKS and IAM; flow logs and their log groups came later).
    let cluster_part = |op: &str| {
        op.starts_with("EKS")
            || op.starts_with("IAM")
            || op.contains("LaunchTemplate")
            || op.contains("FlowLogs")
            || op.starts_with("CloudWatch Logs")
            || op.ends_with("DescribeInstances")
            || op.ends_with("DescribeTargetHealth")
            || op.starts_with("Auto Scaling")
    };
    let network: u64 = calls
        .iter()
        .filter(|(op, _)| !cluster_part(op))
        .map(|(_, n)| n)
        .sum();
    assert!(network <= 40, "{network} calls: {calls:#?}");
    let total: u64 = calls.values().sum();
    // All of it, as on AWS (Auto Scaling groups, access entries): 67; the nodes and their
    // registrations are read only where node groups have no Auto Scaling group.
    assert!(total <= 67, "{total} calls: {calls:#?}");
    assert!(!calls.contains_key("EC2:DescribeInstances"), "{calls:#?}");
    // 50 ms a call and three dependent rounds at most (EKS: list clusters; describe them and
    // list their node groups; describe those), everything else beside them: 150 ms.
    assert_eq!(elapsed, Duration::from_millis(150), "{elapsed:?}");
}

/// Finds a resource's AWS id the way an operator would: by its `multiregion:id` tag.
async fn lookup(world: &FakeWorld, region: &str, logical: &str) -> String {
    let c = world.clients(region);
    let net = c.network.snapshot("petclinic").await.unwrap();
    let lb = c.load_balancing.snapshot("petclinic").await.unwrap();
    let acls = c.waf.snapshot("petclinic").await.unwrap();
    let is = |t: &Tags| t.get(crate::model::TAG_ID).map(String::as_str) == Some(logical);
    let found = net
        .vpcs
        .iter()
        .filter(|x| is(&x.tags))
        .map(|x| x.id.clone())
        .chain(
            net.route_tables
                .iter()
                .filter(|x| is(&x.tags))
                .map(|x| x.id.clone()),
        )
        .chain(
            net.security_groups
                .iter()
                .filter(|x| is(&x.tags))
                .map(|x| x.id.clone()),
        )
        .chain(
            net.subnets
                .iter()
                .filter(|x| is(&x.tags))
                .map(|x| x.id.clone()),
        )
        .chain(
            net.peerings
                .iter()
                .filter(|x| is(&x.tags))
                .map(|x| x.id.clone()),
        )
        .chain(
            lb.load_balancers
                .iter()
                .filter(|x| is(&x.tags))
                .map(|x| x.arn.clone()),
        )
        .chain(
            lb.target_groups
                .iter()
                .filter(|x| is(&x.tags))
                .map(|x| x.arn.clone()),
        )
        .chain(acls.iter().filter(|x| is(&x.tags)).map(|x| x.arn.clone()))
        .next();
    found.unwrap_or_else(|| panic!("{logical} not found in {region}"))
}

#[tokio::test(start_paused = true)]
async fn every_kind_of_drift_is_detected_and_repaired() {
    let (stack, world) = (reference(), world());
    converge(&stack, &world).await;
    let (east, west) = (world.clients("us-east-1"), world.clients("us-west-2"));

    // An ingress rule added out of band to the backend's load balancer group.
    let c2_lb_sg = lookup(&world, "us-west-2", "c2/sg/lb").await;
    let ssh = RuleSpec {
        egress: false,
        protocol: "tcp".into(),
        from_port: Some(22),
        to_port: Some(22),
        peer: RulePeerId::Cidr("0.0.0.0/0".into()),
        description: None,
    };
    west.network
        .authorize(&c2_lb_sg, &ssh, &Tags::new())
        .await
        .unwrap();
    // A route to the peer removed.
    let c1_private = lookup(&world, "us-east-1", "c1/rtb/private-1").await;
    east.network
        .delete_route(&c1_private, "10.1.0.0/16")
        .await
        .unwrap();
    // DNS support turned off.
    let c2_vpc = lookup(&world, "us-west-2", "c2/vpc").await;
    west.network
        .set_vpc_dns(&c2_vpc, VpcDnsAttribute::Support, false)
        .await
        .unwrap();
    // The backend's listener changed.
    let nlb = lookup(&world, "us-west-2", "c2/lb").await;
    let listener = west
        .load_balancing
        .snapshot("petclinic")
        .await
        .unwrap()
        .listeners
        .into_iter()
        .find(|l| l.load_balancer_arn == nlb)
        .unwrap();
    let tg = listener.target_group_arn.clone().unwrap();
    west.load_balancing
        .modify_listener(&listener.arn, "TLS", 80, &tg)
        .await
        .unwrap();
    // The WAF ACL's rules changed, and the ACL taken off the ALB.
    let acl = east.waf.snapshot("petclinic").await.unwrap().remove(0);
    let weaker = WebAclRules {
        managed_rule_groups: vec!["AWSManagedRulesCommonRuleSet".into()],
        rate_limit: Some(100_000),
    };
    east.waf.update_web_acl(&acl, &weaker).await.unwrap();
    let alb = lookup(&world, "us-east-1", "c1/lb").await;
    east.waf.disassociate(&alb).await.unwrap();
    // Tags changed, and the default group opened.
    let subnet = lookup(&world, "us-east-1", "c1/subnet/private-2").await;
    east.network
        .set_tags(
            &subnet,
            &Tags::from([("team".into(), "someone-else".into())]),
            &[],
        )
        .await
        .unwrap();
    let c1_vpc = lookup(&world, "us-east-1", "c1/vpc").await;
    let default_group = east.network.default_security_group(&c1_vpc).await.unwrap();
    let https = RuleSpec {
        egress: false,
        protocol: "tcp".into(),
        from_port: Some(443),
        to_port: Some(443),
        peer: RulePeerId::Cidr("0.0.0.0/0".into()),
        description: None,
    };
    east.network
        .authorize(&default_group.id, &https, &Tags::new())
        .await
        .unwrap();
    // The backend VPC's main route table sent to the internet, which would make any subnet
    // without a table of its own public.
    let main_table = west.network.main_route_table(&c2_vpc).await.unwrap();
    let igw = west
        .network
        .snapshot("petclinic")
        .await
        .unwrap()
        .internet_gateways[0]
        .id
        .clone();
    west.network
        .create_route(&main_table.id, "0.0.0.0/0", &RouteTargetId::Gateway(igw))
        .await
        .unwrap();

    let (_, changes) = engine(&stack, &world, &Silent).plan().await.unwrap();
    let extra = changes
        .iter()
        .find(|c| c.kind == "SecurityGroupRule" && c.action == Action::Delete)
        .expect("the extra rule");
    assert!(
        extra.id.starts_with("c2/sg/lb/extra/in-tcp-22-0.0.0.0/0"),
        "{}",
        extra.id
    );
    assert_eq!(
        find(&changes, "c1/route/private-1/peer").action,
        Action::Create
    );
    let vpc = find(&changes, "c2/vpc");
    assert_eq!(
        (vpc.action, vpc.fields[0].field.as_str()),
        (Action::Update, "dnsSupport")
    );
    let l = find(&changes, "c2/listener/80");
    assert_eq!(
        (
            l.action,
            l.fields[0].field.as_str(),
            l.fields[0].observed.as_deref()
        ),
        (Action::Update, "protocol", Some("TLS"))
    );
    let w = find(&changes, "c1/waf/edge");
    assert_eq!(w.action, Action::Update);
    assert_eq!(
        w.fields
            .iter()
            .map(|f| f.field.as_str())
            .collect::<Vec<_>>(),
        ["managedRuleGroups", "rateLimit"]
    );
    assert_eq!(find(&changes, "c1/waf-assoc").action, Action::Create);
    let t = find(&changes, "c1/subnet/private-2");
    assert_eq!(
        (t.fields[0].field.as_str(), t.fields[0].observed.as_deref()),
        ("tags", Some("team=someone-else"))
    );
    assert_eq!(
        find(&changes, "c1/default-sg").fields[0]
            .observed
            .as_deref(),
        Some("in tcp 443 0.0.0.0/0")
    );
    assert_eq!(
        find(&changes, "c2/main-rt/extra-route/0.0.0.0/0").action,
        Action::Delete
    );
    assert_eq!(ids(&changes).len(), 9, "{:#?}", ids(&changes));

    converge(&stack, &world).await;
    let (_, changes) = engine(&stack, &world, &Silent).plan().await.unwrap();
    assert!(changes.is_empty(), "repaired: {:#?}", ids(&changes));
}

#[tokio::test(start_paused = true)]
async fn a_deleted_or_unaccepted_peering_is_drift_and_is_rebuilt() {
    let (stack, world) = (reference(), world());
    converge(&stack, &world).await;
    let east = world.clients("us-east-1");
    let pcx = lookup(&world, "us-east-1", "c1/peering").await;
    east.network.delete_peering(&pcx).await.unwrap();

    let (_, changes) = engine(&stack, &world, &Silent).plan().await.unwrap();
    assert_eq!(find(&changes, "c1/peering").action, Action::Create);
    assert_eq!(find(&changes, "c2/peering-accept").action, Action::Create);
    let route = find(&changes, "c2/route/private-1/peer");
    assert_eq!(
        route.action,
        Action::Update,
        "the route still points at the dead peering"
    );

    // The new request is made but acceptance fails: the plan says the peering waits for it.
    world.fail("AcceptVpcPeeringConnection", ErrorKind::Other, 1);
    let (_, report) = engine(&stack, &world, &Silent).up(false).await.unwrap();
    assert_eq!(report.failed(), 1);
    let (_, changes) = engine(&stack, &world, &Silent).plan().await.unwrap();
    let accept = find(&changes, "c2/peering-accept");
    assert_eq!(
        (accept.action, accept.reason.as_deref()),
        (Action::Create, Some("the peering is pending-acceptance"))
    );

    converge(&stack, &world).await;
    let (_, changes) = engine(&stack, &world, &Silent).plan().await.unwrap();
    assert!(changes.is_empty(), "{:#?}", ids(&changes));
    assert_eq!(world.tagged("petclinic")["VpcPeering"], 1);
}

#[tokio::test(start_paused = true)]
async fn a_changed_scheme_is_a_replacement_that_needs_consent() {
    let (stack, world) = (reference(), world());
    converge(&stack, &world).await;
    // Someone rebuilt the frontend's load balancer as internal, same name and tags.
    let east = world.clients("us-east-1");
    let lbs = east.load_balancing.snapshot("petclinic").await.unwrap();
    let alb = lbs
        .load_balancers
        .iter()
        .find(|l| l.lb_type == "application")
        .unwrap()
        .clone();
    for l in lbs
        .listeners
        .iter()
        .filter(|l| l.load_balancer_arn == alb.arn)
    {
        east.load_balancing.delete_listener(&l.arn).await.unwrap();
    }
    east.load_balancing
        .delete_load_balancer(&alb.arn)
        .await
        .unwrap();
    let rebuilt = NewLoadBalancer {
        name: &alb.name,
        lb_type: "application",
        scheme: "internal",
        subnets: &alb.subnets,
        security_groups: &alb.security_groups,
        tags: &alb.tags,
    };
    east.load_balancing
        .create_load_balancer(&rebuilt)
        .await
        .unwrap();

    let (_, changes) = engine(&stack, &world, &Silent).plan().await.unwrap();
    let lb = find(&changes, "c1/lb");
    assert_eq!(lb.action, Action::Replace);
    assert_eq!(
        (
            lb.fields[0].field.as_str(),
            lb.fields[0].observed.as_deref(),
            lb.fields[0].desired.as_deref()
        ),
        ("scheme", Some("internal"), Some("internet-facing"))
    );

    let before = world.stats().per_operation();
    let refused = engine(&stack, &world, &Silent).up(false).await;
    assert!(
        matches!(refused, Err(EngineError::ReplacementsNeedConsent(ref ids)) if ids == &["c1/lb".to_string()])
    );
    assert!(
        mutating_calls(&before, &world).is_empty(),
        "nothing changed without consent"
    );

    let (_, report) = engine(&stack, &world, &Silent).up(true).await.unwrap();
    assert_eq!(report.failed(), 0, "{:#?}", report.steps);
    let (_, changes) = engine(&stack, &world, &Silent).plan().await.unwrap();
    assert!(changes.is_empty(), "{:#?}", ids(&changes));
}

#[tokio::test(start_paused = true)]
async fn down_removes_everything_and_is_safe_twice_and_on_a_half_built_stack() {
    let (stack, world) = (reference(), world());
    // Half-built: the load balancers fail, so much of the stack is missing.
    world.fail("CreateLoadBalancer", ErrorKind::Other, 2);
    let (_, report) = engine(&stack, &world, &Silent).up(false).await.unwrap();
    assert_eq!(report.failed(), 2);

    let (_, report) = engine(&stack, &world, &Silent).down().await.unwrap();
    assert_eq!(
        report.failed(),
        0,
        "{:#?}",
        report
            .steps
            .iter()
            .filter(|s| s.outcome != StepOutcome::Done)
            .collect::<Vec<_>>()
    );
    assert_eq!(world.tagged("petclinic"), BTreeMap::new());

    converge(&stack, &world).await;
    let (_, report) = engine(&stack, &world, &Silent).down().await.unwrap();
    assert_eq!(report.failed(), 0);
    assert_eq!(
        world.tagged("petclinic"),
        BTreeMap::new(),
        "nothing tagged is left"
    );
    let (changes, report) = engine(&stack, &world, &Silent).down().await.unwrap();
    assert!(
        changes.is_empty() && report.steps.is_empty(),
        "a second down finds nothing"
    );
}

#[tokio::test(start_paused = true)]
async fn down_names_what_is_not_the_stacks_and_keeps_its_vpc_instead_of_waiting() {
    let (stack, world) = (reference(), world());
    converge(&stack, &world).await;
    // Someone's own subnet and security group in the backend VPC: `down` must neither delete
    // them (the sweep takes only what EKS and Kubernetes made) nor wait for them.
    let west = world.clients("us-west-2");
    let c2_vpc = lookup(&world, "us-west-2", "c2/vpc").await;
    let theirs = west
        .network
        .create_subnet(&c2_vpc, "10.1.240.0/24", "us-west-2a", &Tags::new())
        .await
        .unwrap();
    let their_group = west
        .network
        .create_security_group(&c2_vpc, "bastion", "someone's", &Tags::new())
        .await
        .unwrap();

    let started = Instant::now();
    let (_, report) = engine(&stack, &world, &Silent).down().await.unwrap();
    let failed: Vec<&super::StepReport> = report
        .steps
        .iter()
        .filter(|s| s.outcome == StepOutcome::Failed)
        .collect();
    assert_eq!(failed.len(), 1, "{failed:#?}");
    assert!(failed[0].step.contains("c2/vpc"), "{failed:#?}");
    for named in [
        format!("subnet {theirs}"),
        format!("security group {their_group}"),
    ] {
        assert!(failed[0].detail.contains(&named), "{failed:#?}");
    }
    // It is said as soon as the VPC is the last thing left, not after the 15-minute wait.
    assert!(
        started.elapsed() < Duration::from_secs(15 * 60),
        "{:?}",
        started.elapsed()
    );
    let left = world.tagged("petclinic");
    assert_eq!(left.get("Vpc"), Some(&1), "{left:?}");
    assert_eq!(left.get("Subnet"), None, "{left:?}");

    // Once they are gone, `down` finishes the job.
    west.network.delete_subnet(&theirs).await.unwrap();
    west.network
        .delete_security_group(&their_group)
        .await
        .unwrap();
    let (_, report) = engine(&stack, &world, &Silent).down().await.unwrap();
    assert_eq!(report.failed(), 0);
    assert_eq!(world.tagged("petclinic"), BTreeMap::new());
}

#[tokio::test(start_paused = true)]
async fn down_deletes_in_reverse_dependency_order() {
    let (stack, world) = (reference(), world());
    converge(&stack, &world).await;
    let timeline = Timeline {
        start: Instant::now(),
        events: Mutex::new(Vec::new()),
    };
    engine(&stack, &world, &timeline).down().await.unwrap();
    for (later, earlier) in [
        ("delete c1/vpc", "delete c1/subnet/public-1"),
        ("delete c1/subnet/public-1", "delete c1/nat/1"),
        ("delete c1/eip/nat-1", "delete c1/nat/1"),
        ("delete c1/waf/edge", "delete c1/waf-assoc"),
        ("delete c1/sg/nodes", "delete c1/sg/lb/out-30080-to-nodes"),
        ("delete c1/peering", "delete c2/route/private-1/peer"),
    ] {
        assert!(
            timeline.at(later, true) >= timeline.at(earlier, false),
            "{later} started before {earlier} finished"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn other_stacks_are_never_touched() {
    let (stack, world) = (reference(), world());
    let renamed = include_str!("../../stacks/two-region.yaml").replace("petclinic", "other");
    let other = parse("other.yaml", renamed.as_bytes()).unwrap();
    converge(&other, &world).await;
    converge(&stack, &world).await;
    engine(&stack, &world, &Silent).down().await.unwrap();
    assert_eq!(world.tagged("other"), expected_inventory());
    assert_eq!(world.tagged("petclinic"), BTreeMap::new());
}

#[tokio::test(start_paused = true)]
async fn cluster_and_node_group_drift_is_updated_in_place() {
    let (stack, world) = (reference(), world());
    converge(&stack, &world).await;
    let east = world.clients("us-east-1");
    // Out of band: logging cut down, the public endpoint opened wide, the node group scaled and
    // relabelled, and a tag changed.
    east.eks
        .update_cluster(
            "petclinic-c1",
            &ClusterUpdate::Logging {
                enabled: vec!["api".into()],
                disabled: vec![],
            },
            Duration::from_secs(600),
        )
        .await
        .unwrap();
    let open = ClusterUpdate::Endpoint {
        private: true,
        public: true,
        public_cidrs: vec!["0.0.0.0/0".into()],
    };
    east.eks
        .update_cluster("petclinic-c1", &open, Duration::from_secs(600))
        .await
        .unwrap();
    let scale = NodeGroupUpdate {
        scaling: Some((1, 1, 3)),
        add_labels: Tags::from([("extra".into(), "yes".into())]),
        remove_labels: vec![],
    };
    east.eks
        .update_node_group("petclinic-c1", "default", &scale, Duration::from_secs(600))
        .await
        .unwrap();

    let (_, changes) = engine(&stack, &world, &Silent).plan().await.unwrap();
    let cluster = find(&changes, "c1/eks");
    assert_eq!(cluster.action, Action::Update, "{cluster:#?}");
    let fields: Vec<&str> = cluster.fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(fields, ["logTypes", "publicCidrs"]);
    let group = find(&changes, "c1/nodegroup/default");
    assert_eq!(group.action, Action::Update);
    let fields: Vec<&str> = group.fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(fields, ["desired", "labels", "max", "min"]);
    assert_eq!(ids(&changes).len(), 2, "{:#?}", ids(&changes));

    converge(&stack, &world).await;
    let (_, changes) = engine(&stack, &world, &Silent).plan().await.unwrap();
    assert!(changes.is_empty(), "{:#?}", ids(&changes));
    assert_eq!(
        world.tagged("petclinic")["EksCluster"],
        2,
        "updated, not replaced"
    );
}

#[tokio::test(start_paused = true)]
async fn a_newer_version_is_reached_one_minor_at_a_time_and_an_older_one_is_a_replacement() {
    let (stack, world) = (reference(), world());
    converge(&stack, &world).await;
    let newer = include_str!("../../stacks/two-region.yaml").replacen(
        "version: \"1.31\"",
        "version: \"1.33\"",
        1,
    );
    let newer = parse("newer.yaml", newer.as_bytes()).unwrap();
    let before = world.stats().per_operation();
    let (changes, report) = engine(&newer, &world, &Silent).up(false).await.unwrap();
    assert_eq!(report.failed(), 0, "{:#?}", report.steps);
    assert_eq!(ids(&changes), [(Action::Update, "c1/eks")]);
    // 1.31 -> 1.32 -> 1.33: two updates (the fake refuses a jump of two).
    assert_eq!(
        calls_since(&before, &world).get("EKS:UpdateClusterVersion"),
        Some(&2)
    );

    let (_, changes) = engine(&stack, &world, &Silent).plan().await.unwrap();
    let back = find(&changes, "c1/eks");
    assert_eq!(back.action, Action::Replace, "EKS cannot go back to 1.31");
    assert!(
        changes
            .iter()
            .any(|c| c.id == "c1/nodegroup/default" && c.action == Action::Replace),
        "its node group goes with it"
    );
}

#[tokio::test(start_paused = true)]
async fn teardown_sweeps_what_eks_and_kubernetes_left_behind() {
    let (stack, world) = (reference(), world());
    converge(&stack, &world).await;
    assert_eq!(
        world.leftovers(),
        (0, 4),
        "each cluster has its own group and a load balancer controller's"
    );
    let timeline = Timeline {
        start: Instant::now(),
        events: Mutex::new(Vec::new()),
    };
    let (_, report) = engine(&stack, &world, &timeline).down().await.unwrap();
    assert_eq!(
        report.failed(),
        0,
        "{:#?}",
        report
            .steps
            .iter()
            .filter(|s| s.outcome != StepOutcome::Done)
            .collect::<Vec<_>>()
    );
    let sweep = report
        .steps
        .iter()
        .find(|s| s.step == "sweep c1")
        .expect("a sweep step");
    assert_eq!(
        sweep.detail,
        "1 network interface(s), 1 security group(s) left by EKS or Kubernetes"
    );
    assert_eq!(world.leftovers(), (0, 0));
    assert_eq!(world.tagged("petclinic"), BTreeMap::new());
    // Teardown order: clusters after their node groups, the sweep after the clusters, the
    // network after the sweep, IAM roles last.
    for (later, earlier) in [
        ("delete c1/eks", "delete c1/nodegroup/default"),
        ("sweep c1", "delete c1/eks"),
        ("sweep c1", "delete c1/lb"),
        ("delete c1/subnet/private-1", "sweep c1"),
        ("delete c1/vpc", "sweep c1"),
        ("delete iam/cluster-role", "delete c1/eks"),
        ("delete iam/node-role", "delete c2/nodegroup/default"),
    ] {
        assert!(
            timeline.at(later, true) >= timeline.at(earlier, false),
            "{later} started before {earlier} finished"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn roles_are_created_with_their_policies_and_repaired() {
    let (stack, world) = (reference(), world());
    converge(&stack, &world).await;
    let iam = world.iam();
    let roles = iam.snapshot("petclinic").await.unwrap();
    let node = roles
        .iter()
        .find(|r| r.name == "petclinic-eks-node")
        .expect("the node role");
    assert_eq!(node.trusted_service, "ec2.amazonaws.com");
    assert_eq!(node.managed_policies.len(), 3);
    iam.detach_policy(
        "petclinic-eks-node",
        "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
    )
    .await
    .unwrap();

    let (_, changes) = engine(&stack, &world, &Silent).plan().await.unwrap();
    let role = find(&changes, "iam/node-role");
    assert_eq!(
        (role.action, role.fields[0].field.as_str()),
        (Action::Update, "managedPolicies")
    );
    converge(&stack, &world).await;
    let (_, changes) = engine(&stack, &world, &Silent).plan().await.unwrap();
    assert!(changes.is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_node_group_failing_mid_create_is_rebuilt_by_a_rerun_without_duplicates() {
    let (stack, world) = (reference(), world());
    world.fail("CreateNodegroup", ErrorKind::Other, 1);
    let (_, report) = engine(&stack, &world, &Silent).up(false).await.unwrap();
    let failed: Vec<&str> = report
        .steps
        .iter()
        .filter(|s| s.outcome == StepOutcome::Failed)
        .map(|s| s.step.as_str())
        .collect();
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert!(failed[0].starts_with("create c") && failed[0].ends_with("/nodegroup/default"));
    // The other region's node group was made all the same.
    assert_eq!(world.tagged("petclinic")["NodeGroup"], 1);

    converge(&stack, &world).await;
    assert_eq!(world.tagged("petclinic"), expected_inventory());
    let (_, changes) = engine(&stack, &world, &Silent).plan().await.unwrap();
    assert!(changes.is_empty(), "{:#?}", ids(&changes));
}

#[tokio::test(start_paused = true)]
async fn node_groups_auto_scaling_groups_are_attached_to_the_target_group_and_kept_so() {
    let (stack, world) = (reference(), world());
    converge(&stack, &world).await;
    let c1 = world.clients("us-east-1");
    let tg = lookup(&world, "us-east-1", "c1/tg").await;
    let asgs = c1.scaling.node_group_asgs("petclinic-c1").await.unwrap();
    assert_eq!(asgs.len(), 1);
    assert_eq!(
        asgs[0].target_groups,
        std::slice::from_ref(&tg),
        "every node, now and later, is a target"
    );

    // Someone detaches it.
    c1.scaling
        .detach_target_group(&asgs[0].name, &tg)
        .await
        .unwrap();
    let (_, changes) = engine(&stack, &world, &Silent).plan().await.unwrap();
    assert_eq!(ids(&changes), [(Action::Update, "c1/tg-attach/default")]);
    let field = &find(&changes, "c1/tg-attach/default").fields[0];
    assert_eq!(
        (field.field.as_str(), field.observed.as_deref()),
        ("unregistered", Some(asgs[0].name.as_str()))
    );
    converge(&stack, &world).await;
    let asgs = c1.scaling.node_group_asgs("petclinic-c1").await.unwrap();
    assert_eq!(asgs[0].target_groups, [tg]);

    // `down` detaches it along with everything else.
    let (_, report) = engine(&stack, &world, &Silent).down().await.unwrap();
    assert_eq!(report.failed(), 0);
    assert!(world.tagged("petclinic").is_empty());
}

#[tokio::test(start_paused = true)]
async fn without_auto_scaling_groups_the_nodes_are_registered_and_a_missing_one_is_drift() {
    let (stack, world) = (reference(), world());
    // As on an emulator: node groups name Auto Scaling groups that do not exist.
    world.set_behaviour(|b| b.node_groups_without_asgs = true);
    converge(&stack, &world).await;
    let c1 = world.clients("us-east-1");
    let tg = lookup(&world, "us-east-1", "c1/tg").await;
    let nodes: Vec<String> = c1
        .network
        .node_instances("petclinic-c1")
        .await
        .unwrap()
        .into_iter()
        .map(|n| n.id)
        .collect();
    assert_eq!(nodes.len(), 2, "the node group's desired size");
    let mut registered = c1.load_balancing.registered_targets(&tg).await.unwrap();
    registered.sort();
    assert_eq!(registered, nodes);

    // A node leaves the target group (replaced, or deregistered by hand).
    c1.load_balancing
        .deregister_targets(&tg, &nodes[..1])
        .await
        .unwrap();
    let (_, changes) = engine(&stack, &world, &Silent).plan().await.unwrap();
    assert_eq!(ids(&changes), [(Action::Update, "c1/tg-attach/default")]);
    let field = &find(&changes, "c1/tg-attach/default").fields[0];
    assert_eq!(field.field, "unregistered");
    assert_eq!(field.observed.as_deref(), Some(nodes[0].as_str()));

    converge(&stack, &world).await;
    assert_eq!(
        c1.load_balancing
            .registered_targets(&tg)
            .await
            .unwrap()
            .len(),
        2
    );
    let (_, changes) = engine(&stack, &world, &Silent).plan().await.unwrap();
    assert!(changes.is_empty(), "{:?}", ids(&changes));
}

#[tokio::test(start_paused = true)]
async fn a_failed_resource_is_replaced_by_up_and_shown_as_such_by_plan() {
    let (stack, world) = (reference(), world());
    converge(&stack, &world).await;
    // Its nodes could not join: EKS says CREATE_FAILED (or DEGRADED).
    assert!(world.break_resource("us-east-1", "c1/nodegroup/default"));
    let (_, changes) = engine(&stack, &world, &Silent).plan().await.unwrap();
    let change = find(&changes, "c1/nodegroup/default");
    assert_eq!(change.action, Action::Replace);
    assert_eq!(change.reason.as_deref(), Some("it is in state failed"));
    // No --allow-replace: what it replaces does not work.
    converge(&stack, &world).await;
    let (_, changes) = engine(&stack, &world, &Silent).plan().await.unwrap();
    assert!(changes.is_empty(), "{:#?}", ids(&changes));
    assert_eq!(world.tagged("petclinic"), expected_inventory());

    // A failed cluster takes what stands on it along.
    assert!(world.break_resource("us-west-2", "c2/eks"));
    let (_, changes) = engine(&stack, &world, &Silent).plan().await.unwrap();
    assert_eq!(find(&changes, "c2/eks").action, Action::Replace);
    let group = find(&changes, "c2/nodegroup/default");
    assert_eq!(group.action, Action::Replace);
    assert_eq!(
        group.reason.as_deref(),
        Some("replaced together with c2/eks")
    );
    converge(&stack, &world).await;
    let (_, changes) = engine(&stack, &world, &Silent).plan().await.unwrap();
    assert!(changes.is_empty(), "{:#?}", ids(&changes));
    assert_eq!(world.tagged("petclinic"), expected_inventory());

    // A NAT gateway and a load balancer that failed, as EC2 and ELB say `failed`.
    assert!(world.break_resource("us-east-1", "c1/nat/1"));
    assert!(world.break_resource("us-west-2", "c2/lb"));
    let (_, changes) = engine(&stack, &world, &Silent).plan().await.unwrap();
    for id in ["c1/nat/1", "c2/lb"] {
        let change = find(&changes, id);
        assert_eq!(
            (change.action, change.reason.as_deref()),
            (Action::Replace, Some("it is in state failed")),
            "{id}"
        );
    }
    assert_eq!(find(&changes, "c2/listener/80").action, Action::Replace);
    converge(&stack, &world).await;
    let (_, changes) = engine(&stack, &world, &Silent).plan().await.unwrap();
    assert!(changes.is_empty(), "{:#?}", ids(&changes));
    assert_eq!(world.tagged("petclinic"), expected_inventory());
}

#[tokio::test(start_paused = true)]
async fn the_run_record_follows_the_runs_that_change_its_region() {
    let (stack, world) = (reference(), world());
    // A failure in a region leaves its record unwritten; the other region's is written.
    world.fail("CreateNatGateway", ErrorKind::Other, 1);
    let (_, report) = engine(&stack, &world, &Silent).up(false).await.unwrap();
    let failed = report
        .steps
        .iter()
        .find(|s| s.outcome == StepOutcome::Failed)
        .expect("the injected failure");
    let region = failed.step["create ".len()..].split('/').next().unwrap();
    let other = if region == "c1" { "c2" } else { "c1" };
    let outcome = |step: &str| {
        report
            .steps
            .iter()
            .find(|s| s.step == step)
            .map(|s| s.outcome)
    };
    let skipped = outcome(&format!("create {region}/last-up"));
    assert_eq!(skipped, Some(StepOutcome::Skipped), "{:#?}", report.steps);
    let written = outcome(&format!("create {other}/last-up"));
    assert_eq!(written, Some(StepOutcome::Done));

    // Once converged, each region records this tool and this stack file, and a run that
    // changes nothing leaves the records alone.
    converge(&stack, &world).await;
    let (observed, changes) = engine(&stack, &world, &Silent).plan().await.unwrap();
    assert!(changes.is_empty(), "{:#?}", ids(&changes));
    for r in ["c1", "c2"] {
        let record = &observed.resources[&format!("{r}/last-up")].fields;
        assert_eq!(record["toolVersion"], env!("CARGO_PKG_VERSION"));
        assert_eq!(record["stackDigest"], stack.digest);
        assert!(!record["recordedAt"].is_empty(), "{record:?}");
    }

    // Another stack file that changes c1 only: c1's record goes with the change, c2's stays.
    let text = include_str!("../../stacks/two-region.yaml");
    let newer = text.replacen("version: \"1.31\"", "version: \"1.32\"", 1);
    let newer = parse("newer.yaml", newer.as_bytes()).unwrap();
    let (_, changes) = engine(&newer, &world, &Silent).plan().await.unwrap();
    let records: Vec<_> = changes
        .iter()
        .filter(|c| c.kind == Kind::RunRecord)
        .map(|c| (c.action, c.id.as_str(), c.reason.as_deref()))
        .collect();
    assert_eq!(
        records,
        [(Action::Update, "c1/last-up", Some("records this run"))]
    );
    converge(&newer, &world).await;
    let (observed, _) = engine(&newer, &world, &Silent).plan().await.unwrap();
    let digest =
        |r: &str| observed.resources[&format!("{r}/last-up")].fields["stackDigest"].clone();
    assert_eq!(digest("c1"), newer.digest);
    assert_eq!(digest("c2"), stack.digest);

    // `down` takes the records with everything else.
    let (_, report) = engine(&newer, &world, &Silent).down().await.unwrap();
    assert_eq!(report.failed(), 0, "{:#?}", report.steps);
    assert_eq!(world.tagged("petclinic").get("Parameter"), None);
}
