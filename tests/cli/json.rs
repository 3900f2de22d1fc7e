//! `--output json`: every command's one document on stdout, checked against its committed
//! schema in `schemas/` (success and error alike), and the schemas themselves.

use std::path::Path;

use serde_json::Value;

use super::{REFERENCE, multiregion};

/// The committed schema of `name` (`validate`, `error`, …).
pub fn schema(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("schemas/{name}.schema.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"))
}

/// What `document` breaks of the schema `name`, one line each.
pub fn problems(name: &str, document: &Value) -> Vec<String> {
    jsonschema::draft202012::new(&schema(name))
        .unwrap()
        .iter_errors(document)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

pub fn assert_matches(name: &str, document: &Value) {
    let found = problems(name, document);
    assert!(found.is_empty(), "{name}: {found:?}\n{document:#}");
}

pub struct JsonRun {
    pub code: i32,
    pub document: Value,
    pub stderr: String,
}

/// Runs with `--output json` and no AWS beyond a closed port: stdout must be one document.
fn json_run(args: &[&str]) -> JsonRun {
    let out = multiregion()
        .args(args)
        .args(["--output", "json"])
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let document = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("stdout is not one JSON document ({e}): {stdout}\n{stderr}"));
    JsonRun {
        code: out.status.code().expect("exited normally"),
        document,
        stderr,
    }
}

/// A failure: exit 1, the error document, valid against `error` and the command's schema.
fn assert_error(command: &str, r: &JsonRun, message: &str) {
    assert_eq!(r.code, 1, "{}\n{}", r.document, r.stderr);
    assert_matches("error", &r.document);
    assert_matches(command, &r.document);
    let said = r.document["error"]["message"].as_str().unwrap();
    assert!(said.contains(message), "`{message}` not in {said}");
}

const DEAD: &str = "http://127.0.0.1:9";
const COMMANDS: &[&str] = &[
    "validate",
    "render",
    "cost",
    "plan",
    "up",
    "down",
    "verify",
    "kubeconfig",
    "output",
    "status",
    "unlock",
    "token",
    "probe",
    "chaos",
    "alarms",
];

#[test]
fn every_schema_is_draft_2020_12_and_carries_the_one_error_document() {
    let error = schema("error");
    jsonschema::meta::validate(&error).unwrap();
    for name in COMMANDS {
        let s = schema(name);
        jsonschema::meta::validate(&s).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(s["$schema"], "https://json-schema.org/draft/2020-12/schema");
        // Each schema stands alone; its copy of the error document is the committed one.
        for def in ["failure", "diagnostic"] {
            assert_eq!(s["$defs"][def], error["$defs"][def], "{name}: $defs.{def}");
        }
        assert_eq!(
            s["$defs"]["error"]["properties"], error["properties"],
            "{name}"
        );
        assert_eq!(s["$defs"]["error"]["required"], error["required"], "{name}");
    }
    let listed: Vec<String> =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
    assert_eq!(listed.len(), COMMANDS.len() + 1, "{listed:?}");
}

#[test]
fn the_schemas_refuse_what_scripts_must_not_see() {
    let bad = serde_json::json!({"file": "s.yaml", "valid": "true", "errors": []});
    assert!(!problems("validate", &bad).is_empty());
    let unknown = serde_json::json!({"error": {"message": "m", "causes": [], "extra": 1}});
    assert!(!problems("error", &unknown).is_empty());
    let no_causes = serde_json::json!({"error": {"message": "m"}});
    assert!(!problems("plan", &no_causes).is_empty());
    let step = serde_json::json!({
        "stack": "s", "command": "up", "steps": [{"step": "create c1/vpc", "action": "create",
            "id": "c1/vpc", "outcome": "not started", "seconds": 0.0}],
        "summary": {"created": 0, "updated": 0, "replaced": 0, "deleted": 0, "failed": 0,
            "skipped": 0, "notStarted": 1, "seconds": 0.0, "interrupted": true,
            "remaining": ["create c1/vpc"]}
    });
    assert!(
        !problems("up", &step).is_empty(),
        "`not started` is text, not JSON"
    );
    assert!(!problems("down", &step).is_empty(), "`up` is not `down`");
}

#[test]
fn validate_documents_match_the_schema() {
    let valid = json_run(&["validate", "--stack", REFERENCE]);
    assert_eq!(valid.code, 0, "{}", valid.stderr);
    assert_matches("validate", &valid.document);
    assert_eq!(valid.document["valid"], true);

    let invalid = json_run(&["validate", "--stack", "tests/bad-stacks/many-errors.yaml"]);
    assert_eq!(invalid.code, 1, "{}", invalid.stderr);
    assert_matches("validate", &invalid.document);
    assert_eq!(invalid.document["valid"], false);
    assert!(invalid.document["errors"].as_array().unwrap().len() > 1);

    let missing = json_run(&["validate", "--stack", "no/such/stack.yaml"]);
    assert_error("validate", &missing, "no/such/stack.yaml");
}

