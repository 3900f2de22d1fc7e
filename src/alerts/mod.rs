//! The stack's alarms as they stand: what each region's topic and alarms are, next to what
//! the stack asks for, for `multiregion alarms`; and the test notification of `alarms test`.

pub mod test;

use serde::Serialize;

use crate::model::{Resource, ResourceSpec};
use crate::providers::AlertingSnapshot;

/// The SNS topic that carries region `region`'s alarms of stack `stack`.
pub fn topic_name(stack: &str, region: &str) -> String {
    format!("{stack}-{region}-alerts")
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AlarmsReport {
    pub stack: String,
    pub regions: Vec<RegionAlarms>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RegionAlarms {
    pub region: String,
    pub aws_region: String,
    /// The region's alert topic, if it exists.
    pub topic: Option<TopicView>,
    pub alarms: Vec<AlarmView>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TopicView {
    pub arn: String,
    pub subscriptions: Vec<SubscriptionView>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionView {
    pub protocol: String,
    pub endpoint: String,
    pub confirmed: bool,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AlarmView {
    /// Its logical id (`c1/alarm/errorRate`).
    pub id: String,
    pub name: String,
    pub description: String,
    /// `OK`, `ALARM`, `INSUFFICIENT_DATA`, or `MISSING` when the stack asks for it and it
    /// does not exist.
    pub state: String,
    pub reason: Option<String>,
    pub last_change: Option<String>,
    /// Where its ALARM actions go (topic ARNs).
    pub actions: Vec<String>,
}

/// What each region has, against the alarms the stack asks for (`desired`, the model).
pub fn report(
    stack: &str,
    regions: &[(String, String)],
    desired: &[Resource],
    snapshots: &[AlertingSnapshot],
) -> AlarmsReport {
    let regions = regions
        .iter()
        .zip(snapshots)
        .map(|((name, aws_region), snap)| {
            let topic_name = topic_name(stack, name);
            let topic = snap.topics.iter().find(|t| t.name == topic_name);
            let wanted = desired.iter().filter(|r| r.region.as_deref() == Some(name));
            let alarms = wanted
                .filter_map(|r| match &r.spec {
                    ResourceSpec::MetricAlarm {
                        name, description, ..
                    } => Some((r.id.clone(), name, description)),
                    _ => None,
                })
                .map(|(id, name, description)| {
                    let found = snap.alarms.iter().find(|a| a.definition.name == *name);
                    match found {
                        Some(a) => AlarmView {
                            id,
                            name: name.clone(),
                            description: description.clone(),
                            state: a.state.clone(),
                            reason: Some(a.state_reason.clone()).filter(|r| !r.is_empty()),
                            last_change: a.state_updated.clone(),
                            actions: a.definition.actions.clone(),
                        },
                        None => AlarmView {
                            id,
                            name: name.clone(),
                            description: description.clone(),
                            state: "MISSING".into(),
                            reason: None,
                            last_change: None,
                            actions: vec![],
                        },
                    }
                })
                .collect();
            RegionAlarms {
                region: name.clone(),
                aws_region: aws_region.clone(),
                topic: topic.map(|t| TopicView {
                    arn: t.arn.clone(),
                    subscriptions: t
                        .subscriptions
                        .iter()
                        .map(|s| SubscriptionView {
                            protocol: s.protocol.clone(),
                            endpoint: s.endpoint.clone(),
                            confirmed: s.arn.is_some(),
                        })
                        .collect(),
                }),
                alarms,
            }
        })
        .collect();
    AlarmsReport {
        stack: stack.to_string(),
        regions,
    }
}

impl AlarmsReport {
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for r in &self.regions {
            let topic = match &r.topic {
                None => "no alert topic (run `multiregion up`)".to_string(),
                Some(t) => {
                    let confirmed = t.subscriptions.iter().filter(|s| s.confirmed).count();
                    format!(
                        "topic {}: {} subscription(s), {confirmed} confirmed",
                        t.arn,
                        t.subscriptions.len()
                    )
                }
            };
            out.push_str(&format!("{} ({}): {topic}\n", r.region, r.aws_region));
            if let Some(t) = &r.topic {
                for s in &t.subscriptions {
                    let state = if s.confirmed {
                        "confirmed"
                    } else {
                        "pending confirmation"
                    };
                    out.push_str(&format!("  -> {} {} ({state})\n", s.protocol, s.endpoint));
                }
            }
            if r.alarms.is_empty() {
                out.push_str("  no alarms asked for (spec.alerts)\n");
            }
            for a in &r.alarms {
                let since = a
                    .last_change
                    .as_deref()
                    .map(|t| format!(" since {t}"))
                    .unwrap_or_default();
                out.push_str(&format!("  {:<17} {}{since}\n", a.state, a.name));
                if let Some(reason) = &a.reason {
                    out.push_str(&format!("                    {reason}\n"));
                }
            }
        }
        out
    }
}
