//! The one place YAML is parsed: text in, a tree of located nodes out.
//!
//! Everything later (the stack's schema walk, manifests) works on [`Node`]s so that every error
//! can name a line and column. The builder is iterative and bounded — nesting depth and the
//! number of nodes (aliases included) are capped — so no input can overflow the stack or
//! expand an alias bomb into gigabytes.

mod emit;
mod error;
mod parse;
mod scalar;
#[cfg(test)]
mod tests;
mod tree;

pub use emit::{to_json, to_yaml};
pub use error::YamlError;
pub use parse::parse_documents;
pub use tree::{Entry, Node, Pos, Value};
