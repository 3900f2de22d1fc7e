//! The fake world's EKS Pod Identity associations: one per service account of a cluster, as
//! EKS allows, and gone with their cluster.

use async_trait::async_trait;

use super::*;
use crate::providers::*;

const EKS: &str = "EKS";

#[derive(Debug, Clone)]
pub(crate) struct Association {
    pub info: PodIdentityInfo,
    pub token: String,
}

#[async_trait]
impl PodIdentities for FakeRegion {
    async fn snapshot(&self, cluster: &str) -> Result<Vec<PodIdentityInfo>> {
        let op = self.call(EKS, "ListPodIdentityAssociations").await?;
        let found: Vec<PodIdentityInfo> = self.in_region(op, |r, _| {
            let ours = r
                .pod_identities
                .values()
                .filter(|a| a.info.cluster == cluster);
            Ok(ours.map(|a| a.info.clone()).collect())
        })?;
        // One description each, as the AWS adapter reads them.
        for _ in &found {
            self.call(EKS, "DescribePodIdentityAssociation").await?;
        }
        Ok(found)
    }

    async fn create_association(&self, new: &NewPodIdentity<'_>) -> Result<PodIdentityInfo> {
        let op = self.call(EKS, "CreatePodIdentityAssociation").await?;
        self.with(op, |s, _| {
            let id = self.new_id(s, "a");
            let r = self.here(s);
            op.get(&r.clusters, new.cluster)?;
            let same_account = r.pod_identities.values().find(|a| {
                a.info.cluster == new.cluster
                    && a.info.namespace == new.namespace
                    && a.info.service_account == new.service_account
            });
            if let Some(made) = same_account {
                if made.token == new.token {
                    return Ok(made.info.clone());
                }
                return Err(op.in_use(format!(
                    "{}/{} has an association already",
                    new.namespace, new.service_account
                )));
            }
            let info = PodIdentityInfo {
                cluster: new.cluster.to_string(),
                arn: format!(
                    "arn:aws:eks:{}:123456789012:podidentityassociation/{}/{id}",
                    self.region, new.cluster
                ),
                id: id.clone(),
                namespace: new.namespace.to_string(),
                service_account: new.service_account.to_string(),
                role_arn: new.role_arn.to_string(),
                tags: new.tags.clone(),
            };
            let association = Association {
                info: info.clone(),
                token: new.token.to_string(),
            };
            r.pod_identities.insert(id, association);
            Ok(info)
        })
    }

    async fn update_role(&self, _cluster: &str, id: &str, role_arn: &str) -> Result<()> {
        let op = self.call(EKS, "UpdatePodIdentityAssociation").await?;
        self.in_region(op, |r, _| {
            op.get_mut(&mut r.pod_identities, id)?.info.role_arn = role_arn.to_string();
            Ok(())
        })
    }

    async fn delete_association(&self, _cluster: &str, id: &str) -> Result<()> {
        let op = self.call(EKS, "DeletePodIdentityAssociation").await?;
        self.in_region(op, |r, _| {
            r.pod_identities.remove(id);
            Ok(())
        })
    }
}

impl FakeWorld {
    /// Each association of a region: (namespace/service account, role ARN).
    pub fn pod_identities(&self, region: &str) -> Vec<(String, String)> {
        let s = self.inner.lock();
        let Some(r) = s.regions.get(region) else {
            return Vec::new();
        };
        r.pod_identities
            .values()
            .map(|a| {
                let account = format!("{}/{}", a.info.namespace, a.info.service_account);
                (account, a.info.role_arn.clone())
            })
            .collect()
    }
}
