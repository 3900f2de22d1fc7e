//! How an error is told: its message and every cause, one per line.

/// `error: outer` followed by each cause on its own line.
pub fn error_chain(error: &dyn std::error::Error) -> String {
    format!("error: {}", cause_chain(error))
}

/// The error and its causes, one per line, without the `error:` lead (for reports and
/// warnings that say their own lead).
pub fn cause_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(&format!("\n  caused by: {cause}"));
        source = cause.source();
    }
    text
}
