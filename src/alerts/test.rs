//! `alarms test`: a clearly marked test message through a region's alert topic, and how to
//! ask a `webhook serve` receiver whether it got it.

use std::time::Duration;

use serde::Serialize;

/// The message published: JSON a receiver recognises by `multiregionTest`, and a person by
/// `about`.
pub fn message(stack: &str, region: &str, nonce: &str, alarm: Option<&str>) -> String {
    let sent_at = aws_smithy_types::DateTime::from(std::time::SystemTime::now())
        .fmt(aws_smithy_types::date_time::Format::DateTime)
        .unwrap_or_default();
    let mut m = serde_json::json!({
        "multiregionTest": true,
        "about": "TEST notification from `multiregion alarms test`: no alarm fired",
        "stack": stack,
        "region": region,
        "nonce": nonce,
        "sentAt": sent_at,
    });
    if let Some(alarm) = alarm {
        m["alarm"] = alarm.into();
    }
    m.to_string()
}

/// A nonce no other test shares: the time, the process and the region.
pub fn nonce(region: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("{nanos:x}-{:x}-{region}", std::process::id())
}

/// What a receiver said about one test message.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "delivery", rename_all = "camelCase")]
pub enum Delivery {
    /// The receiver has it; `verified` says whether its SNS signature was checked.
    Received { verified: bool },
    /// The receiver answers, but had not got it when the wait ran out.
    NotSeen,
    /// Not a receiver the tool can ask (not `webhook serve`, or out of reach): why.
    CannotSee { why: String },
}

/// Where a receiver answers for the delivery of `nonce`: on the webhook's own origin.
pub fn delivery_url(webhook: &str, nonce: &str) -> Option<String> {
    let url = url::Url::parse(webhook).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    Some(format!(
        "{}/.multiregion/deliveries/{nonce}",
        url.origin().ascii_serialization()
    ))
}

/// Asks the receiver of `webhook` every half second, for up to `wait`, whether it got `nonce`.
pub async fn wait_for(webhook: &str, nonce: &str, wait: Duration) -> Delivery {
    let Some(url) = delivery_url(webhook, nonce) else {
        return Delivery::CannotSee {
            why: "not an http(s) URL".into(),
        };
    };
    let client = match reqwest::Client::builder()
        .timeout(Duration::from_secs(3))
        .redirect(reqwest::redirect::Policy::none())
        .build()
    {
        Ok(c) => c,
        Err(e) => return Delivery::CannotSee { why: e.to_string() },
    };
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        match client.get(&url).send().await {
            Ok(r) if r.status() == reqwest::StatusCode::OK && is_receiver(&r) => {
                let body = r.bytes().await.unwrap_or_default();
                let body: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
                return Delivery::Received {
                    verified: body["verified"].as_bool().unwrap_or(false),
                };
            }
            Ok(r) if r.status() == reqwest::StatusCode::NOT_FOUND && is_receiver(&r) => {}
            Ok(r) => {
                return Delivery::CannotSee {
                    why: format!("{url} answered {}: not a multiregion receiver", r.status()),
                };
            }
            Err(e) => {
                return Delivery::CannotSee {
                    why: format!("{url}: {}", crate::providers::aws::display_chain(&e)),
                };
            }
        }
        if tokio::time::Instant::now() >= deadline {
            return Delivery::NotSeen;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// A 404 from `webhook serve` itself (which marks its answers), not from whatever else
/// happens to listen there.
fn is_receiver(r: &reqwest::Response) -> bool {
    r.headers()
        .get("server")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|s| s.starts_with("multiregion"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delivery_is_asked_on_the_webhooks_origin() {
        assert_eq!(
            delivery_url("http://127.0.0.1:8080/sns?x=1", "n1").as_deref(),
            Some("http://127.0.0.1:8080/.multiregion/deliveries/n1")
        );
        assert_eq!(delivery_url("mailto:a@b.c", "n1"), None);
    }

    #[test]
    fn the_test_message_says_it_is_a_test() {
        let m: serde_json::Value =
            serde_json::from_str(&message("demo", "c1", "n1", Some("errorRate"))).unwrap();
        assert_eq!(m["multiregionTest"], true);
        assert_eq!(
            (m["stack"].as_str(), m["nonce"].as_str()),
            (Some("demo"), Some("n1"))
        );
        assert!(m["about"].as_str().unwrap().contains("TEST"));
    }
}
