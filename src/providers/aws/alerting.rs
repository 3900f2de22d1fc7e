//! SNS topics and CloudWatch metric alarms on `aws-sdk-sns` and `aws-sdk-cloudwatch`.

use async_trait::async_trait;
use aws_sdk_cloudwatch::types as cw;
use aws_sdk_sns::types as sns;

use super::{classify, done, every, retag, sent};
use crate::providers::*;

pub struct AwsAlerting {
    sns: aws_sdk_sns::Client,
    cloudwatch: aws_sdk_cloudwatch::Client,
}

impl AwsAlerting {
    pub fn new(sns: aws_sdk_sns::Client, cloudwatch: aws_sdk_cloudwatch::Client) -> Self {
        AwsAlerting { sns, cloudwatch }
    }

    async fn topic(&self, arn: &str) -> Result<TopicInfo> {
        let (attributes, tags, subscriptions) = futures::try_join!(
            sent(self.sns.get_topic_attributes().topic_arn(arn).send()),
            sent(self.sns.list_tags_for_resource().resource_arn(arn).send()),
            every!(self.sns.list_subscriptions_by_topic().topic_arn(arn)),
        )?;
        let subscriptions: Vec<sns::Subscription> = subscriptions;
        let attrs = attributes.attributes();
        let attr = |k: &str| attrs.and_then(|a| a.get(k)).cloned();
        Ok(TopicInfo {
            arn: arn.to_string(),
            name: arn.rsplit(':').next().unwrap_or(arn).to_string(),
            kms_key: attr("KmsMasterKeyId").filter(|k| !k.is_empty()),
            publishers: attr("Policy").map(|p| publishers(&p)).unwrap_or_default(),
            signature_version: attr("SignatureVersion"),
            subscriptions: subscriptions
                .iter()
                .map(|s| SubscriptionInfo {
                    arn: s
                        .subscription_arn()
                        .filter(|a| a.starts_with("arn:"))
                        .map(str::to_string),
                    protocol: s.protocol().unwrap_or_default().to_string(),
                    endpoint: s.endpoint().unwrap_or_default().to_string(),
                })
                .collect(),
            tags: tags
                .tags()
                .iter()
                .map(|t| (t.key().to_string(), t.value().to_string()))
                .collect(),
        })
    }

    async fn alarm_arn(&self, name: &str) -> Result<String> {
        let out = sent(self.cloudwatch.describe_alarms().alarm_names(name).send()).await?;
        out.metric_alarms()
            .iter()
            .find_map(|a| a.alarm_arn().map(str::to_string))
            .ok_or_else(|| {
                ProviderError::new(
                    ErrorKind::NotFound,
                    "DescribeAlarms",
                    format!("alarm {name} not found after it was put"),
                )
            })
    }
}

/// Who a topic policy lets publish: each service principal granted `sns:Publish`, marked
/// `(account)` when a `SourceAccount` condition holds it to one account.
pub fn publishers(policy: &str) -> Vec<String> {
    let Ok(doc) = serde_json::from_str::<serde_json::Value>(policy) else {
        return vec!["(unreadable policy)".into()];
    };
    let statements = match &doc["Statement"] {
        serde_json::Value::Array(list) => list.clone(),
        one @ serde_json::Value::Object(_) => vec![one.clone()],
        _ => vec![],
    };
    let mut out = Vec::new();
    for s in statements {
        let actions = match &s["Action"] {
            serde_json::Value::String(a) => vec![a.clone()],
            serde_json::Value::Array(list) => list
                .iter()
                .filter_map(|a| a.as_str().map(str::to_string))
                .collect(),
            _ => vec![],
        };
        let publishes = actions
            .iter()
            .any(|a| a == "sns:Publish" || a == "sns:*" || a == "*");
        if s["Effect"] != "Allow" || !publishes {
            continue;
        }
        let principal = &s["Principal"];
        let who = match (&principal["Service"], &principal["AWS"]) {
            (serde_json::Value::String(svc), _) => svc.clone(),
            (_, serde_json::Value::String(aws)) => aws.clone(),
            _ if principal == "*" => "*".to_string(),
            _ => "(other)".to_string(),
        };
        let held = s["Condition"]["StringEquals"]["AWS:SourceAccount"].is_string();
        out.push(if held {
            format!("{who} (account)")
        } else {
            who
        });
    }
    out.sort();
    out
}

