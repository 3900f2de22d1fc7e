//! The run lock on the fake world: one holder, a clear refusal naming it, waiting, giving it
//! back, staleness and `unlock`.

use std::sync::Arc;
use std::time::Duration;

use super::*;
use crate::providers::fake::{Behaviour, FakeWorld};

fn store() -> Arc<dyn Parameters> {
    let world = FakeWorld::new(&["us-east-1"], Behaviour::default());
    world.clients("us-east-1").parameters
}

fn me(command: &str) -> Holder {
    Holder::this_process(command, "arn:aws:iam::123456789012:user/alice")
}

#[tokio::test(start_paused = true)]
async fn one_holder_at_a_time_and_the_refusal_names_it() {
    let params = store();
    let first = RunLock::acquire(params.clone(), "shop", me("up"), Duration::ZERO)
        .await
        .unwrap();
    let refused = RunLock::acquire(params.clone(), "shop", me("down"), Duration::ZERO).await;
    let Err(LockError::Held { holder }) = refused else {
        panic!("a second run must be refused");
    };
    assert_eq!(holder.command, "up");
    let text = LockError::Held { holder }.to_string();
    assert!(
        text.contains("`up` by arn:aws:iam::123456789012:user/alice"),
        "{text}"
    );
    assert!(text.contains("since "), "{text}");
    assert!(!first.release().await.unwrap(), "not taken away");
    assert_eq!(
        holder_of(params.as_ref(), &lock_name("shop"))
            .await
            .unwrap(),
        None
    );
    // Another stack's lock is another parameter.
    RunLock::acquire(params.clone(), "other", me("up"), Duration::ZERO)
        .await
        .unwrap();
    RunLock::acquire(params, "shop", me("down"), Duration::ZERO)
        .await
        .expect("free again once released");
}

#[tokio::test(start_paused = true)]
async fn a_waiting_run_takes_the_lock_once_it_is_given_back() {
    let params = store();
    let first = RunLock::acquire(params.clone(), "shop", me("up"), Duration::ZERO)
        .await
        .unwrap();
    let waiting = tokio::spawn(RunLock::acquire(
        params.clone(),
        "shop",
        me("down"),
        Duration::from_secs(60),
    ));
    tokio::time::sleep(Duration::from_secs(10)).await;
    first.release().await.unwrap();
    let second = waiting.await.unwrap().expect("taken after the release");
    assert_eq!(second.holder.command, "down");
    // A wait that ends before the holder does is a refusal.
    let started = tokio::time::Instant::now();
    let refused = RunLock::acquire(params, "shop", me("up"), Duration::from_secs(20)).await;
    assert!(matches!(refused, Err(LockError::Held { .. })));
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(18) && waited <= Duration::from_secs(25),
        "{waited:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_stale_lock_is_reported_and_only_unlock_takes_it_away() {
    let params = store();
    let mut dead = me("up");
    let long_ago = SystemTime::now() - Duration::from_secs(3600);
    dead.heartbeat = DateTime::from(long_ago).fmt(Format::DateTime).unwrap();
    let value = serde_json::to_string(&dead).unwrap();
    params
        .create_parameter(&lock_name("shop"), &value, &Tags::new())
        .await
        .unwrap();
    let refused = RunLock::acquire(params.clone(), "shop", me("up"), Duration::ZERO).await;
    let text = refused
        .err()
        .expect("never taken over silently")
        .to_string();
    assert!(
        text.contains("STALE") && text.contains("multiregion unlock"),
        "{text}"
    );
    let removed = unlock(params.as_ref(), "shop", false).await.unwrap();
    assert_eq!(removed.map(|h| h.id), Some(dead.id));
    RunLock::acquire(params, "shop", me("up"), Duration::ZERO)
        .await
        .expect("free after unlock");
}

#[tokio::test(start_paused = true)]
async fn a_live_lock_needs_force_and_its_holder_learns_it_was_taken() {
    let params = store();
    let held = RunLock::acquire(params.clone(), "shop", me("up"), Duration::ZERO)
        .await
        .unwrap();
    assert!(matches!(
        unlock(params.as_ref(), "shop", false).await,
        Err(LockError::Held { .. })
    ));
    assert!(
        unlock(params.as_ref(), "shop", true)
            .await
            .unwrap()
            .is_some()
    );
    tokio::time::sleep(HEARTBEAT * 2).await;
    assert!(held.release().await.unwrap(), "the holder is told");
}

#[tokio::test(start_paused = true)]
async fn the_heartbeat_keeps_a_long_run_fresh() {
    let world = FakeWorld::new(&["us-east-1"], Behaviour::default());
    let params = world.clients("us-east-1").parameters;
    let writes = || {
        world
            .stats()
            .per_operation()
            .get("SSM:PutParameter")
            .copied()
    };
    let held = RunLock::acquire(params.clone(), "shop", me("up"), Duration::ZERO)
        .await
        .unwrap();
    assert_eq!(writes(), Some(1));
    tokio::time::sleep(STALE_AFTER * 2).await;
    let beats = writes().unwrap_or_default() - 1;
    let expected = (STALE_AFTER * 2).as_secs() / HEARTBEAT.as_secs();
    assert!(
        beats + 1 >= expected && beats <= expected,
        "{beats} heartbeats"
    );
    let now = holder(params.as_ref(), "shop").await.unwrap().unwrap();
    assert!(!now.is_stale(), "{}", now.describe());
    assert!(!held.release().await.unwrap());
}

#[tokio::test(start_paused = true)]
async fn an_unreadable_lock_is_named_and_removed_only_by_force() {
    let params = store();
    let junk = "x".repeat(5000);
    params
        .create_parameter(&lock_name("shop"), &junk, &Tags::new())
        .await
        .unwrap();
    let e = RunLock::acquire(params.clone(), "shop", me("up"), Duration::ZERO)
        .await
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("unreadable") && e.len() < 300, "{e}");
    assert!(unlock(params.as_ref(), "shop", false).await.is_err());
    assert!(
        unlock(params.as_ref(), "shop", true)
            .await
            .unwrap()
            .is_some()
    );
}
