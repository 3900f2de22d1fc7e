//! The one place YAML is parsed: text in, a tree of located nodes out.
//!
//! Everything later (the stack's schema walk, manifests) works on [`Node`]s so that every error
//! can name a line and column. The builder is iterative and bounded — nesting depth and the
//! number of nodes (aliases included) are capped — so no input can overflow the stack or
//! expand an alias bomb into gigabytes.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span, Tag};

/// Deeper nesting than this is refused; real stacks and manifests stay under 15.
pub const MAX_DEPTH: usize = 64;
/// Upper bound on nodes in one stream, counting every alias expansion.
pub const MAX_NODES: usize = 200_000;

/// A 1-based line and column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, PartialOrd, Ord)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

impl std::fmt::Display for Pos {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub pos: Pos,
    pub value: Value,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// `raw` keeps the text as written, so `version: 1.30` can still mean the string "1.30".
    Int {
        value: i64,
        raw: String,
    },
    Float {
        value: f64,
        raw: String,
    },
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_pos: Pos,
    pub value: Node,
}

impl Value {
    /// The YAML/JSON type name used in messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int { .. } => "an integer",
            Value::Float { .. } => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct YamlError {
    pub pos: Pos,
    pub message: String,
}

impl YamlError {
    fn at(pos: Pos, message: impl Into<String>) -> Self {
        YamlError {
            pos,
            message: message.into(),
        }
    }
}

/// Parses every document of a YAML stream. An empty stream gives no documents.
pub fn parse_documents(text: &str) -> Result<Vec<Node>, YamlError> {
    let mut builder = Builder::default();
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| {
            let m = e.marker();
            YamlError::at(
                Pos {
                    line: m.line(),
                    column: m.col() + 1,
                },
                format!("YAML syntax error: {}", e.info()),
            )
        })?;
        builder.feed(event, span)?;
    }
    Ok(builder.documents)
}

enum Frame {
    Seq {
        pos: Pos,
        anchor: usize,
        first_node: usize,
        items: Vec<Node>,
    },
    Map {
        pos: Pos,
        anchor: usize,
        first_node: usize,
        entries: Vec<Entry>,
        key: Option<(String, Pos)>,
    },
}

#[derive(Default)]
struct Builder {
    documents: Vec<Node>,
    frames: Vec<Frame>,
    /// Anchored nodes with their size in nodes, for alias expansion within budget.
    anchors: HashMap<usize, (Node, usize)>,
    nodes: usize,
}

fn pos_of(span: &Span) -> Pos {
    Pos {
        line: span.start.line(),
        column: span.start.col() + 1,
    }
}

