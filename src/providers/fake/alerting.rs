//! The fake world's SNS and CloudWatch alarms: topics by ARN (one per name, as SNS makes
//! them), their subscriptions, and alarms by name.

use async_trait::async_trait;

use super::*;
use crate::providers::*;

const SNS: &str = "SNS";
const CLOUDWATCH: &str = "CloudWatch";

#[derive(Debug, Clone, Default)]
pub(crate) struct Topic {
    pub name: String,
    pub settings: Option<TopicSettings>,
    pub subscriptions: Vec<SubscriptionInfo>,
    pub tags: Tags,
    /// Every message published to it.
    pub published: Vec<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct Alarm {
    pub arn: String,
    pub definition: AlarmDefinition,
    pub tags: Tags,
}

fn topic<'r>(r: &'r mut Region, op: Op, arn: &str) -> Result<&'r mut Topic> {
    r.topics.get_mut(arn).ok_or_else(|| op.not_found(arn))
}

#[async_trait]
impl Alerting for FakeRegion {
    async fn snapshot(&self, stack: &str) -> Result<AlertingSnapshot> {
        let op = self.call(SNS, "ListTopics").await?;
        let prefix = format!("{stack}-");
        let ours = |tags: &Tags| {
            tags.get(crate::model::TAG_STACK)
                .is_some_and(|s| s == stack)
        };
        self.in_region(op, |r, _| {
            let topics = r
                .topics
                .iter()
                .filter(|(_, t)| t.name.starts_with(&prefix) && t.name.ends_with("-alerts"))
                .filter(|(_, t)| ours(&t.tags));
            let topics = topics
                .map(|(arn, t)| TopicInfo {
                    arn: arn.clone(),
                    name: t.name.clone(),
                    kms_key: t.settings.as_ref().map(|s| s.kms_key.clone()),
                    publishers: t
                        .settings
                        .iter()
                        .map(|s| format!("{} (account)", s.publisher))
                        .collect(),
                    signature_version: t.settings.as_ref().map(|s| s.signature_version.clone()),
                    subscriptions: t.subscriptions.clone(),
                    tags: t.tags.clone(),
                })
                .collect();
            let alarms = r
                .alarms
                .values()
                .filter(|a| a.definition.name.starts_with(&prefix) && ours(&a.tags));
            let alarms = alarms
                .map(|a| AlarmInfo {
                    arn: a.arn.clone(),
                    definition: a.definition.clone(),
                    ok_actions: a.definition.actions.clone(),
                    actions_enabled: true,
                    state: "INSUFFICIENT_DATA".into(),
                    state_reason: "Unchecked: Initial alarm creation".into(),
                    state_updated: None,
                    tags: a.tags.clone(),
                })
                .collect();
            Ok(AlertingSnapshot { topics, alarms })
        })
    }

    async fn create_topic(&self, name: &str, tags: &Tags) -> Result<String> {
        let op = self.call(SNS, "CreateTopic").await?;
        let arn = format!("arn:aws:sns:{}:123456789012:{name}", self.region);
        self.in_region(op, |r, _| {
            let t = r.topics.entry(arn.clone()).or_default();
            t.name = name.to_string();
            t.tags.extend(tags.clone());
            Ok(arn.clone())
        })
    }

    async fn set_topic_settings(&self, arn: &str, settings: &TopicSettings) -> Result<()> {
        let op = self.call(SNS, "SetTopicAttributes").await?;
        self.in_region(op, |r, _| {
            topic(r, op, arn)?.settings = Some(settings.clone());
            Ok(())
        })
    }

    async fn delete_topic(&self, arn: &str) -> Result<()> {
        let op = self.call(SNS, "DeleteTopic").await?;
        // SNS answers a delete of a topic that is not there as done.
        self.in_region(op, |r, _| {
            r.topics.remove(arn);
            Ok(())
        })
    }

    async fn subscribe(
        &self,
        topic_arn: &str,
        protocol: &str,
        endpoint: &str,
    ) -> Result<Option<String>> {
        let op = self.call(SNS, "Subscribe").await?;
        self.with(op, |s, _| {
            s.next_id += 1;
            let arn = format!("{topic_arn}:{:08x}", s.next_id);
            let t = topic(self.here(s), op, topic_arn)?;
            let same = |x: &SubscriptionInfo| x.protocol == protocol && x.endpoint == endpoint;
            if let Some(found) = t.subscriptions.iter().find(|x| same(x)) {
                return Ok(found.arn.clone());
            }
            // E-mail waits for its reader to confirm; the others are confirmed at once here.
            let confirmed = (protocol != "email").then_some(arn);
            t.subscriptions.push(SubscriptionInfo {
                arn: confirmed.clone(),
                protocol: protocol.to_string(),
                endpoint: endpoint.to_string(),
            });
            Ok(confirmed)
        })
    }

    async fn unsubscribe(&self, arn: &str) -> Result<()> {
        let op = self.call(SNS, "Unsubscribe").await?;
        self.in_region(op, |r, _| {
            for t in r.topics.values_mut() {
                t.subscriptions.retain(|s| s.arn.as_deref() != Some(arn));
            }
            Ok(())
        })
    }

    async fn put_alarm(&self, alarm: &AlarmDefinition, tags: &Tags) -> Result<String> {
        let op = self.call(CLOUDWATCH, "PutMetricAlarm").await?;
        let arn = format!(
            "arn:aws:cloudwatch:{}:123456789012:alarm:{}",
            self.region, alarm.name
        );
        self.in_region(op, |r, _| {
            if let Some(missing) = alarm.actions.iter().find(|a| !r.topics.contains_key(*a)) {
                return Err(op.error(ErrorKind::Other, format!("no topic {missing}")));
            }
            let kept = r.alarms.get(&alarm.name).map(|a| a.tags.clone());
            r.alarms.insert(
                alarm.name.clone(),
                Alarm {
                    arn: arn.clone(),
                    definition: alarm.clone(),
                    // A put of an existing alarm leaves its tags as they are, as CloudWatch does.
                    tags: kept.unwrap_or_else(|| tags.clone()),
                },
            );
            Ok(arn.clone())
        })
    }

    async fn delete_alarm(&self, name: &str) -> Result<()> {
        let op = self.call(CLOUDWATCH, "DeleteAlarms").await?;
        self.in_region(op, |r, _| {
            r.alarms.remove(name);
            Ok(())
        })
    }

    async fn publish(&self, topic_arn: &str, message: &str) -> Result<String> {
        let op = self.call(SNS, "Publish").await?;
        self.in_region(op, |r, _| {
            let t = topic(r, op, topic_arn)?;
            t.published.push(message.to_string());
            Ok(format!("message-{}", t.published.len()))
        })
    }

    async fn set_tags(&self, arn: &str, add: &Tags, remove: &[String]) -> Result<()> {
        let op = self.call(SNS, "TagResource").await?;
        self.in_region(op, |r, _| {
            let tags = match r.topics.get_mut(arn) {
                Some(t) => &mut t.tags,
                None => {
                    let alarm = r.alarms.values_mut().find(|a| a.arn == arn);
                    &mut alarm.ok_or_else(|| op.not_found(arn))?.tags
                }
            };
            for k in remove {
                tags.remove(k);
            }
            tags.extend(add.clone());
            Ok(())
        })
    }
}
