//! The stack file: its format, and loading it into a [`ValidStack`] with every problem reported.

pub mod diagnostic;
pub mod image;
pub mod limits;
mod network;
pub mod regions;
pub mod semantic;
mod structure;
pub mod suggest;
pub mod types;

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use diagnostic::Diagnostic;
pub use semantic::ResolvedNetwork;
use structure::IssueKind;
use types::{Role, Stack};

use crate::yaml::{self, Pos};

/// Stack files are a few kilobytes; anything near this is a mistake, refused before parsing.
pub const MAX_STACK_BYTES: u64 = limits::FILE_BYTES;

/// A stack that passed every check, with its networks resolved to blocks.
#[derive(Debug, Clone)]
pub struct ValidStack {
    pub stack: Stack,
    /// Per region, in `spec.regions` order.
    pub networks: Vec<ResolvedNetwork>,
    /// Where each field path written in the file starts.
    positions: HashMap<String, Pos>,
    /// `sha256:` and the hex digest of the file as read: which stack file a run applied.
    pub digest: String,
    /// The file as its diagnostics name it.
    pub file: String,
}

impl ValidStack {
    pub fn name(&self) -> &str {
        &self.stack.metadata.name
    }

    /// Where `path` (`spec.regions[1].loadBalancer.scheme`) is written in the file, or the
    /// nearest enclosing field that is (a default has no place of its own).
    pub fn position(&self, path: &str) -> Pos {
        position_in(&self.positions, path)
    }

    /// A problem found later (a `source` folder that cannot be read), placed at `path`.
    pub fn diagnostic(&self, path: &str, message: String, hint: Option<String>) -> Diagnostic {
        Diagnostic::new(&self.file, self.position(path), path, message, hint)
    }

    /// Index of the region with `role`; validation guarantees exactly one.
    pub fn index_of_role(&self, role: Role) -> usize {
        self.stack
            .spec
            .regions
            .iter()
            .position(|r| r.role == role)
            .unwrap_or_default()
    }

    fn index_of_name(&self, name: &str) -> Option<usize> {
        self.stack.spec.regions.iter().position(|r| r.name == name)
    }

