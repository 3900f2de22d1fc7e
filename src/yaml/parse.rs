//! Events in, tree out: the iterative builder with its depth and node budgets, and alias
//! expansion.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, Span};

use super::scalar::resolve_scalar;
use super::{Entry, Node, Pos, Value, YamlError};
use crate::quote::quoted;

/// Deeper nesting than this is refused; real stacks and manifests stay under 15.
pub const MAX_DEPTH: usize = 64;
/// Upper bound on nodes in one stream, counting every alias expansion.
pub const MAX_NODES: usize = 200_000;
/// Upper bound on scalar text in one stream, counting every alias expansion: a few aliases of
/// one long string would otherwise stay under the node budget and still take gigabytes.
pub const MAX_TEXT_BYTES: usize = 4 * 1024 * 1024;

/// Parses every document of a YAML stream. An empty stream gives no documents.
pub fn parse_documents(text: &str) -> Result<Vec<Node>, YamlError> {
    parse_documents_within(text, MAX_NODES)
}

/// [`parse_documents`] with a smaller node budget, for a format that is known to be small.
pub fn parse_documents_within(text: &str, max_nodes: usize) -> Result<Vec<Node>, YamlError> {
    let mut builder = Builder {
        max_nodes: max_nodes.min(MAX_NODES),
        ..Builder::default()
    };
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
        /// The budgets' counts when the collection started.
        first: Size,
        items: Vec<Node>,
    },
    Map {
        pos: Pos,
        anchor: usize,
        first: Size,
        entries: Vec<Entry>,
        key: Option<(String, Pos)>,
        /// Each key's hash and the entry that has it, so a duplicate is found without a scan.
        seen: HashMap<u64, usize>,
    },
}

/// What an anchored node costs again at each alias: its nodes and its scalar bytes.
#[derive(Clone, Copy)]
struct Size {
    nodes: usize,
    bytes: usize,
}

#[derive(Default)]
struct Builder {
    documents: Vec<Node>,
    frames: Vec<Frame>,
    /// Anchored nodes with their size, for alias expansion within budget.
    anchors: HashMap<usize, (Node, Size)>,
    nodes: usize,
    bytes: usize,
    max_nodes: usize,
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
                let size = Size {
                    nodes: 1,
                    bytes: text.len(),
                };
                self.count(pos, size)?;
                let value = resolve_scalar(&text, style, tag.as_deref(), pos)?;
                let node = Node { pos, value };
                if anchor != 0 {
                    self.anchors.insert(anchor, (node.clone(), size));
                }
                self.complete(node)
            }
            Event::Alias(id) => {
                let Some(size) = self.anchors.get(&id).map(|(_, size)| *size) else {
                    return Err(YamlError::at(pos, "alias refers to an unknown anchor"));
                };
                // Counted before the copy is made, so a bomb never gets built.
                self.count(pos, size)?;
                let node = self.anchors[&id].0.clone();
                self.complete(Node { pos, ..node })
            }
            Event::SequenceStart(anchor, ref tag) | Event::MappingStart(anchor, ref tag) => {
                if let Some(tag) = tag.as_deref()
                    && !tag.is_yaml_core_schema()
                {
                    return Err(YamlError::at(pos, format!("unsupported YAML tag `{tag}`")));
                }
                self.count(pos, Size { nodes: 1, bytes: 0 })?;
                if self.frames.len() >= MAX_DEPTH {
                    return Err(YamlError::at(
                        pos,
                        format!("nesting is deeper than {MAX_DEPTH} levels"),
                    ));
                }
                let first = Size {
                    nodes: self.nodes,
                    bytes: self.bytes,
                };
                self.frames
                    .push(if matches!(event, Event::SequenceStart(..)) {
                        Frame::Seq {
                            pos,
                            anchor,
                            first,
                            items: Vec::new(),
                        }
                    } else {
                        Frame::Map {
                            pos,
                            anchor,
                            first,
                            entries: Vec::new(),
                            key: None,
                            seen: HashMap::new(),
                        }
                    });
                Ok(())
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = self.frames.pop() else {
                    return Err(YamlError::at(pos, "unbalanced end of collection"));
                };
                let (node, anchor, first) = match frame {
                    Frame::Seq {
                        pos,
                        anchor,
                        first,
                        items,
                    } => (
                        Node {
                            pos,
                            value: Value::Seq(items),
                        },
                        anchor,
                        first,
                    ),
                    Frame::Map {
                        pos,
                        anchor,
                        first,
                        entries,
                        ..
                    } => (
                        Node {
                            pos,
                            value: Value::Map(entries),
                        },
                        anchor,
                        first,
                    ),
                };
                if anchor != 0 {
                    let size = Size {
                        nodes: self.nodes - first.nodes + 1,
                        bytes: self.bytes - first.bytes,
                    };
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

    fn count(&mut self, pos: Pos, size: Size) -> Result<(), YamlError> {
        self.nodes += size.nodes;
        self.bytes += size.bytes;
        if self.nodes > self.max_nodes {
            return Err(YamlError::at(
                pos,
                format!(
                    "the document expands to more than {} nodes (an alias bomb?); refusing to go on",
                    self.max_nodes
                ),
            ));
        }
        if self.bytes > MAX_TEXT_BYTES {
            return Err(YamlError::at(
                pos,
                format!(
                    "the document expands to more than {} MiB of text (an alias bomb?); refusing to go on",
                    MAX_TEXT_BYTES / (1024 * 1024)
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
            Some(Frame::Map {
                entries, key, seen, ..
            }) => match key.take() {
                None => {
                    let name = match node.value {
                        Value::Str(s) => s,
                        Value::Int { raw, .. } | Value::Float { raw, .. } => raw,
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
                    let same = |e: &&Entry| e.key == name;
                    let first = match seen.get(&hash_of(&name)) {
                        Some(&i) if entries[i].key == name => Some(&entries[i]),
                        // Two keys with one hash: rare enough for a scan.
                        Some(_) => entries.iter().find(same),
                        None => None,
                    };
                    if let Some(first) = first {
                        return Err(YamlError::at(
                            node.pos,
                            format!(
                                "duplicate key {} (first given at line {})",
                                quoted(&name),
                                first.key_pos.line
                            ),
                        ));
                    }
                    *key = Some((name, node.pos));
                }
                Some((name, key_pos)) => {
                    seen.entry(hash_of(&name)).or_insert(entries.len());
                    entries.push(Entry {
                        key: name,
                        key_pos,
                        value: node,
                    });
                }
            },
        }
        Ok(())
    }
}

fn hash_of(key: &str) -> u64 {
    use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
    // Fixed keys are enough: the index lives for one mapping, and keys whose 64-bit SipHash
    // collide take far more work to find than scanning them costs.
    BuildHasherDefault::<DefaultHasher>::default().hash_one(key)
}
