//! Runs that meet failures, throttling, lag and failed resources, and the re-runs that converge after them.

use super::*;

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
            || s.contains("/addon/")
            || s.ends_with("/last-up")),
        "only routes, and the nodes that need them for egress (and their load balancer targets and the add-ons that run on them), wait for the gateway, and the run's record waits for everything: {skipped:?}"
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
    // Operations and throttled answers of up, plan and down, clean and under 30 % throttling.
    async fn run(throttle: f64) -> Vec<(u64, u64)> {
        let (stack, world) = (reference(), world());
        world.set_behaviour(|b| b.throttle = throttle);
        let mut figures = Vec::new();
        let mut mark = |world: &FakeWorld| {
            let now = (world.stats().total(), world.throttled());
            let last = figures
                .iter()
                .fold((0, 0), |a: (u64, u64), f: &(u64, u64)| {
                    (a.0 + f.0, a.1 + f.1)
                });
            figures.push((now.0 - last.0, now.1 - last.1));
        };
        converge(&stack, &world).await;
        mark(&world);
        let (_, changes) = engine(&stack, &world, &Silent).plan().await.unwrap();
        assert!(changes.is_empty());
        assert_eq!(world.tagged("petclinic"), expected_inventory());
        mark(&world);
        let (_, report) = engine(&stack, &world, &Silent).down().await.unwrap();
        assert_eq!(report.failed(), 0);
        assert!(world.tagged("petclinic").is_empty());
        mark(&world);
        figures
    }
    let (clean, throttled) = (run(0.0).await, run(0.3).await);
    for (i, command) in ["up", "plan", "down"].into_iter().enumerate() {
        let ((ops, _), (ops_throttled, answers)) = (clean[i], throttled[i]);
        eprintln!(
            "{command}: {ops} operations clean; under 30 % throttling {ops_throttled} \
             operations, {answers} throttled answers retried"
        );
        // Each attempt is throttled with p = 0.3, so about 0.3 / 0.7 of the attempts that
        // succeed come with a retry; bounded well below one retry per operation.
        assert!(
            answers > 0 && answers < ops_throttled,
            "{command}: {answers}"
        );
        // The engine repeats a composite read whose part ran out of SDK attempts, at most
        // half as many operations again.
        assert!(
            ops_throttled <= ops + ops / 2,
            "{command}: {ops_throttled} vs {ops}"
        );
    }
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
