//! `spec.alerts`: each webhook a URL SNS can post to, each e-mail an address, each threshold
//! one CloudWatch can compare with.

use super::Checker;
use crate::quote::quoted;
use crate::stack::alerts::{AlarmName, AlertsSpec};
use crate::stack::diagnostic::Finding;

/// The longest endpoint SNS takes, and so the longest webhook.
const MAX_URL: usize = 2048;

impl Checker {
    pub(super) fn alerts(&mut self, alerts: &AlertsSpec) {
        for (i, hook) in alerts.webhooks.iter().enumerate() {
            let path = format!("spec.alerts.webhooks[{i}]");
            if let Err(why) = webhook(hook) {
                self.push(Finding::new(path, format!("{}: {why}", quoted(hook))).hint(
                    "a webhook is an http(s) URL SNS can POST to, such as https://hooks.example.com/sns",
                ));
            }
        }
        self.unique(
            alerts.webhooks.iter().map(String::as_str),
            |i| format!("spec.alerts.webhooks[{i}]"),
            "webhook",
        );
        for (i, email) in alerts.emails.iter().enumerate() {
            if !is_email(email) {
                self.push(
                    Finding::new(
                        format!("spec.alerts.emails[{i}]"),
                        format!("{} is not an e-mail address", quoted(email)),
                    )
                    .hint("one address, such as oncall@example.com"),
                );
            }
        }
        self.unique(
            alerts.emails.iter().map(String::as_str),
            |i| format!("spec.alerts.emails[{i}]"),
            "e-mail address",
        );
        for name in AlarmName::ALL {
            let spec = alerts.alarms.get(name);
            let path = format!("spec.alerts.alarms.{}", name.key());
            if let Some(why) = spec.threshold.and_then(|t| threshold_problem(name, t)) {
                self.push(Finding::new(format!("{path}.threshold"), why));
            }
            if let Some(m) = spec.minutes
                && !(1..=1440).contains(&m)
            {
                self.push(
                    Finding::new(
                        format!("{path}.minutes"),
                        format!("{m} minutes is out of range"),
                    )
                    .hint("from 1 to 1440 (a day, CloudWatch's longest evaluation)"),
                );
            }
        }
    }
}

/// Why a webhook URL cannot be one, if it cannot.
fn webhook(text: &str) -> Result<(), String> {
    if text.len() > MAX_URL {
        return Err(format!("longer than {MAX_URL} characters"));
    }
    let url = url::Url::parse(text).map_err(|e| e.to_string())?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("the scheme is {}, not http or https", url.scheme()));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("no host".into());
    }
    // SNS hides the password when it lists a subscription, so one with credentials could
    // never be matched to the stack's again.
    if !url.username().is_empty() || url.password().is_some() {
        return Err("credentials in the URL are not supported: SNS lists such a subscription with its password hidden".into());
    }
    Ok(())
}

fn is_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !text.chars().any(|c| c.is_whitespace() || c.is_control())
        && !domain.contains('@')
        && text.len() <= 254
}

fn threshold_problem(name: AlarmName, t: f64) -> Option<String> {
    let percent = matches!(
        name,
        AlarmName::ErrorRate | AlarmName::NodeCpu | AlarmName::NodeMemory
    );
    if !t.is_finite() || t < 0.0 {
        return Some(format!("{t} is not a threshold: it must be 0 or more"));
    }
    if percent && t > 100.0 {
        return Some(format!(
            "{t} is a percentage above 100: the alarm could never fire"
        ));
    }
    let below = matches!(
        name,
        AlarmName::BackendHealthyHosts | AlarmName::BackendPods
    );
    if below && t < 1.0 {
        return Some(format!(
            "fewer than {t} can never be: the alarm fires below its threshold, so at least 1"
        ));
    }
    None
}

/// The webhooks SNS would reach over plain HTTP: only an emulator may be sent those.
pub fn plain_http_webhooks(alerts: &AlertsSpec) -> Vec<&str> {
    let plain = |h: &&String| url::Url::parse(h).is_ok_and(|u| u.scheme() == "http");
    alerts
        .webhooks
        .iter()
        .filter(plain)
        .map(String::as_str)
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::stack::parse;

    const REFERENCE: &str = include_str!("../../../stacks/two-region.yaml");

    /// The reference stack with its `alerts:` section replaced by `alerts`.
    fn problems(alerts: &str) -> Vec<(String, String)> {
        let start = REFERENCE.find("  alerts:\n").unwrap();
        let end = REFERENCE.find("\n  tags:\n").unwrap();
        let text = format!("{}{alerts}\n{}", &REFERENCE[..start], &REFERENCE[end..]);
        match parse("s.yaml", text.as_bytes()) {
            Ok(_) => vec![],
            Err(d) => d.into_iter().map(|d| (d.path, d.message)).collect(),
        }
    }

    #[test]
    fn each_bad_webhook_email_and_threshold_is_named_where_it_is() {
        let found = problems(
            "  alerts:\n    webhooks: [ftp://x.example.net/a, not a url, https://ok.example.net/a, https://ok.example.net/a]\n    emails: [oncall, a@b.c]\n    alarms:\n      errorRate: { threshold: 140 }\n      backendPods: { threshold: 0 }\n      nodeCpu: { minutes: 0 }\n",
        );
        let paths: Vec<&str> = found.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            paths,
            [
                "spec.alerts.webhooks[0]",
                "spec.alerts.webhooks[1]",
                "spec.alerts.webhooks[3]",
                "spec.alerts.emails[0]",
                "spec.alerts.alarms.errorRate.threshold",
                "spec.alerts.alarms.backendPods.threshold",
                "spec.alerts.alarms.nodeCpu.minutes",
            ],
            "{found:#?}"
        );
        assert!(found[0].1.contains("the scheme is ftp"), "{}", found[0].1);
        assert!(found[4].1.contains("above 100"), "{}", found[4].1);
    }

    #[test]
    fn unset_thresholds_are_the_documents_and_an_alarm_can_be_turned_off() {
        let text = REFERENCE.replace(
            "      nodeCpu: { threshold: 80, minutes: 10 }",
            "      nodeCpu: { enabled: false }",
        );
        let text = text.replace(
            "      errorRate: { threshold: 40, minutes: 1 }",
            "      errorRate: {}",
        );
        let valid = parse("s.yaml", text.as_bytes()).unwrap();
        let alarms = valid.stack.spec.alerts.as_ref().unwrap().alarms.enabled();
        let keys: Vec<&str> = alarms.iter().map(|a| a.name.key()).collect();
        assert!(!keys.contains(&"nodeCpu"), "{keys:?}");
        let error_rate = alarms.iter().find(|a| a.name.key() == "errorRate").unwrap();
        assert_eq!((error_rate.threshold, error_rate.minutes), (40.0, 1));
        assert!(problems("  alerts: {}\n").is_empty());
    }
}
