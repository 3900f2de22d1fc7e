//! How an error is told: one type every command returns, rendered in one place (`main`) — the
//! message, its causes once each, then what to do — as text on stderr and, under
//! `--output json`, as the one JSON document on stdout.

use serde::Serialize;

use crate::exit::Exit;

/// `error: outer` followed by each cause on its own line.
pub fn error_chain(error: &dyn std::error::Error) -> String {
    format!("error: {}", cause_chain(error))
}

/// The error and its causes, one per line, without the `error:` lead (for reports and
/// warnings that say their own lead).
pub fn cause_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    for cause in causes(error) {
        text.push_str(&format!("\n  caused by: {cause}"));
    }
    text
}

/// Each cause under `error`, once: a cause whose text its parent already says is left out.
fn causes(error: &dyn std::error::Error) -> Vec<String> {
    let mut said = error.to_string();
    let mut out = Vec::new();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !said.contains(&text) {
            out.push(text.clone());
        }
        said = text;
        source = cause.source();
    }
    out
}

/// Why a command failed, and what to do about it (boxed: it travels in every `Result`).
#[derive(Debug, Clone)]
pub struct CliError(Box<Failure>);

#[derive(Debug, Clone, Serialize)]
pub struct Failure {
    pub message: String,
    pub causes: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// Problems found in the stack or its manifests, each said before the error.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub diagnostics: Vec<serde_json::Value>,
    #[serde(skip)]
    lines: Vec<String>,
    #[serde(skip)]
    exit: Exit,
}

impl std::ops::Deref for CliError {
    type Target = Failure;
    fn deref(&self) -> &Failure {
        &self.0
    }
}

impl CliError {
    pub fn new(message: impl Into<String>) -> Self {
        CliError(Box::new(Failure {
            message: message.into(),
            causes: Vec::new(),
            hint: None,
            diagnostics: Vec::new(),
            lines: Vec::new(),
            exit: Exit::Error,
        }))
    }

    /// From a typed error: its message, its causes, and the hint the innermost error that has
    /// one gives (credentials, endpoints, permissions, throttling).
    pub fn from_error(error: &(dyn std::error::Error + 'static)) -> Self {
        let mut e = CliError::new(error.to_string());
        e.0.causes = causes(error);
        e.0.hint = hint_of(error);
        e
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.0.hint = Some(hint.into());
        self
    }

    pub fn with_exit(mut self, exit: Exit) -> Self {
        self.0.exit = exit;
        self
    }

    /// The exit status the command ends with.
    pub fn exit(&self) -> Exit {
        self.0.exit
    }

    /// Problems to say before the error, one block each, and to carry in its JSON.
    pub fn with_diagnostics<D: Serialize + std::fmt::Display>(mut self, found: &[D]) -> Self {
        self.0.lines = found.iter().map(|d| format!("error: {d}")).collect();
        self.0.diagnostics = found
            .iter()
            .filter_map(|d| serde_json::to_value(d).ok())
            .collect();
        self
    }

    /// The text on stderr: diagnostics, `error: message`, each cause, then `hint:`.
    pub fn to_text(&self) -> String {
        let mut text: Vec<String> = self.lines.clone();
        text.push(format!("error: {}", self.message));
        for c in &self.causes {
            text.push(format!("  caused by: {c}"));
        }
        if let Some(h) = &self.hint {
            text.push(format!("  hint: {h}"));
        }
        text.join("\n")
    }

    /// `{"error": {...}}`: the JSON document of a failed command.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({ "error": &*self.0 })
    }
}

/// The older text form (`error: what\n  caused by: …\n  hint: …`) read back into its parts, so
/// messages built as text keep their hint apart.
impl From<String> for CliError {
    fn from(text: String) -> Self {
        let mut lines = text.lines();
        let first = lines.next().unwrap_or_default();
        let mut e = CliError::new(first.strip_prefix("error: ").unwrap_or(first));
        let f = &mut e.0;
        for line in lines {
            let line = line.trim_start();
            if let Some(h) = line.strip_prefix("hint: ") {
                f.hint = Some(match f.hint.take() {
                    Some(before) => format!("{before}; {h}"),
                    None => h.to_string(),
                });
            } else if let Some(c) = line.strip_prefix("caused by: ") {
                f.causes.push(c.to_string());
            } else if !line.is_empty() {
                f.causes.push(line.to_string());
            }
        }
        e
    }
}

impl From<&str> for CliError {
    fn from(text: &str) -> Self {
        CliError::from(text.to_string())
    }
}

/// What to do, from the innermost error in the chain that knows.
fn hint_of(error: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut hint = None;
    let mut next = Some(error);
    while let Some(e) = next {
        if let Some(p) = e.downcast_ref::<crate::providers::ProviderError>()
            && let Some(h) = p.hint()
        {
            hint = Some(h);
        }
        next = e.source();
    }
    hint
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_form_is_read_back_into_its_parts() {
        let e = CliError::from(
            "error: discovery failed\n  caused by: DescribeVpcs: boom\n  hint: run again"
                .to_string(),
        );
        assert_eq!(e.message, "discovery failed");
        assert_eq!(e.causes, ["DescribeVpcs: boom"]);
        assert_eq!(e.hint.as_deref(), Some("run again"));
        assert_eq!(
            e.to_text(),
            "error: discovery failed\n  caused by: DescribeVpcs: boom\n  hint: run again"
        );
        let json = e.to_json();
        assert_eq!(json["error"]["causes"][0], "DescribeVpcs: boom");
    }

    #[test]
    fn a_cause_its_parent_already_says_is_said_once() {
        #[derive(Debug, thiserror::Error)]
        #[error("outer: inner")]
        struct Outer(#[source] Inner);
        #[derive(Debug, thiserror::Error)]
        #[error("inner")]
        struct Inner;
        let e = CliError::from_error(&Outer(Inner));
        assert!(e.causes.is_empty(), "{:?}", e.causes);
    }

    #[test]
    fn the_hint_of_a_provider_error_reaches_through_its_wrappers() {
        use crate::providers::{ErrorKind, ProviderError};
        let throttled =
            ProviderError::new(ErrorKind::Throttled, "DescribeVpcs", "Throttling: slow");
        let discovery = crate::engine::EngineError::Discovery {
            region: "us-east-1".into(),
            source: throttled.clone(),
        };
        let e = CliError::from_error(&discovery);
        assert_eq!(e.message, "discovery failed in us-east-1");
        assert_eq!(e.causes, ["DescribeVpcs: Throttling: slow"]);
        assert!(
            e.hint
                .as_deref()
                .unwrap()
                .starts_with("AWS kept throttling `DescribeVpcs` past every retry"),
            "{:?}",
            e.hint
        );
        let lock = crate::lock::LockError::Provider(
            ProviderError::new(ErrorKind::Other, "GetParameter", "refused")
                .with_advice("check the emulator"),
        );
        let e = CliError::from_error(&lock);
        assert_eq!(e.hint.as_deref(), Some("check the emulator"));
    }
}
