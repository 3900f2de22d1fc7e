//! The SNS topic a region's alarms notify, known by its `multiregion:id` tag.

use super::*;
use crate::providers::{Tags, TopicSettings};

pub const NAME: Field = Field::force_new("name");
/// The key its messages are encrypted with at rest: the region's alerts key.
pub const KMS_KEY: Field = Field::updatable("kmsKey");
pub const PUBLISHERS: Field = Field::updatable("publishers");
pub const SIGNATURE_VERSION: Field = Field::updatable("signatureVersion");

/// The only publisher: CloudWatch alarms, of this account only.
pub const PUBLISHER: &str = crate::providers::ALERTS_USER;
/// SHA256 signatures, the ones `webhook serve` checks.
pub const SIGNATURE: &str = "2";

pub const DEF: KindDef = KindDef {
    kind: Kind::AlertTopic,
    scope: Scope::Regional,
    tagging: Tagging::Kept(TagService::Alerts),
    after_region: false,
    fields: &[NAME, KMS_KEY, PUBLISHERS, SIGNATURE_VERSION],
    desired,
    index: Some(index),
    discovery: Discovery::InRegion(observe),
    ops: &AlertTopic,
};

fn index(snap: &Snapshot) -> Vec<(&str, &Tags)> {
    let all = snap.alerting.topics.iter();
    all.map(|t| (t.arn.as_str(), &t.tags)).collect()
}

fn observe(m: &mut Mapper<'_>, snap: &Snapshot) {
    for t in &snap.alerting.topics {
        let Some(id) = tag_id(&t.tags) else { continue };
        let f = fields([
            (NAME, t.name.clone()),
            (KMS_KEY, m.name(t.kms_key.as_deref().unwrap_or_default())),
            (PUBLISHERS, t.publishers.join(",")),
            // SNS reports the version it signs with; an emulator that does not (moto) is
            // taken at its word that it was set: moto signs with SHA256 whatever it is told.
            (
                SIGNATURE_VERSION,
                t.signature_version
                    .clone()
                    .unwrap_or_else(|| SIGNATURE.to_string()),
            ),
        ]);
        // The stack's key, so that a teardown deletes the topic before its key.
        let key = f[KMS_KEY.name].clone();
        let refs = (!key.is_empty() && !key.starts_with("arn:")).then_some(key);
        let (handle, tags) = (Handle::Id(t.arn.clone()), Some(t.tags.clone()));
        m.put(
            id,
            Kind::AlertTopic,
            handle,
            f,
            tags,
            refs.into_iter().collect(),
        );
    }
}

fn desired(r: &Resource, _: &DesiredContext<'_>) -> Fields {
    let ResourceSpec::AlertTopic { name, key } = &r.spec else {
        return Fields::new();
    };
    fields([
        (NAME, name.clone()),
        (KMS_KEY, key.clone()),
        (PUBLISHERS, format!("{PUBLISHER} (account)")),
        (SIGNATURE_VERSION, SIGNATURE.to_string()),
    ])
}

/// The topic's settings, its key's ARN for the key's logical id.
fn settings(cx: &Applier<'_>, key: &str) -> StepResult<TopicSettings> {
    Ok(TopicSettings {
        kms_key: cx.aws(key)?,
        publisher: PUBLISHER.to_string(),
        signature_version: SIGNATURE.to_string(),
    })
}

struct AlertTopic;

#[async_trait]
impl Ops for AlertTopic {
    async fn create(&self, cx: &Applier<'_>, r: &Resource) -> StepResult<(Handle, String)> {
        let ResourceSpec::AlertTopic { name, key } = &r.spec else {
            return Err(not_a(r));
        };
        let alerting = &cx.target(&r.region)?.clients.alerting;
        let settings = settings(cx, key)?;
        // SNS makes one topic per name: a repeated create answers the same topic.
        let arn = retry::change(|| alerting.create_topic(name, &r.tags)).await?;
        retry::change(|| alerting.set_topic_settings(&arn, &settings)).await?;
        Ok((Handle::Id(arn.clone()), arn))
    }

    /// Key, policy and signature version, set together.
    async fn update(&self, u: InPlace<'_>) -> StepResult<()> {
        let InPlace(cx, r, _, o) = u;
        let ResourceSpec::AlertTopic { key, .. } = &r.spec else {
            return Err(not_a(r));
        };
        let alerting = &cx.target(&r.region)?.clients.alerting;
        let arn = o.handle.aws_id();
        let settings = settings(cx, key)?;
        Ok(retry::change(|| alerting.set_topic_settings(arn, &settings)).await?)
    }

    async fn delete(&self, cx: &Applier<'_>, o: &ObservedResource) -> StepResult<()> {
        let alerting = &cx.target(&o.region)?.clients.alerting;
        Ok(retry::delete(|| alerting.delete_topic(o.handle.aws_id())).await?)
    }
}
