//! Whole runs on moto around one writer at a time, through the real SSM adapter: two `up` at
//! once build one network (and the winner's outputs are there to read); `down` started during
//! an `up` waits for it and then removes everything; a stale lock is named, noted by `plan`,
//! and removed only by `unlock`; Ctrl-C while waiting for another run's lock ends the run at once
//! (Ctrl-C during a run: tests/moto_review.rs).

use std::time::Duration;

mod common;

use common::aws::{
    Run, STACK, command, fresh_moto, multiregion_with, runtime, sdk_config, spawn,
    spawn_until_first_step, vpcs,
};

const LOCK: &str = "/multiregion/petclinic/lock";

fn finished(child: std::process::Child) -> Run {
    child.wait_with_output().unwrap().into()
}

#[test]
fn two_ups_at_once_build_one_network_and_the_second_names_the_first() {
    let (_guard, url) = fresh_moto();
    let first = spawn(url, &["up"]);
    let second = spawn(url, &["up"]);
    let (a, b) = (finished(first), finished(second));
    let (won, lost) = if a.code == 0 { (a, b) } else { (b, a) };
    assert_eq!(won.code, 0, "{}", won.stderr);
    assert_eq!(lost.code, 1, "{}", lost.stderr);
    assert!(
        lost.stderr
            .contains("another run holds the stack's lock: `up` by")
            && lost.stderr.contains("since"),
        "the refusal names the holder: {}",
        lost.stderr
    );
    assert!(lost.stderr.len() < 2000, "{}", lost.stderr);
    assert_eq!(vpcs(url), vec![1, 1], "exactly one VPC per region");
    let plan = multiregion_with(url, STACK, &["plan"]);
    assert_eq!(plan.code, 0, "{}{}", plan.stdout, plan.stderr);
    assert!(
        !plan.stderr.contains("holds the stack's lock"),
        "the lock was given back"
    );
    // `up` ended with the outputs, and `output` reads them again.
    assert!(won.stdout.contains("frontendUrl"), "{}", won.stdout);
    let json = multiregion_with(url, STACK, &["output", "--output", "json"]);
    assert_eq!(json.code, 0, "{}", json.stderr);
    let outputs: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let url_out = outputs["frontendUrl"].as_str().unwrap().to_string();
    assert!(url_out.starts_with("http://"), "{outputs}");
    assert!(
        outputs["backendDns"].is_string() && outputs["peering"].is_string(),
        "{outputs}"
    );
    assert!(
        outputs["regions"][1]["clusterEndpoint"].is_string(),
        "{outputs}"
    );
    let one = multiregion_with(url, STACK, &["output", "frontendUrl"]);
    assert_eq!(one.stdout.trim(), url_out);
    let typo = multiregion_with(url, STACK, &["outputs", "frontendURL"]);
    assert_eq!(typo.code, 1);
    assert!(
        typo.stderr.contains("did you mean `frontendUrl`?"),
        "{}",
        typo.stderr
    );
    let down = multiregion_with(url, STACK, &["down", "--yes"]);
    assert_eq!(down.code, 0, "{}", down.stderr);
}

#[test]
fn a_down_started_during_an_up_waits_for_it_then_removes_everything() {
    let (_guard, url) = fresh_moto();
    let up = spawn(url, &["up"]);
    // Give `up` the lock first.
    std::thread::sleep(Duration::from_secs(3));
    let down = spawn(url, &["down", "--yes", "--lock-timeout", "10m"]);
    let (up, down) = (finished(up), finished(down));
    assert_eq!(up.code, 0, "{}", up.stderr);
    assert_eq!(down.code, 0, "{}", down.stderr);
    assert!(
        down.stderr.contains("Taking the stack's lock"),
        "{}",
        down.stderr
    );
    assert_eq!(vpcs(url), vec![0, 0], "down ran after up, and finished");
}

/// Another run's lock, with a heartbeat of now: held, not stale.
fn hold_lock(url: &str) {
    let now = std::process::Command::new("date")
        .args(["-u", "+%Y-%m-%dT%H:%M:%SZ"])
        .output()
        .unwrap();
    let now = String::from_utf8(now.stdout).unwrap().trim().to_string();
    let held = serde_json::json!({
        "id": "777-1", "principal": "alice (AWS access key AKIAHELD)", "host": "laptop",
        "pid": 777, "command": "up", "since": now, "heartbeat": now
    });
    runtime().block_on(async {
        let ssm = aws_sdk_ssm::Client::new(&sdk_config(url, "us-east-1").await);
        ssm.put_parameter()
            .name(LOCK)
            .value(held.to_string())
            .r#type(aws_sdk_ssm::types::ParameterType::String)
            .send()
            .await
            .unwrap();
    });
}

#[test]
fn ctrl_c_while_waiting_for_the_lock_ends_the_run_saying_nothing_changed() {
    let (_guard, url) = fresh_moto();
    hold_lock(url);
    let waiting = command(url, STACK, &["up", "--lock-timeout", "10m"]);
    let run = spawn_until_first_step(waiting, Duration::from_secs(30));
    // The line before the wait is printed; give the wait a moment to begin.
    std::thread::sleep(Duration::from_secs(1));
    run.interrupt();
    let run = run.finish();
    assert_eq!(run.code, 130, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("interrupted while taking the stack's lock: `up` changed nothing"),
        "{}",
        run.stderr
    );
    assert_eq!(vpcs(url), vec![0, 0]);
    // The other run's lock is untouched: still held and alive.
    let unlock = multiregion_with(url, STACK, &["unlock"]);
    assert_eq!(unlock.code, 1, "{}", unlock.stderr);
    assert!(
        unlock.stderr.contains("is held and alive: `up` by alice"),
        "{}",
        unlock.stderr
    );
}

#[test]
fn a_stale_lock_is_named_noted_by_plan_and_removed_only_by_unlock() {
    let (_guard, url) = fresh_moto();
    let dead = serde_json::json!({
        "id": "4242-1", "principal": "bob (AWS access key AKIAOLD)", "host": "ci-runner-7",
        "pid": 4242, "command": "up",
        "since": "2026-01-01T00:00:00Z", "heartbeat": "2026-01-01T00:05:00Z"
    });
    runtime().block_on(async {
        let ssm = aws_sdk_ssm::Client::new(&sdk_config(url, "us-east-1").await);
        ssm.put_parameter()
            .name(LOCK)
            .value(dead.to_string())
            .r#type(aws_sdk_ssm::types::ParameterType::String)
            .send()
            .await
            .unwrap();
    });
    let up = multiregion_with(url, STACK, &["up"]);
    assert_eq!(up.code, 1, "{}", up.stderr);
    assert!(
        up.stderr.contains("ci-runner-7") && up.stderr.contains("STALE"),
        "{}",
        up.stderr
    );
    assert!(up.stderr.contains("multiregion unlock"), "{}", up.stderr);
    assert_eq!(vpcs(url), vec![0, 0], "refused before any change");
    let plan = multiregion_with(url, STACK, &["plan"]);
    assert_eq!(plan.code, 2, "{}", plan.stderr);
    assert!(
        plan.stderr
            .contains("note: another run holds the stack's lock"),
        "{}",
        plan.stderr
    );
    let unlock = multiregion_with(url, STACK, &["unlock"]);
    assert_eq!(unlock.code, 0, "{}", unlock.stderr);
    assert!(
        unlock.stderr.contains("held by `up` by bob"),
        "{}",
        unlock.stderr
    );
    let again = multiregion_with(url, STACK, &["unlock"]);
    assert!(again.stderr.contains("holds no lock"), "{}", again.stderr);
}
