//! Inputs made to be slow or loud — found by fuzzing `validate` — generated here rather than
//! committed: each must be refused in bounded time with a bounded report, located where the
//! problem is, and never panic.

use std::time::{Duration, Instant};

use super::*;

const MINIMAL: &str = include_str!("../../stacks/minimal.yaml");
/// A debug build on a busy machine; a release build takes a few milliseconds.
const TIME: Duration = Duration::from_secs(2);
const OUTPUT_BYTES: usize = 64 * 1024;

fn minimal_with(from: &str, to: &str) -> String {
    assert_eq!(MINIMAL.matches(from).count(), 1, "`{from}`");
    MINIMAL.replace(from, to)
}

/// Each case: its name, the file, and a line its report must hold.
fn corpus() -> Vec<(&'static str, String, String)> {
    let region = "{name: c1, region: us-east-1, role: frontend, network: {cidr: 10.10.0.0/16}, cluster: {name: mini-c1}, loadBalancer: {type: application, scheme: internet-facing, allow: [internet], waf: edge}}";
    let before_regions = MINIMAL.split("  regions:\n").next().unwrap();
    let mega = "A".repeat(1_000_000);
    let keys: String = (0..24_000).map(|i| format!("  k{i}: 1\n")).collect();
    let more_keys: String = (0..99_000).map(|i| format!("  {i:x}: 1\n")).collect();
    let flow: Vec<String> = (0..90_000).map(|i| format!("k{i}: 1")).collect();
    let tags: Vec<String> = (0..20_000).map(|i| format!("t{i}: v")).collect();
    let hidden: Vec<String> = (0..47).map(|i| format!("t{i}: \"v\\u200B\"")).collect();
    vec![
        (
            "a 1,000,000-character managed rule group",
            minimal_with(
                "    - name: edge\n",
                &format!("    - name: edge\n      managedRuleGroups: [{mega}]\n"),
            ),
            format!(
                "stack.yaml:25:27: spec.wafAcls[0].managedRuleGroups[0]: `{}…` is longer than the 64 characters allowed here",
                &mega[..80]
            ),
        ),
        (
            "aliases expanding to 1,000 regions",
            format!(
                "{before_regions}  regions: [&r {region}{}]\n  wafAcls:\n    - name: edge\n",
                ", *r".repeat(999)
            ),
            "stack.yaml:10:12: spec.regions: 1,000 items, more than the 2 allowed here".into(),
        ),
        (
            "24,000 unknown fields",
            minimal_with("  name: mini\n", &format!("  name: mini\n{keys}")),
            "stack.yaml:29:3: … and 23,980 more unknown fields".into(),
        ),
        (
            "99,000 unknown fields, a file of 1 MiB",
            minimal_with("  name: mini\n", &format!("  name: mini\n{more_keys}")),
            "the document expands to more than 50000 nodes".into(),
        ),
        (
            "a mapping of 90,000 keys",
            minimal_with(
                "  name: mini\n",
                &format!("  name: mini\n  labels: {{{}}}\n", flow.join(", ")),
            ),
            "the document expands to more than 50000 nodes".into(),
        ),
        (
            "20,000 tags",
            format!("{MINIMAL}  tags: {{{}}}\n", tags.join(", ")),
            "stack.yaml:25:9: spec.tags: 20,000 entries, more than the 47 allowed here".into(),
        ),
        (
            "47 tags with a zero-width space each",
            format!("{MINIMAL}  tags: {{{}}}\n", hidden.join(", ")),
            "… and 27 more values with invisible characters".into(),
        ),
        (
            "a 1,000,000-character key",
            minimal_with(
                "  name: mini\n",
                &format!("  name: mini\n  ? {}\n  : 1\n", "k".repeat(1_000_000)),
            ),
            format!(
                "metadata[\"{}\"…]: unknown field `{}…`",
                "k".repeat(80),
                "k".repeat(80)
            ),
        ),
        (
            "a 1,000,000-character AWS region",
            minimal_with(
                "region: us-east-1",
                &format!("region: us-{}", "e".repeat(1_000_000)),
            ),
            "spec.regions[0].region: `us-eee".into(),
        ),
        (
            "a 1,000,000-character enum value",
            minimal_with(
                "type: application",
                &format!("type: {}", "a".repeat(1_000_000)),
            ),
            format!(
                "spec.regions[0].loadBalancer.type: `{}…` is not one of `application`, `network`",
                "a".repeat(80)
            ),
        ),
        (
            "a 1,000,000-digit CIDR block",
            minimal_with(
                "cidr: 10.10.0.0/16",
                &format!("cidr: {}", "1".repeat(1_000_000)),
            ),
            "spec.regions[0].network.cidr: `1111".into(),
        ),
        (
            "100,000 aliases of one 500 KB string",
            minimal_with(
                "  name: mini\n",
                &format!(
                    "  name: mini\n  description: &s \"{}\"\n  x: [{}]\n",
                    "x".repeat(500_000),
                    vec!["*s"; 100_000].join(",")
                ),
            ),
            "the document expands to more than 4 MiB of text (an alias bomb?)".into(),
        ),
        (
            "a list of 500,000 items",
            format!("{MINIMAL}  workloads: [{}]\n", vec!["x"; 500_000].join(",")),
            "the document expands to more than 50000 nodes (an alias bomb?)".into(),
        ),
    ]
}

#[test]
fn inputs_made_to_be_slow_or_loud_are_refused_quickly_and_briefly() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("stack.yaml");
    for (name, text, expected) in corpus() {
        assert!(
            text.len() as u64 <= 1024 * 1024,
            "{name}: {} bytes",
            text.len()
        );
        std::fs::write(&path, &text).unwrap();
        for output in ["text", "json"] {
            let started = Instant::now();
            let r = run(&[
                "validate",
                "--stack",
                path.to_str().unwrap(),
                "--output",
                output,
            ]);
            let took = started.elapsed();
            let report = format!("{}{}", r.stdout, r.stderr);
            assert_eq!(r.code, 1, "{name}: {}", r.stderr);
            assert!(!report.contains("panicked"), "{name}: {report}");
            assert!(took < TIME, "{name} ({output}) took {took:?}");
            assert!(
                report.len() < OUTPUT_BYTES,
                "{name} ({output}): {} bytes of report",
                report.len()
            );
            if output == "text" {
                let shown = r.stderr.replace(&format!("{}/", dir.path().display()), "");
                assert!(
                    shown.contains(&expected),
                    "{name}: `{expected}` not in\n{shown}"
                );
            } else {
                let json: serde_json::Value = serde_json::from_str(&r.stdout)
                    .unwrap_or_else(|e| panic!("{name}: {e}: {}", r.stdout));
                assert_eq!(json["valid"], false, "{name}");
            }
        }
    }
}

#[test]
fn the_json_report_counts_what_it_leaves_out() {
    let keys: String = (0..1000).map(|i| format!("  k{i}: 1\n")).collect();
    let r = validate_json(&minimal_with(
        "  name: mini\n",
        &format!("  name: mini\n{keys}"),
    ));
    let errors = r["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 21);
    assert_eq!(errors[20]["message"], "… and 980 more unknown fields");
    assert_eq!(errors[20]["omitted"], 980);
    assert!(errors[19].get("omitted").is_none());
}

fn validate_json(text: &str) -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("stack.yaml");
    std::fs::write(&path, text).unwrap();
    let r = run(&[
        "validate",
        "--stack",
        path.to_str().unwrap(),
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    serde_json::from_str(&r.stdout).unwrap()
}
