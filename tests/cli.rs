//! Whole-process tests: the binary as a user runs it, its outputs and exit codes.

use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;

const REFERENCE: &str = "stacks/two-region.yaml";

fn multiregion() -> Command {
    let mut cmd = Command::cargo_bin("multiregion").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("MULTIREGION_STACK")
        // No input can be allowed to hang the tool.
        .timeout(Duration::from_secs(20));
    cmd
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str]) -> Run {
    let out = multiregion().args(args).output().unwrap();
    Run {
        code: out.status.code().expect("exited normally, not by a signal"),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn validate_file(path: &Path) -> Run {
    run(&["validate", "--stack", path.to_str().unwrap()])
}

#[test]
fn validate_accepts_the_shipped_stacks() {
    for stack in [REFERENCE, "stacks/minimal.yaml"] {
        let r = run(&["validate", "--stack", stack]);
        assert_eq!(r.code, 0, "{stack}: {}", r.stderr);
        assert!(r.stderr.contains("valid stack"), "{}", r.stderr);
        assert!(r.stdout.is_empty(), "text talk goes to stderr");
    }
}

#[test]
fn validate_uses_the_reference_stack_by_default_and_the_env_variable() {
    assert_eq!(run(&["validate"]).code, 0);
    let out = multiregion()
        .args(["validate"])
        .env("MULTIREGION_STACK", "tests/bad-stacks/bad-cidr.yaml")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn validate_json_report() {
    let ok = run(&["validate", "--stack", REFERENCE, "--output", "json"]);
    assert_eq!(ok.code, 0);
    let report: serde_json::Value = serde_json::from_str(&ok.stdout).unwrap();
    assert_eq!(report["valid"], true);
    assert_eq!(report["stack"], "petclinic");

    let bad = run(&[
        "validate",
        "--stack",
        "tests/bad-stacks/many-errors.yaml",
        "--output",
        "json",
    ]);
    assert_eq!(bad.code, 1);
    let report: serde_json::Value = serde_json::from_str(&bad.stdout).unwrap();
    assert_eq!(report["valid"], false);
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 4);
    assert_eq!(errors[0]["line"], 12);
    assert_eq!(errors[0]["column"], 33);
    assert_eq!(errors[0]["path"], "spec.regions[0].cluster.verison");
    assert_eq!(errors[0]["hint"], "did you mean `version`?");
}

#[test]
fn quiet_silences_success_but_not_errors() {
    let ok = run(&["validate", "--stack", REFERENCE, "-q"]);
    assert_eq!((ok.code, ok.stderr.as_str()), (0, ""));
    let bad = run(&[
        "validate",
        "--stack",
        "tests/bad-stacks/bad-cidr.yaml",
        "-q",
    ]);
    assert_eq!(bad.code, 1);
    assert!(bad.stderr.contains("is not an IPv4 CIDR block"));
}

/// Each file under tests/bad-stacks ends with the exact diagnostics it must produce, as
/// `# expect: line:col: path: message` and `# hint: ...` comments; nothing more, nothing less.
#[test]
fn bad_stack_corpus_gives_the_expected_messages() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad-stacks");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() >= 15, "the corpus shrank");
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let expected: Vec<String> = text
            .lines()
            .filter_map(|l| {
                l.strip_prefix("# expect: ")
                    .map(|e| format!("error: {e}"))
                    .or_else(|| l.strip_prefix("# hint: ").map(|h| format!("  hint: {h}")))
            })
            .collect();
        assert!(
            !expected.is_empty(),
            "{} has no `# expect:` lines",
            file.display()
        );
        let relative = format!(
            "tests/bad-stacks/{}",
            file.file_name().unwrap().to_str().unwrap()
        );
        let r = run(&["validate", "--stack", &relative]);
        assert_eq!(r.code, 1, "{relative} must be invalid");
        let prefix = format!("error: {relative}:");
        let got: Vec<String> = r
            .stderr
            .lines()
            .filter(|l| !l.contains("problem(s) found"))
            .map(|l| l.replacen(&prefix, "error: ", 1))
            .collect();
        assert_eq!(got, expected, "{relative}");
        assert!(r.stderr.ends_with(&format!(
            "{relative}: {} problem(s) found\n",
            expected.iter().filter(|e| e.starts_with("error")).count()
        )));
    }
}

/// Writes `bytes` to a temporary stack file and validates it.
fn validate_bytes(bytes: &[u8]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("stack.yaml");
    std::fs::write(&path, bytes).unwrap();
    validate_file(&path)
}

