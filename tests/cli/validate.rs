//! `validate` on the shipped stacks, the bad-stack corpus and malformed files.

use std::path::{Path, PathBuf};

use super::*;

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
        "error: cannot read stack file no/such/stack.yaml (looked for ",
    );
    assert_refused(
        &missing,
        "/no/such/stack.yaml)\n  caused by: No such file or directory",
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
