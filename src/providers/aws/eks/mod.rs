//! EKS on `aws-sdk-eks`: clusters, node groups and access entries; reading them and updating
//! them have modules of their own.

mod addons;
mod pod_identity;
mod reads;
mod updates;

pub use addons::EksAddons;
pub use pod_identity::EksPodIdentities;

use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_eks::Client;
use aws_sdk_eks::client::Waiters;
use aws_sdk_eks::operation::describe_cluster::DescribeClusterOutput;
use aws_sdk_eks::types::{
    AccessScope, AccessScopeType, AuthenticationMode, CreateAccessConfigRequest,
    LaunchTemplateSpecification, VpcConfigRequest,
};

use super::{answered, classify, done, operation_of, retag, sent, tag_map, waited};
use crate::providers::*;
use aws_sdk_eks::error::ProvideErrorMetadata;
use reads::cluster_of;
use updates::{log_setup, logging, scaling};

pub struct EksClusters {
    client: Client,
}

impl EksClusters {
    pub fn new(client: Client) -> Self {
        EksClusters { client }
    }
}

#[async_trait]
impl Eks for EksClusters {
    async fn snapshot(
        &self,
        stack: &str,
        expected: &str,
        access_entries: bool,
    ) -> Result<EksSnapshot> {
        self.read_snapshot(stack, expected, access_entries).await
    }

    async fn create_cluster(&self, c: &NewCluster<'_>) -> Result<ClusterInfo> {
        let vpc = VpcConfigRequest::builder()
            .set_subnet_ids(Some(c.subnets.to_vec()))
            .endpoint_private_access(c.endpoint_private)
            .endpoint_public_access(c.endpoint_public)
            .set_public_access_cidrs(c.endpoint_public.then(|| c.public_cidrs.to_vec()))
            .build();
        let out = sent(
            self.client
                .create_cluster()
                .client_request_token(c.token)
                .name(c.name)
                .version(c.version)
                .role_arn(c.role_arn)
                .resources_vpc_config(vpc)
                .logging(logging([log_setup(c.log_types, true)]))
                .set_encryption_config(c.secrets_key.map(|k| vec![updates::secrets_encryption(k)]))
                .access_config(
                    CreateAccessConfigRequest::builder()
                        .authentication_mode(AuthenticationMode::Api)
                        .bootstrap_cluster_creator_admin_permissions(true)
                        .build(),
                )
                .set_tags(Some(tag_map(c.tags)))
                .send(),
        )
        .await?;
        out.cluster()
            .map(cluster_of)
            .ok_or_else(|| answered(&out, ErrorKind::Other, "no cluster in the answer"))
    }

    async fn wait_cluster_active(&self, name: &str, max: Duration) -> Result<ClusterInfo> {
        self.client
            .wait_until_cluster_active()
            .name(name)
            .wait(max)
            .await
            .map_err(|e| waited("wait ClusterActive", e))?;
        self.describe(name).await?.ok_or_else(|| {
            ProviderError::new(
                ErrorKind::NotFound,
                operation_of::<DescribeClusterOutput>(),
                name.to_string(),
            )
        })
    }

    async fn update_cluster(
        &self,
        name: &str,
        update: &ClusterUpdate,
        max: Duration,
    ) -> Result<()> {
        let started = self.start_update(name, update).await?;
        self.wait_update(name, None, started.as_ref(), max).await
    }

    async fn delete_cluster(&self, name: &str) -> Result<()> {
        done(self.client.delete_cluster().name(name).send()).await
    }

    async fn wait_cluster_deleted(&self, name: &str, max: Duration) -> Result<()> {
        self.client
            .wait_until_cluster_deleted()
            .name(name)
            .wait(max)
            .await
            .map_err(|e| waited("wait ClusterDeleted", e))?;
        Ok(())
    }

    async fn create_node_group(&self, g: &NewNodeGroup<'_>) -> Result<()> {
        done(
            self.client
                .create_nodegroup()
                .client_request_token(g.token)
                .cluster_name(g.cluster)
                .nodegroup_name(g.name)
                .node_role(g.role_arn)
                .set_subnets(Some(g.subnets.to_vec()))
                .set_instance_types(Some(g.instance_types.to_vec()))
                .scaling_config(scaling(g.min, g.desired, g.max))
                .set_labels(Some(tag_map(g.labels)))
                .launch_template(
                    LaunchTemplateSpecification::builder()
                        .id(g.launch_template)
                        .build(),
                )
                .set_tags(Some(tag_map(g.tags)))
                .send(),
        )
        .await
    }

    async fn wait_node_group_active(
        &self,
        cluster: &str,
        name: &str,
        max: Duration,
    ) -> Result<NodeGroupInfo> {
        self.client
            .wait_until_nodegroup_active()
            .cluster_name(cluster)
            .nodegroup_name(name)
            .wait(max)
            .await
            .map_err(|e| waited("wait NodegroupActive", e))?;
        self.node_group(cluster, name).await
    }

    async fn update_node_group(
        &self,
        cluster: &str,
        name: &str,
        update: &NodeGroupUpdate,
        max: Duration,
    ) -> Result<()> {
        let started = self.start_group_update(cluster, name, update).await?;
        self.wait_update(cluster, Some(name), started.as_ref(), max)
            .await
    }

    async fn delete_node_group(&self, cluster: &str, name: &str) -> Result<()> {
        done(
            self.client
                .delete_nodegroup()
                .cluster_name(cluster)
                .nodegroup_name(name)
                .send(),
        )
        .await
    }

    async fn wait_node_group_deleted(
        &self,
        cluster: &str,
        name: &str,
        max: Duration,
    ) -> Result<()> {
        self.client
            .wait_until_nodegroup_deleted()
            .cluster_name(cluster)
            .nodegroup_name(name)
            .wait(max)
            .await
            .map_err(|e| waited("wait NodegroupDeleted", e))?;
        Ok(())
    }

    async fn create_access_entry(
        &self,
        cluster: &str,
        principal: &str,
        policy_arn: &str,
        tags: &Tags,
    ) -> Result<()> {
        let made = self
            .client
            .create_access_entry()
            .cluster_name(cluster)
            .principal_arn(principal)
            .set_tags(Some(tag_map(tags)))
            .send()
            .await;
        match made {
            // The entry is there (a repeated call after a lost answer): its policy is what
            // matters, and associating it again is harmless.
            Err(e) if ProvideErrorMetadata::code(&e) == Some("ResourceInUseException") => {}
            other => drop(other.map_err(classify)?),
        }
        done(
            self.client
                .associate_access_policy()
                .cluster_name(cluster)
                .principal_arn(principal)
                .policy_arn(policy_arn)
                .access_scope(
                    AccessScope::builder()
                        .r#type(AccessScopeType::Cluster)
                        .build(),
                )
                .send(),
        )
        .await
    }

    async fn delete_access_entry(&self, cluster: &str, principal: &str) -> Result<()> {
        done(
            self.client
                .delete_access_entry()
                .cluster_name(cluster)
                .principal_arn(principal)
                .send(),
        )
        .await
    }

    async fn set_tags(&self, arn: &str, add: &Tags, remove: &[String]) -> Result<()> {
        let c = &self.client;
        retag(
            remove,
            done(
                c.untag_resource()
                    .resource_arn(arn)
                    .set_tag_keys(Some(remove.to_vec()))
                    .send(),
            ),
            add,
            done(
                c.tag_resource()
                    .resource_arn(arn)
                    .set_tags(Some(tag_map(add)))
                    .send(),
            ),
        )
        .await
    }
}
