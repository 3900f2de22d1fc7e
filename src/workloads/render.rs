//! From a workload's folder of manifests to the objects to apply: every `*.yaml`/`*.yml` file in
//! name order, `${name}` placeholders filled in from the stack and its outputs (plain text
//! substitution before parsing, so `replicas: ${replicas}` stays a number), each document
//! parsed, and every object labelled as the stack's.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value as Json;

use super::source;
use crate::stack::ValidStack;
use crate::stack::diagnostic::Diagnostic;
use crate::stack::image;
use crate::stack::suggest::did_you_mean;
use crate::stack::types::{Role, WorkloadSpec};
use crate::yaml::{self, Node, Pos};

/// Every object the tool applies carries these, so discovery and pruning find them by label.
pub const LABEL_STACK: &str = "multiregion.dev/stack";
pub const LABEL_WORKLOAD: &str = "multiregion.dev/workload";
/// The stack's name for the region (`c1`): two regions pointed at one cluster (one local
/// cluster for both, say) must not prune each other's objects.
pub const LABEL_REGION: &str = "multiregion.dev/region";
pub const LABEL_MANAGED_BY: &str = "app.kubernetes.io/managed-by";

/// A manifest file is a few kilobytes; a bound keeps a wrong `source` harmless.
const MAX_MANIFEST_BYTES: u64 = 1024 * 1024;

/// Values that exist only once the stack is up. Before then (offline, or planning an empty
/// account) placeholders stand in, in the reserved `.invalid` domain so they can never resolve.
#[derive(Debug, Clone, Default)]
pub struct Outputs {
    /// DNS name of the backend region's load balancer.
    pub backend_dns: Option<String>,
}

const BACKEND_DNS_UNKNOWN: &str = "backend-load-balancer.invalid";

/// One object from one document of one file.
#[derive(Debug, Clone, PartialEq)]
pub struct Manifest {
    /// The file as the user would name it (the stack's folder joined with `source`).
    pub file: String,
    /// 1-based index of the document in its file.
    pub document: usize,
    pub object: Json,
    /// The parsed document, to point errors at a line.
    pub node: Node,
}

impl Manifest {
    pub fn api_version(&self) -> &str {
        self.object["apiVersion"].as_str().unwrap_or_default()
    }

    pub fn kind(&self) -> &str {
        self.object["kind"].as_str().unwrap_or_default()
    }

    pub fn name(&self) -> &str {
        self.object["metadata"]["name"].as_str().unwrap_or_default()
    }

    pub fn namespace(&self) -> Option<&str> {
        self.object["metadata"]["namespace"].as_str()
    }

    /// `Deployment frontend/frontend`, as people say it.
    pub fn describe(&self) -> String {
        match self.namespace() {
            Some(ns) => format!("{} {ns}/{}", self.kind(), self.name()),
            None => format!("{} {}", self.kind(), self.name()),
        }
    }

    /// Where the value at a field path was written, or as near as the path exists.
    pub fn pos_of(&self, path: &[PathPart]) -> Pos {
        self.locate(path, false)
    }

    /// Where the key that ends a field path was written: the place of a misspelt field.
    pub fn key_pos_of(&self, path: &[PathPart]) -> Pos {
        self.locate(path, true)
    }

