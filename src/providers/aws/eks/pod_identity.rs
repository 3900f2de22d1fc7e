//! EKS Pod Identity associations on `aws-sdk-eks`.

use async_trait::async_trait;
use aws_sdk_eks::Client;

use crate::model::TAG_ID;
use crate::providers::aws::{done, every, from_map, sent, tag_map};
use crate::providers::*;

pub struct EksPodIdentities {
    client: Client,
}

impl EksPodIdentities {
    pub fn new(client: Client) -> Self {
        EksPodIdentities { client }
    }

    /// The associations of `cluster`, optionally of one service account, described (the
    /// listing has neither role nor tags).
    async fn list(
        &self,
        cluster: &str,
        account: Option<(&str, &str)>,
    ) -> Result<Vec<PodIdentityInfo>> {
        let request = self
            .client
            .list_pod_identity_associations()
            .cluster_name(cluster)
            .set_namespace(account.map(|a| a.0.to_string()))
            .set_service_account(account.map(|a| a.1.to_string()));
        let listed: Vec<aws_sdk_eks::types::PodIdentityAssociationSummary> =
            match every!(request).await {
                Ok(listed) => listed,
                Err(e) if e.kind == ErrorKind::NotFound => return Ok(Vec::new()),
                Err(e) => return Err(e),
            };
        let each = listed
            .iter()
            .filter_map(|a| a.association_id())
            .map(|id| async move {
                let describe = self
                    .client
                    .describe_pod_identity_association()
                    .cluster_name(cluster)
                    .association_id(id);
                match sent(describe.send()).await {
                    Ok(out) => Ok(out.association().map(|a| PodIdentityInfo {
                        cluster: cluster.to_string(),
                        id: id.to_string(),
                        arn: a.association_arn().unwrap_or_default().to_string(),
                        namespace: a.namespace().unwrap_or_default().to_string(),
                        service_account: a.service_account().unwrap_or_default().to_string(),
                        role_arn: a.role_arn().unwrap_or_default().to_string(),
                        tags: from_map(a.tags()),
                    })),
                    // Deleted between the listing and the describe.
                    Err(e) if e.kind == ErrorKind::NotFound => Ok(None),
                    Err(e) => Err(e),
                }
            });
        let found = futures::future::try_join_all(each).await?;
        Ok(found.into_iter().flatten().collect())
    }
}

#[async_trait]
impl PodIdentities for EksPodIdentities {
    async fn snapshot(&self, cluster: &str) -> Result<Vec<PodIdentityInfo>> {
        self.list(cluster, None).await
    }

    async fn create_association(&self, new: &NewPodIdentity<'_>) -> Result<PodIdentityInfo> {
        let create = self
            .client
            .create_pod_identity_association()
            .cluster_name(new.cluster)
            .namespace(new.namespace)
            .service_account(new.service_account)
            .role_arn(new.role_arn)
            .client_request_token(new.token)
            .set_tags(Some(tag_map(new.tags)));
        let error = match sent(create.send()).await {
            Ok(out) => {
                let a = out.association();
                return Ok(PodIdentityInfo {
                    cluster: new.cluster.to_string(),
                    id: a
                        .and_then(|a| a.association_id())
                        .unwrap_or_default()
                        .into(),
                    arn: a
                        .and_then(|a| a.association_arn())
                        .unwrap_or_default()
                        .into(),
                    namespace: new.namespace.to_string(),
                    service_account: new.service_account.to_string(),
                    role_arn: new.role_arn.to_string(),
                    tags: new.tags.clone(),
                });
            }
            // Only an association already there for the service account (EKS keeps one) can
            // be what an earlier, lost answer made; any other error is the answer.
            Err(e)
                if matches!(
                    e.kind,
                    ErrorKind::AlreadyExists | ErrorKind::DependencyViolation
                ) =>
            {
                e
            }
            Err(e) => return Err(e),
        };
        // One that carries this resource's id is the one a lost answer made.
        let account = Some((new.namespace, new.service_account));
        let existing = self.list(new.cluster, account).await?;
        let id = new.tags.get(TAG_ID);
        let ours = existing
            .into_iter()
            .find(|a| id.is_some() && a.tags.get(TAG_ID) == id);
        ours.ok_or(error)
    }

    async fn update_role(&self, cluster: &str, id: &str, role_arn: &str) -> Result<()> {
        let update = self
            .client
            .update_pod_identity_association()
            .cluster_name(cluster)
            .association_id(id)
            .role_arn(role_arn);
        done(update.send()).await
    }

    async fn delete_association(&self, cluster: &str, id: &str) -> Result<()> {
        let delete = self
            .client
            .delete_pod_identity_association()
            .cluster_name(cluster)
            .association_id(id);
        match done(delete.send()).await {
            Err(e) if e.kind == ErrorKind::NotFound => Ok(()),
            other => other,
        }
    }
}
