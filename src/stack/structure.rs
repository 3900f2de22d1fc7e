//! Structural validation: walks the located YAML tree against the stack's JSON Schema (the one
//! `multiregion schema` prints), collecting every unknown field, wrong type and missing field
//! instead of stopping at the first like serde would. What it returns is plain JSON that serde
//! turns into the typed [`Stack`](super::types::Stack); invalid parts are left out of it.
//!
//! Only the schema shapes that schemars emits for our types are understood; a unit test keeps
//! the two in step.

use std::collections::HashMap;

use serde_json::{Map, Value as Json};

use super::diagnostic::{Finding, Kind, PER_KIND, thousands};
use super::limits;
use super::suggest::did_you_mean;
use crate::quote::{self, SHOWN_CHARS, quoted};
use crate::yaml::{Node, Pos, Value, to_json};

/// What a structural problem does to the value: an unknown field changes nothing, while a bad
/// value is dropped (and may be replaced by a default), which later checks must not be fooled by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IssueKind {
    UnknownField,
    BadValue,
}

#[derive(Debug, Clone)]
pub struct Issue {
    pub kind: IssueKind,
    pub pos: Pos,
    pub finding: Finding,
}

/// The outcome of the walk: the JSON to deserialize, the issues, and where each path sits.
/// Bad or missing values are replaced by placeholders of the right shape, so the typed stack
/// always exists and semantic checks still run on the parts that are sound.
pub struct Walked {
    pub json: Json,
    pub issues: Vec<Issue>,
    pub locations: HashMap<String, Pos>,
    /// Keys of maps whose keys are the user's to choose (tags, labels), not fields.
    pub free_keys: Vec<String>,
}

pub fn walk(node: &Node, schema: &Json) -> Walked {
    let mut walker = Walker {
        root: schema,
        issues: Vec::new(),
        locations: HashMap::new(),
        free_keys: Vec::new(),
        unknown_fields: 0,
    };
    let json = walker
        .value(node, schema, "")
        .unwrap_or_else(|| walker.placeholder(schema, 0));
    Walked {
        json,
        issues: walker.issues,
        locations: walker.locations,
        free_keys: walker.free_keys,
    }
}

struct Walker<'s> {
    root: &'s Json,
    issues: Vec<Issue>,
    locations: HashMap<String, Pos>,
    free_keys: Vec<String>,
    unknown_fields: usize,
}

pub(super) fn child_path(parent: &str, key: &str) -> String {
    // A path is printed with every problem under it: a long key is cut as values are.
    let long = key.chars().nth(SHOWN_CHARS).is_some();
    if long {
        let cut: String = key.chars().take(SHOWN_CHARS).collect();
        format!("{parent}[{cut:?}…]")
    } else if parent.is_empty() {
        key.to_string()
    } else if key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        format!("{parent}.{key}")
    } else {
        format!("{parent}[{key:?}]")
    }
}

/// `maxLength`, `maxItems` or `maxProperties` of a schema.
fn bound(schema: &Json, keyword: &str) -> Option<usize> {
    schema
        .get(keyword)
        .and_then(Json::as_u64)
        .and_then(|n| usize::try_from(n).ok())
}

impl<'s> Walker<'s> {
    fn bad(
        &mut self,
        kind: Kind,
        pos: Pos,
        path: &str,
        message: String,
        hint: Option<String>,
    ) -> Option<Json> {
        self.issues.push(Issue {
            kind: IssueKind::BadValue,
            pos,
            finding: Finding::new(path, message).maybe_hint(hint).kind(kind),
        });
        None
    }

    /// What every string is checked for before anything reads it: its length (counted no
    /// further than the bound, so a megabyte costs no more than a short value), then
    /// characters that cannot be seen.
    fn text(&mut self, pos: Pos, path: &str, text: &str, schema: &Json) -> Option<()> {
        let max = bound(schema, "maxLength").unwrap_or(limits::TEXT);
        if text.chars().nth(max).is_some() {
            self.bad(
                Kind::TooLong,
                pos,
                path,
                format!(
                    "{} is longer than the {max} characters allowed here",
                    quoted(text)
                ),
                None,
            );
            return None;
        }
        if let Some((at, c)) = quote::first_invisible(text) {
            self.bad(
                Kind::Invisible,
                pos,
                path,
                format!(
                    "{} has {} at character {at}, which cannot be seen",
                    quoted(text),
                    quote::describe(c)
                ),
                Some(if c == '\n' {
                    "write the value on one line (a `>-` block folds long text into one)".into()
                } else {
                    "type the value again rather than pasting it".into()
                }),
            );
            return None;
        }
        Some(())
    }

