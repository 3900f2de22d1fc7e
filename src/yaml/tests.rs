//! Parsing, scalar resolution, budgets and the YAML emitter round trip.

use super::*;

#[test]
fn emitted_yaml_reads_back_the_same() {
    let value = serde_json::json!({
        "apiVersion": "v1",
        "clusters": [{"name": "a", "cluster": {"server": "https://x.example:443", "certificate-authority-data": "LS0t=="}}],
        "users": [{"name": "u", "user": {"exec": {"args": ["token", "--cluster", "a"], "env": null}}}],
        "tricky": ["yes", "1.30", "", "a: b", "- x", "#c", "quote\"d", 7, true, {}, []],
        "nested": [[1, 2], [{"k": "v"}]]
    });
    let text = to_yaml(&value);
    let back = parse_documents(&text).unwrap();
    assert_eq!(to_json(&back[0]), value, "{text}");
}

fn one(text: &str) -> Node {
    let mut docs = parse_documents(text).expect("parses");
    assert_eq!(docs.len(), 1);
    docs.remove(0)
}

#[test]
fn resolves_core_schema_scalars() {
    let node = one("a: 1\nb: 1.30\nc: yes\nd: ~\ne: \"2\"\nf: true\ng: 0x1f\nh: 1e3\n");
    let Value::Map(entries) = node.value else {
        panic!("mapping expected")
    };
    let values: Vec<_> = entries.iter().map(|e| e.value.value.clone()).collect();
    assert_eq!(
        values,
        vec![
            Value::Int {
                value: 1,
                raw: "1".into()
            },
            Value::Float {
                value: 1.3,
                raw: "1.30".into()
            },
            Value::Str("yes".into()),
            Value::Null,
            Value::Str("2".into()),
            Value::Bool(true),
            Value::Int {
                value: 31,
                raw: "0x1f".into()
            },
            Value::Float {
                value: 1000.0,
                raw: "1e3".into()
            },
        ]
    );
}

#[test]
fn positions_are_one_based() {
    let node = one("spec:\n  regions:\n    - name: c1\n");
    let Value::Map(entries) = &node.value else {
        panic!()
    };
    assert_eq!(entries[0].key_pos, Pos { line: 1, column: 1 });
    let Value::Map(inner) = &entries[0].value.value else {
        panic!()
    };
    assert_eq!(inner[0].key_pos, Pos { line: 2, column: 3 });
}

#[test]
fn duplicate_keys_are_errors() {
    let err = parse_documents("a: 1\nb: 2\na: 3\n").unwrap_err();
    assert_eq!(err.pos, Pos { line: 3, column: 1 });
    assert!(
        err.message
            .contains("duplicate key `a` (first given at line 1)")
    );
}

#[test]
fn deep_nesting_is_refused_not_overflowed() {
    // `- - - x` nests block sequences on one line.
    let block = format!("{}x\n", "- ".repeat(10_000));
    let err = parse_documents(&block).unwrap_err();
    assert!(err.message.contains("deeper than 64"), "{err}");
    let flow = "[".repeat(10_000);
    assert!(parse_documents(&flow).is_err());
}

#[test]
fn alias_bomb_is_refused() {
    let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        let p = i - 1;
        text.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    let err = parse_documents(&text).unwrap_err();
    assert!(err.message.contains("alias bomb"), "{err}");
}

#[test]
fn aliases_within_budget_expand() {
    let node = one("base: &b {x: 1}\ncopy: *b\n");
    let Value::Map(entries) = node.value else {
        panic!()
    };
    assert_eq!(entries[0].value.value, entries[1].value.value);
}

#[test]
fn multiple_documents_and_empty_stream() {
    assert_eq!(parse_documents("a: 1\n---\nb: 2\n").unwrap().len(), 2);
    assert!(parse_documents("").unwrap().is_empty());
    assert!(parse_documents("# only a comment\n").unwrap().is_empty());
}

#[test]
fn one_long_string_aliased_many_times_is_refused() {
    // 100 aliases of a 500 KB string: few nodes, but 50 MB of text once expanded.
    let text = format!(
        "s: &s \"{}\"\ncopies: [{}]\n",
        "x".repeat(500_000),
        vec!["*s"; 100].join(", ")
    );
    let err = parse_documents(&text).unwrap_err();
    assert!(err.message.contains("MiB of text"), "{err}");
    assert_eq!(err.pos.line, 2);
}

#[test]
fn a_mapping_with_many_keys_is_read_in_linear_time() {
    // A scan of the earlier keys for each new one took seconds at this size.
    let keys: Vec<String> = (0..50_000).map(|i| format!("k{i}: 1")).collect();
    let started = std::time::Instant::now();
    let node = one(&format!("{{{}}}\n", keys.join(", ")));
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
    let Value::Map(entries) = node.value else {
        panic!()
    };
    assert_eq!(entries.len(), 50_000);
    let err = parse_documents("{a: 1, b: 2, a: 3}\n").unwrap_err();
    assert!(err.message.contains("duplicate key `a`"), "{err}");
}
