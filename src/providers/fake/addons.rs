//! The fake world's EKS add-ons, by (cluster, name): one needs its cluster, and goes with it.

use std::time::Duration;

use async_trait::async_trait;

use super::*;
use crate::providers::*;

const EKS: &str = "EKS";

/// The default version of each add-on this world knows, per Kubernetes minor version: the
/// minor in the version, so an upgraded cluster has a new default.
fn default_of(name: &str, kubernetes: &str) -> Option<String> {
    let known = [
        "vpc-cni",
        "coredns",
        "kube-proxy",
        "eks-pod-identity-agent",
        "metrics-server",
        "amazon-cloudwatch-observability",
    ];
    known
        .contains(&name)
        .then(|| format!("v{kubernetes}.0-eksbuild.1"))
}

#[derive(Debug, Clone)]
pub(crate) struct Addon {
    pub arn: String,
    pub version: String,
    pub configuration: String,
    pub tags: Tags,
}

#[async_trait]
impl Addons for FakeRegion {
    async fn snapshot(&self, cluster: &str) -> Result<Vec<AddonInfo>> {
        let op = self.call(EKS, "ListAddons").await?;
        let names: Vec<String> = self
            .in_region(op, |r, _| {
                if !r.clusters.contains_key(cluster) {
                    return Err(op.not_found(cluster));
                }
                let ours = r.addons.keys().filter(|(c, _)| c == cluster);
                Ok(ours.map(|(_, n)| n.clone()).collect())
            })
            .or_else(|e| {
                if e.kind == ErrorKind::NotFound {
                    Ok(Vec::new())
                } else {
                    Err(e)
                }
            })?;
        // Each add-on's description and versions at once, as the AWS adapter reads them.
        let each = names.into_iter().map(|name| async move {
            let (op, _) = futures::try_join!(
                self.call(EKS, "DescribeAddon"),
                self.call(EKS, "DescribeAddonVersions")
            )?;
            let addon = self.in_region(op, |r, _| {
                Ok(r.addons.get(&(cluster.to_string(), name.clone())).cloned())
            })?;
            let defaults = (20..=40)
                .filter_map(|m| {
                    let k8s = format!("1.{m}");
                    default_of(&name, &k8s).map(|v| (k8s, v))
                })
                .collect();
            Ok::<_, ProviderError>(addon.map(|a| AddonInfo {
                cluster: cluster.to_string(),
                name,
                arn: a.arn,
                version: a.version,
                status: Lifecycle::Ready,
                configuration: a.configuration,
                tags: a.tags,
                defaults,
            }))
        });
        let found = futures::future::try_join_all(each).await?;
        Ok(found.into_iter().flatten().collect())
    }

    async fn default_version(&self, name: &str, kubernetes: &str) -> Result<String> {
        let op = self.call(EKS, "DescribeAddonVersions").await?;
        default_of(name, kubernetes).ok_or_else(|| op.not_found(name))
    }

    async fn create_addon(&self, a: &NewAddon<'_>, max: Duration) -> Result<String> {
        let op = self.call(EKS, "CreateAddon").await?;
        let arn = self.in_region(op, |r, _| {
            let cluster = op.get(&r.clusters, a.cluster)?;
            let k8s = cluster.info.version.clone();
            if default_of(a.name, &k8s).is_none() {
                return Err(op.refused(format!("no add-on named {} for Kubernetes {k8s}", a.name)));
            }
            let key = (a.cluster.to_string(), a.name.to_string());
            if r.addons.contains_key(&key) {
                return Err(op.exists(format!("{} exists on {}", a.name, a.cluster)));
            }
            let arn = format!(
                "arn:aws:eks:{}:123456789012:addon/{}/{}/0",
                self.region, a.cluster, a.name
            );
            let addon = Addon {
                arn: arn.clone(),
                version: a.version.to_string(),
                configuration: canonical_configuration(a.configuration),
                tags: a.tags.clone(),
            };
            r.addons.insert(key, addon);
            Ok(arn)
        })?;
        // Becoming active takes a minute or so.
        tokio::time::sleep(Duration::from_secs(60).min(max)).await;
        Ok(arn)
    }

    async fn update_addon(&self, a: &NewAddon<'_>, max: Duration) -> Result<()> {
        let op = self.call(EKS, "UpdateAddon").await?;
        self.in_region(op, |r, _| {
            let key = (a.cluster.to_string(), a.name.to_string());
            let addon = r.addons.get_mut(&key).ok_or_else(|| op.not_found(a.name))?;
            addon.version = a.version.to_string();
            addon.configuration = canonical_configuration(a.configuration);
            Ok(())
        })?;
        tokio::time::sleep(Duration::from_secs(60).min(max)).await;
        Ok(())
    }

    async fn delete_addon(&self, cluster: &str, name: &str, max: Duration) -> Result<()> {
        let op = self.call(EKS, "DeleteAddon").await?;
        self.in_region(op, |r, _| {
            let key = (cluster.to_string(), name.to_string());
            r.addons.remove(&key).ok_or_else(|| op.not_found(name))?;
            Ok(())
        })?;
        tokio::time::sleep(Duration::from_secs(30).min(max)).await;
        Ok(())
    }
}

impl FakeWorld {
    /// The version and configuration of an add-on, by cluster and name.
    pub fn addon(&self, region: &str, cluster: &str, name: &str) -> Option<(String, String)> {
        let s = self.inner.lock();
        let key = (cluster.to_string(), name.to_string());
        let addon = s.regions.get(region)?.addons.get(&key)?;
        Some((addon.version.clone(), addon.configuration.clone()))
    }

    /// Changes an add-on's configuration behind the tool's back.
    pub fn set_addon_configuration(&self, region: &str, cluster: &str, name: &str, to: &str) {
        let mut s = self.inner.lock();
        let key = (cluster.to_string(), name.to_string());
        if let Some(a) = s
            .regions
            .get_mut(region)
            .and_then(|r| r.addons.get_mut(&key))
        {
            a.configuration = canonical_configuration(to);
        }
    }
}
