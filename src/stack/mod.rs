//! The stack file: its format, and loading it into a [`ValidStack`] with every problem reported.

pub mod alerts;
pub mod arn;
pub mod autoscaler;
pub mod diagnostic;
pub mod eks_versions;
pub mod image;
pub mod limits;
mod network;
pub mod overlay;
pub mod read;
pub mod regions;
pub mod semantic;
mod structure;
pub mod suggest;
pub mod tls;
pub mod types;
pub mod usage;

use std::collections::HashMap;
use std::path::Path;

use diagnostic::Diagnostic;
pub use overlay::Origins;
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
    /// Which file (base or overlay) wrote each part.
    pub origins: Origins,
    /// The environment laid over the base (`--env`), if any.
    pub env: Option<String>,
    /// What the stack may hold but probably should not; no command stops for them.
    pub warnings: Vec<Diagnostic>,
    document: yaml::Node,
}

impl ValidStack {
    pub fn name(&self) -> &str {
        &self.stack.metadata.name
    }

    /// Where `path` (`spec.regions[1].loadBalancer.scheme`) is written in the file, or the
    /// nearest enclosing field that is (a default has no place of its own).
    pub fn position(&self, path: &str) -> Pos {
        place_in(&self.positions, path).1
    }

    /// The file and position where `path` is written (in the overlay, when it wrote it).
    pub fn place(&self, path: &str) -> (&str, Pos) {
        let (located, pos) = place_in(&self.positions, path);
        (self.origins.file_of(located), pos)
    }

    /// A problem found later (a `source` folder that cannot be read), placed at `path`.
    pub fn diagnostic(&self, path: &str, message: String, hint: Option<String>) -> Diagnostic {
        let (file, pos) = self.place(path);
        Diagnostic::new(file, pos, path, message, hint)
    }

    /// The stack as merged from its files, before defaults: what `render` prints.
    pub fn document(&self) -> &yaml::Node {
        &self.document
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
    #[error("there is no environment `{name}`: no overlay file {}", looked.display())]
    NoEnvironment {
        name: String,
        looked: std::path::PathBuf,
        /// The environments beside the stack (`envs/*.yaml`), sorted.
        available: Vec<String>,
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
    load_layers(path, None)
}

/// Reads the stack at `base`, lays the overlay at `overlay` over it (an environment), and
/// validates the merged stack as one.
pub fn load_layers(base: &Path, overlay: Option<&Path>) -> Result<ValidStack, LoadError> {
    let base = read::read(base)?;
    let overlay = overlay.map(read::read).transpose()?;
    let label = base.label.clone();
    parse_layers(&base, overlay.as_ref()).map_err(|d| invalid(&label, d))
}

/// The overlay file of environment `env`: `envs/NAME.yaml` beside the stack file, or `env`
/// itself when it is a path (holds a `/` or ends in `.yaml`/`.yml`).
pub fn overlay_path(base: &Path, env: &str) -> std::path::PathBuf {
    if env.contains('/') || env.ends_with(".yaml") || env.ends_with(".yml") {
        return std::path::PathBuf::from(env);
    }
    envs_dir(base).join(format!("{env}.yaml"))
}

fn envs_dir(base: &Path) -> std::path::PathBuf {
    base.parent().unwrap_or(Path::new("")).join("envs")
}

/// The stack at `base` in environment `env` (none: the base alone).
pub fn load_env(base: &Path, env: Option<&str>) -> Result<ValidStack, LoadError> {
    let Some(env) = env else {
        return load(base);
    };
    let overlay = overlay_path(base, env);
    if !overlay.is_file() && base.is_file() {
        let mut available: Vec<String> = std::fs::read_dir(envs_dir(base))
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                name.strip_suffix(".yaml").map(str::to_string)
            })
            .collect();
        available.sort();
        return Err(LoadError::NoEnvironment {
            name: env.to_string(),
            looked: overlay,
            available,
        });
    }
    let mut valid = load_layers(base, Some(&overlay))?;
    valid.env = Some(env.to_string());
    Ok(valid)
}

fn invalid(path: &str, diagnostics: Vec<Diagnostic>) -> LoadError {
    LoadError::Invalid {
        path: path.to_string(),
        diagnostics,
    }
}

/// Validates stack bytes; `file` only labels the diagnostics.
#[cfg(test)]
pub fn parse(file: &str, bytes: &[u8]) -> Result<ValidStack, Vec<Diagnostic>> {
    let base = read::Source {
        label: file.to_string(),
        bytes: bytes.to_vec(),
    };
    parse_layers(&base, None)
}

