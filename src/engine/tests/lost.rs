//! Calls that take effect but lose their answer (a 500 or a timeout after the change): the run
//! neither makes a second resource nor retries for minutes, and ends in sync.

use super::*;

/// `up` from empty with the first answer of `operation` lost: how long it took (virtual time)
/// and how often `operation` was called.
async fn up_losing(operation: &str) -> (Duration, u64) {
    let (stack, world) = (reference(), world());
    world.lose(operation, 1);
    let started = Instant::now();
    converge(&stack, &world).await;
    let took = started.elapsed();
    assert_eq!(
        world.tagged("petclinic"),
        expected_inventory(),
        "{operation}: nothing made twice"
    );
    let (_, changes) = engine(&stack, &world, &Silent).plan().await.unwrap();
    assert!(changes.is_empty(), "{operation}: {:#?}", ids(&changes));
    let calls = world
        .stats()
        .per_operation()
        .into_iter()
        .filter(|(op, _)| op.rsplit(':').next() == Some(operation))
        .map(|(_, n)| n)
        .sum();
    (took, calls)
}

#[tokio::test(start_paused = true)]
async fn a_lost_answer_makes_no_duplicate_and_no_long_retry() {
    let (stack, world) = (reference(), world());
    let started = Instant::now();
    converge(&stack, &world).await;
    let clean = started.elapsed();
    let per_operation = world.stats().per_operation();
    let normal = |operation: &str| -> u64 {
        per_operation
            .iter()
            .filter(|(op, _)| op.rsplit(':').next() == Some(operation))
            .map(|(_, n)| *n)
            .sum()
    };
    for operation in [
        "CreateVpc",
        "CreateSubnet",
        "CreateNatGateway",
        "CreateLogGroup",
        "AcceptVpcPeeringConnection",
        "RevokeSecurityGroupEgress",
        "CreateSecurityGroup",
        "AuthorizeSecurityGroupIngress",
        "AttachInternetGateway",
        "CreateRole",
        "CreateCluster",
        "PutParameter",
    ] {
        let (took, calls) = up_losing(operation).await;
        // A few repeats at most (while the first call's effect settles: an accepted peering
        // provisioning) and fresh discoveries, in place of minutes of retries.
        assert!(
            calls <= normal(operation) + 4,
            "{operation}: {calls} calls, {} without the fault",
            normal(operation)
        );
        assert!(
            took <= clean + Duration::from_secs(30),
            "{operation}: {took:?}, {clean:?} without the fault"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn a_throttled_retention_never_repeats_the_log_group_create() {
    let (stack, world) = (reference(), world());
    world.fail("PutRetentionPolicy", ErrorKind::Throttled, 3);
    converge(&stack, &world).await;
    let groups = world.tagged("petclinic").get("LogGroup").copied();
    assert_eq!(groups, expected_inventory().get("LogGroup").copied());
    let creates: u64 = world
        .stats()
        .per_operation()
        .into_iter()
        .filter(|(op, _)| op.ends_with("CreateLogGroup"))
        .map(|(_, n)| n)
        .sum();
    assert_eq!(creates, 2, "one create per region, none repeated");
}
