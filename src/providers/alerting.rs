//! SNS topics and subscriptions, and CloudWatch metric alarms: where the stack's alarms are
//! defined and where they deliver, in one region.

use async_trait::async_trait;
use serde::Serialize;

use super::{Result, Tags};

/// What an alarm reads: one metric, or an expression over several.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum AlarmQuery {
    Metric {
        metric: MetricStat,
    },
    /// `expression` over the metrics, each named by its `id` (`m1`, `m2`, ...).
    Expression {
        expression: String,
        label: String,
        metrics: Vec<(String, MetricStat)>,
    },
}

/// A statistic of one metric.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MetricStat {
    pub namespace: String,
    pub name: String,
    pub statistic: String,
    pub dimensions: Vec<(String, DimensionValue)>,
}

/// A dimension's value: as written, or the ARN suffix CloudWatch names a load balancer or
/// target group by (`app/NAME/ID`), of the resource with this logical id.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", content = "value", rename_all = "camelCase")]
pub enum DimensionValue {
    Text(String),
    ArnSuffixOf(String),
}

impl DimensionValue {
    pub fn text(&self) -> &str {
        match self {
            DimensionValue::Text(t) | DimensionValue::ArnSuffixOf(t) => t,
        }
    }
}

/// The part of a load balancer's or target group's ARN CloudWatch dimensions use:
/// `arn:...:loadbalancer/app/web/0123` -> `app/web/0123`, `arn:...:targetgroup/tg/4567` ->
/// `targetgroup/tg/4567`.
pub fn arn_suffix(arn: &str) -> &str {
    if let Some((_, rest)) = arn.split_once(":loadbalancer/") {
        return rest;
    }
    match arn.rfind(":targetgroup/") {
        Some(i) => &arn[i + 1..],
        None => arn,
    }
}

impl AlarmQuery {
    /// Every dimension value, to resolve or map.
    pub fn dimension_values_mut(&mut self) -> Vec<&mut DimensionValue> {
        let stats: Vec<&mut MetricStat> = match self {
            AlarmQuery::Metric { metric } => vec![metric],
            AlarmQuery::Expression { metrics, .. } => metrics.iter_mut().map(|(_, m)| m).collect(),
        };
        stats
            .into_iter()
            .flat_map(|m| m.dimensions.iter_mut().map(|(_, v)| v))
            .collect()
    }

    /// One canonical line: what plans compare and show.
    pub fn text(&self) -> String {
        let stat = |m: &MetricStat| {
            // Sorted: CloudWatch need not answer dimensions in the order they were put.
            let mut dims: Vec<String> = m
                .dimensions
                .iter()
                .map(|(k, v)| format!("{k}={}", v.text()))
                .collect();
            dims.sort();
            format!(
                "{} {} {} {{{}}}",
                m.namespace,
                m.name,
                m.statistic,
                dims.join(",")
            )
        };
        match self {
            AlarmQuery::Metric { metric } => stat(metric),
            AlarmQuery::Expression {
                expression,
                metrics,
                ..
            } => {
                let parts: Vec<String> = metrics
                    .iter()
                    .map(|(id, m)| format!("{id}={}", stat(m)))
                    .collect();
                if parts.is_empty() {
                    expression.clone()
                } else {
                    format!("{expression} where {}", parts.join("; "))
                }
            }
        }
    }
}

/// An alarm as CloudWatch is told it.
#[derive(Debug, Clone, PartialEq)]
pub struct AlarmDefinition {
    pub name: String,
    pub description: String,
    pub query: AlarmQuery,
    /// `GreaterThanThreshold`, `LessThanThreshold`, ...
    pub comparison: String,
    pub threshold: f64,
    pub period: u32,
    pub evaluation_periods: u32,
    /// `notBreaching`, `breaching`, `missing`, `ignore`.
    pub treat_missing: String,
    /// Topic ARNs told on ALARM and on OK.
    pub actions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AlarmInfo {
    pub arn: String,
    pub definition: AlarmDefinition,
    /// The actions told on OK (the definition's `actions` are the ALARM ones).
    pub ok_actions: Vec<String>,
    pub actions_enabled: bool,
    /// `OK`, `ALARM` or `INSUFFICIENT_DATA`.
    pub state: String,
    pub state_reason: String,
    pub state_updated: Option<String>,
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SubscriptionInfo {
    /// `None` while it awaits confirmation (SNS shows no ARN then).
    pub arn: Option<String>,
    pub protocol: String,
    pub endpoint: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TopicInfo {
    pub arn: String,
    pub name: String,
    pub kms_key: Option<String>,
    /// The services the topic's policy lets publish, sorted, each with `(account)` when
    /// held to this account.
    pub publishers: Vec<String>,
    pub signature_version: Option<String>,
    pub subscriptions: Vec<SubscriptionInfo>,
    pub tags: Tags,
}

/// The stack's topics and alarms in one region.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AlertingSnapshot {
    pub topics: Vec<TopicInfo>,
    pub alarms: Vec<AlarmInfo>,
}

/// What a topic is made with beside its name and tags.
#[derive(Debug, Clone, PartialEq)]
pub struct TopicSettings {
    /// The KMS key its messages are encrypted with at rest.
    pub kms_key: String,
    /// The one service allowed to publish, from this account only.
    pub publisher: String,
    pub signature_version: String,
}

/// SNS and CloudWatch alarms in one region.
#[async_trait]
pub trait Alerting: Send + Sync {
    /// The topics named `{stack}-…-alerts` with their subscriptions, and the alarms named
    /// `{stack}-…`.
    async fn snapshot(&self, stack: &str) -> Result<AlertingSnapshot>;
    /// Makes the topic (or finds it: SNS makes a topic once per name) and returns its ARN.
    async fn create_topic(&self, name: &str, tags: &Tags) -> Result<String>;
    /// Its encryption key, publish policy and signature version, set together.
    async fn set_topic_settings(&self, arn: &str, settings: &TopicSettings) -> Result<()>;
    async fn delete_topic(&self, arn: &str) -> Result<()>;
    /// Subscribes the endpoint; its ARN, or `None` while it awaits confirmation.
    async fn subscribe(
        &self,
        topic_arn: &str,
        protocol: &str,
        endpoint: &str,
    ) -> Result<Option<String>>;
    async fn unsubscribe(&self, arn: &str) -> Result<()>;
    /// Makes or overwrites the alarm (CloudWatch's put is whole) and returns its ARN.
    async fn put_alarm(&self, alarm: &AlarmDefinition, tags: &Tags) -> Result<String>;
    async fn delete_alarm(&self, name: &str) -> Result<()>;
    /// Publishes a message to the topic; returns its message id.
    async fn publish(&self, topic_arn: &str, message: &str) -> Result<String>;
    /// Tags of a topic or an alarm, by ARN.
    async fn set_tags(&self, arn: &str, add: &Tags, remove: &[String]) -> Result<()>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arn_suffixes_are_what_cloudwatch_names_balancers_and_groups_by() {
        let lb = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188";
        assert_eq!(arn_suffix(lb), "app/web/50dc6c495c0c9188");
        let tg =
            "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg/73e2d6bc24d8a067";
        assert_eq!(arn_suffix(tg), "targetgroup/tg/73e2d6bc24d8a067");
        assert_eq!(arn_suffix("c1/lb"), "c1/lb");
    }
}