    /// A list or map with more entries than its bound: reported at the list, with the field's
    /// description as the hint (it says what the entries are for); only the first `max`
    /// entries are walked, so checks after the walk never meet more.
    fn too_many(&mut self, schema: &Json, pos: Pos, path: &str, found: usize, max: usize) {
        let what = if schema.get("maxItems").is_some() {
            "items"
        } else {
            "entries"
        };
        let hint = schema
            .get("description")
            .and_then(Json::as_str)
            .map(str::to_string);
        self.issues.push(Issue {
            kind: IssueKind::BadValue,
            pos,
            finding: Finding::new(
                path,
                format!(
                    "{} {what}, more than the {max} allowed here",
                    thousands(found)
                ),
            )
            .maybe_hint(hint)
            .kind(Kind::TooMany),
        });
    }

    /// Follows `$ref`s to the schema that says what the value is.
    fn resolve(&self, mut schema: &'s Json) -> &'s Json {
        // Bounded, so a reference cycle cannot spin forever.
        for _ in 0..16 {
            let Some(reference) = schema.get("$ref").and_then(Json::as_str) else {
                break;
            };
            let target = reference
                .strip_prefix("#/")
                .map(|p| p.split('/').try_fold(self.root, |s, k| s.get(k)));
            match target.flatten() {
                Some(t) => schema = t,
                None => break,
            }
        }
        schema
    }

    fn value(&mut self, node: &Node, schema: &'s Json, path: &str) -> Option<Json> {
        self.locations.insert(path.to_string(), node.pos);
        let schema = self.resolve(schema);
        if let Some(branches) = schema
            .get("anyOf")
            .or_else(|| schema.get("oneOf"))
            .and_then(Json::as_array)
        {
            return self.alternatives(node, branches, path);
        }
        if let Some(allowed) = schema.get("enum").and_then(Json::as_array) {
            let allowed: Vec<&str> = allowed.iter().filter_map(Json::as_str).collect();
            return self.one_of_strings(node, &allowed, path);
        }
        if let Some(constant) = schema.get("const").and_then(Json::as_str) {
            return self.one_of_strings(node, &[constant], path);
        }
        let types: Vec<&str> = match schema.get("type") {
            Some(Json::String(t)) => vec![t.as_str()],
            Some(Json::Array(ts)) => ts.iter().filter_map(Json::as_str).collect(),
            _ => return Some(to_json(node)),
        };
        if matches!(node.value, Value::Null) && types.contains(&"null") {
            return Some(Json::Null);
        }
        match types.iter().find(|t| **t != "null").copied() {
            Some("object") => self.object(node, schema, path),
            Some("array") => self.array(node, schema, path),
            Some("string") => self.string(node, schema, path),
            Some("integer") => self.integer(node, schema, path),
            Some("number") => match &node.value {
                Value::Int { value, .. } => Some(Json::from(*value)),
                Value::Float { value, .. } if value.is_finite() => Some(Json::from(*value)),
                other => self.bad(
                    Kind::WrongType,
                    node.pos,
                    path,
                    format!("expected a number, found {}", other.type_name()),
                    None,
                ),
            },
            Some("boolean") => match &node.value {
                Value::Bool(b) => Some(Json::Bool(*b)),
                Value::Str(s)
                    if s.len() <= 3
                        && ["yes", "no", "on", "off", "y", "n"]
                            .contains(&s.to_lowercase().as_str()) =>
                {
                    self.bad(
                        Kind::WrongType,
                        node.pos,
                        path,
                        format!("expected true or false, found the string `{s}`"),
                        Some(
                            "YAML 1.2 reads `yes`/`no`/`on`/`off` as strings; write true or false"
                                .into(),
                        ),
                    )
                }
                other => self.bad(
                    Kind::WrongType,
                    node.pos,
                    path,
                    format!("expected true or false, found {}", other.type_name()),
                    None,
                ),
            },
            _ => Some(to_json(node)),
        }
    }

    /// A value of the schema's shape standing in for a bad or missing one. Checks under the
    /// damaged object are suppressed, so its content only has to deserialize.
    fn placeholder(&self, schema: &'s Json, depth: usize) -> Json {
        let schema = self.resolve(schema);
        if depth > 32 {
            return Json::Null;
        }
        if let Some(branches) = schema
            .get("anyOf")
            .or_else(|| schema.get("oneOf"))
            .and_then(Json::as_array)
        {
            let branches: Vec<&Json> = branches.iter().map(|b| self.resolve(b)).collect();
            if branches
                .iter()
                .any(|b| b.get("type").and_then(Json::as_str) == Some("null"))
            {
                return Json::Null;
            }
            return branches
                .first()
                .map_or(Json::Null, |b| self.placeholder(b, depth + 1));
        }
        if let Some(first) = schema
            .get("enum")
            .and_then(Json::as_array)
            .and_then(|e| e.first())
        {
            return first.clone();
        }
        if let Some(constant) = schema.get("const") {
            return constant.clone();
        }
        let kind = match schema.get("type") {
            Some(Json::String(t)) => t.as_str(),
            Some(Json::Array(ts)) if ts.iter().any(|t| t == "null") => return Json::Null,
            _ => "null",
        };
        match kind {
            "object" => {
                let properties = schema.get("properties").and_then(Json::as_object);
                let required = schema
                    .get("required")
                    .and_then(Json::as_array)
                    .into_iter()
                    .flatten();
                let fields = required.filter_map(Json::as_str).map(|name| {
                    let field = properties.and_then(|p| p.get(name)).unwrap_or(&Json::Null);
                    (name.to_string(), self.placeholder(field, depth + 1))
                });
                Json::Object(fields.collect())
            }
            "array" => Json::Array(Vec::new()),
            "string" => Json::String(String::new()),
            "integer" => Json::from(schema.get("minimum").and_then(Json::as_i64).unwrap_or(0)),
            "number" => Json::from(0),
            "boolean" => Json::Bool(false),
            _ => Json::Null,
        }
    }

    /// `Option<T>` (a branch of type null) and enums whose variants carry descriptions.
    fn alternatives(&mut self, node: &Node, branches: &'s [Json], path: &str) -> Option<Json> {
        let branches: Vec<&'s Json> = branches.iter().map(|b| self.resolve(b)).collect();
        let is_null = |b: &&Json| b.get("type").and_then(Json::as_str) == Some("null");
        if matches!(node.value, Value::Null) && branches.iter().any(is_null) {
            return Some(Json::Null);
        }
        let constants: Option<Vec<&str>> = branches
            .iter()
            .map(|b| b.get("const").and_then(Json::as_str))
            .collect();
        if let Some(constants) = constants {
            return self.one_of_strings(node, &constants, path);
        }
        let rest: Vec<&Json> = branches.into_iter().filter(|b| !is_null(b)).collect();
        match rest.as_slice() {
            [only] => self.value(node, only, path),
            _ => Some(to_json(node)),
        }
    }

    fn one_of_strings(&mut self, node: &Node, allowed: &[&str], path: &str) -> Option<Json> {
        let listed = allowed
            .iter()
            .map(|a| format!("`{a}`"))
            .collect::<Vec<_>>()
            .join(", ");
        match &node.value {
            Value::Str(s) if allowed.contains(&s.as_str()) => Some(Json::String(s.clone())),
            Value::Str(s) => {
                let hint = did_you_mean(s, allowed.iter().copied());
                self.bad(
                    Kind::NotAllowed,
                    node.pos,
                    path,
                    format!("{} is not one of {listed}", quoted(s)),
                    hint,
                )
            }
            other => self.bad(
                Kind::WrongType,
                node.pos,
                path,
                format!("expected one of {listed}, found {}", other.type_name()),
                None,
            ),
        }
    }

    fn object(&mut self, node: &Node, schema: &'s Json, path: &str) -> Option<Json> {
        let Value::Map(entries) = &node.value else {
            return self.bad(
                Kind::WrongType,
                node.pos,
                path,
                format!("expected a mapping, found {}", node.value.type_name()),
                None,
            );
        };
        let properties = schema.get("properties").and_then(Json::as_object);
        let additional = schema.get("additionalProperties");
        let entries = match bound(schema, "maxProperties") {
            Some(max) if entries.len() > max => {
                self.too_many(schema, node.pos, path, entries.len(), max);
                &entries[..max]
            }
            _ => &entries[..],
        };
        let key_schema = schema.get("propertyNames").unwrap_or(&Json::Null);
        let mut out = Map::new();
        for entry in entries {
            let key_path = child_path(path, &entry.key);
            let property = properties.and_then(|p| p.get(&entry.key));
            let field_schema = match (property, additional) {
                (Some(p), _) => p,
                (None, Some(a)) if a.is_object() => {
                    self.locations.insert(key_path.clone(), entry.key_pos);
                    self.free_keys.push(key_path.clone());
                    if self
                        .text(entry.key_pos, &key_path, &entry.key, key_schema)
                        .is_none()
                    {
                        continue;
                    }
                    a
                }
                _ => {
                    // The walk meets unknown fields in file order, and the cap shows the first
                    // of them only: a hint past those would never be read.
                    self.unknown_fields += 1;
                    let hint = (self.unknown_fields <= PER_KIND).then(|| {
                        let known: Vec<&str> = properties
                            .into_iter()
                            .flat_map(|p| p.keys())
                            .map(String::as_str)
                            .collect();
                        did_you_mean(&entry.key, known.iter().copied())
                            .unwrap_or_else(|| format!("allowed here: {}", known.join(", ")))
                    });
                    self.issues.push(Issue {
                        kind: IssueKind::UnknownField,
                        pos: entry.key_pos,
                        finding: Finding::new(
                            key_path,
                            format!("unknown field {}", quoted(&entry.key)),
                        )
                        .maybe_hint(hint)
                        .kind(Kind::UnknownField),
                    });
                    continue;
                }
            };
            let value = self
                .value(&entry.value, field_schema, &key_path)
                .unwrap_or_else(|| self.placeholder(field_schema, 0));
            out.insert(entry.key.clone(), value);
        }
        let required = schema.get("required").and_then(Json::as_array);
        for name in required.into_iter().flatten().filter_map(Json::as_str) {
            if !entries.iter().any(|e| e.key == name) {
                self.bad(
                    Kind::MissingField,
                    node.pos,
                    &child_path(path, name),
                    format!("missing required field `{name}`"),
                    None,
                );
                let field_schema = properties.and_then(|p| p.get(name)).unwrap_or(&Json::Null);
                out.insert(name.to_string(), self.placeholder(field_schema, 0));
            }
        }
        Some(Json::Object(out))
    }

    fn array(&mut self, node: &Node, schema: &'s Json, path: &str) -> Option<Json> {
        let Value::Seq(items) = &node.value else {
            let hint = matches!(node.value, Value::Str(_) | Value::Int { .. }).then(|| {
                "write a list, for example `[value]` or one `- value` per line".to_string()
            });
            return self.bad(
                Kind::WrongType,
                node.pos,
                path,
                format!("expected a list, found {}", node.value.type_name()),
                hint,
            );
        };
        let items = match bound(schema, "maxItems") {
            Some(max) if items.len() > max => {
                self.too_many(schema, node.pos, path, items.len(), max);
                &items[..max]
            }
            _ => &items[..],
        };
        let item_schema = schema.get("items").unwrap_or(&Json::Null);
        let out = items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                // A placeholder, not a gap: later checks must see the same indexes as the file.
                self.value(item, item_schema, &format!("{path}[{i}]"))
                    .unwrap_or_else(|| self.placeholder(item_schema, 0))
            })
            .collect();
        Some(Json::Array(out))
    }

    fn string(&mut self, node: &Node, schema: &Json, path: &str) -> Option<Json> {
        match &node.value {
            // Plain numbers stand for their text (`version: 1.30` is "1.30", not 1.3).
            Value::Str(s) | Value::Int { raw: s, .. } | Value::Float { raw: s, .. } => {
                self.text(node.pos, path, s, schema)?;
                Some(Json::String(s.clone()))
            }
            other => {
                let hint = matches!(other, Value::Bool(_))
                    .then(|| "quote the value to make it a string".to_string());
                self.bad(
                    Kind::WrongType,
                    node.pos,
                    path,
                    format!("expected a string, found {}", other.type_name()),
                    hint,
                )
            }
        }
    }

    fn integer(&mut self, node: &Node, schema: &Json, path: &str) -> Option<Json> {
        let min = schema.get("minimum").and_then(Json::as_i64);
        let max = schema.get("maximum").and_then(Json::as_i64);
        let range = match (min, max) {
            (Some(lo), Some(hi)) => format!("a whole number from {lo} to {hi}"),
            (Some(0), None) => "a whole number, 0 or more".to_string(),
            _ => "a whole number".to_string(),
        };
        match &node.value {
            Value::Int { value, .. }
                if min.is_none_or(|m| *value >= m) && max.is_none_or(|m| *value <= m) =>
            {
                Some(Json::from(*value))
            }
            Value::Int { value, .. } => self.bad(
                Kind::OutOfRange,
                node.pos,
                path,
                format!("expected {range}, found {value}"),
                None,
            ),
            Value::Str(s) if s.trim().parse::<i64>().is_ok() => self.bad(
                Kind::WrongType,
                node.pos,
                path,
                format!("expected {range}, found the string \"{s}\""),
                Some("remove the quotes".into()),
            ),
            other => self.bad(
                Kind::WrongType,
                node.pos,
                path,
                format!("expected {range}, found {}", other.type_name()),
                None,
            ),
        }
    }
}

#[cfg(test)]
mod tests;