fn assert_refused(r: &Run, message: &str) {
    assert_eq!(r.code, 1, "stderr: {}", r.stderr);
    assert!(
        r.stderr.contains(message),
        "`{message}` not in: {}",
        r.stderr
    );
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
}

#[test]
fn empty_and_blank_files() {
    assert_refused(
        &validate_bytes(b""),
        "stack.yaml:1:1: the file is empty; expected a Stack document",
    );
    assert_refused(
        &validate_bytes(b"\n\n# nothing but a comment\n"),
        "the file is empty",
    );
}

#[test]
fn non_utf8_bytes_are_located() {
    assert_refused(
        &validate_bytes(b"apiVersion: multiregion.dev/v1alpha1\nkind: St\xffack\n"),
        "stack.yaml:2:9: the file is not UTF-8 text (invalid byte at offset 45)",
    );
}

#[test]
fn a_50_mb_file_is_refused_quickly() {
    let mut big = b"apiVersion: multiregion.dev/v1alpha1\n".to_vec();
    big.resize(50 * 1024 * 1024, b'#');
    assert_refused(
        &validate_bytes(&big),
        "the file is 50.0 MiB; stack files are limited to 1 MiB",
    );
}

#[test]
fn ten_thousand_levels_of_nesting() {
    assert_refused(
        &validate_bytes(format!("{}x\n", "- ".repeat(10_000)).as_bytes()),
        "nesting is deeper than 64 levels",
    );
    let flow = format!("spec: {}1{}\n", "{a: ".repeat(10_000), "}".repeat(10_000));
    assert_refused(
        &validate_bytes(flow.as_bytes()),
        "nesting is deeper than 64 levels",
    );
    let brackets = "[".repeat(10_000);
    assert_refused(&validate_bytes(brackets.as_bytes()), "YAML syntax error");
}

#[test]
fn billion_laughs_is_refused() {
    let mut text = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    for pair in names.windows(2) {
        let prev = format!("*{}", pair[0]);
        text.push_str(&format!(
            "{}: &{} [{}]\n",
            pair[1],
            pair[1],
            vec![prev; 9].join(",")
        ));
    }
    assert_refused(&validate_bytes(text.as_bytes()), "alias bomb");
}

#[test]
fn duplicate_keys_are_refused_with_both_places() {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("stacks/minimal.yaml"))
            .unwrap();
    let doubled = text.replace("kind: Stack\n", "kind: Stack\nkind: Stack\n");
    assert_refused(
        &validate_bytes(doubled.as_bytes()),
        "stack.yaml:7:1: duplicate key `kind` (first given at line 6)",
    );
}

#[test]
fn wrong_document_shapes() {
    assert_refused(
        &validate_bytes(b"just a string\n"),
        "stack.yaml:1:1: expected a mapping, found a string",
    );
    assert_refused(
        &validate_bytes(b"- a\n- b\n"),
        "expected a mapping, found a list",
    );
    assert_refused(
        &validate_bytes(b"a: 1\n---\nb: 2\n"),
        "a stack file holds one YAML document, found more",
    );
    assert_refused(&validate_bytes(b"key: [unclosed\n"), "YAML syntax error");
    assert_refused(&validate_bytes(b"x: !custom 1\n"), "unsupported YAML tag");
}

#[test]
fn random_bytes_never_panic() {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..20 {
        let bytes: Vec<u8> = (0..2048)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 24) as u8
            })
            .collect();
        let r = validate_bytes(&bytes);
        assert_eq!(r.code, 1);
        assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    }
}

#[test]
fn unreadable_paths() {
    let missing = run(&["validate", "--stack", "no/such/stack.yaml"]);
    assert_refused(
        &missing,
        "error: cannot read stack file no/such/stack.yaml\n  caused by: No such file or directory",
    );
    let dir = tempfile::tempdir().unwrap();
    assert_refused(&validate_file(dir.path()), "caused by: Is a directory");
}

#[test]
fn schema_matches_the_committed_copy_and_is_json_schema() {
    let r = run(&["schema"]);
    assert_eq!(r.code, 0);
    let committed = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("stacks/stack.schema.json"),
    )
    .unwrap();
    assert_eq!(
        r.stdout, committed,
        "run `cargo run -- schema > stacks/stack.schema.json`"
    );
    let schema: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert_eq!(
        schema["required"],
        serde_json::json!(["apiVersion", "kind", "metadata", "spec"])
    );
    assert_eq!(
        schema["$defs"]["LoadBalancerType"]["enum"],
        serde_json::json!(["application", "network"])
    );
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