    /// (requester, accepter) region indexes of the peering.
    pub fn peering_ends(&self) -> (usize, usize) {
        let peering = &self.stack.spec.peering;
        let requester = peering
            .requester
            .as_deref()
            .and_then(|n| self.index_of_name(n));
        let accepter = peering
            .accepter
            .as_deref()
            .and_then(|n| self.index_of_name(n));
        (
            requester.unwrap_or_else(|| self.index_of_role(Role::Frontend)),
            accepter.unwrap_or_else(|| self.index_of_role(Role::Backend)),
        )
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read stack file {path}{}", looked_for(path, absolute))]
    Read {
        /// As given.
        path: String,
        /// Where that is from the current directory (the same for an absolute path).
        absolute: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {} problem(s) found", diagnostic::count(diagnostics))]
    Invalid {
        path: String,
        diagnostics: Vec<Diagnostic>,
    },
}

/// ` (looked for /abs/path)` when `path` is relative: where a relative path led.
fn looked_for(path: &str, absolute: &Path) -> String {
    if Path::new(path) == absolute {
        String::new()
    } else {
        format!(" (looked for {})", absolute.display())
    }
}

/// Reads and validates the stack at `path`.
pub fn load(path: &Path) -> Result<ValidStack, LoadError> {
    let label = path.display().to_string();
    let read_error = |source| LoadError::Read {
        path: label.clone(),
        absolute: std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()),
        source,
    };
    let file = std::fs::File::open(path).map_err(read_error)?;
    let mut bytes = Vec::new();
    // `take` bounds the read even for endless inputs such as /dev/zero.
    file.take(MAX_STACK_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(read_error)?;
    if bytes.len() as u64 > MAX_STACK_BYTES {
        let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        let size = if size > MAX_STACK_BYTES {
            format!("{:.1} MiB", size as f64 / (1024.0 * 1024.0))
        } else {
            "more than 1 MiB".to_string()
        };
        return Err(invalid(
            &label,
            vec![Diagnostic::new(
                &label,
                Pos { line: 1, column: 1 },
                "",
                format!("the file is {size}; stack files are limited to 1 MiB"),
                Some("is this really the stack file?".into()),
            )],
        ));
    }
    parse(&label, &bytes).map_err(|d| invalid(&label, d))
}

fn invalid(path: &str, diagnostics: Vec<Diagnostic>) -> LoadError {
    LoadError::Invalid {
        path: path.to_string(),
        diagnostics,
    }
}

/// Validates stack bytes; `file` only labels the diagnostics.
pub fn parse(file: &str, bytes: &[u8]) -> Result<ValidStack, Vec<Diagnostic>> {
    let at = |pos: Pos, path: &str, message: String, hint: Option<String>| {
        vec![Diagnostic::new(file, pos, path, message, hint)]
    };
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text.strip_prefix('\u{feff}').unwrap_or(text),
        Err(e) => {
            let good = &bytes[..e.valid_up_to()];
            let line = good.iter().filter(|b| **b == b'\n').count() + 1;
            let line_start = good.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
            let column = String::from_utf8_lossy(&good[line_start..]).chars().count() + 1;
            return Err(at(
                Pos { line, column },
                "",
                format!(
                    "the file is not UTF-8 text (invalid byte at offset {})",
                    e.valid_up_to()
                ),
                Some("save the stack as UTF-8".into()),
            ));
        }
    };
    let documents = yaml::parse_documents_within(text, limits::NODES)
        .map_err(|e| at(e.pos, "", e.message, None))?;
    let root = match documents.as_slice() {
        [] => {
            return Err(at(
                Pos { line: 1, column: 1 },
                "",
                "the file is empty; expected a Stack document".into(),
                Some("start from stacks/minimal.yaml".into()),
            ));
        }
        [root] => root,
        [_, second, ..] => {
            return Err(at(
                second.pos,
                "",
                "a stack file holds one YAML document, found more".into(),
                Some("remove the `---` separator and what follows, or split the file".into()),
            ));
        }
    };

    let schema = serde_json::to_value(schemars::schema_for!(Stack)).unwrap_or_default();
    let walked = structure::walk(root, &schema);
    let position = |path: &str| position_in(&walked.locations, path);
    let damaged: Vec<String> = walked
        .issues
        .iter()
        .filter(|i| i.kind == IssueKind::BadValue)
        .map(|i| i.finding.path.clone())
        .collect();
    let mut diagnostics: Vec<Diagnostic> = walked
        .issues
        .into_iter()
        .map(|issue| Diagnostic::of_finding(file, issue.pos, issue.finding))
        .collect();

    let stack = match serde_json::from_value::<Stack>(walked.json) {
        Ok(stack) => stack,
        Err(e) => {
            // The walk guarantees the shape, so this is a bug in the walker, not the file.
            diagnostics.push(Diagnostic::new(
                file,
                root.pos,
                "",
                format!("internal error: the checked stack does not deserialize: {e}"),
                None,
            ));
            diagnostics.sort_by_key(|d| (d.line, d.column));
            return Err(diagnostic::cap(diagnostics));
        }
    };

    let (findings, networks) = semantic::check(&stack);
    for finding in findings {
        // A bad value was replaced by a placeholder: a check of that value, or of something
        // that aggregates it (sizes of a node group, roles of all regions), would only be noise.
        if damaged
            .iter()
            .any(|d| is_within(&finding.path, d) || is_within(d, &finding.path))
        {
            continue;
        }
        diagnostics.push(Diagnostic::of_finding(
            file,
            position(&finding.path),
            finding,
        ));
    }
    if !diagnostics.is_empty() {
        diagnostics.sort_by_key(|d| (d.line, d.column));
        return Err(diagnostic::cap(diagnostics));
    }
    let networks = networks.into_iter().flatten().collect();
    Ok(ValidStack {
        stack,
        networks,
        positions: walked.locations,
        digest: digest(bytes),
        file: file.to_string(),
    })
}

/// The position of `path`, else of its nearest ancestor in `positions`; the root's is 1:1.
fn position_in(positions: &HashMap<String, Pos>, path: &str) -> Pos {
    let mut path = path;
    loop {
        if let Some(pos) = positions.get(path) {
            return *pos;
        }
        match parent(path) {
            Some(p) => path = p,
            None => return Pos { line: 1, column: 1 },
        }
    }
}

/// `spec.regions[0].cidr` -> `spec.regions[0]` -> `spec.regions` -> `spec` -> ``.
fn parent(path: &str) -> Option<&str> {
    if path.is_empty() {
        return None;
    }
    let cut = path.rfind(['.', '[']).unwrap_or(0);
    Some(&path[..cut])
}

fn is_within(path: &str, ancestor: &str) -> bool {
    ancestor.is_empty()
        || path == ancestor
        || path
            .strip_prefix(ancestor)
            .is_some_and(|rest| rest.starts_with(['.', '[']))
}

#[cfg(test)]
mod tests;

/// `sha256:<hex>` of the file's bytes.
pub fn digest(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let hash = Sha256::digest(bytes);
    let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}
