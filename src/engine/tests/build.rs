//! Building the reference stack from nothing: both regions at once, in dependency order, within the call and time budgets; a second run changes nothing.

use super::*;

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
            || op.starts_with("SSM")
            || op.starts_with("SNS")
            || op.starts_with("KMS")
            || op.starts_with("ACM")
    };
    let network: u64 = calls
        .iter()
        .filter(|(op, _)| !cluster_part(op))
        .map(|(_, n)| n)
        .sum();
    assert!(network <= 35, "{network} calls: {calls:#?}");
    let total: u64 = calls.values().sum();
    // All of it, as on AWS (Auto Scaling groups), with the run records: 65, two fewer than
    // before them (security groups are read once, access entries only where the stack asks
    // for some); the nodes and their registrations are read only where node groups have no
    // Auto Scaling group.
    // The alert topics and alarms add one listing per region: 67; the secrets keys one more
    // per region: 69; the add-ons a listing per region and each add-on's description and
    // versions (5 a region): 91; the Cluster Autoscaler's role (its inline policy and tags)
    // and the Pod Identity associations (a listing and a description a region): 98; the
    // certificates a listing per region: 100; Container Insights' add-on (its description and
    // versions) and agent association per region, and the agent's role (3): 109.
    assert!(total <= 109, "{total} calls: {calls:#?}");
    assert!(!calls.contains_key("EC2:DescribeInstances"), "{calls:#?}");
    // 50 ms a call and three dependent rounds at most (EKS: list clusters; describe them and
    // list their node groups; describe those), everything else beside them: 150 ms.
    assert_eq!(elapsed, Duration::from_millis(150), "{elapsed:?}");
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
    let text = include_str!("../../../stacks/two-region.yaml");
    let newer = text.replacen(
        "version: \"1.35\"",
        "version: \"1.36\"\n        autoscaler: { image: \"example.com/ca:v1.36.0\" }",
        1,
    );
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