/// Validates a base stack with an optional overlay laid over it.
pub fn parse_layers(
    base: &read::Source,
    overlay: Option<&read::Source>,
) -> Result<ValidStack, Vec<Diagnostic>> {
    let base_root = read::document(&base.label, &base.bytes)?;
    let Some(overlay) = overlay else {
        let origins = Origins::single(&base.label);
        return validate(base_root, origins, Vec::new(), digest(&base.bytes));
    };
    let Some(overlay_root) = read::optional_document(&overlay.label, &overlay.bytes)? else {
        // Only comments: the environment is the base as it is.
        let origins = Origins {
            base: base.label.clone(),
            overlay: Some((overlay.label.clone(), Vec::new())),
        };
        return validate(base_root, origins, Vec::new(), digest(&base.bytes));
    };
    if !matches!(overlay_root.value, yaml::Value::Map(_)) {
        return Err(vec![Diagnostic::new(
            &overlay.label,
            overlay_root.pos,
            "",
            format!(
                "an overlay is a mapping of the stack fields it changes, found {}",
                overlay_root.value.type_name()
            ),
            Some("write the fields to change as in the stack: `spec: { regions: [...] }`".into()),
        )]);
    }
    let merged = overlay::merge(&base_root, &overlay_root);
    let origins = Origins {
        base: base.label.clone(),
        overlay: Some((overlay.label.clone(), merged.from_overlay)),
    };
    // Which stack a run applied: both files, in order.
    let mut both = base.bytes.clone();
    both.push(0);
    both.extend_from_slice(&overlay.bytes);
    validate(merged.root, origins, merged.undeclared, digest(&both))
}

/// Validates a (merged) document; `undeclared` are the keys an overlay adds to the base.
fn validate(
    root: yaml::Node,
    origins: Origins,
    undeclared: Vec<(String, Pos)>,
    digest: String,
) -> Result<ValidStack, Vec<Diagnostic>> {
    let schema = serde_json::to_value(schemars::schema_for!(Stack)).unwrap_or_default();
    let walked = structure::walk(&root, &schema);
    let damaged: Vec<String> = walked
        .issues
        .iter()
        .filter(|i| i.kind == IssueKind::BadValue)
        .map(|i| i.finding.path.clone())
        .collect();
    let unknown: Vec<String> = walked
        .issues
        .iter()
        .filter(|i| i.kind == IssueKind::UnknownField)
        .map(|i| i.finding.path.clone())
        .collect();
    let mut diagnostics: Vec<Diagnostic> = walked
        .issues
        .into_iter()
        .map(|issue| {
            let file = origins.file_of(&issue.finding.path);
            Diagnostic::of_finding(file, issue.pos, issue.finding)
        })
        .collect();
    // A misspelt key was told as unknown, with its did-you-mean; a known one the base leaves
    // out is told here.
    for (path, pos) in undeclared {
        if unknown.iter().any(|u| is_within(&path, u)) || walked.free_keys.contains(&path) {
            continue;
        }
        let field = path.rsplit(['.', '[']).next().unwrap_or(&path);
        diagnostics.push(
            Diagnostic::new(
                origins.file_of(&path),
                pos,
                &path,
                format!(
                    "the base stack does not declare `{path}`: an overlay may only change what \
                     the base declares, or add named items (regions, node groups, workloads, \
                     web ACLs)"
                ),
                Some(format!(
                    "write `{field}` in {} first, with the value the base should have, then \
                     change it here",
                    origins.base
                )),
            )
            .of_kind(diagnostic::Kind::NotAllowed),
        );
    }

    let stack = match serde_json::from_value::<Stack>(walked.json) {
        Ok(stack) => stack,
        Err(e) => {
            // The walk guarantees the shape, so this is a bug in the walker, not the file.
            diagnostics.push(Diagnostic::new(
                &origins.base,
                root.pos,
                "",
                format!("internal error: the checked stack does not deserialize: {e}"),
                None,
            ));
            return Err(ordered(diagnostics, &origins));
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
        let (file, pos) = match origins.written_within(&finding.path, &finding.message) {
            // A finding on what holds values the overlay changed (the sizes of a node group):
            // the overlay's change is what to look at.
            Some(changed) => (
                origins.file_of(changed),
                place_in(&walked.locations, changed).1,
            ),
            None => {
                let (located, pos) = place_in(&walked.locations, &finding.path);
                (origins.file_of(located), pos)
            }
        };
        diagnostics.push(Diagnostic::of_finding(file, pos, finding));
    }
    if !diagnostics.is_empty() {
        return Err(ordered(diagnostics, &origins));
    }
    let networks = networks.into_iter().flatten().collect();
    let warnings = semantic::warnings(&stack)
        .into_iter()
        .map(|finding| {
            let (located, pos) = place_in(&walked.locations, &finding.path);
            Diagnostic::of_finding(origins.file_of(located), pos, finding)
        })
        .collect();
    Ok(ValidStack {
        warnings,
        stack,
        networks,
        positions: walked.locations,
        digest,
        origins,
        env: None,
        document: root,
    })
}

/// Base file first, then the overlay; each in the order of the file; then capped.
fn ordered(mut diagnostics: Vec<Diagnostic>, origins: &Origins) -> Vec<Diagnostic> {
    diagnostics.sort_by_key(|d| (d.file != origins.base, d.line, d.column));
    diagnostic::cap(diagnostics)
}

/// The nearest path to `path` (itself or an ancestor) written in the document, and where.
fn place_in<'p>(positions: &HashMap<String, Pos>, path: &'p str) -> (&'p str, Pos) {
    let mut path = path;
    loop {
        if let Some(pos) = positions.get(path) {
            return (path, *pos);
        }
        match parent(path) {
            Some(p) => path = p,
            None => return ("", Pos { line: 1, column: 1 }),
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
mod overlay_tests;
#[cfg(test)]
mod tests;

/// `sha256:<hex>` of the file's bytes.
pub fn digest(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let hash = Sha256::digest(bytes);
    let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}
