//! Two resources with one logical id are drift: `plan` names both, `up` removes the extra and
//! keeps the one the stack hangs on, `down` removes every one of them.

use super::*;

/// A copy of the VPC `logical` of `region` (same tags), with a copy of one of its subnets
/// inside, made behind the tool's back; the copy's id.
async fn copy_vpc(world: &FakeWorld, region: &str, logical: &str) -> String {
    let net = world.clients(region).network;
    let tags = net
        .snapshot("petclinic")
        .await
        .unwrap()
        .vpcs
        .into_iter()
        .find(|v| v.tags.get(crate::model::TAG_ID).map(String::as_str) == Some(logical))
        .map(|v| v.tags)
        .unwrap();
    let id = net.create_vpc("10.99.0.0/16", &tags).await.unwrap();
    // And a copy of one of its subnets inside the copy.
    let prefix = logical.split('/').next().unwrap_or_default();
    let subnet = tags_of(&format!("{prefix}/subnet/private-1"));
    let zone = format!("{region}a");
    net.create_subnet(&id, "10.99.1.0/24", &zone, &subnet)
        .await
        .unwrap();
    id
}

fn tags_of(logical: &str) -> Tags {
    Tags::from([
        (crate::model::TAG_STACK.to_string(), "petclinic".to_string()),
        (crate::model::TAG_ID.to_string(), logical.to_string()),
    ])
}

#[tokio::test(start_paused = true)]
async fn a_copy_made_behind_the_tools_back_is_found_and_removed_by_up() {
    let (stack, world) = (reference(), world());
    converge(&stack, &world).await;
    let original = lookup(&world, "us-east-1", "c1/vpc").await;
    let copy = copy_vpc(&world, "us-east-1", "c1/vpc").await;
    let (_, changes) = engine(&stack, &world, &Silent).plan().await.unwrap();
    let duplicates: Vec<&Change> = changes
        .iter()
        .filter(|c| c.duplicate_of.is_some())
        .collect();
    assert_eq!(duplicates.len(), 2, "{:#?}", ids(&changes));
    let vpc = duplicates
        .iter()
        .find(|c| c.kind == Kind::Vpc)
        .expect("the VPC copy");
    assert_eq!(vpc.duplicate_of.as_deref(), Some("c1/vpc"));
    assert_eq!(vpc.action, Action::Delete);
    assert_eq!(
        vpc.reason.as_deref(),
        Some(format!("2 found: {original} (kept), {copy} (extra)").as_str()),
        "the one the stack hangs on is kept"
    );
    assert_eq!(
        changes.len(),
        2,
        "nothing else changes: {:#?}",
        ids(&changes)
    );
    converge(&stack, &world).await;
    assert_eq!(world.tagged("petclinic"), expected_inventory());
    assert_eq!(lookup(&world, "us-east-1", "c1/vpc").await, original);
    let (_, changes) = engine(&stack, &world, &Silent).plan().await.unwrap();
    assert!(changes.is_empty(), "{:#?}", ids(&changes));
}

#[tokio::test(start_paused = true)]
async fn down_removes_duplicates_as_the_stacks_own() {
    let (stack, world) = (reference(), world());
    converge(&stack, &world).await;
    copy_vpc(&world, "us-east-1", "c1/vpc").await;
    copy_vpc(&world, "us-west-2", "c2/vpc").await;
    let (_, report) = engine(&stack, &world, &Silent).down().await.unwrap();
    assert_eq!(report.failed(), 0, "{:#?}", report.steps);
    assert!(
        world.tagged("petclinic").is_empty(),
        "{:?}",
        world.tagged("petclinic")
    );
}

#[tokio::test(start_paused = true)]
async fn two_unlocked_ups_at_once_are_mended_by_the_next_up() {
    // What the run lock prevents, made on purpose: both runs build from empty.
    let (stack, world) = (reference(), world());
    let (a, b) = (
        engine(&stack, &world, &Silent),
        engine(&stack, &world, &Silent),
    );
    let (ra, rb) = futures::join!(a.up(false), b.up(false));
    let (ra, rb) = (ra.unwrap().1, rb.unwrap().1);
    let vpcs = world.tagged("petclinic").get("Vpc").copied();
    assert!(
        vpcs > Some(2),
        "both built a network: {vpcs:?} ({} / {} failed)",
        ra.failed(),
        rb.failed()
    );
    let (_, changes) = engine(&stack, &world, &Silent).plan().await.unwrap();
    assert!(
        changes
            .iter()
            .any(|c| c.duplicate_of.as_deref() == Some("c1/vpc")),
        "{:#?}",
        ids(&changes)
    );
    // A run or two settles it (the first may find a half-built copy still settling).
    for _ in 0..2 {
        let _ = engine(&stack, &world, &Silent).up(false).await.unwrap();
    }
    converge(&stack, &world).await;
    assert_eq!(world.tagged("petclinic"), expected_inventory());
    let (_, changes) = engine(&stack, &world, &Silent).plan().await.unwrap();
    assert!(changes.is_empty(), "{:#?}", ids(&changes));
}
