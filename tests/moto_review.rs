//! Whole runs on moto around changing an account: a saved plan carried out exactly and refused
//! once stale, `--target`, the step lines CI keeps, the question on a terminal (through a
//! pseudo-terminal) and the refusal without one, and Ctrl-C on a slowed emulator.

use std::process::Command;
use std::time::{Duration, Instant};

mod common;

use common::aws::{
    Run, STACK, bare, command, fresh_moto, multiregion_with, slowed, spawn_until_first_step,
    stack_copy, vpcs,
};

fn json(run: &Run) -> serde_json::Value {
    serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("not one JSON document ({e}): {}", run.stdout))
}

#[test]
fn a_saved_plan_is_carried_out_exactly_and_refused_once_stale() {
    let (_guard, url) = fresh_moto();
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("plan.json");
    let saved = saved.to_str().unwrap();
    let plan = multiregion_with(url, STACK, &["plan", "--out", saved]);
    assert_eq!(plan.code, 2, "{}", plan.stderr);
    assert!(plan.stderr.contains("up --plan"), "{}", plan.stderr);
    // The account changes in between: the plan no longer holds, and nothing is changed.
    let some = multiregion_with(url, STACK, &["up", "--target", "c1/vpc"]);
    assert_eq!(some.code, 0, "{}", some.stderr);
    let stale = multiregion_with(url, STACK, &["up", "--plan", saved]);
    assert_eq!(stale.code, 1, "{}", stale.stderr);
    assert!(
        stale
            .stderr
            .contains("the account changed since the plan was made")
            && stale.stderr.contains("hint: nothing was changed"),
        "{}",
        stale.stderr
    );
    assert_eq!(vpcs(url), vec![1, 0]);
    // The stack file changes in between.
    let (_copy, edited) = stack_copy();
    let plan = multiregion_with(url, &edited, &["plan", "--out", saved]);
    assert_eq!(plan.code, 2, "{}", plan.stderr);
    let text = std::fs::read_to_string(&edited).unwrap();
    std::fs::write(&edited, text + "\n# edited after the plan\n").unwrap();
    let stale = multiregion_with(url, &edited, &["up", "--plan", saved, "--output", "json"]);
    assert_eq!(stale.code, 1, "{}", stale.stderr);
    assert!(
        stale
            .stderr
            .contains("the stack changed since the plan was made"),
        "{}",
        stale.stderr
    );
    let doc = json(&stale);
    assert!(doc["error"]["hint"].is_string(), "{doc}");
    // A fresh plan is carried out, with no question and no other change.
    let plan = multiregion_with(url, STACK, &["plan", "--out", saved]);
    assert_eq!(plan.code, 2, "{}", plan.stderr);
    let planned: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(saved).unwrap()).unwrap();
    let n = planned["changes"].as_array().unwrap().len();
    let up = bare(
        url,
        STACK,
        &[
            "up",
            "--plan",
            saved,
            "--skip-workloads",
            "--output",
            "json",
        ],
    )
    .output()
    .unwrap();
    let up: Run = up.into();
    assert_eq!(up.code, 0, "{}", up.stderr);
    let doc = json(&up);
    assert_eq!(
        doc["steps"].as_array().unwrap().len(),
        n,
        "exactly the plan"
    );
    assert!(doc["outputs"]["frontendUrl"].is_string(), "{doc}");
    let after = multiregion_with(url, STACK, &["plan"]);
    assert_eq!(after.code, 0, "{}{}", after.stdout, after.stderr);
}

