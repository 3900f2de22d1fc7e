//! The SNS topic a region's alarms notify, known by its `multiregion:id` tag.

use super::*;
use crate::providers::{Tags, TopicSettings};

pub const NAME: Field = Field::force_new("name");
pub const KMS_KEY: Field = Field::updatable("kmsKey");
pub const PUBLISHERS: Field = Field::updatable("publishers");
pub const SIGNATURE_VERSION: Field = Field::updatable("signatureVersion");

/// No server-side encryption: CloudWatch alarms cannot publish to a topic encrypted with the
/// AWS-managed key (`alias/aws/sns`, whose policy admits no service), only with a customer
/// managed key whose policy lets CloudWatch use it, which the stack does not make yet. An
/// empty key turns encryption off where someone turned it on.
pub const KMS_KEY_ID: &str = "";
/// The only publisher: CloudWatch alarms, of this account only.
pub const PUBLISHER: &str = "cloudwatch.amazonaws.com";
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
            (KMS_KEY, t.kms_key.clone().unwrap_or_default()),
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
        let (handle, tags) = (Handle::Id(t.arn.clone()), Some(t.tags.clone()));
        m.put(id, Kind::AlertTopic, handle, f, tags, vec![]);
    }
}

fn desired(r: &Resource, _: &DesiredContext<'_>) -> Fields {
    let ResourceSpec::AlertTopic { name } = &r.spec else {
        return Fields::new();
    };
    fields([
        (NAME, name.clone()),
        (KMS_KEY, KMS_KEY_ID.to_string()),
        (PUBLISHERS, format!("{PUBLISHER} (account)")),
        (SIGNATURE_VERSION, SIGNATURE.to_string()),
    ])
}

fn settings() -> TopicSettings {
    TopicSettings {
        kms_key: KMS_KEY_ID.to_string(),
        publisher: PUBLISHER.to_string(),
        signature_version: SIGNATURE.to_string(),
    }
}

struct AlertTopic;

#[async_trait]
impl Ops for AlertTopic {
    async fn create(&self, cx: &Applier<'_>, r: &Resource) -> StepResult<(Handle, String)> {
        let ResourceSpec::AlertTopic { name } = &r.spec else {
            return Err(not_a(r));
        };
        let alerting = &cx.target(&r.region)?.clients.alerting;
        // SNS makes one topic per name: a repeated create answers the same topic.
        let arn = retry::change(|| alerting.create_topic(name, &r.tags)).await?;
        let settings = settings();
        retry::change(|| alerting.set_topic_settings(&arn, &settings)).await?;
        Ok((Handle::Id(arn.clone()), arn))
    }

    /// Key, policy and signature version, set together.
    async fn update(&self, u: InPlace<'_>) -> StepResult<()> {
        let InPlace(cx, r, _, o) = u;
        let alerting = &cx.target(&r.region)?.clients.alerting;
        let arn = o.handle.aws_id();
        let settings = settings();
        Ok(retry::change(|| alerting.set_topic_settings(arn, &settings)).await?)
    }

    async fn delete(&self, cx: &Applier<'_>, o: &ObservedResource) -> StepResult<()> {
        let alerting = &cx.target(&o.region)?.clients.alerting;
        Ok(retry::delete(|| alerting.delete_topic(o.handle.aws_id())).await?)
    }
}
