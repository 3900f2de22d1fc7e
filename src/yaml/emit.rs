//! Out of the tree: plain JSON, and block-style YAML for files people read.

use super::{Node, Value};

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