#[test]
fn a_target_brings_what_it_needs_and_down_takes_what_needs_it() {
    let (_guard, url) = fresh_moto();
    let typo = multiregion_with(url, STACK, &["plan", "--target", "c1/vcp"]);
    assert_eq!(typo.code, 1, "{}", typo.stderr);
    assert!(
        typo.stderr.contains("did you mean `c1/vpc`?"),
        "{}",
        typo.stderr
    );
    let up = multiregion_with(
        url,
        STACK,
        &["up", "--target", "c1/subnet/private-2", "--output", "json"],
    );
    assert_eq!(up.code, 0, "{}", up.stderr);
    let doc = json(&up);
    let ids: Vec<&str> = doc["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&"c1/vpc") && ids.contains(&"c1/subnet/private-2"),
        "{ids:?}"
    );
    assert!(ids.iter().all(|id| id.starts_with("c1/")), "{ids:?}");
    assert!(ids.len() < 6, "only what the subnet needs: {ids:?}");
    assert_eq!(vpcs(url), vec![1, 0]);
    // Deleting the VPC takes the subnet with it.
    let down = multiregion_with(url, STACK, &["down", "--yes", "--target", "c1/vpc"]);
    assert_eq!(down.code, 0, "{}", down.stderr);
    assert!(
        down.stderr.contains("deleted c1/subnet/private-2")
            && down.stderr.contains("deleted c1/vpc"),
        "{}",
        down.stderr
    );
    assert_eq!(vpcs(url), vec![0, 0]);
}

#[test]
fn without_a_terminal_each_finished_step_is_one_line_and_the_summary_names_the_changes() {
    let (_guard, url) = fresh_moto();
    let refused = bare(url, STACK, &["up", "--skip-workloads"])
        .output()
        .unwrap();
    let refused: Run = refused.into();
    assert_eq!(refused.code, 1, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("there is no terminal to ask on")
            && refused.stderr.contains("hint: pass --yes"),
        "{}",
        refused.stderr
    );
    assert_eq!(vpcs(url), vec![0, 0], "refused before any change");
    let up = multiregion_with(url, STACK, &["up"]);
    assert_eq!(up.code, 0, "{}", up.stderr);
    let line = up
        .stderr
        .lines()
        .find(|l| l.starts_with("created c1/vpc vpc-"))
        .unwrap_or_else(|| panic!("no step line for the VPC: {}", up.stderr));
    assert!(line.ends_with("s)"), "{line}");
    assert!(
        up.stderr.contains("discovered us-east-1, us-west-2"),
        "{}",
        up.stderr
    );
    assert!(
        up.stderr.lines().any(|l| l.starts_with("created: ")),
        "{}",
        up.stderr
    );
    assert!(
        !up.stderr.contains("\u{1b}["),
        "no colour without a terminal: {}",
        up.stderr
    );
}

/// The tool on a pseudo-terminal (util-linux `script`), `typed` on its input.
fn on_a_terminal(url: &str, args: &str, typed: &str) -> Run {
    let bin = std::env::var("CARGO_BIN_EXE_multiregion")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_multiregion").to_string());
    let line =
        format!("{bin} {args} --skip-workloads --stack {STACK} --endpoint-url {url} --color never");
    let mut child = Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_PROFILE")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut input = child.stdin.take().unwrap();
        input.write_all(typed.as_bytes()).unwrap();
    }
    child.wait_with_output().unwrap().into()
}

#[test]
fn on_a_terminal_up_and_down_show_their_plan_and_ask() {
    let (_guard, url) = fresh_moto();
    let refused = on_a_terminal(url, "up", "no\n");
    assert_eq!(refused.code, 1, "{}", refused.stdout);
    assert!(
        refused.stdout.contains("Plan for stack `petclinic`")
            && refused.stdout.contains("Carry out these changes?")
            && refused
                .stdout
                .contains("not confirmed; nothing was changed"),
        "{}",
        refused.stdout
    );
    assert_eq!(vpcs(url), vec![0, 0]);
    let accepted = on_a_terminal(url, "apply", "yes\n");
    assert_eq!(accepted.code, 0, "{}", accepted.stdout);
    assert_eq!(vpcs(url), vec![1, 1]);
    let wrong = on_a_terminal(url, "down", "yes\n");
    assert_eq!(wrong.code, 1, "{}", wrong.stdout);
    assert!(
        wrong.stdout.contains("Type the stack name"),
        "{}",
        wrong.stdout
    );
    assert_eq!(vpcs(url), vec![1, 1]);
    let down = on_a_terminal(url, "down", "petclinic\n");
    assert_eq!(down.code, 0, "{}", down.stdout);
    assert_eq!(vpcs(url), vec![0, 0]);
}

