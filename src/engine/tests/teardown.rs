//! Teardown: everything the stack owns goes, in reverse order, with what EKS and Kubernetes left; nothing else does.

use super::*;

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
    let failed: Vec<&crate::engine::StepReport> = report
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
    let renamed = include_str!("../../../stacks/two-region.yaml").replace("petclinic", "other");
    let other = parse("other.yaml", renamed.as_bytes()).unwrap();
    converge(&other, &world).await;
    converge(&stack, &world).await;
    engine(&stack, &world, &Silent).down().await.unwrap();
    assert_eq!(world.tagged("other"), expected_inventory());
    assert_eq!(world.tagged("petclinic"), BTreeMap::new());
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
async fn an_up_after_a_killed_down_converges_and_so_does_a_second_down() {
    let (stack, world) = (reference(), world());
    converge(&stack, &world).await;
    // `down` stopped part way (killed, Ctrl-C): its future dropped mid-flight.
    let down = engine(&stack, &world, &Silent);
    let stopped = tokio::time::timeout(Duration::from_secs(90), down.down()).await;
    assert!(stopped.is_err(), "the down was still running when stopped");
    let left = world.tagged("petclinic");
    assert!(!left.is_empty() && left != expected_inventory(), "{left:?}");
    converge(&stack, &world).await;
    assert_eq!(world.tagged("petclinic"), expected_inventory());
    let (_, changes) = engine(&stack, &world, &Silent).plan().await.unwrap();
    assert!(changes.is_empty(), "{:#?}", ids(&changes));
    // And a killed down finished by another down leaves nothing.
    let down = engine(&stack, &world, &Silent);
    let _ = tokio::time::timeout(Duration::from_secs(90), down.down()).await;
    let (_, report) = engine(&stack, &world, &Silent).down().await.unwrap();
    assert_eq!(report.failed(), 0, "{:#?}", report.steps);
    assert!(world.tagged("petclinic").is_empty());
}
