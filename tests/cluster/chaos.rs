//! The experiments on the rig: kwok's nodes and the real controllers replace what an
//! experiment takes away, and every fault is checked gone through the API afterwards, with a
//! client of the test's own — on success, on interruption and after a killed run.

use std::io::Read;
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::{Node, Pod};
use kube::api::{Api, ListParams};
use serde_json::Value as Json;

use crate::rig::*;

fn report(run: &Run) -> Json {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
}

/// The backend Deployment's podinfo flags and whether it carries an experiment's mark.
async fn backend_state(name: &str) -> (Vec<String>, bool) {
    let d = deployment("rig-c2", name)
        .await
        .expect("the backend exists");
    let marked = d
        .metadata
        .labels
        .unwrap_or_default()
        .contains_key("multiregion.dev/chaos");
    let args = d.spec.unwrap().template.spec.unwrap().containers[0]
        .args
        .clone()
        .unwrap_or_default();
    (args, marked)
}

/// Waits (up to 60 s) until the backend Deployment is whole again: its rollout (after `up`, or
/// after an experiment's rollback) done, every replica updated and ready.
fn until_whole(name: &str) {
    let started = Instant::now();
    loop {
        let d = block_on(deployment("rig-c2", name)).expect("the backend exists");
        let want = d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
        let generation = d.metadata.generation;
        let s = d.status.unwrap_or_default();
        let whole = s.observed_generation == generation
            && s.updated_replicas == Some(want)
            && s.ready_replicas == Some(want)
            && s.replicas == Some(want);
        if whole {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the backend never became whole: {s:?}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

async fn pods_of(name: &str) -> Vec<String> {
    let pods: Api<Pod> = Api::namespaced(client("rig-c2").await, name);
    let labels = format!("app.kubernetes.io/name={name}");
    let listed = pods
        .list(&ListParams::default().labels(&labels))
        .await
        .unwrap();
    listed
        .items
        .into_iter()
        .filter_map(|p| p.metadata.name)
        .collect()
}

#[test]
fn pod_kill_measures_the_recovery_and_leaves_the_deployment_whole() {
    let case = Case::new(41);
    case.up();
    let before = block_on(pods_of(&case.backend()));
    let run = case.run(&["chaos", "pod-kill", "--output", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let r = report(&run);
    assert_eq!(r["verdict"], "recovered");
    let killed = r["injection"].as_str().unwrap();
    let gone: Vec<&String> = before
        .iter()
        .filter(|p| killed.contains(p.as_str()))
        .collect();
    assert_eq!(gone.len(), 1, "one pod of {before:?} deleted: {killed}");
    let recovery = r["timeline"]["recoverySeconds"].as_f64().unwrap();
    eprintln!("measured: pod-kill recovery on the rig {recovery:.1}s");
    assert!(recovery > 0.0 && recovery < 60.0, "{r}");
    block_on(async {
        let after = pods_of(&case.backend()).await;
        assert!(
            !after.contains(gone[0]),
            "the deleted pod is gone: {after:?}"
        );
        let status = deployment("rig-c2", &case.backend())
            .await
            .unwrap()
            .status
            .unwrap();
        assert_eq!(status.available_replicas, Some(2));
    });
    case.down();
}

#[test]
fn errors_go_in_for_their_time_and_the_stacks_setting_comes_back() {
    let case = Case::new(42);
    case.up();
    let run = case.run(&["chaos", "errors", "--for", "2s", "--output", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let r = report(&run);
    let t = &r["timeline"];
    let lasted = t["rolledBack"].as_f64().unwrap() - t["injected"].as_f64().unwrap();
    assert!((2.0..10.0).contains(&lasted), "{t}");
    let (args, marked) = block_on(backend_state(&case.backend()));
    assert!(
        args.contains(&"--random-error=false".to_string()),
        "{args:?}"
    );
    assert!(!marked, "no mark left");
    case.down();
}

#[test]
fn node_loss_moves_the_pods_and_uncordons_the_node_after() {
    let case = Case::new(43);
    case.up();
    let run = case.run(&["chaos", "node-loss", "--output", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let r = report(&run);
    assert_eq!(r["verdict"], "recovered");
    assert!(r["injection"].as_str().unwrap().contains("cordoned node"));
    block_on(async {
        let nodes: Api<Node> = Api::all(client("rig-c2").await);
        for node in nodes.list(&ListParams::default()).await.unwrap().items {
            let cordoned = node.spec.and_then(|s| s.unschedulable).unwrap_or(false);
            assert!(!cordoned, "{:?} uncordoned", node.metadata.name);
            let labels = node.metadata.labels.unwrap_or_default();
            assert!(!labels.contains_key("multiregion.dev/chaos"));
        }
    });
    case.down();
}

/// Waits (up to 60 s) until the backend carries the fault of the experiment `child` runs; if it
/// never does, what the experiment said.
fn until_marked(name: &str, child: &mut std::process::Child) {
    let started = Instant::now();
    while !block_on(backend_state(name)).1 {
        if started.elapsed() > Duration::from_secs(60) || matches!(child.try_wait(), Ok(Some(_))) {
            let _ = child.kill();
            let mut said = String::new();
            if let Some(mut out) = child.stdout.take() {
                let _ = out.read_to_string(&mut said);
            }
            if let Some(mut err) = child.stderr.take() {
                let _ = err.read_to_string(&mut said);
            }
            panic!("the fault never went in ({:?}): {said}", child.try_wait());
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn an_interrupted_experiment_rolls_back_and_a_killed_one_is_cleaned_up() {
    let case = Case::new(44);
    case.up();
    // Ctrl-C during the fault: the rollback runs, exit 130.
    until_whole(&case.backend());
    let mut child = case.spawn(&["chaos", "latency", "--for", "5m"]);
    until_marked(&case.backend(), &mut child);
    let sent = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(130), "{stdout}");
    assert!(stdout.contains("interrupted"), "{stdout}");
    let (args, marked) = block_on(backend_state(&case.backend()));
    assert!(
        !marked && args.contains(&"--random-delay=false".to_string()),
        "{args:?}"
    );

    // Killed outright: the fault stays, marked; `--cleanup` undoes it. (The rollback above
    // rolled the backend out again: the next experiment starts from a whole workload.)
    until_whole(&case.backend());
    let mut child = case.spawn(&["chaos", "latency", "--for", "5m"]);
    until_marked(&case.backend(), &mut child);
    child.kill().unwrap();
    let _ = child.wait();
    let (args, marked) = block_on(backend_state(&case.backend()));
    assert!(
        marked && args.contains(&"--random-delay=true".to_string()),
        "{args:?}"
    );
    let unlock = case.run(&["unlock", "--force"]);
    assert_eq!(unlock.code, 0, "the killed run's lock: {}", unlock.stderr);
    let cleanup = case.run(&["chaos", "--cleanup"]);
    assert_eq!(cleanup.code, 0, "{}", cleanup.stderr);
    assert!(
        cleanup.stdout.contains("restored the stack's Deployment"),
        "{}",
        cleanup.stdout
    );
    let (args, marked) = block_on(backend_state(&case.backend()));
    assert!(
        !marked && args.contains(&"--random-delay=false".to_string()),
        "{args:?}"
    );
    let again = case.run(&["chaos", "--cleanup"]);
    assert!(
        again.stdout.contains("left anything behind"),
        "{}",
        again.stdout
    );
    case.down();
}