#[test]
fn the_first_ctrl_c_lets_running_steps_finish_and_a_rerun_converges() {
    let (_guard, url) = fresh_moto();
    // Every request held 400 ms: an `up` of the reference stack has most of its steps left
    // when Ctrl-C comes, right after its first step.
    let slow = slowed(url, Duration::from_millis(400));
    let up = spawn_until_first_step(command(&slow, STACK, &["up"]), Duration::from_secs(60));
    up.interrupt();
    let up: Run = up.finish();
    assert_eq!(up.code, 130, "{}", up.stderr);
    assert!(
        up.stderr
            .contains("starts no new step; the running ones finish"),
        "{}",
        up.stderr
    );
    assert!(
        up.stderr.contains("interrupted: up:") && up.stderr.contains("not started"),
        "{}",
        up.stderr
    );
    assert!(
        !up.stderr.contains("failed:"),
        "running steps finished: {}",
        up.stderr
    );
    let again = multiregion_with(url, STACK, &["up"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(vpcs(url), vec![1, 1], "nothing made twice");
    let plan = multiregion_with(url, STACK, &["plan"]);
    assert_eq!(plan.code, 0, "{}{}", plan.stdout, plan.stderr);
}

#[test]
fn a_second_ctrl_c_ends_the_run_at_once() {
    let (_guard, url) = fresh_moto();
    let slow = slowed(url, Duration::from_millis(400));
    let up = spawn_until_first_step(command(&slow, STACK, &["up"]), Duration::from_secs(60));
    up.interrupt();
    std::thread::sleep(Duration::from_millis(300));
    let second = Instant::now();
    up.interrupt();
    let up: Run = up.finish();
    // Bounded by the lock's give-back (3 s at most), not by the running steps.
    assert!(
        second.elapsed() < Duration::from_secs(5),
        "{:?}",
        second.elapsed()
    );
    assert_eq!(up.code, 130, "{}", up.stderr);
    assert!(up.stderr.contains("interrupted twice"), "{}", up.stderr);
    // Had the lock not been given back in time, the run said so; `unlock --force` is the way.
    let unlock = multiregion_with(url, STACK, &["unlock", "--force"]);
    assert_eq!(unlock.code, 0, "{}", unlock.stderr);
    let again = multiregion_with(url, STACK, &["up", "--lock-timeout", "2m"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(vpcs(url), vec![1, 1], "nothing made twice");
}

#[test]
fn a_live_plan_ends_with_the_cost_its_changes_make() {
    let (_guard, url) = fresh_moto();
    let up = multiregion_with(url, STACK, &["up"]);
    assert_eq!(up.code, 0, "{}", up.stderr);
    // An environment that keeps the stack's name: one NAT gateway in c1 instead of two, and a
    // third node there (the floor: the autoscaler's desired size is no drift).
    let dir = tempfile::tempdir().unwrap();
    let overlay = dir.path().join("lean.yaml");
    std::fs::write(
        &overlay,
        "spec:\n  regions:\n    - name: c1\n      network:\n        nat: single\n      cluster:\n        nodeGroups:\n          - name: default\n            min: 3\n            desired: 3\n",
    )
    .unwrap();
    let env = overlay.to_str().unwrap();
    let plan = multiregion_with(url, STACK, &["plan", "--env", env]);
    assert_eq!(plan.code, 2, "{}", plan.stderr);
    let last = plan.stdout.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("Cost: -$4.53/month: -1 NAT gateway, +1 node, -1 public IPv4 address"),
        "{last}"
    );
    let doc = json(&multiregion_with(
        url,
        STACK,
        &["plan", "--env", env, "--output", "json"],
    ));
    // From the table (us-east-1): a NAT gateway 730 h × $0.045, its address 730 h × $0.005; a
    // t3.medium node 730 h × $0.0416 and its 20 GB gp3 root volume × $0.08.
    let expected = -730.0 * 0.045 - 730.0 * 0.005 + (730.0 * 0.0416 + 20.0 * 0.08);
    let monthly = doc["cost"]["monthly"].as_f64().unwrap();
    assert!(
        (monthly - expected).abs() < 0.005,
        "{monthly} != {expected}"
    );
    // In sync, nothing to pay for.
    let same = json(&multiregion_with(url, STACK, &["plan", "--output", "json"]));
    assert_eq!(same["cost"]["monthly"], 0.0, "{same}");
}
