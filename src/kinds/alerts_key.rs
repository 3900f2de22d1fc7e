//! The KMS key a region's alert topic encrypts its messages with at rest, known by its
//! `multiregion:id` tag. The AWS-managed SNS key cannot serve: its policy admits no service,
//! so CloudWatch alarms could not publish to the topic. This key's policy lets the account
//! administer it and CloudWatch use it. `down` schedules its deletion, after the topic's.

use super::secrets_key::{DESCRIPTION, ENABLED, ROTATION, USERS, keys};
use super::*;
use crate::providers::{ALERTS_USER, Tags, alerts_key_policy};

pub const DEF: KindDef = KindDef {
    kind: Kind::AlertsKey,
    scope: Scope::Regional,
    tagging: Tagging::Kept(TagService::Kms),
    after_region: false,
    fields: &[DESCRIPTION, ENABLED, ROTATION, USERS],
    desired,
    index: Some(index),
    discovery: Discovery::InRegion(observe),
    ops: &AlertsKey,
};

fn index(snap: &Snapshot) -> Vec<(&str, &Tags)> {
    keys(snap, true)
        .map(|k| (k.arn.as_str(), &k.tags))
        .collect()
}

fn observe(m: &mut Mapper<'_>, snap: &Snapshot) {
    for k in keys(snap, true) {
        let Some(id) = tag_id(&k.tags) else { continue };
        let f = fields([
            (DESCRIPTION, k.description.clone()),
            (ENABLED, k.enabled.to_string()),
            (ROTATION, k.rotation.to_string()),
            (USERS, list(&k.users)),
        ]);
        let (handle, tags) = (Handle::Id(k.arn.clone()), Some(k.tags.clone()));
        m.put(id, Kind::AlertsKey, handle, f, tags, vec![]);
    }
}

fn desired(r: &Resource, _: &DesiredContext<'_>) -> Fields {
    let ResourceSpec::AlertsKey { description } = &r.spec else {
        return Fields::new();
    };
    fields([
        (DESCRIPTION, description.clone()),
        (ENABLED, true.to_string()),
        (ROTATION, true.to_string()),
        (USERS, ALERTS_USER.to_string()),
    ])
}

struct AlertsKey;

#[async_trait]
impl Ops for AlertsKey {
    /// Made with KMS's default policy, then given its own: the policy names the account, which
    /// only the new key's ARN tells. Should the second call fail, the next `up` finds the key
    /// without CloudWatch among its users and puts the policy then.
    async fn create(&self, cx: &Applier<'_>, r: &Resource) -> StepResult<(Handle, String)> {
        let ResourceSpec::AlertsKey { description } = &r.spec else {
            return Err(not_a(r));
        };
        let keys = &cx.target(&r.region)?.clients.keys;
        // CreateKey takes no client token: a lost answer is settled by looking for the tag.
        let arn = cx
            .create_id(r, || keys.create_key(description, None, &r.tags))
            .await?;
        let policy = alerts_key_policy(&arn)?;
        retry::change(|| keys.put_policy(&arn, &policy)).await?;
        retry::change(|| keys.enable_rotation(&arn)).await?;
        Ok((Handle::Id(arn.clone()), format!("{arn}, rotation on")))
    }

    async fn update(&self, u: InPlace<'_>) -> StepResult<()> {
        let InPlace(cx, r, changed, o) = u;
        let ResourceSpec::AlertsKey { description } = &r.spec else {
            return Err(not_a(r));
        };
        let keys = &cx.target(&r.region)?.clients.keys;
        let arn = o.handle.aws_id();
        let has = |f: Field| changed.contains(&f.name);
        if has(ENABLED) {
            retry::change(|| keys.enable_key(arn)).await?;
        }
        if has(ROTATION) {
            retry::change(|| keys.enable_rotation(arn)).await?;
        }
        if has(USERS) {
            let policy = alerts_key_policy(arn)?;
            retry::change(|| keys.put_policy(arn, &policy)).await?;
        }
        if has(DESCRIPTION) {
            retry::change(|| keys.set_description(arn, description)).await?;
        }
        Ok(())
    }

    /// The topic refers to the key, so a teardown deletes the topic first.
    async fn delete(&self, cx: &Applier<'_>, o: &ObservedResource) -> StepResult<()> {
        let keys = &cx.target(&o.region)?.clients.keys;
        Ok(retry::delete(|| keys.schedule_deletion(o.handle.aws_id())).await?)
    }
}
