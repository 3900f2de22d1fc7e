//! EKS managed add-ons on `aws-sdk-eks`.

use std::collections::BTreeMap;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_eks::Client;
use aws_sdk_eks::client::Waiters;
use aws_sdk_eks::types::{AddonStatus, ResolveConflicts};

use crate::providers::aws::{done, every, from_map, sent, tag_map, waited};
use crate::providers::*;

pub struct EksAddons {
    client: Client,
}

impl EksAddons {
    pub fn new(client: Client) -> Self {
        EksAddons { client }
    }

    /// Kubernetes minor version -> the default version of add-on `name` there.
    async fn defaults(&self, name: &str) -> Result<BTreeMap<String, String>> {
        let listed: Vec<aws_sdk_eks::types::AddonInfo> =
            every!(self.client.describe_addon_versions().addon_name(name)).await?;
        let mut defaults = BTreeMap::new();
        for version in listed.iter().flat_map(|a| a.addon_versions()) {
            for c in version.compatibilities() {
                if let (true, Some(k8s)) = (c.default_version(), c.cluster_version()) {
                    let v = version.addon_version().unwrap_or_default();
                    defaults.insert(k8s.to_string(), v.to_string());
                }
            }
        }
        Ok(defaults)
    }

    async fn wait_active(&self, cluster: &str, name: &str, max: Duration) -> Result<()> {
        let wait = self.client.wait_until_addon_active();
        wait.cluster_name(cluster)
            .addon_name(name)
            .wait(max)
            .await
            .map_err(|e| waited("wait AddonActive", e))?;
        Ok(())
    }
}

fn lifecycle(status: Option<&AddonStatus>) -> Lifecycle {
    match status {
        Some(AddonStatus::Active) => Lifecycle::Ready,
        Some(AddonStatus::Updating) => Lifecycle::Updating,
        Some(AddonStatus::Deleting) => Lifecycle::Deleting,
        Some(AddonStatus::CreateFailed | AddonStatus::DeleteFailed | AddonStatus::Degraded) => {
            Lifecycle::Failed
        }
        _ => Lifecycle::Pending,
    }
}

#[async_trait]
impl Addons for EksAddons {
    async fn snapshot(&self, cluster: &str) -> Result<Vec<AddonInfo>> {
        let names: Vec<String> = match every!(self.client.list_addons().cluster_name(cluster)).await
        {
            Ok(names) => names,
            Err(e) if e.kind == ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        let each = names.iter().map(|name| async move {
            let describe = sent(
                self.client
                    .describe_addon()
                    .cluster_name(cluster)
                    .addon_name(name)
                    .send(),
            );
            let (described, defaults) = futures::try_join!(describe, self.defaults(name))?;
            Ok::<_, ProviderError>(described.addon().map(|a| AddonInfo {
                cluster: cluster.to_string(),
                name: name.clone(),
                arn: a.addon_arn().unwrap_or_default().to_string(),
                version: a.addon_version().unwrap_or_default().to_string(),
                status: lifecycle(a.status()),
                configuration: canonical_configuration(a.configuration_values().unwrap_or("")),
                tags: from_map(a.tags()),
                defaults,
            }))
        });
        let found = futures::future::try_join_all(each).await?;
        Ok(found.into_iter().flatten().collect())
    }

    async fn default_version(&self, name: &str, kubernetes: &str) -> Result<String> {
        self.defaults(name)
            .await?
            .remove(kubernetes)
            .ok_or_else(|| {
                ProviderError::new(
                    ErrorKind::Other,
                    "DescribeAddonVersions",
                    format!("EKS names no default version of {name} for Kubernetes {kubernetes}"),
                )
            })
    }

    async fn create_addon(&self, a: &NewAddon<'_>, max: Duration) -> Result<String> {
        let out = sent(
            self.client
                .create_addon()
                .cluster_name(a.cluster)
                .addon_name(a.name)
                .addon_version(a.version)
                .set_configuration_values(
                    (!a.configuration.is_empty()).then(|| a.configuration.to_string()),
                )
                .resolve_conflicts(ResolveConflicts::Overwrite)
                .set_tags(Some(tag_map(a.tags)))
                .send(),
        )
        .await?;
        let arn = out.addon().and_then(|x| x.addon_arn()).unwrap_or_default();
        let arn = arn.to_string();
        self.wait_active(a.cluster, a.name, max).await?;
        Ok(arn)
    }

    async fn update_addon(&self, a: &NewAddon<'_>, max: Duration) -> Result<()> {
        done(
            self.client
                .update_addon()
                .cluster_name(a.cluster)
                .addon_name(a.name)
                .addon_version(a.version)
                // An empty string clears configuration EKS holds.
                .configuration_values(a.configuration)
                .resolve_conflicts(ResolveConflicts::Overwrite)
                .send(),
        )
        .await?;
        self.wait_active(a.cluster, a.name, max).await
    }

    async fn delete_addon(&self, cluster: &str, name: &str, max: Duration) -> Result<()> {
        let delete = self
            .client
            .delete_addon()
            .cluster_name(cluster)
            .addon_name(name);
        done(delete.send()).await?;
        let wait = self.client.wait_until_addon_deleted();
        wait.cluster_name(cluster)
            .addon_name(name)
            .wait(max)
            .await
            .map_err(|e| waited("wait AddonDeleted", e))?;
        Ok(())
    }
}
