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

mod addons;
mod alerts;
mod autoscaler;
mod build;
mod certificates;
mod drift;
mod duplicates;
mod failures;
mod lost;
mod secrets;
mod teardown;
mod tls;

const REGIONS: [&str; 2] = ["us-east-1", "us-west-2"];

pub(crate) fn reference() -> ValidStack {
    parse(
        "two-region.yaml",
        include_bytes!("../../../stacks/two-region.yaml"),
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
        stop: Default::default(),
        skipped_kinds: Vec::new(),
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
        // The five default add-ons in each cluster, and CloudWatch Observability for the
        // alarms on Container Insights.
        ("ClusterAddon", 12),
        // Scheduled for deletion by `down`, so not counted once pending.
        ("SecretsKey", 2),
        ("AlertsKey", 2),
        // Adopted, not made: tagged once emptied.
        ("DefaultSecurityGroup", 2),
        ("ElasticIp", 4),
        ("MainRouteTable", 2),
        ("FlowLog", 2),
        // Cluster, nodes, flow logs, the Cluster Autoscaler, the CloudWatch agent.
        ("IamRole", 5),
        // Per region: the Cluster Autoscaler's and the CloudWatch agent's.
        ("PodIdentity", 4),
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
        // Per region: the alert topic; c1's 5 alarms (error rate, nodes, frontend restarts)
        // and c2's 6 (healthy targets, backend pods, nodes, backend restarts).
        ("AlertTopic", 2),
        ("MetricAlarm", 11),
    ])
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