impl Builder {
    fn feed(&mut self, event: Event<'_>, span: Span) -> Result<(), YamlError> {
        let pos = pos_of(&span);
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                self.count(pos, 1)?;
                let value = resolve_scalar(&text, style, tag.as_deref(), pos)?;
                let node = Node { pos, value };
                if anchor != 0 {
                    self.anchors.insert(anchor, (node.clone(), 1));
                }
                self.complete(node)
            }
            Event::Alias(id) => {
                let Some((node, size)) = self.anchors.get(&id) else {
                    return Err(YamlError::at(pos, "alias refers to an unknown anchor"));
                };
                let (node, size) = (node.clone(), *size);
                self.count(pos, size)?;
                self.complete(Node { pos, ..node })
            }
            Event::SequenceStart(anchor, ref tag) | Event::MappingStart(anchor, ref tag) => {
                if let Some(tag) = tag.as_deref()
                    && !tag.is_yaml_core_schema()
                {
                    return Err(YamlError::at(pos, format!("unsupported YAML tag `{tag}`")));
                }
                self.count(pos, 1)?;
                if self.frames.len() >= MAX_DEPTH {
                    return Err(YamlError::at(
                        pos,
                        format!("nesting is deeper than {MAX_DEPTH} levels"),
                    ));
                }
                let first_node = self.nodes;
                self.frames
                    .push(if matches!(event, Event::SequenceStart(..)) {
                        Frame::Seq {
                            pos,
                            anchor,
                            first_node,
                            items: Vec::new(),
                        }
                    } else {
                        Frame::Map {
                            pos,
                            anchor,
                            first_node,
                            entries: Vec::new(),
                            key: None,
                        }
                    });
                Ok(())
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = self.frames.pop() else {
                    return Err(YamlError::at(pos, "unbalanced end of collection"));
                };
                let (node, anchor, first_node) = match frame {
                    Frame::Seq {
                        pos,
                        anchor,
                        first_node,
                        items,
                    } => (
                        Node {
                            pos,
                            value: Value::Seq(items),
                        },
                        anchor,
                        first_node,
                    ),
                    Frame::Map {
                        pos,
                        anchor,
                        first_node,
                        entries,
                        ..
                    } => (
                        Node {
                            pos,
                            value: Value::Map(entries),
                        },
                        anchor,
                        first_node,
                    ),
                };
                if anchor != 0 {
                    let size = self.nodes - first_node + 1;
                    self.anchors.insert(anchor, (node.clone(), size));
                }
                self.complete(node)
            }
            Event::DocumentEnd => {
                self.anchors.clear();
                Ok(())
            }
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentStart(_) => {
                Ok(())
            }
        }
    }

    fn count(&mut self, pos: Pos, n: usize) -> Result<(), YamlError> {
        self.nodes += n;
        if self.nodes > MAX_NODES {
            return Err(YamlError::at(
                pos,
                format!(
                    "the document expands to more than {MAX_NODES} nodes (an alias bomb?); refusing to go on"
                ),
            ));
        }
        Ok(())
    }

    /// Hands a finished node to the collection it belongs to, or makes it a document.
    fn complete(&mut self, node: Node) -> Result<(), YamlError> {
        match self.frames.last_mut() {
            None => self.documents.push(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                None => {
                    let name = match &node.value {
                        Value::Str(s) => s.clone(),
                        Value::Int { raw, .. } | Value::Float { raw, .. } => raw.clone(),
                        Value::Bool(b) => b.to_string(),
                        Value::Null => "null".to_string(),
                        Value::Seq(_) | Value::Map(_) => {
                            return Err(YamlError::at(
                                node.pos,
                                "a mapping key must be a plain value, not a list or mapping",
                            ));
                        }
                    };
                    if name == "<<" {
                        return Err(YamlError::at(
                            node.pos,
                            "merge keys (`<<`) are not supported; put the anchor on the whole value instead",
                        ));
                    }
                    if let Some(first) = entries.iter().find(|e| e.key == name) {
                        return Err(YamlError::at(
                            node.pos,
                            format!(
                                "duplicate key `{name}` (first given at line {})",
                                first.key_pos.line
                            ),
                        ));
                    }
                    *key = Some((name, node.pos));
                }
                Some((name, key_pos)) => entries.push(Entry {
                    key: name,
                    key_pos,
                    value: node,
                }),
            },
        }
        Ok(())
    }
}

/// Resolves a scalar by the YAML 1.2 core schema (so `yes`/`on` stay strings).
fn resolve_scalar(
    text: &str,
    style: ScalarStyle,
    tag: Option<&Tag>,
    pos: Pos,
) -> Result<Value, YamlError> {
    if let Some(tag) = tag {
        if !tag.is_yaml_core_schema() {
            return Err(YamlError::at(pos, format!("unsupported YAML tag `{tag}`")));
        }
        let resolved = resolve_plain(text);
        let ok = match tag.suffix.as_str() {
            "str" => return Ok(Value::Str(text.to_string())),
            "null" => matches!(resolved, Value::Null),
            "bool" => matches!(resolved, Value::Bool(_)),
            "int" => matches!(resolved, Value::Int { .. }),
            "float" => matches!(resolved, Value::Float { .. } | Value::Int { .. }),
            other => {
                return Err(YamlError::at(
                    pos,
                    format!("unsupported YAML tag `!!{other}`"),
                ));
            }
        };
        if !ok {
            return Err(YamlError::at(
                pos,
                format!("`{text}` is not a valid !!{}", tag.suffix),
            ));
        }
        return Ok(resolved);
    }
    Ok(match style {
        ScalarStyle::Plain => resolve_plain(text),
        _ => Value::Str(text.to_string()),
    })
}

