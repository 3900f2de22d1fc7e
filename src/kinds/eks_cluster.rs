//! An EKS cluster.

use super::*;
use crate::model::minor;
use crate::providers::Lifecycle;
use crate::providers::{ClusterUpdate, NewCluster};
use crate::stack::types::LogType;

/// Moves forward one minor version at a time; an older version means a new cluster (the
/// diff's rule).
pub const VERSION: Field = Field::updatable("version");
pub const ROLE: Field = Field::force_new("role");
pub const SUBNETS: Field = Field::force_new("subnets");
pub const ENDPOINT_PRIVATE: Field = Field::updatable("endpointPrivate");
pub const ENDPOINT_PUBLIC: Field = Field::updatable("endpointPublic");
pub const PUBLIC_CIDRS: Field = Field::updatable("publicCidrs");
pub const LOG_TYPES: Field = Field::updatable("logTypes");
/// Turned on in place (AssociateEncryptionConfig); EKS can neither turn it off nor change the
/// key, so the update refuses those.
pub const SECRETS_KEY: Field = Field::updatable("secretsKey");

pub const DEF: KindDef = KindDef {
    kind: Kind::EksCluster,
    scope: Scope::Regional,
    tagging: Tagging::Kept(TagService::Eks),
    after_region: false,
    fields: &[
        VERSION,
        ROLE,
        SUBNETS,
        ENDPOINT_PRIVATE,
        ENDPOINT_PUBLIC,
        PUBLIC_CIDRS,
        LOG_TYPES,
        SECRETS_KEY,
    ],
    desired,
    index: None,
    discovery: Discovery::InRegion(observe),
    ops: &EksCluster,
};

fn observe(m: &mut Mapper<'_>, snap: &Snapshot) {
    for c in &snap.eks.clusters {
        let Some(id) = tag_id(&c.tags) else { continue };
        let role = m.name(&c.role_arn);
        let subnets: Vec<String> = c.subnets.iter().map(|x| m.name(x)).collect();
        let f = fields([
            (VERSION, c.version.clone()),
            (ROLE, role.clone()),
            (SUBNETS, list(&subnets)),
            (ENDPOINT_PRIVATE, c.endpoint_private.to_string()),
            (ENDPOINT_PUBLIC, c.endpoint_public.to_string()),
            (
                PUBLIC_CIDRS,
                public_cidrs_field(c.endpoint_public, &c.public_cidrs),
            ),
            (LOG_TYPES, list(&c.log_types)),
            (
                SECRETS_KEY,
                c.secrets_key
                    .as_deref()
                    .map(|k| m.name(k))
                    .unwrap_or_default(),
            ),
        ]);
        let handle = Handle::Cluster {
            name: c.name.clone(),
            arn: c.arn.clone(),
            security_group: c.cluster_security_group.clone(),
        };
        // The stack's key too, so that a teardown deletes the cluster before its key.
        let key = f[SECRETS_KEY.name].clone();
        let key = (!key.is_empty() && !key.starts_with("arn:")).then_some(key);
        let refs = subnets.into_iter().chain([role]).chain(key).collect();
        let o = m.put(id, Kind::EksCluster, handle, f, Some(c.tags.clone()), refs);
        o.state = (c.status != Lifecycle::Ready).then(|| c.status.as_str().to_string());
    }
}

fn desired(r: &Resource, _: &DesiredContext<'_>) -> Fields {
    let ResourceSpec::EksCluster {
        version,
        role,
        subnets,
        endpoint_private,
        endpoint_public,
        public_cidrs,
        log_types,
        secrets_key,
        ..
    } = &r.spec
    else {
        return Fields::new();
    };
    fields([
        (VERSION, version.clone()),
        (ROLE, role.clone()),
        (SUBNETS, list(subnets)),
        (ENDPOINT_PRIVATE, endpoint_private.to_string()),
        (ENDPOINT_PUBLIC, endpoint_public.to_string()),
        (
            PUBLIC_CIDRS,
            public_cidrs_field(*endpoint_public, public_cidrs),
        ),
        (LOG_TYPES, list(log_types)),
        (SECRETS_KEY, secrets_key.clone().unwrap_or_default()),
    ])
}

/// A key reference: an existing key's ARN, or the logical id of the stack's key.
fn key_arn(cx: &Applier<'_>, key: &str) -> StepResult<String> {
    if key.starts_with("arn:") {
        Ok(key.to_string())
    } else {
        cx.aws(key)
    }
}

/// Public endpoint CIDRs only mean something while the public endpoint is on (EKS reports
/// 0.0.0.0/0 for a private-only cluster).
pub fn public_cidrs_field(public: bool, cidrs: &[String]) -> String {
    if public { list(cidrs) } else { String::new() }
}