/// A policy that lets only `service` in the topic's own account publish to it.
pub fn publish_policy(topic_arn: &str, service: &str) -> String {
    let account = topic_arn.split(':').nth(4).unwrap_or_default();
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "AlarmsOfThisAccountOnly",
            "Effect": "Allow",
            "Principal": {"Service": service},
            "Action": "sns:Publish",
            "Resource": topic_arn,
            "Condition": {"StringEquals": {"AWS:SourceAccount": account}},
        }],
    })
    .to_string()
}

fn stat_of(m: &cw::MetricStat) -> Option<MetricStat> {
    let metric = m.metric()?;
    Some(MetricStat {
        namespace: metric.namespace()?.to_string(),
        name: metric.metric_name()?.to_string(),
        statistic: m.stat()?.to_string(),
        dimensions: dimensions_of(metric.dimensions()),
    })
}

fn dimensions_of(list: &[cw::Dimension]) -> Vec<(String, DimensionValue)> {
    list.iter()
        .map(|d| {
            let value = d.value().unwrap_or_default().to_string();
            (
                d.name().unwrap_or_default().to_string(),
                DimensionValue::Text(value),
            )
        })
        .collect()
}

fn alarm_of(a: &cw::MetricAlarm, tags: Tags) -> Option<AlarmInfo> {
    let query = match a.metrics() {
        [] => AlarmQuery::Metric {
            metric: MetricStat {
                namespace: a.namespace()?.to_string(),
                name: a.metric_name()?.to_string(),
                statistic: a.statistic().map(|s| s.as_str().to_string())?,
                dimensions: dimensions_of(a.dimensions()),
            },
        },
        queries => {
            let shown = queries.iter().find(|q| q.return_data().unwrap_or(true))?;
            AlarmQuery::Expression {
                expression: shown.expression().unwrap_or_default().to_string(),
                label: shown.label().unwrap_or_default().to_string(),
                metrics: queries
                    .iter()
                    .filter_map(|q| Some((q.id()?.to_string(), stat_of(q.metric_stat()?)?)))
                    .collect(),
            }
        }
    };
    let period = a.period().or_else(|| {
        let queries = a.metrics().iter();
        queries
            .filter_map(|q| {
                q.period()
                    .or_else(|| q.metric_stat().and_then(|m| m.period()))
            })
            .next()
    });
    Some(AlarmInfo {
        arn: a.alarm_arn()?.to_string(),
        definition: AlarmDefinition {
            name: a.alarm_name()?.to_string(),
            description: a.alarm_description().unwrap_or_default().to_string(),
            query,
            comparison: a.comparison_operator().map(|c| c.as_str().to_string())?,
            threshold: a.threshold().unwrap_or_default(),
            period: period.unwrap_or_default().max(0) as u32,
            evaluation_periods: a.evaluation_periods().unwrap_or_default().max(0) as u32,
            treat_missing: a.treat_missing_data().unwrap_or("missing").to_string(),
            actions: a.alarm_actions().to_vec(),
        },
        ok_actions: a.ok_actions().to_vec(),
        actions_enabled: a.actions_enabled().unwrap_or(true),
        state: a
            .state_value()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default(),
        state_reason: a.state_reason().unwrap_or_default().to_string(),
        state_updated: a.state_updated_timestamp().map(|t| t.to_string()),
        tags,
    })
}

fn sdk_dimensions(m: &MetricStat) -> Vec<cw::Dimension> {
    m.dimensions
        .iter()
        .map(|(k, v)| cw::Dimension::builder().name(k).value(v.text()).build())
        .collect()
}