/// The reference stack and its manifests copied to a temporary folder, with `edit` applied to
/// the backend's manifest.
fn reference_copy(edit: impl Fn(String) -> String) -> tempfile::TempDir {
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

#[test]
fn validate_checks_the_manifests_strictly_and_names_file_document_and_field() {
    let dir = reference_copy(|t| {
        t.replace("readinessProbe:", "readinesProbe:")
            .replace("${replicas}", "${replicas_}")
    });
    let stack = dir.path().join(REFERENCE);
    let r = validate_file(&stack);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let folder = dir.path().display().to_string();
    let stderr = r.stderr.replace(&format!("{folder}/"), "");
    // The placeholder is found first: the file is not parsed until its text is complete.
    assert!(
        stderr.contains("manifests/backend/app.yaml:17:13: unknown placeholder `${replicas_}`\n  hint: did you mean `replicas`?"),
        "{stderr}"
    );
    let dir = reference_copy(|t| t.replace("readinessProbe:", "readinesProbe:"));
    let r = validate_file(&dir.path().join(REFERENCE));
    let stderr = r.stderr.replace(&format!("{}/", dir.path().display()), "");
    assert_eq!(r.code, 1);
    assert!(
        stderr.contains("manifests/backend/app.yaml:52:11: spec.template.spec.containers[0].readinesProbe: document 2 (Deployment backend/backend): unknown field `readinesProbe`"),
        "{stderr}"
    );
}

#[test]
fn up_and_plan_refuse_broken_manifests_before_calling_aws() {
    let dir = reference_copy(|t| t.replace("kind: Service", "kind: Servise"));
    let stack = dir.path().join(REFERENCE);
    for command in ["up", "plan"] {
        // Port 9 on loopback answers nothing: any AWS call would fail differently.
        let r = run(&[
            command,
            "--stack",
            stack.to_str().unwrap(),
            "--endpoint-url",
            "http://127.0.0.1:9",
        ]);
        assert_eq!(r.code, 1, "{}", r.stderr);
        assert!(
            r.stderr
                .contains("`v1` `Servise` is not a kind that can be checked offline"),
            "{}",
            r.stderr
        );
        assert!(
            r.stderr.contains("1 problem(s) in the workload manifests"),
            "{}",
            r.stderr
        );
        assert!(!r.stderr.contains("AWS"), "{}", r.stderr);
    }
}

#[test]
fn a_workload_folder_that_is_missing_is_named() {
    let dir = reference_copy(|t| t);
    std::fs::remove_dir_all(dir.path().join("manifests/backend")).unwrap();
    let r = validate_file(&dir.path().join(REFERENCE));
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("manifests/backend:1:1: workload `backend`: cannot read its manifests"),
        "{}",
        r.stderr
    );
}

/// The reference stack and manifests in a temporary folder, the stack edited by `edit`.
fn reference_stack_edited(edit: impl Fn(String) -> String) -> (tempfile::TempDir, String) {
    let dir = reference_copy(|t| t);
    let stack = dir.path().join(REFERENCE);
    let text = std::fs::read_to_string(&stack).unwrap();
    std::fs::write(&stack, edit(text)).unwrap();
    let path = stack.to_str().unwrap().to_string();
    (dir, path)
}

