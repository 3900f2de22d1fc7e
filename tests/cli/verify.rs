//! `verify --static`: the reference stack passes, exit codes follow `--fail-on` and skips,
//! and the reports point at the stack line or manifest object behind each check.

use super::*;

#[test]
fn verify_static_passes_the_reference_stack_with_no_aws_access() {
    // Port 9 on loopback answers nothing: a static run must not need it.
    let r = run(&["verify", "--static", "--endpoint-url", "http://127.0.0.1:9"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("16 passed, 0 failed (0 at or above high), 6 not applicable"),
        "{}",
        r.stdout
    );
    let json = run(&["verify", "--static", "--output", "json"]);
    let report: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(report["mode"], "static");
    assert_eq!(report["results"].as_array().unwrap().len(), 23);
    assert_eq!(report["results"][5]["id"], "MR-NET-003");
    assert_eq!(report["results"][5]["status"], "not-applicable");
    // Plain HTTP, accepted by the reference stack's own skip with its reason.
    assert_eq!(report["results"][2]["id"], "MR-LB-002");
    assert_eq!(report["results"][2]["status"], "skipped");
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
        t.replace("    skip:\n", "    skip:\n      - id: MR-EKS-002\n        reason: control-plane logs go to the central account\n")
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
        t.replace(
            "    skip:\n",
            "    skip:\n      - id: MR-EKS-02\n        reason: \"\"\n",
        )
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
        serde_json::from_str(include_str!("../data/sarif-schema-2.1.0.json")).unwrap();
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
