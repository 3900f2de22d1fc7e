//! The workload manifests: checked strictly by `validate`, refused by `up` and `plan` before
//! any AWS call, and a `source` that is no folder of manifests told at the stack's line.

use std::path::Path;

use super::*;

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
fn a_source_that_is_no_folder_of_manifests_is_told_at_the_source_line() {
    let dir = reference_copy(|t| t);
    std::fs::remove_dir_all(dir.path().join("manifests/backend")).unwrap();
    let r = validate_file(&dir.path().join(REFERENCE));
    assert_eq!(r.code, 1);
    let stderr = r.stderr.replace(&format!("{}/", dir.path().display()), "");
    let line = 1 + std::fs::read_to_string(REFERENCE)
        .unwrap()
        .lines()
        .position(|l| l.trim_start().starts_with("source: ../manifests/backend"))
        .unwrap();
    assert!(
        stderr.contains(&format!(
            "stacks/two-region.yaml:{line}:15: spec.workloads[1].source: there is no folder `manifests/backend`"
        )),
        "{stderr}"
    );
    // A file, or a folder with no manifests directly in it, is told at the same line.
    for (source, what) in [
        (
            "../manifests/backend/app.yaml",
            "is a file, not a folder of manifests",
        ),
        ("../manifests", "holds no *.yaml or *.yml file"),
    ] {
        let (_dir, stack) = reference_stack_edited(|t| {
            t.replace("source: ../manifests/backend", &format!("source: {source}"))
        });
        let r = validate_file(Path::new(&stack));
        assert_eq!(r.code, 1, "{}", r.stderr);
        assert!(
            r.stderr.contains(&format!(
                "two-region.yaml:{line}:15: spec.workloads[1].source: `"
            )) && r.stderr.contains(what),
            "{}",
            r.stderr
        );
    }
}
