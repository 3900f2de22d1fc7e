//! The KMS key a region's EKS cluster envelope-encrypts Kubernetes secrets with, known by its
//! `multiregion:id` tag. `down` schedules its deletion (KMS deletes no key at once); a key
//! pending deletion is gone for discovery, so the next `up` makes a new one.

use super::*;
use crate::model::ids;
use crate::providers::{KeyInfo, Tags, secrets_key_policy};

pub const DESCRIPTION: Field = Field::updatable("description");
pub const ENABLED: Field = Field::updatable("enabled");
pub const ROTATION: Field = Field::updatable("rotation");
/// The principals the key policy lets use the key: the cluster role.
pub const USERS: Field = Field::updatable("users");

pub const DEF: KindDef = KindDef {
    kind: Kind::SecretsKey,
    scope: Scope::Regional,
    tagging: Tagging::Kept(TagService::Kms),
    after_region: false,
    fields: &[DESCRIPTION, ENABLED, ROTATION, USERS],
    desired,
    index: Some(index),
    discovery: Discovery::InRegion(observe),
    ops: &SecretsKey,
};

fn index(snap: &Snapshot) -> Vec<(&str, &Tags)> {
    keys(snap, false)
        .map(|k| (k.arn.as_str(), &k.tags))
        .collect()
}

/// The stack's keys that are alert topics' keys (`alerts`), or the others: secrets keys.
pub fn keys(snap: &Snapshot, alerts: bool) -> impl Iterator<Item = &KeyInfo> {
    let is =
        move |k: &&KeyInfo| tag_id(&k.tags).is_some_and(|id| ids::is_alerts_key(&id) == alerts);
    snap.keys.iter().filter(is)
}

fn observe(m: &mut Mapper<'_>, snap: &Snapshot) {
    for k in keys(snap, false) {
        let Some(id) = tag_id(&k.tags) else { continue };
        let users: Vec<String> = k.users.iter().map(|u| m.name(u)).collect();
        let f = fields([
            (DESCRIPTION, k.description.clone()),
            (ENABLED, k.enabled.to_string()),
            (ROTATION, k.rotation.to_string()),
            (USERS, list(&users)),
        ]);
        let (handle, tags) = (Handle::Id(k.arn.clone()), Some(k.tags.clone()));
        m.put(id, Kind::SecretsKey, handle, f, tags, users);
    }
}

fn desired(r: &Resource, _: &DesiredContext<'_>) -> Fields {
    let ResourceSpec::SecretsKey { description, user } = &r.spec else {
        return Fields::new();
    };
    fields([
        (DESCRIPTION, description.clone()),
        (ENABLED, true.to_string()),
        (ROTATION, true.to_string()),
        (USERS, user.clone()),
    ])
}

struct SecretsKey;

#[async_trait]
impl Ops for SecretsKey {
    async fn create(&self, cx: &Applier<'_>, r: &Resource) -> StepResult<(Handle, String)> {
        let ResourceSpec::SecretsKey { description, user } = &r.spec else {
            return Err(not_a(r));
        };
        let keys = &cx.target(&r.region)?.clients.keys;
        let policy = secrets_key_policy(&cx.role_arn(user)?)?;
        // CreateKey takes no client token: a lost answer is settled by looking for the tag.
        let arn = cx
            .create_id(r, || keys.create_key(description, Some(&policy), &r.tags))
            .await?;
        retry::change(|| keys.enable_rotation(&arn)).await?;
        Ok((Handle::Id(arn.clone()), format!("{arn}, rotation on")))
    }

    async fn update(&self, u: InPlace<'_>) -> StepResult<()> {
        let InPlace(cx, r, changed, o) = u;
        let ResourceSpec::SecretsKey { description, user } = &r.spec else {
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
            let policy = secrets_key_policy(&cx.role_arn(user)?)?;
            retry::change(|| keys.put_policy(arn, &policy)).await?;
        }
        if has(DESCRIPTION) {
            retry::change(|| keys.set_description(arn, description)).await?;
        }
        Ok(())
    }

    /// Refused while a cluster that is not being deleted uses the key: EKS can never stop
    /// using it, so its deletion would leave the cluster's secrets unreadable.
    async fn delete(&self, cx: &Applier<'_>, o: &ObservedResource) -> StepResult<()> {
        let users = cx.observed.resources.values().filter(|c| {
            c.kind == Kind::EksCluster
                && c.fields.get(eks_cluster::SECRETS_KEY.name) == Some(&o.id)
                && cx.handle(&c.id).is_ok()
        });
        if let Some(cluster) = users.map(|c| c.id.clone()).next() {
            return Err(StepError::precondition(format!(
                "{cluster} encrypts its secrets with this key and EKS cannot stop using it; keep `cluster.secretsEncryption` as it was, or delete the cluster first"
            )));
        }
        let keys = &cx.target(&o.region)?.clients.keys;
        Ok(retry::delete(|| keys.schedule_deletion(o.handle.aws_id())).await?)
    }
}