fn sdk_metric_stat(m: &MetricStat, period: i32) -> cw::MetricStat {
    let metric = cw::Metric::builder()
        .namespace(&m.namespace)
        .metric_name(&m.name)
        .set_dimensions(Some(sdk_dimensions(m)))
        .build();
    cw::MetricStat::builder()
        .metric(metric)
        .period(period)
        .stat(&m.statistic)
        .build()
}

fn tag_error(e: impl std::fmt::Display) -> ProviderError {
    ProviderError::new(ErrorKind::Other, "build Tag", e.to_string())
}

fn sns_tags(tags: &Tags) -> Result<Vec<sns::Tag>> {
    let tag = |(k, v): (&String, &String)| sns::Tag::builder().key(k).value(v).build();
    tags.iter()
        .map(tag)
        .collect::<std::result::Result<_, _>>()
        .map_err(tag_error)
}

fn cloudwatch_tags(tags: &Tags) -> Result<Vec<cw::Tag>> {
    let tag = |(k, v): (&String, &String)| cw::Tag::builder().key(k).value(v).build();
    Ok(tags.iter().map(tag).collect())
}

#[async_trait]
impl Alerting for AwsAlerting {
    async fn snapshot(&self, stack: &str) -> Result<AlertingSnapshot> {
        let prefix = format!("{stack}-");
        let topics: Vec<sns::Topic> = every!(self.sns.list_topics()).await?;
        let named = topics.iter().filter_map(|t| t.topic_arn()).filter(|arn| {
            let name = arn.rsplit(':').next().unwrap_or_default();
            name.starts_with(&prefix) && name.ends_with("-alerts")
        });
        let topics = futures::future::try_join_all(named.map(|arn| self.topic(arn)));
        let pages = self
            .cloudwatch
            .describe_alarms()
            .alarm_name_prefix(&prefix)
            .alarm_types(cw::AlarmType::MetricAlarm)
            .into_paginator()
            .send()
            .try_collect();
        let (topics, pages) = futures::try_join!(topics, async { pages.await.map_err(classify) })?;
        let listed: Vec<&cw::MetricAlarm> = pages.iter().flat_map(|p| p.metric_alarms()).collect();
        let alarms = futures::future::try_join_all(listed.into_iter().map(|a| async move {
            let arn = a.alarm_arn().unwrap_or_default();
            let out = sent(
                self.cloudwatch
                    .list_tags_for_resource()
                    .resource_arn(arn)
                    .send(),
            );
            let tags = out.await?;
            let tags: Tags = tags
                .tags()
                .iter()
                .filter_map(|t| Some((t.key()?.to_string(), t.value()?.to_string())))
                .collect();
            Ok::<_, ProviderError>(alarm_of(a, tags))
        }))
        .await?;
        // The name prefix also matches a stack whose name starts with this one's (`shop`,
        // `shop-eu`): only what carries this stack's tag is its own.
        let ours = |tags: &Tags| {
            tags.get(crate::model::TAG_STACK)
                .is_some_and(|s| s == stack)
        };
        Ok(AlertingSnapshot {
            topics: topics.into_iter().filter(|t| ours(&t.tags)).collect(),
            alarms: alarms
                .into_iter()
                .flatten()
                .filter(|a| ours(&a.tags))
                .collect(),
        })
    }

    async fn create_topic(&self, name: &str, tags: &Tags) -> Result<String> {
        let out = sent(
            self.sns
                .create_topic()
                .name(name)
                .set_tags(Some(sns_tags(tags)?))
                .send(),
        )
        .await?;
        super::carried(&out, "topic ARN", |o| o.topic_arn())
    }

    async fn set_topic_settings(&self, arn: &str, settings: &TopicSettings) -> Result<()> {
        let policy = publish_policy(arn, &settings.publisher);
        let pairs = [
            ("KmsMasterKeyId", settings.kms_key.as_str()),
            ("Policy", policy.as_str()),
            ("SignatureVersion", settings.signature_version.as_str()),
        ];
        for (name, value) in pairs {
            let request = self.sns.set_topic_attributes().topic_arn(arn);
            done(request.attribute_name(name).attribute_value(value).send()).await?;
        }
        Ok(())
    }