    fn locate(&self, path: &[PathPart], key_of_last: bool) -> Pos {
        let mut node = &self.node;
        for (i, part) in path.iter().enumerate() {
            let last = i + 1 == path.len();
            match (part, &node.value) {
                (PathPart::Key(k), yaml::Value::Map(entries)) => {
                    match entries.iter().find(|e| &e.key == k) {
                        Some(e) if last && key_of_last => return e.key_pos,
                        Some(e) => node = &e.value,
                        None => break,
                    }
                }
                (PathPart::Index(i), yaml::Value::Seq(items)) => match items.get(*i) {
                    Some(n) => node = n,
                    None => break,
                },
                _ => break,
            }
        }
        node.pos
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum PathPart {
    Key(String),
    Index(usize),
}

/// `spec.template.spec.containers[0].image`.
pub fn path_text(path: &[PathPart]) -> String {
    let mut out = String::new();
    for part in path {
        match part {
            PathPart::Key(k) if out.is_empty() => out.push_str(k),
            PathPart::Key(k) => {
                out.push('.');
                out.push_str(k);
            }
            PathPart::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// A workload's objects, ready for the cluster of `region`.
#[derive(Debug, Clone)]
pub struct RenderedWorkload {
    /// The stack's name for the region (`c1`).
    pub region: String,
    pub manifests: Vec<Manifest>,
}

/// Every workload of the stack, or every problem found in any of them.
pub fn render_all(
    stack: &ValidStack,
    stack_dir: &Path,
    outputs: &Outputs,
) -> Result<Vec<RenderedWorkload>, Vec<Diagnostic>> {
    let mut rendered = Vec::new();
    let mut problems = Vec::new();
    for (k, workload) in stack.stack.spec.workloads.iter().enumerate() {
        let files = match source::manifest_files(stack_dir, workload) {
            Ok(files) => files,
            Err(e) => {
                let path = format!("spec.workloads[{k}].source");
                problems.push(stack.diagnostic(&path, e.to_string(), e.hint()));
                continue;
            }
        };
        let values = values(stack, workload, outputs);
        match render(stack.name(), workload, &files, &values) {
            Ok(manifests) => rendered.push(RenderedWorkload {
                region: workload.region.clone(),
                manifests,
            }),
            Err(mut found) => problems.append(&mut found),
        }
    }
    for (i, region) in stack.stack.spec.regions.iter().enumerate() {
        match super::autoscaler::render(stack, i) {
            Ok(Some(manifests)) => rendered.push(RenderedWorkload {
                region: region.name.clone(),
                manifests,
            }),
            Ok(None) => {}
            Err(mut found) => problems.append(&mut found),
        }
    }
    if problems.is_empty() {
        Ok(rendered)
    } else {
        Err(problems)
    }
}

/// The placeholders a workload's manifests may use, documented in `manifests/README.md`.
pub fn values(
    stack: &ValidStack,
    workload: &WorkloadSpec,
    outputs: &Outputs,
) -> BTreeMap<&'static str, String> {
    let regions = &stack.stack.spec.regions;
    let here = regions
        .iter()
        .position(|r| r.name == workload.region)
        .unwrap_or_default();
    let backend = stack.index_of_role(Role::Backend);
    let peer = if here == backend {
        stack.index_of_role(Role::Frontend)
    } else {
        backend
    };
    let backend_port = regions[backend]
        .load_balancer
        .listeners
        .first()
        .copied()
        .unwrap_or(80);
    let backend_dns = outputs
        .backend_dns
        .as_deref()
        .unwrap_or(BACKEND_DNS_UNKNOWN);
    let delay = workload.faults.delay.as_ref();
    let node_port = regions[here].load_balancer.target_port;
    BTreeMap::from([
        ("stack", stack.name().to_string()),
        ("workload", workload.name.clone()),
        ("region", regions[here].region.clone()),
        ("cluster", regions[here].cluster.name.clone()),
        ("image", image::with_tag(&workload.image, &workload.tag)),
        ("replicas", workload.replicas.to_string()),
        ("minReplicas", workload.autoscaling.min.to_string()),
        ("maxReplicas", workload.autoscaling.max.to_string()),
        ("cpuPercent", workload.autoscaling.cpu_percent.to_string()),
        ("nodePort", node_port.to_string()),
        ("vpcCidr", stack.networks[here].vpc.to_string()),
        ("peerCidr", stack.networks[peer].vpc.to_string()),
        ("backendUrl", format!("http://{backend_dns}:{backend_port}")),
        ("backendPort", backend_port.to_string()),
        ("randomError", workload.faults.errors.to_string()),
        ("randomDelay", delay.is_some().to_string()),
        ("delayMinMs", delay.map_or(0, |d| d.min_ms).to_string()),
        ("delayMaxMs", delay.map_or(0, |d| d.max_ms).to_string()),
    ])
}

/// One workload's manifests with `values` filled in and the stack's labels added.
pub fn render(
    stack_name: &str,
    workload: &WorkloadSpec,
    files: &[PathBuf],
    values: &BTreeMap<&'static str, String>,
) -> Result<Vec<Manifest>, Vec<Diagnostic>> {
    let mut manifests = Vec::new();
    let mut problems = Vec::new();
    for path in files {
        match render_file(path, values) {
            Ok(mut found) => manifests.append(&mut found),
            Err(mut found) => problems.append(&mut found),
        }
    }
    for m in &mut manifests {
        if let Err(d) = check_identity(m) {
            problems.push(d);
            continue;
        }
        add_labels(&mut m.object, stack_name, &workload.name, &workload.region);
    }
    if problems.is_empty() {
        Ok(manifests)
    } else {
        Err(problems)
    }
}

/// `stacks/../manifests/./app.yaml` as `manifests/app.yaml`, for messages only.
pub(super) fn tidy(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

fn render_file(
    path: &Path,
    values: &BTreeMap<&'static str, String>,
) -> Result<Vec<Manifest>, Vec<Diagnostic>> {
    use std::io::Read;
    let file = tidy(path).display().to_string();
    let at = |message: String| {
        let start = Pos { line: 1, column: 1 };
        vec![Diagnostic::new(&file, start, "", message, None)]
    };
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_MANIFEST_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| at(format!("cannot read: {e}")))?;
    if bytes.len() as u64 > MAX_MANIFEST_BYTES {
        return Err(at("manifest files are limited to 1 MiB".into()));
    }
    let text = String::from_utf8(bytes).map_err(|_| at("the file is not UTF-8 text".into()))?;
    render_text(&file, &text, values)
}

/// A file's text with `values` filled in, one manifest per document; `file` names it in
/// messages.
pub fn render_text(
    file: &str,
    text: &str,
    values: &BTreeMap<&'static str, String>,
) -> Result<Vec<Manifest>, Vec<Diagnostic>> {
    let at = |pos: Pos, message: String| vec![Diagnostic::new(file, pos, "", message, None)];
    let text = substitute(text, values)
        .map_err(|(pos, message, hint)| vec![Diagnostic::new(file, pos, "", message, hint)])?;
    let documents = yaml::parse_documents(&text).map_err(|e| at(e.pos, e.message))?;
    let mut manifests = Vec::new();
    for (i, node) in documents.into_iter().enumerate() {
        // An empty document (only comments, or a trailing `---`) is no object, as for kubectl.
        if node.value == yaml::Value::Null {
            continue;
        }
        manifests.push(Manifest {
            file: file.to_string(),
            document: i + 1,
            object: yaml::to_json(&node),
            node,
        });
    }
    Ok(manifests)
}

type SubstitutionError = (Pos, String, Option<String>);

/// `${name}` becomes its value; `$${` stays a literal `${`. Values never hold a line break, so
/// line numbers after substitution are still the file's.
pub fn substitute(
    text: &str,
    values: &BTreeMap<&'static str, String>,
) -> Result<String, SubstitutionError> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut pos = Pos { line: 1, column: 1 };
    let advance = |pos: &mut Pos, s: &str| {
        for c in s.chars() {
            if c == '\n' {
                pos.line += 1;
                pos.column = 1;
            } else {
                pos.column += 1;
            }
        }
    };
    while let Some(i) = rest.find('$') {
        let (before, from) = rest.split_at(i);
        out.push_str(before);
        advance(&mut pos, before);
        if let Some(after) = from.strip_prefix("$${") {
            out.push_str("${");
            advance(&mut pos, "$${");
            rest = after;
        } else if let Some(after) = from.strip_prefix("${") {
            let end = after.find('}').filter(|&e| !after[..e].contains('\n'));
            let Some(end) = end else {
                return Err((pos, "`${` without its closing `}`".into(), None));
            };
            let name = &after[..end];
            let Some(value) = values.get(name) else {
                let hint = did_you_mean(name, values.keys().copied()).or_else(|| {
                    Some(format!(
                        "known placeholders: {}; write `$${{` for a literal `${{`",
                        values.keys().copied().collect::<Vec<_>>().join(", ")
                    ))
                });
                return Err((pos, format!("unknown placeholder `${{{name}}}`"), hint));
            };
            out.push_str(value);
            advance(&mut pos, &from[..end + 3]);
            rest = &after[end + 1..];
        } else {
            out.push('$');
            advance(&mut pos, "$");
            rest = &from[1..];
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// Every object needs `apiVersion`, `kind` and `metadata.name` to be applied at all.
fn check_identity(m: &Manifest) -> Result<(), Diagnostic> {
    let problem = |path: &[PathPart], message: &str| {
        Diagnostic::new(
            &m.file,
            m.pos_of(path),
            &path_text(path),
            format!("document {}: {message}", m.document),
            None,
        )
    };
    if !m.object.is_object() {
        return Err(problem(&[], "a Kubernetes object must be a mapping"));
    }
    for key in ["apiVersion", "kind"] {
        if m.object[key].as_str().is_none_or(str::is_empty) {
            return Err(problem(
                &[PathPart::Key(key.into())],
                &format!("`{key}` is required"),
            ));
        }
    }
    let name_path = [
        PathPart::Key("metadata".into()),
        PathPart::Key("name".into()),
    ];
    if m.object["metadata"]["name"]
        .as_str()
        .is_none_or(str::is_empty)
    {
        return Err(problem(&name_path, "`metadata.name` is required"));
    }
    Ok(())
}

/// The stack's labels, over whatever labels the manifest sets: the stack's, the workload's
/// name and the stack's name for the region (`c1`).
pub fn add_labels(object: &mut Json, stack: &str, workload: &str, region: &str) {
    let Some(metadata) = object.get_mut("metadata").and_then(Json::as_object_mut) else {
        return;
    };
    let labels = metadata
        .entry("labels")
        .or_insert_with(|| Json::Object(Default::default()));
    // Labels that are not a mapping are left for the strict check to report.
    if let Some(labels) = labels.as_object_mut() {
        labels.insert(LABEL_STACK.into(), stack.into());
        labels.insert(LABEL_WORKLOAD.into(), workload.into());
        labels.insert(LABEL_REGION.into(), region.into());
        labels.insert(LABEL_MANAGED_BY.into(), "multiregion".into());
    }
}
