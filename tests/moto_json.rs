//! `--output json` on moto: each command's one document, from an empty account through `up`,
//! `plan`, `output`, `status`, `verify`, `kubeconfig`, `unlock` and `down`, checked against
//! its committed schema in `schemas/`. (The documents that need no AWS: tests/cli/json.rs.)

use std::path::Path;

use serde_json::Value;

mod common;

use common::aws::{
    Run, STACK, command, fresh_moto, multiregion_with, slowed, spawn_until_first_step,
};

/// What `document` breaks of the committed schema of `name`.
fn assert_matches(name: &str, document: &Value) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("schemas/{name}.schema.json"));
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let problems: Vec<String> = jsonschema::draft202012::new(&schema)
        .unwrap()
        .iter_errors(document)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(problems.is_empty(), "{name}: {problems:?}\n{document:#}");
}

/// `args` with `--output json` against moto: the exit code and the one document on stdout,
/// valid against the schema of the command.
fn json(url: &str, args: &[&str]) -> (i32, Value) {
    let mut args = args.to_vec();
    args.extend(["--output", "json"]);
    let r = multiregion_with(url, STACK, &args);
    let document: Value = serde_json::from_str(&r.stdout).unwrap_or_else(|e| {
        panic!(
            "{args:?}: stdout is not one JSON document ({e}): {}\n{}",
            r.stdout, r.stderr
        )
    });
    assert_matches(args[0], &document);
    // `up` and `down` carry their error inside the run's document.
    if document.get("error").is_some() && !matches!(args[0], "up" | "down") {
        assert_matches("error", &document);
    }
    (r.code, document)
}

#[test]
fn every_document_from_empty_to_up_to_down_matches_its_schema() {
    let (_guard, url) = fresh_moto();
    let (code, status) = json(url, &["status"]);
    assert_eq!(
        (code, &status["inSync"]),
        (0, &Value::Bool(false)),
        "{status}"
    );
    let (code, early) = json(url, &["output", "frontendUrl"]);
    assert_eq!(code, 1, "{early}");
    assert!(early["error"]["hint"].is_string(), "{early}");

    let (code, plan) = json(url, &["plan"]);
    assert_eq!(code, 2, "{plan}");
    assert_eq!(plan["inSync"], false);
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("config");
    let kubeconfig = kubeconfig.to_str().unwrap();
    let (code, refused) = json(url, &["kubeconfig", "--kubeconfig", kubeconfig]);
    assert_eq!(code, 1, "{refused}");

    let (code, up) = json(url, &["up"]);
    assert_eq!(code, 0, "{up}");
    assert_eq!(up["command"], "up");
    assert!(up.get("error").is_none(), "{up}");
    assert!(up["outputs"]["frontendUrl"].is_string(), "{up}");
    let steps = up["steps"].as_array().unwrap();
    assert!(steps.iter().all(|s| s["outcome"] == "done"), "{up}");
    assert_eq!(up["summary"]["created"], steps.len(), "{up}");

    let (code, plan) = json(url, &["plan"]);
    assert_eq!((code, &plan["inSync"]), (0, &Value::Bool(true)), "{plan}");
    let (code, outputs) = json(url, &["output"]);
    assert_eq!(code, 0);
    assert_eq!(outputs, up["outputs"]);
    let (code, one) = json(url, &["output", "c2.clusterEndpoint"]);
    assert_eq!(code, 0);
    assert_eq!(one["value"], outputs["regions"][1]["clusterEndpoint"]);
    let (code, status) = json(url, &["status"]);
    assert_eq!(code, 0, "{status}");
    assert_eq!(status["inSync"], true);
    assert!(
        status["regions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["lastUp"]["sameStackFile"] == true)
    );
    let (code, verify) = json(url, &["verify"]);
    // Checks moto cannot answer are errors (exit 1), still in the report.
    assert!(matches!(code, 0 | 1 | 3), "{verify}");
    assert!(verify.get("error").is_none(), "{verify}");
    assert_eq!(verify["mode"], "live");
    let (code, written) = json(url, &["kubeconfig", "--kubeconfig", kubeconfig]);
    assert_eq!(code, 0, "{written}");
    assert_eq!(written["contexts"].as_array().unwrap().len(), 2);
    let (code, unlock) = json(url, &["unlock"]);
    assert_eq!(code, 0, "{unlock}");
    assert_eq!(
        (&unlock["removed"], &unlock["holder"]),
        (&Value::Bool(false), &Value::Null)
    );

    let (code, down) = json(url, &["down", "--yes"]);
    assert_eq!(code, 0, "{down}");
    assert_eq!(down["command"], "down");
    assert!(down.get("outputs").is_none());
    assert!(down["summary"]["deleted"].as_u64().unwrap() > 0, "{down}");
    let (code, down_again) = json(url, &["down", "--yes"]);
    assert_eq!(code, 0, "{down_again}");
}

#[test]
fn an_interrupted_up_keeps_its_document_with_the_error_inside() {
    let (_guard, url) = fresh_moto();
    // Every request held 400 ms: the `up` (about 90 steps) is still running when Ctrl-C comes,
    // right after its first step.
    let slow = slowed(url, std::time::Duration::from_millis(400));
    let up = command(&slow, STACK, &["up", "--output", "json"]);
    let up = spawn_until_first_step(up, std::time::Duration::from_secs(60));
    up.interrupt();
    let up: Run = up.finish();
    assert_eq!(up.code, 130, "{}", up.stderr);
    let document: Value = serde_json::from_str(&up.stdout)
        .unwrap_or_else(|e| panic!("not one JSON document ({e}): {}", up.stdout));
    assert_matches("up", &document);
    assert_eq!(document["summary"]["interrupted"], true);
    assert!(
        document["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("interrupted")
    );
    let steps = document["steps"].as_array().unwrap();
    assert!(
        steps.iter().any(|s| s["outcome"] == "notStarted"),
        "{document}"
    );
    assert!(
        !document["summary"]["remaining"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    let (code, down) = json(url, &["down", "--yes"]);
    assert_eq!(code, 0, "{down}");
}
