//! The one place YAML is parsed: text in, a tree of located nodes out.
//!
//! Everything later (the stack's schema walk, manifests) works on [`Node`]s so that every error
//! can name a line and column. The builder is iterative and bounded — nesting depth, the
//! number of nodes and the bytes of scalar text (aliases expanded) are capped — so no input can
//! overflow the stack or expand an alias bomb into gigabytes; duplicate keys are found through
//! an index, so a mapping of many keys costs linear time.

mod emit;
mod error;
mod parse;
mod scalar;
#[cfg(test)]
mod tests;
mod tree;

pub use emit::{to_json, to_yaml};
pub use error::YamlError;
pub use parse::{parse_documents, parse_documents_within};
pub use tree::{Entry, Node, Pos, Value};
