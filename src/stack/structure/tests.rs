//! The walk: the schema keywords it understands, and the bounds it puts on every value.

use super::*;
use crate::stack::types::Stack;

/// Every keyword the stack schema uses must be one this walker understands (or one that
/// only documents), so a new field type cannot slip past validation unchecked.
#[test]
fn walker_understands_every_schema_keyword() {
    let schema = serde_json::to_value(schemars::schema_for!(Stack)).unwrap();
    let understood = [
        "$schema",
        "$ref",
        "$defs",
        "title",
        "description",
        "type",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "enum",
        "const",
        "anyOf",
        "oneOf",
        "minimum",
        "maximum",
        "maxLength",
        "maxItems",
        "maxProperties",
        "propertyNames",
        "format",
        "default",
    ];
    fn visit(v: &Json, understood: &[&str], in_properties: bool) {
        if let Json::Object(map) = v {
            for (k, child) in map {
                if !in_properties {
                    assert!(
                        understood.contains(&k.as_str()),
                        "schema keyword `{k}` unhandled"
                    );
                }
                let child_in_properties = !in_properties && (k == "properties" || k == "$defs");
                if k != "default" && k != "enum" && k != "const" {
                    visit(child, understood, child_in_properties);
                }
            }
        } else if let Json::Array(items) = v {
            for item in items {
                visit(item, understood, false);
            }
        }
    }
    visit(&schema, &understood, false);
}

// ---- bounds ---------------------------------------------------------------------------------

const MINIMAL: &str = include_str!("../../../stacks/minimal.yaml");

/// The minimal stack with `from` replaced by `to`, validated: every diagnostic as text.
fn problems_with(from: &str, to: &str) -> Vec<String> {
    assert_eq!(MINIMAL.matches(from).count(), 1, "`{from}`");
    let text = MINIMAL.replace(from, to);
    match crate::stack::parse("s.yaml", text.as_bytes()) {
        Ok(_) => Vec::new(),
        Err(diagnostics) => diagnostics.iter().map(ToString::to_string).collect(),
    }
}

#[test]
fn a_megabyte_value_is_refused_by_its_length_and_quoted_in_eighty_characters() {
    let long = "A".repeat(1_000_000);
    let started = std::time::Instant::now();
    let found = problems_with(
        "    - name: edge\n",
        &format!("    - name: edge\n      managedRuleGroups: [{long}]\n"),
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
    assert_eq!(
        found,
        [format!(
            "s.yaml:25:27: spec.wafAcls[0].managedRuleGroups[0]: `{}…` is longer than the 64 characters allowed here",
            "A".repeat(80)
        )]
    );
}

#[test]
fn a_megabyte_key_is_cut_in_the_path_and_the_message() {
    let long = "k".repeat(1_000_000);
    // An explicit key (`? `) is the only way YAML allows a key longer than 1024 characters.
    let found = problems_with(
        "  name: mini\n",
        &format!("  name: mini\n  ? {long}\n  : 1\n"),
    );
    let cut = "k".repeat(80);
    assert_eq!(
        found,
        [format!(
            "s.yaml:9:5: metadata[\"{cut}\"…]: unknown field `{cut}…`\n  hint: allowed here: name, description"
        )]
    );
}

#[test]
fn lists_and_maps_longer_than_their_bound_are_refused_at_the_list() {
    let region = "{name: c1, region: us-east-1, role: frontend, network: {cidr: 10.10.0.0/16}, cluster: {name: mini-c1}, loadBalancer: {type: application, scheme: internet-facing, allow: [internet], waf: edge}}";
    let regions = MINIMAL.split("  regions:\n").next().unwrap().to_string()
        + &format!(
            "  regions: [&r {region}{}]\n  wafAcls:\n    - name: edge\n",
            ", *r".repeat(999)
        );
    let Err(found) = crate::stack::parse("s.yaml", regions.as_bytes()) else {
        panic!("valid")
    };
    let found: Vec<String> = found.iter().map(ToString::to_string).collect();
    assert_eq!(
        found,
        [
            "s.yaml:10:12: spec.regions: 1,000 items, more than the 2 allowed here\n  hint: Exactly two regions: one with role `frontend`, one with role `backend`."
        ]
    );
    let tags: Vec<String> = (0..20_000).map(|i| format!("t{i}: v")).collect();
    let found = problems_with(
        "  wafAcls:\n",
        &format!("  tags: {{{}}}\n  wafAcls:\n", tags.join(", ")),
    );
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0]
            .starts_with("s.yaml:23:9: spec.tags: 20,000 entries, more than the 47 allowed here"),
        "{found:#?}"
    );
}

#[test]
fn map_keys_are_bounded_and_checked_like_values() {
    let key = "k".repeat(129);
    let found = problems_with(
        "  wafAcls:\n",
        &format!("  tags: {{{key}: v}}\n  wafAcls:\n"),
    );
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0].contains("spec.tags[\""), "{found:#?}");
    assert!(
        found[0].contains("is longer than the 128 characters allowed here"),
        "{found:#?}"
    );
    let found = problems_with(
        "  wafAcls:\n",
        "  tags: {\"te\\u200Bam\": platform}\n  wafAcls:\n",
    );
    assert_eq!(
        found,
        [
            "s.yaml:23:10: spec.tags[\"te\\u{200b}am\"]: `te\\u{200b}am` has U+200B (zero width space) at character 3, which cannot be seen\n  hint: type the value again rather than pasting it"
        ]
    );
}

#[test]
fn invisible_and_control_characters_are_refused_with_their_place() {
    for (written, described, at) in [
        ("mini\\u200B-c1", "U+200B (zero width space)", 5),
        ("mini-c1\\u00AD", "U+00AD (soft hyphen)", 8),
        ("\\u202Emini-c1", "U+202E (right-to-left override)", 1),
        ("mini\\tc1", "U+0009 (tab)", 5),
        ("mini\\u0085c1", "U+0085 (a control character)", 5),
    ] {
        let found = problems_with(
            "cluster: { name: mini-c1 }",
            &format!("cluster: {{ name: \"{written}\" }}"),
        );
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(
            found[0].starts_with("s.yaml:15:24: spec.regions[0].cluster.name: `"),
            "{found:#?}"
        );
        assert!(
            found[0].contains(&format!(
                "has {described} at character {at}, which cannot be seen"
            )),
            "{found:#?}"
        );
    }
}

#[test]
fn many_unknown_fields_are_told_as_twenty_and_a_count() {
    let keys: String = (0..24_000).map(|i| format!("  k{i}: 1\n")).collect();
    let found = problems_with("  name: mini\n", &format!("  name: mini\n{keys}"));
    assert_eq!(found.len(), 21);
    assert_eq!(
        found[0],
        "s.yaml:9:3: metadata.k0: unknown field `k0`\n  hint: allowed here: name, description"
    );
    assert_eq!(found[20], "s.yaml:29:3: … and 23,980 more unknown fields");
}

#[test]
fn numbers_that_reach_kubernetes_are_bounded_as_int32_at_the_stack_line() {
    let found = problems_with(
        "  wafAcls:\n",
        "  workloads:\n    - { name: web, region: c1, source: ., tag: 6.7.1, autoscaling: { max: 2147483648 } }\n  wafAcls:\n",
    );
    assert_eq!(
        found,
        [
            "s.yaml:24:75: spec.workloads[0].autoscaling.max: expected a whole number from 0 to 2147483647, found 2147483648"
        ]
    );
}