#[test]
fn offline_plan_and_its_errors_match_the_schema() {
    let plan = json_run(&["plan", "--offline", "--stack", REFERENCE]);
    assert_eq!(plan.code, 2, "{}", plan.stderr);
    assert_matches("plan", &plan.document);
    assert_eq!(plan.document["offline"], true);
    assert!(!plan.document["workloads"].as_array().unwrap().is_empty());

    // An invalid stack: the error document carries the diagnostics.
    let invalid = json_run(&[
        "plan",
        "--offline",
        "--stack",
        "tests/bad-stacks/waf-on-nlb.yaml",
    ]);
    assert_error("plan", &invalid, "");
    assert!(
        !invalid.document["error"]["diagnostics"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[test]
fn commands_that_cannot_reach_aws_print_the_error_document() {
    for command in ["plan", "status", "output", "kubeconfig", "verify", "alarms"] {
        let r = json_run(&[command, "--stack", REFERENCE, "--endpoint-url", DEAD]);
        assert_error(command, &r, "");
    }
    let test = json_run(&[
        "alarms",
        "test",
        "--stack",
        REFERENCE,
        "--endpoint-url",
        DEAD,
    ]);
    assert_error("alarms", &test, "");
    let plan = json_run(&["plan", "--stack", REFERENCE, "--endpoint-url", DEAD]);
    let causes = plan.document["error"]["causes"].as_array().unwrap();
    assert!(!causes.is_empty(), "{}", plan.document);
}

#[test]
fn refusals_and_usage_errors_print_the_error_document() {
    let down = json_run(&["down", "--stack", REFERENCE]);
    assert_error("down", &down, "");
    let up = json_run(&["up", "--stack", "no/such/stack.yaml"]);
    assert_error("up", &up, "no/such/stack.yaml");
    let unlock = json_run(&["unlock", "--stack", "no/such/stack.yaml"]);
    assert_error("unlock", &unlock, "no/such/stack.yaml");
    let usage = json_run(&["validate", "--no-such-flag"]);
    assert_error("validate", &usage, "");
}

#[test]
fn verify_static_matches_the_schema() {
    let r = json_run(&["verify", "--static", "--stack", REFERENCE]);
    assert!(matches!(r.code, 0 | 3), "{}", r.stderr);
    assert_matches("verify", &r.document);
    assert_eq!(r.document["mode"], "static");
    let statuses: Vec<&str> = r.document["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["status"].as_str().unwrap())
        .collect();
    assert!(statuses.contains(&"pass"), "{statuses:?}");
    assert!(statuses.contains(&"not-applicable"), "{statuses:?}");
}

#[test]
fn render_and_cost_match_their_schemas() {
    let render = json_run(&["render", "--env", "dev", "--stack", REFERENCE]);
    assert_eq!(render.code, 0, "{}", render.stderr);
    assert_matches("render", &render.document);
    assert_eq!(render.document["metadata"]["name"], "petclinic-dev");
    let cost = json_run(&["cost", "--stack", REFERENCE]);
    assert_eq!(cost.code, 0, "{}", cost.stderr);
    assert_matches("cost", &cost.document);
    let compared = json_run(&[
        "cost",
        "--env",
        "dev",
        "--compare-env",
        "prod",
        "--stack",
        REFERENCE,
    ]);
    assert_eq!(compared.code, 0, "{}", compared.stderr);
    assert_matches("cost", &compared.document);
    let change = compared.document["change"].as_f64().unwrap();
    assert!(change > 0.0, "prod costs more than dev: {change}");
    let missing = json_run(&["cost", "--env", "nope", "--stack", REFERENCE]);
    assert_error("cost", &missing, "there is no environment `nope`");
}

#[test]
fn token_and_the_stack_schema_are_json_too() {
    let token = json_run(&[
        "token",
        "--cluster",
        "petclinic-c1",
        "--region",
        "us-east-1",
    ]);
    assert_eq!(token.code, 0, "{}", token.stderr);
    assert_matches("token", &token.document);
    // `schema` prints the stack's schema itself, a JSON Schema that the stacks satisfy.
    let stack_schema = json_run(&["schema"]);
    assert_eq!(stack_schema.code, 0);
    jsonschema::meta::validate(&stack_schema.document).unwrap();
}
