//! What a delivery means to a person or a script: an alarm's state change, a test
//! notification of `alarms test`, a confirmed subscription, or some other notification; and
//! where events are forwarded (a file, a command's stdin).

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;

use super::message::SnsMessage;

/// How long one forwarding command may take before it is killed.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Alarm,
    Test,
    Notification,
    Confirmation,
}

/// One event: every key always present (null when it does not apply), so a script reads
/// the same shape for each kind.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    pub stack: String,
    pub region: String,
    pub topic_arn: String,
    pub kind: Kind,
    pub alarm: Option<String>,
    pub old_state: Option<String>,
    pub new_state: Option<String>,
    pub reason: Option<String>,
    pub nonce: Option<String>,
    pub verified: bool,
    pub message_id: String,
    pub received_at: String,
    /// Other notifications: the subject, or the start of the message, for the text line.
    #[serde(skip)]
    pub summary: String,
}

impl Event {
    /// A notification's event, read from its Message (CloudWatch's alarm JSON and the test
    /// message are recognised leniently; anything else is a plain notification).
    pub fn of(stack: &str, region: &str, message: &SnsMessage, verified: bool, kind: Kind) -> Self {
        let mut event = Event {
            stack: stack.to_string(),
            region: region.to_string(),
            topic_arn: message.topic_arn.clone(),
            kind,
            alarm: None,
            old_state: None,
            new_state: None,
            reason: None,
            nonce: None,
            verified,
            message_id: message.message_id.clone(),
            received_at: crate::eks_token::rfc3339(std::time::SystemTime::now()),
            summary: summary(message),
        };
        if kind != Kind::Notification {
            return event;
        }
        let Ok(body) = serde_json::from_str::<Value>(&message.message) else {
            return event;
        };
        let text = |key: &str| body.get(key).and_then(Value::as_str).map(str::to_string);
        if body.get("multiregionTest") == Some(&Value::Bool(true))
            && let Some(nonce) = text("nonce")
        {
            event.kind = Kind::Test;
            event.nonce = Some(nonce);
        } else if let Some(alarm) = text("AlarmName") {
            event.kind = Kind::Alarm;
            event.alarm = Some(alarm);
            event.old_state = text("OldStateValue");
            event.new_state = text("NewStateValue");
            event.reason = text("NewStateReason");
        }
        event
    }

    pub fn to_text(&self) -> String {
        let (stack, region) = (&self.stack, &self.region);
        let or_unknown = |v: &Option<String>| v.clone().unwrap_or_else(|| "?".to_string());
        match self.kind {
            Kind::Alarm => format!(
                "{stack} {region} {}: {} -> {} ({})",
                or_unknown(&self.alarm),
                or_unknown(&self.old_state),
                or_unknown(&self.new_state),
                or_unknown(&self.reason)
            ),
            Kind::Test => format!(
                "{stack} {region} test notification {} ({})",
                or_unknown(&self.nonce),
                if self.verified {
                    "signature verified"
                } else {
                    "signature NOT verified: --insecure-skip-signature"
                }
            ),
            Kind::Confirmation => format!("confirmed subscription to {}", self.topic_arn),
            Kind::Notification => format!("{stack} {region} notification: {}", self.summary),
        }
    }

    pub fn to_json_line(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// One line of at most 100 characters saying what a message is about.
fn summary(message: &SnsMessage) -> String {
    if message.kind == super::message::UNSUBSCRIBE_CONFIRMATION {
        return format!("unsubscribed from {}", message.topic_arn);
    }
    let text = message.subject.as_deref().unwrap_or(&message.message);
    let line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    line.chars().take(100).collect()
}

/// Where events go besides stdout.
pub struct Forward {
    file: Option<std::fs::File>,
    command: Option<String>,
}

impl Forward {
    pub fn open(file: Option<&Path>, command: Option<String>) -> Result<Forward, String> {
        let file = match file {
            None => None,
            Some(path) => Some(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                    .map_err(|e| format!("cannot open {} to append to: {e}", path.display()))?,
            ),
        };
        Ok(Forward { file, command })
    }

    /// The event forwarded; what failed, for stderr (a failure never stops the server).
    pub async fn send(&mut self, event: &Event) -> Vec<String> {
        let line = format!("{}\n", event.to_json_line());
        let mut problems = Vec::new();
        if let Some(file) = &mut self.file
            // One write per line: in append mode, lines of concurrent writers do not interleave.
            && let Err(e) = file.write_all(line.as_bytes())
        {
            problems.push(format!("--forward-file: {e}"));
        }
        if let Some(command) = &self.command
            && let Err(e) = run_command(command, &line).await
        {
            problems.push(format!("--forward-command: {e}"));
        }
        problems
    }
}

/// `sh -c COMMAND` with the line on its stdin; its stdout goes to stderr, where it cannot be
/// taken for one of our events.
async fn run_command(command: &str, line: &str) -> Result<(), String> {
    use tokio::io::AsyncWriteExt;
    let mut child = tokio::process::Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(std::process::Stdio::piped())
        .stdout(std::io::stderr())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot start `sh`: {e}"))?;
    let mut stdin = child.stdin.take();
    let done = tokio::time::timeout(COMMAND_TIMEOUT, async {
        if let Some(stdin) = &mut stdin {
            // A command that does not read its stdin is not a failure.
            let _ = stdin.write_all(line.as_bytes()).await;
        }
        drop(stdin.take());
        child.wait().await
    })
    .await;
    match done {
        Err(_) => {
            let _ = child.kill().await;
            Err(format!(
                "still running after {} s, killed",
                COMMAND_TIMEOUT.as_secs()
            ))
        }
        Ok(Err(e)) => Err(e.to_string()),
        Ok(Ok(status)) if status.success() => Ok(()),
        Ok(Ok(status)) => Err(format!("exited with {status}")),
    }
}
