//! An EKS managed add-on of the region's cluster, known by its `multiregion:id` tag.
//!
//! Its version is the one the stack pins, or `default`: EKS's default for the cluster's
//! Kubernetes version, resolved when it is made or updated, and read back as `default` while
//! the add-on runs exactly that version (a cluster upgrade moves the default, and with it the
//! add-on).

use super::*;
use crate::providers::{Lifecycle, NewAddon, Tags};

pub const VERSION: Field = Field::updatable("version");
pub const CONFIGURATION: Field = Field::updatable("configuration");

/// The version field of an add-on that follows EKS's default.
pub const DEFAULT: &str = "default";

pub const DEF: KindDef = KindDef {
    kind: Kind::ClusterAddon,
    scope: Scope::Regional,
    tagging: Tagging::Kept(TagService::Eks),
    after_region: false,
    fields: &[VERSION, CONFIGURATION],
    desired,
    index: None,
    discovery: Discovery::InRegion(observe),
    ops: &ClusterAddon,
};

fn observe(m: &mut Mapper<'_>, snap: &Snapshot) {
    for a in &snap.addons {
        let Some(id) = tag_id(&a.tags) else { continue };
        let pinned = m.desired.iter().any(|r| {
            r.id == id
                && matches!(
                    &r.spec,
                    ResourceSpec::ClusterAddon {
                        version: Some(_),
                        ..
                    }
                )
        });
        let cluster_version = snap
            .eks
            .clusters
            .iter()
            .find(|c| c.name == a.cluster)
            .map(|c| c.version.as_str());
        let is_default = cluster_version.and_then(|v| a.defaults.get(v)) == Some(&a.version);
        let version = if is_default && !pinned {
            DEFAULT.to_string()
        } else {
            a.version.clone()
        };
        let f = fields([(VERSION, version), (CONFIGURATION, a.configuration.clone())]);
        let handle = Handle::Addon {
            cluster: a.cluster.clone(),
            name: a.name.clone(),
            arn: a.arn.clone(),
        };
        let cluster = m.cluster_names.get(&a.cluster).cloned();
        let refs = cluster.into_iter().collect();
        let o = m.put(
            id,
            Kind::ClusterAddon,
            handle,
            f,
            Some(a.tags.clone()),
            refs,
        );
        o.state = (a.status != Lifecycle::Ready).then(|| a.status.as_str().to_string());
    }
}

fn desired(r: &Resource, _: &DesiredContext<'_>) -> Fields {
    let ResourceSpec::ClusterAddon {
        version,
        configuration,
        ..
    } = &r.spec
    else {
        return Fields::new();
    };
    fields([
        (
            VERSION,
            version.clone().unwrap_or_else(|| DEFAULT.to_string()),
        ),
        (CONFIGURATION, configuration.clone()),
    ])
}

struct ClusterAddon;

impl ClusterAddon {
    /// The version to ask EKS for: the pinned one, or its default for the cluster's version
    /// as the stack has it (an upgrade in the same run comes first: the add-on depends on it).
    async fn version(cx: &Applier<'_>, r: &Resource) -> StepResult<String> {
        let ResourceSpec::ClusterAddon {
            name,
            version,
            kubernetes,
            ..
        } = &r.spec
        else {
            return Err(not_a(r));
        };
        if let Some(v) = version {
            return Ok(v.clone());
        }
        let addons = &cx.target(&r.region)?.clients.addons;
        Ok(retry::change(|| addons.default_version(name, kubernetes)).await?)
    }
}

#[async_trait]
impl Ops for ClusterAddon {
    async fn create(&self, cx: &Applier<'_>, r: &Resource) -> StepResult<(Handle, String)> {
        let ResourceSpec::ClusterAddon {
            cluster_name,
            name,
            configuration,
            ..
        } = &r.spec
        else {
            return Err(not_a(r));
        };
        let version = Self::version(cx, r).await?;
        let addons = &cx.target(&r.region)?.clients.addons;
        let new = new_addon(cluster_name, name, &version, configuration, &r.tags);
        // EKS makes one add-on per name and cluster: a repeated create says it exists.
        let arn = retry::change(|| addons.create_addon(&new, cx.limits.addon)).await?;
        let handle = Handle::Addon {
            cluster: cluster_name.clone(),
            name: name.clone(),
            arn,
        };
        Ok((handle, format!("{name} {version}")))
    }

    async fn update(&self, u: InPlace<'_>) -> StepResult<()> {
        let InPlace(cx, r, _, _) = u;
        let ResourceSpec::ClusterAddon {
            cluster_name,
            name,
            configuration,
            ..
        } = &r.spec
        else {
            return Err(not_a(r));
        };
        let version = Self::version(cx, r).await?;
        let addons = &cx.target(&r.region)?.clients.addons;
        let new = new_addon(cluster_name, name, &version, configuration, &r.tags);
        Ok(retry::change(|| addons.update_addon(&new, cx.limits.addon)).await?)
    }

    async fn delete(&self, cx: &Applier<'_>, o: &ObservedResource) -> StepResult<()> {
        let Handle::Addon { cluster, name, .. } = &o.handle else {
            return Err(StepError::precondition("not an add-on"));
        };
        let addons = &cx.target(&o.region)?.clients.addons;
        Ok(retry::delete(|| addons.delete_addon(cluster, name, cx.limits.addon)).await?)
    }
}

fn new_addon<'a>(
    cluster: &'a str,
    name: &'a str,
    version: &'a str,
    configuration: &'a str,
    tags: &'a Tags,
) -> NewAddon<'a> {
    NewAddon {
        cluster,
        name,
        version,
        configuration,
        tags,
    }
}