#[test]
fn verify_static_passes_the_reference_stack_with_no_aws_access() {
    // Port 9 on loopback answers nothing: a static run must not need it.
    let r = run(&["verify", "--static", "--endpoint-url", "http://127.0.0.1:9"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("11 passed, 0 failed (0 at or above high), 5 not applicable"),
        "{}",
        r.stdout
    );
    let json = run(&["verify", "--static", "--output", "json"]);
    let report: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(report["mode"], "static");
    assert_eq!(report["results"].as_array().unwrap().len(), 16);
    assert_eq!(report["results"][4]["id"], "MR-NET-003");
    assert_eq!(report["results"][4]["status"], "not-applicable");
}

#[test]
fn verify_static_exit_codes_follow_fail_on_and_skips() {
    let (_dir, stack) = reference_stack_edited(|t| {
        t.replace(
            "        type: network              # an internal NLB, reached only across the peering\n        scheme: internal",
            "        type: network\n        scheme: internet-facing",
        )
    });
    let r = run(&["verify", "--static", "--stack", &stack]);
    assert_eq!(r.code, 3, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("MR-LB-001   critical FAIL"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("c2/lb: scheme internet-facing"),
        "{}",
        r.stdout
    );
    // Only what is at or above --fail-on blocks.
    let skipped = run(&[
        "verify",
        "--static",
        "--stack",
        &stack,
        "--skip",
        "MR-LB-001",
    ]);
    assert_eq!(skipped.code, 0, "{}", skipped.stdout);
    assert!(
        skipped
            .stdout
            .contains("skipped with --skip on the command line")
    );

    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("out.xml");
    let sarif = dir.path().join("out.sarif");
    let r = run(&[
        "verify",
        "--static",
        "--stack",
        &stack,
        "--junit",
        junit.to_str().unwrap(),
        "--sarif",
        sarif.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 3);
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(
        xml.contains("<failure type=\"critical\" message=\"c2/lb: scheme internet-facing\">"),
        "{xml}"
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    assert_eq!(report["version"], "2.1.0");

    let unknown = run(&["verify", "--static", "--skip", "MR-NET-01"]);
    assert_eq!(unknown.code, 1);
    assert!(
        unknown.stderr.contains("--skip MR-NET-01: no such check"),
        "{}",
        unknown.stderr
    );
}

#[test]
fn the_stack_can_skip_a_check_with_a_reason_that_the_report_shows() {
    let (_dir, stack) = reference_stack_edited(|t| {
        t + "\n  verify:\n    skip:\n      - id: MR-EKS-002\n        reason: control-plane logs go to the central account\n"
    });
    let r = run(&["verify", "--static", "--stack", &stack]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("skipped by the stack: control-plane logs go to the central account"),
        "{}",
        r.stdout
    );

    let (_dir, stack) = reference_stack_edited(|t| {
        t + "\n  verify:\n    skip:\n      - id: MR-EKS-02\n        reason: \"\"\n"
    });
    let r = run(&["validate", "--stack", &stack]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("spec.verify.skip[0].id: `MR-EKS-02` is not a check id\n  hint: did you mean `MR-EKS-002`?"), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("spec.verify.skip[0].reason: a skipped check needs a reason"),
        "{}",
        r.stderr
    );
}

#[test]
fn sarif_points_at_the_manifest_object_a_check_blames() {
    let dir = reference_copy(|t| {
        t.replace(
            "allowPrivilegeEscalation: false",
            "allowPrivilegeEscalation: true",
        )
    });
    let stack = dir.path().join(REFERENCE);
    let sarif = dir.path().join("out.sarif");
    let r = run(&[
        "verify",
        "--static",
        "--stack",
        stack.to_str().unwrap(),
        "--sarif",
        sarif.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 3, "{}{}", r.stdout, r.stderr);
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("data/sarif-schema-2.1.0.json")).unwrap();
    let problems: Vec<String> = jsonschema::draft4::new(&schema)
        .unwrap()
        .iter_errors(&report)
        .map(|e| e.to_string())
        .collect();
    assert!(problems.is_empty(), "{problems:?}");
    let results = report["runs"][0]["results"].as_array().unwrap();
    let failed: Vec<&serde_json::Value> = results.iter().filter(|r| r["kind"] == "fail").collect();
    assert_eq!(failed.len(), 1, "{failed:#?}");
    assert_eq!(failed[0]["ruleId"], "MR-K8S-002");
    // First the Deployment in the backend's manifest (its document starts after the first
    // `---`, on line 9), then the stack's `source` settings of both workloads.
    let first = &failed[0]["locations"][0];
    let file = first["physicalLocation"]["artifactLocation"]["uri"]
        .as_str()
        .unwrap();
    assert!(file.ends_with("/manifests/backend/app.yaml"), "{first}");
    assert!(!file.contains(".."), "{file}");
    assert_eq!(
        first["physicalLocation"]["region"]["startLine"], 9,
        "{first}"
    );
    assert_eq!(
        first["logicalLocations"][0]["fullyQualifiedName"],
        "Deployment backend/backend"
    );
    let settings: Vec<&str> = failed[0]["locations"].as_array().unwrap()[1..]
        .iter()
        .map(|l| {
            l["logicalLocations"][0]["fullyQualifiedName"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(
        settings,
        ["spec.workloads[0].source", "spec.workloads[1].source"]
    );
}
