//! EKS Pod Identity associations of the stack's cluster in one region: which IAM role the
//! pods of a service account get credentials for.

use async_trait::async_trait;

use super::{Result, Tags};

#[derive(Debug, Clone, PartialEq)]
pub struct PodIdentityInfo {
    pub cluster: String,
    /// EKS's id for the association (`a-...`).
    pub id: String,
    pub arn: String,
    pub namespace: String,
    pub service_account: String,
    pub role_arn: String,
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewPodIdentity<'a> {
    pub cluster: &'a str,
    pub namespace: &'a str,
    pub service_account: &'a str,
    pub role_arn: &'a str,
    pub tags: &'a Tags,
    /// The same for a repeat of one create, so a lost answer makes no second association.
    pub token: &'a str,
}

#[async_trait]
pub trait PodIdentities: Send + Sync {
    /// The associations of `cluster` (none when it does not exist).
    async fn snapshot(&self, cluster: &str) -> Result<Vec<PodIdentityInfo>>;
    /// Makes the association; one that exists for the service account already (EKS allows
    /// one per service account) is taken as made when it carries the same `multiregion:id`.
    async fn create_association(&self, new: &NewPodIdentity<'_>) -> Result<PodIdentityInfo>;
    async fn update_role(&self, cluster: &str, id: &str, role_arn: &str) -> Result<()>;
    /// Deleting one that is gone already is done.
    async fn delete_association(&self, cluster: &str, id: &str) -> Result<()>;
}
