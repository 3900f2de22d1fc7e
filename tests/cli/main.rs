//! Whole-process tests: the binary as a user runs it, its outputs and exit codes. By subject:
//! `validate` (the stack file and its YAML), `bounds` (inputs made to be slow or loud), the
//! workload manifests, `verify --static`, `conventions` (completions, man, `--stack`/`-f`,
//! aliases, `verify --list`, a missing stack), AWS-side `errors`, `envs` (overlays, `render`,
//! `cost`); here the helpers and the
//! other commands.

mod bounds;
mod conventions;
mod envs;
mod errors;
mod json;
mod probe;
mod validate;
mod verify;
mod webhook;
mod workloads;

use std::path::Path;
use std::time::Duration;

use assert_cmd::Command;

pub const REFERENCE: &str = "stacks/two-region.yaml";

pub fn multiregion() -> Command {
    let mut cmd = Command::cargo_bin("multiregion").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("MULTIREGION_STACK")
        .env_remove("MULTIREGION_ENV")
        // No input can be allowed to hang the tool.
        .timeout(Duration::from_secs(20));
    cmd
}

/// The binary as a plain process, to signal while it runs.
pub fn multiregion_std() -> std::process::Command {
    let bin = std::env::var("CARGO_BIN_EXE_multiregion")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_multiregion").to_string());
    let mut cmd = std::process::Command::new(bin);
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("MULTIREGION_STACK")
        .env_remove("MULTIREGION_ENV");
    cmd
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn run(args: &[&str]) -> Run {
    let out = multiregion().args(args).output().unwrap();
    Run {
        code: out.status.code().expect("exited normally, not by a signal"),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

pub fn validate_file(path: &Path) -> Run {
    run(&["validate", "--stack", path.to_str().unwrap()])
}

/// Writes `bytes` to a temporary stack file and validates it.
pub fn validate_bytes(bytes: &[u8]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("stack.yaml");
    std::fs::write(&path, bytes).unwrap();
    validate_file(&path)
}

pub fn assert_refused(r: &Run, message: &str) {
    assert_eq!(r.code, 1, "stderr: {}", r.stderr);
    assert!(
        r.stderr.contains(message),
        "`{message}` not in: {}",
        r.stderr
    );
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
}

/// The reference stack and its manifests copied to a temporary folder, with `edit` applied to
/// the backend's manifest.
pub fn reference_copy(edit: impl Fn(String) -> String) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("stacks")).unwrap();
    std::fs::copy(REFERENCE, dir.path().join(REFERENCE)).unwrap();
    for app in ["frontend", "backend"] {
        let folder = dir.path().join("manifests").join(app);
        std::fs::create_dir_all(&folder).unwrap();
        let text = std::fs::read_to_string(format!("manifests/{app}/app.yaml")).unwrap();
        let text = if app == "backend" { edit(text) } else { text };
        std::fs::write(folder.join("app.yaml"), text).unwrap();
    }
    dir
}

/// The reference stack and manifests in a temporary folder, the stack edited by `edit`.
pub fn reference_stack_edited(edit: impl Fn(String) -> String) -> (tempfile::TempDir, String) {
    let dir = reference_copy(|t| t);
    let stack = dir.path().join(REFERENCE);
    let text = std::fs::read_to_string(&stack).unwrap();
    std::fs::write(&stack, edit(text)).unwrap();
    let path = stack.to_str().unwrap().to_string();
    (dir, path)
}

#[test]
fn offline_plan_text() {
    let r = run(&["plan", "--offline", "--stack", REFERENCE]);
    assert_eq!(r.code, 2, "changes to make: exit 2\n{}", r.stderr);
    insta::assert_snapshot!("offline_plan_reference_text", r.stdout);
}

#[test]
fn offline_plan_json() {
    let r = run(&[
        "plan",
        "--offline",
        "--stack",
        REFERENCE,
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 2);
    let plan: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let changes = plan["changes"].as_array().unwrap();
    assert_eq!(plan["summary"]["create"], changes.len());
    assert!(changes.iter().all(|c| c["action"] == "create"));
    // Steps are a dependency order: everything a change depends on came earlier.
    let mut seen = std::collections::HashSet::new();
    for change in changes {
        for dep in change["dependsOn"].as_array().unwrap() {
            assert!(
                seen.contains(dep.as_str().unwrap()),
                "{} before {dep}",
                change["id"]
            );
        }
        seen.insert(change["id"].as_str().unwrap());
    }
    let minimal = run(&[
        "plan",
        "--offline",
        "--stack",
        "stacks/minimal.yaml",
        "--output",
        "json",
    ]);
    insta::assert_snapshot!("offline_plan_minimal_json", minimal.stdout);
}

#[test]
fn unreachable_aws_is_an_error_naming_the_region() {
    // A closed loopback port: nothing leaves the machine.
    let out = multiregion()
        .args([
            "plan",
            "--stack",
            REFERENCE,
            "--endpoint-url",
            "http://127.0.0.1:9",
        ])
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("error: discovery failed in us-east-1")
            || stderr.contains("error: discovery failed in us-west-2"),
        "{stderr}"
    );
    assert!(stderr.contains("caused by:"), "{stderr}");
    assert!(out.stdout.is_empty());
}

#[test]
fn down_refuses_without_yes_when_there_is_no_terminal() {
    let r = run(&["down", "--stack", REFERENCE]);
    assert_refused(&r, "there is no terminal to ask on");
    assert!(r.stderr.contains("hint: pass --yes"));
}

#[test]
fn plan_of_an_invalid_stack_is_an_error_with_the_diagnostics() {
    let r = run(&[
        "plan",
        "--offline",
        "--stack",
        "tests/bad-stacks/waf-on-nlb.yaml",
    ]);
    assert_refused(&r, "AWS WAF cannot be attached to a Network Load Balancer");
    assert!(r.stdout.is_empty(), "no half-written plan on stdout");
}

#[test]
fn usage_errors_exit_1_and_help_exits_0() {
    assert_eq!(run(&["validate", "--no-such-flag"]).code, 1);
    assert_eq!(run(&["frobnicate"]).code, 1);
    let help = run(&["--help"]);
    assert_eq!(help.code, 0);
    for command in ["validate", "schema", "plan"] {
        assert!(help.stdout.contains(command));
    }
}

#[test]
fn token_prints_an_exec_credential_without_any_network() {
    let out = multiregion()
        .args([
            "token",
            "--cluster",
            "petclinic-c1",
            "--region",
            "us-east-1",
        ])
        .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
        .env("AWS_SECRET_ACCESS_KEY", "secret")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let credential: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(credential["kind"], "ExecCredential");
    assert_eq!(
        credential["apiVersion"],
        "client.authentication.k8s.io/v1beta1"
    );
    assert!(
        credential["status"]["token"]
            .as_str()
            .unwrap()
            .starts_with("k8s-aws-v1.aHR0cHM6Ly9zdHMu")
    );
    assert!(
        credential["status"]["expirationTimestamp"]
            .as_str()
            .unwrap()
            .ends_with('Z')
    );
}
