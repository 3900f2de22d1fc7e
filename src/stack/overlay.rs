//! Environments: an overlay file (`envs/dev.yaml`) laid over the base stack, field by field,
//! before the merged document is validated as one.
//!
//! Maps merge, scalars replace, lists of named items (regions, node groups, workloads, web
//! ACLs: every item a mapping with a `name`) merge by name, other lists replace. The merge
//! keeps every node's own position and remembers which parts the overlay wrote, so each
//! diagnostic names the file the value came from.

use super::structure::child_path;
use crate::yaml::{Node, Pos, Value, to_json};

/// The merged document and what the overlay did to it.
#[derive(Debug)]
pub struct Merged {
    pub root: Node,
    /// Paths in the merged document whose whole value the overlay wrote.
    pub from_overlay: Vec<String>,
    /// Keys the overlay writes that the base does not declare, with where the overlay has them.
    pub undeclared: Vec<(String, Pos)>,
}

/// `overlay` laid over `base`.
pub fn merge(base: &Node, overlay: &Node) -> Merged {
    let mut merged = Merged {
        root: base.clone(),
        from_overlay: Vec::new(),
        undeclared: Vec::new(),
    };
    let mut root = base.clone();
    merged.node(&mut root, overlay, "");
    merged.root = root;
    merged
}

impl Merged {
    fn node(&mut self, base: &mut Node, overlay: &Node, path: &str) {
        match (&mut base.value, &overlay.value) {
            (Value::Map(entries), Value::Map(changes)) => {
                for change in changes {
                    let key_path = child_path(path, &change.key);
                    match entries.iter_mut().find(|e| e.key == change.key) {
                        // The same value (a named item's `name`) changes nothing: it stays
                        // the base's.
                        Some(entry) if to_json(&entry.value) == to_json(&change.value) => {}
                        Some(entry) => {
                            if replaces(&entry.value, &change.value) {
                                entry.key_pos = change.key_pos;
                            }
                            self.node(&mut entry.value, &change.value, &key_path);
                        }
                        None => {
                            self.undeclared.push((key_path.clone(), change.key_pos));
                            self.from_overlay.push(key_path);
                            entries.push(change.clone());
                        }
                    }
                }
            }
            (Value::Seq(items), Value::Seq(changes)) if merges_by_name(items, changes) => {
                for change in changes {
                    let name = name_of(change);
                    match items.iter().position(|item| name_of(item) == name) {
                        Some(i) => self.node(&mut items[i], change, &format!("{path}[{i}]")),
                        None => {
                            self.from_overlay.push(format!("{path}[{}]", items.len()));
                            items.push(change.clone());
                        }
                    }
                }
            }
            _ => {
                *base = overlay.clone();
                self.from_overlay.push(path.to_string());
            }
        }
    }
}

/// Whether laying `overlay` on `base` replaces it whole (rather than merging into it).
fn replaces(base: &Node, overlay: &Node) -> bool {
    match (&base.value, &overlay.value) {
        (Value::Map(_), Value::Map(_)) => false,
        (Value::Seq(items), Value::Seq(changes)) => !merges_by_name(items, changes),
        _ => true,
    }
}

/// Lists of named items merge by name; an empty overlay list replaces the base's (it leaves
/// none), as any other list does.
fn merges_by_name(items: &[Node], changes: &[Node]) -> bool {
    !changes.is_empty() && named(items) && named(changes)
}

/// A list of named items: every item a mapping with a string `name`. (An empty list is one,
/// so an overlay can add named items to a base that has none.)
fn named(items: &[Node]) -> bool {
    items.iter().all(|item| name_of(item).is_some())
}

fn name_of(node: &Node) -> Option<&str> {
    let Value::Map(entries) = &node.value else {
        return None;
    };
    entries
        .iter()
        .find(|e| e.key == "name")
        .and_then(|e| match &e.value.value {
            Value::Str(s) => Some(s.as_str()),
            _ => None,
        })
}

/// Which file each part of a merged stack came from.
#[derive(Debug, Clone, Default)]
pub struct Origins {
    pub base: String,
    /// The overlay's file and the paths whose values it wrote.
    pub overlay: Option<(String, Vec<String>)>,
}

impl Origins {
    pub fn single(file: &str) -> Self {
        Origins {
            base: file.to_string(),
            overlay: None,
        }
    }

    /// The file that wrote the value at `path` (a path that is located in the document).
    pub fn file_of(&self, path: &str) -> &str {
        match &self.overlay {
            Some((file, paths)) if paths.iter().any(|p| super::is_within(path, p)) => file,
            _ => &self.base,
        }
    }

    /// For a finding on `path` (which the base wrote) about fields within it: the first path
    /// inside it that the overlay wrote and whose field the finding's `message` names (the
    /// node group sizes' finding names `desired`), so the finding points at that change.
    pub fn written_within(&self, path: &str, message: &str) -> Option<&str> {
        let (_, paths) = self.overlay.as_ref()?;
        if paths.iter().any(|p| super::is_within(path, p)) {
            return None;
        }
        let named = |p: &str| {
            let field = p.rsplit(['.', '[']).next().unwrap_or(p);
            !field.is_empty()
                && !field.ends_with(']')
                && message
                    .split(|c: char| !c.is_ascii_alphanumeric())
                    .any(|word| word == field)
        };
        paths
            .iter()
            .find(|p| p.as_str() != path && super::is_within(p, path) && named(p))
            .map(String::as_str)
    }

    /// The files, base first.
    pub fn files(&self) -> Vec<&str> {
        let mut files = vec![self.base.as_str()];
        files.extend(self.overlay.as_ref().map(|(f, _)| f.as_str()));
        files
    }
}
