//! The stack's alarms: what each watches, where its notifications go, and the names they go by.

/// The SNS topic that carries region `region`'s alarms of stack `stack`.
pub fn topic_name(stack: &str, region: &str) -> String {
    format!("{stack}-{region}-alerts")
}