fn resolve_plain(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    let raw = text.to_string();
    if let Some(value) = parse_int(text) {
        return Value::Int { value, raw };
    }
    let float = match text {
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => Some(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => Some(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => Some(f64::NAN),
        _ if looks_like_float(text) => text.parse().ok(),
        _ => None,
    };
    match float {
        Some(value) => Value::Float { value, raw },
        None => Value::Str(raw),
    }
}

fn parse_int(text: &str) -> Option<i64> {
    if let Some(oct) = text.strip_prefix("0o") {
        return i64::from_str_radix(oct, 8).ok();
    }
    if let Some(hex) = text.strip_prefix("0x") {
        return i64::from_str_radix(hex, 16).ok();
    }
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// The core schema's float pattern: `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`.
fn looks_like_float(text: &str) -> bool {
    let t = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match t.find(['e', 'E']) {
        Some(i) => (&t[..i], Some(&t[i + 1..])),
        None => (t, None),
    };
    let (int_part, frac) = match mantissa.split_once('.') {
        Some((a, b)) => (a, Some(b)),
        None => (mantissa, None),
    };
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match frac {
        Some(f) => all_digits(int_part) && all_digits(f) && !(int_part.is_empty() && f.is_empty()),
        None => !int_part.is_empty() && all_digits(int_part),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && all_digits(e)
    });
    mantissa_ok && exponent_ok
}

/// Plain conversion of a tree to JSON (numbers stay numbers, keys keep their order).
pub fn to_json(node: &Node) -> serde_json::Value {
    use serde_json::Value as Json;
    match &node.value {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int { value, .. } => Json::from(*value),
        Value::Float { value, raw } => serde_json::Number::from_f64(*value)
            .map_or_else(|| Json::String(raw.clone()), Json::Number),
        Value::Str(s) => Json::String(s.clone()),
        Value::Seq(items) => Json::Array(items.iter().map(to_json).collect()),
        Value::Map(entries) => Json::Object(
            entries
                .iter()
                .map(|e| (e.key.clone(), to_json(&e.value)))
                .collect(),
        ),
    }
}

/// Block-style YAML for a JSON value, for files people read (kubeconfig). Strings are written
/// double-quoted unless plainly safe, so nothing changes meaning on the way back in.
pub fn to_yaml(value: &serde_json::Value) -> String {
    let mut out = String::new();
    emit(value, 0, &mut out);
    out
}

fn plain_or_quoted(s: &str) -> String {
    let reserved = [
        "", "~", "null", "true", "false", "yes", "no", "on", "off", "y", "n",
    ];
    let safe = s
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '/')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
        && !reserved.contains(&s.to_ascii_lowercase().as_str());
    if safe {
        s.to_string()
    } else {
        serde_json::Value::String(s.to_string()).to_string()
    }
}

fn inline(value: &serde_json::Value) -> Option<String> {
    use serde_json::Value as Json;
    match value {
        Json::Null => Some("null".into()),
        Json::Bool(b) => Some(b.to_string()),
        Json::Number(n) => Some(n.to_string()),
        Json::String(s) => Some(plain_or_quoted(s)),
        Json::Array(items) if items.is_empty() => Some("[]".into()),
        Json::Object(map) if map.is_empty() => Some("{}".into()),
        _ => None,
    }
}

fn emit(value: &serde_json::Value, indent: usize, out: &mut String) {
    use serde_json::Value as Json;
    let pad = " ".repeat(indent);
    match value {
        Json::Object(map) => {
            for (k, v) in map {
                match inline(v) {
                    Some(text) => out.push_str(&format!("{pad}{}: {text}\n", plain_or_quoted(k))),
                    None => {
                        out.push_str(&format!("{pad}{}:\n", plain_or_quoted(k)));
                        emit(v, indent + 2, out);
                    }
                }
            }
        }
        Json::Array(items) => {
            for item in items {
                match inline(item) {
                    Some(text) => out.push_str(&format!("{pad}- {text}\n")),
                    None => {
                        // The item's first line moves up beside the dash.
                        let mut nested = String::new();
                        emit(item, indent + 2, &mut nested);
                        out.push_str(&format!("{pad}- {}", &nested[indent + 2..]));
                    }
                }
            }
        }
        scalar => out.push_str(&format!("{pad}{}\n", inline(scalar).unwrap_or_default())),
    }
}

#[cfg(test)]
mod tests {
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
}