struct EksCluster;

#[async_trait]
impl Ops for EksCluster {
    async fn create(&self, cx: &Applier<'_>, r: &Resource) -> StepResult<(Handle, String)> {
        let ResourceSpec::EksCluster {
            name,
            version,
            role,
            subnets,
            endpoint_private,
            endpoint_public,
            public_cidrs,
            log_types,
            secrets_key,
            ..
        } = &r.spec
        else {
            return Err(not_a(r));
        };
        let eks = &cx.target(&r.region)?.clients.eks;
        let (role, subnets) = (cx.role_arn(role)?, cx.aws_all(subnets)?);
        let key = secrets_key.as_deref().map(|k| key_arn(cx, k)).transpose()?;
        let token = cx.token(&r.id);
        let new = NewCluster {
            token: &token,
            name,
            version,
            role_arn: &role,
            subnets: &subnets,
            endpoint_private: *endpoint_private,
            endpoint_public: *endpoint_public,
            public_cidrs,
            log_types,
            secrets_key: key.as_deref(),
            tags: &r.tags,
        };
        let made = retry::change(|| eks.create_cluster(&new)).await?;
        // Known before the long wait, so a failed wait still leaves it deletable.
        let handle = Handle::Cluster {
            name: name.clone(),
            arn: made.arn.clone(),
            security_group: None,
        };
        cx.remember(&r.id, handle);
        let active = retry::wait(|| eks.wait_cluster_active(name, cx.limits.cluster)).await?;
        let what = format!(
            "{} {}",
            active.status.as_str(),
            active.endpoint.clone().unwrap_or_default()
        );
        let handle = Handle::Cluster {
            name: name.clone(),
            arn: active.arn,
            security_group: active.cluster_security_group,
        };
        Ok((handle, what))
    }

    /// EKS takes one update at a time, so each runs to completion before the next.
    async fn update(&self, u: InPlace<'_>) -> StepResult<()> {
        let InPlace(cx, r, changed, o) = u;
        let ResourceSpec::EksCluster {
            name,
            version,
            endpoint_private,
            endpoint_public,
            public_cidrs,
            log_types,
            secrets_key,
            ..
        } = &r.spec
        else {
            return Err(not_a(r));
        };
        let eks = &cx.target(&r.region)?.clients.eks;
        let has = |f: Field| changed.contains(&f.name);
        let mut updates = Vec::new();
        if has(SECRETS_KEY) {
            let had = o.fields.get(SECRETS_KEY.name).filter(|k| !k.is_empty());
            match (had, secrets_key) {
                (None, Some(key)) => updates.push(ClusterUpdate::Encryption {
                    key_arn: key_arn(cx, key)?,
                }),
                (Some(had), _) => {
                    return Err(StepError::precondition(format!(
                        "secrets are encrypted with {had}; EKS cannot change that key or turn encryption off (set cluster.secretsEncryption back, or replace the cluster)"
                    )));
                }
                (None, None) => {}
            }
        }
        if has(VERSION) {
            // One minor version at a time, as EKS requires.
            let from = o.fields.get(VERSION.name).and_then(|v| minor(v));
            let to = minor(version).unwrap_or_default();
            for minor in (from.unwrap_or_default() + 1)..=to {
                updates.push(ClusterUpdate::Version(format!("1.{minor}")));
            }
        }
        if has(LOG_TYPES) {
            let disabled = LogType::all()
                .iter()
                .map(|l| l.as_str().to_string())
                .filter(|l| !log_types.contains(l))
                .collect();
            updates.push(ClusterUpdate::Logging {
                enabled: log_types.clone(),
                disabled,
            });
        }
        if has(ENDPOINT_PRIVATE) || has(ENDPOINT_PUBLIC) || has(PUBLIC_CIDRS) {
            updates.push(ClusterUpdate::Endpoint {
                private: *endpoint_private,
                public: *endpoint_public,
                public_cidrs: public_cidrs.clone(),
            });
        }
        for update in &updates {
            retry::change(|| eks.update_cluster(name, update, cx.limits.cluster)).await?;
        }
        Ok(())
    }

    async fn delete(&self, cx: &Applier<'_>, o: &ObservedResource) -> StepResult<()> {
        let Handle::Cluster { name, .. } = &o.handle else {
            return Err(StepError::precondition("not a cluster"));
        };
        let eks = &cx.target(&o.region)?.clients.eks;
        retry::delete(|| eks.delete_cluster(name)).await?;
        Ok(retry::delete(|| eks.wait_cluster_deleted(name, cx.limits.cluster)).await?)
    }
}