    async fn delete_topic(&self, arn: &str) -> Result<()> {
        done(self.sns.delete_topic().topic_arn(arn).send()).await
    }

    async fn subscribe(
        &self,
        topic_arn: &str,
        protocol: &str,
        endpoint: &str,
    ) -> Result<Option<String>> {
        let request = self.sns.subscribe().topic_arn(topic_arn).protocol(protocol);
        let out = sent(
            request
                .endpoint(endpoint)
                .return_subscription_arn(true)
                .send(),
        )
        .await?;
        Ok(out.subscription_arn().map(str::to_string))
    }

    async fn unsubscribe(&self, arn: &str) -> Result<()> {
        done(self.sns.unsubscribe().subscription_arn(arn).send()).await
    }

    async fn put_alarm(&self, alarm: &AlarmDefinition, tags: &Tags) -> Result<String> {
        let period = alarm.period as i32;
        let mut request = self
            .cloudwatch
            .put_metric_alarm()
            .alarm_name(&alarm.name)
            .alarm_description(&alarm.description)
            .actions_enabled(true)
            .set_alarm_actions(Some(alarm.actions.clone()))
            .set_ok_actions(Some(alarm.actions.clone()))
            .comparison_operator(cw::ComparisonOperator::from(alarm.comparison.as_str()))
            .threshold(alarm.threshold)
            .evaluation_periods(alarm.evaluation_periods as i32)
            .datapoints_to_alarm(alarm.evaluation_periods as i32)
            .treat_missing_data(&alarm.treat_missing)
            .set_tags(Some(cloudwatch_tags(tags)?));
        request = match &alarm.query {
            AlarmQuery::Metric { metric } => request
                .namespace(&metric.namespace)
                .metric_name(&metric.name)
                .statistic(cw::Statistic::from(metric.statistic.as_str()))
                .period(period)
                .set_dimensions(Some(sdk_dimensions(metric))),
            AlarmQuery::Expression {
                expression,
                label,
                metrics,
            } => {
                // A query with no metrics of its own (Metrics Insights) carries the period.
                let shown = cw::MetricDataQuery::builder()
                    .id("e1")
                    .expression(expression)
                    .label(label)
                    .return_data(true)
                    .set_period(metrics.is_empty().then_some(period))
                    .build();
                let inputs = metrics.iter().map(|(id, m)| {
                    cw::MetricDataQuery::builder()
                        .id(id)
                        .metric_stat(sdk_metric_stat(m, period))
                        .return_data(false)
                        .build()
                });
                request.set_metrics(Some(std::iter::once(shown).chain(inputs).collect()))
            }
        };
        done(request.send()).await?;
        self.alarm_arn(&alarm.name).await
    }

    async fn delete_alarm(&self, name: &str) -> Result<()> {
        done(self.cloudwatch.delete_alarms().alarm_names(name).send()).await
    }

    async fn publish(&self, topic_arn: &str, message: &str) -> Result<String> {
        let out = sent(
            self.sns
                .publish()
                .topic_arn(topic_arn)
                .message(message)
                .send(),
        )
        .await?;
        super::carried(&out, "message id", |o| o.message_id())
    }

    async fn set_tags(&self, arn: &str, add: &Tags, remove: &[String]) -> Result<()> {
        if arn.starts_with("arn:aws:sns:") || arn.contains(":sns:") {
            let untag = self.sns.untag_resource().resource_arn(arn);
            let untag = done(untag.set_tag_keys(Some(remove.to_vec())).send());
            let tag = async {
                let request = self.sns.tag_resource().resource_arn(arn);
                done(request.set_tags(Some(sns_tags(add)?)).send()).await
            };
            retag(remove, untag, add, tag).await
        } else {
            let untag = self.cloudwatch.untag_resource().resource_arn(arn);
            let untag = done(untag.set_tag_keys(Some(remove.to_vec())).send());
            let tag = async {
                let request = self.cloudwatch.tag_resource().resource_arn(arn);
                done(request.set_tags(Some(cloudwatch_tags(add)?)).send()).await
            };
            retag(remove, untag, add, tag).await
        }
    }
}
