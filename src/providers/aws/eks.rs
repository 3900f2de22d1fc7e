//! EKS on `aws-sdk-eks`.

use std::collections::HashMap;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_eks::Client;
use aws_sdk_eks::client::Waiters;
use aws_sdk_eks::types::{
    AccessScope, AccessScopeType, AuthenticationMode, ClusterStatus, CreateAccessConfigRequest,
    LaunchTemplateSpecification, LogSetup, LogType, Logging, NodegroupScalingConfig,
    NodegroupStatus, Update, UpdateLabelsPayload, UpdateStatus, VpcConfigRequest,
};

use aws_sdk_eks::operation::describe_cluster::DescribeClusterOutput;
use aws_sdk_eks::operation::describe_update::DescribeUpdateOutput;

use super::{answered, classify, display_chain, operation_of};
use crate::model::TAG_STACK;
use crate::providers::*;

pub struct EksClusters {
    client: Client,
}

impl EksClusters {
    pub fn new(client: Client) -> Self {
        EksClusters { client }
    }

    async fn describe(&self, name: &str) -> Result<Option<ClusterInfo>> {
        match self.client.describe_cluster().name(name).send().await {
            Ok(out) => Ok(out.cluster().map(cluster_of)),
            Err(e) => {
                let e = classify(e);
                if e.kind == ErrorKind::NotFound {
                    Ok(None)
                } else {
                    Err(e)
                }
            }
        }
    }

    async fn node_group_names(&self, cluster: &str) -> Result<Vec<String>> {
        self.client
            .list_nodegroups()
            .cluster_name(cluster)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(classify)
    }

    /// Access entries exist only in clusters that use them (authentication mode API).
    async fn access_entries(&self, cluster: &ClusterInfo) -> Result<Vec<String>> {
        let uses_them = cluster
            .authentication_mode
            .as_deref()
            .is_some_and(|m| m.starts_with("API"));
        if !uses_them {
            return Ok(Vec::new());
        }
        self.client
            .list_access_entries()
            .cluster_name(&cluster.name)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(classify)
    }

    async fn node_group(&self, cluster: &str, name: &str) -> Result<NodeGroupInfo> {
        let out = self
            .client
            .describe_nodegroup()
            .cluster_name(cluster)
            .nodegroup_name(name)
            .send()
            .await
            .map_err(classify)?;
        out.nodegroup()
            .map(node_group_of)
            .ok_or_else(|| answered(&out, ErrorKind::NotFound, format!("{cluster}/{name}")))
    }

    /// Waits for an update EKS has started to end, polling it (EKS has no waiter for updates);
    /// one already reported as ended (as emulators do) is not polled. No update at all (an
    /// emulator that applies the change at once) has nothing to wait for.
    async fn wait_update(
        &self,
        cluster: &str,
        node_group: Option<&str>,
        update: Option<&Update>,
        max: Duration,
    ) -> Result<()> {
        let Some(update) = update else {
            return Ok(());
        };
        let id = update.id().unwrap_or_default();
        if let Some(ended) = update_outcome(update) {
            return ended;
        }
        let started = tokio::time::Instant::now();
        let mut delay = Duration::from_secs(5);
        loop {
            if started.elapsed() + delay > max {
                return Err(ProviderError::new(
                    ErrorKind::Other,
                    operation_of::<DescribeUpdateOutput>(),
                    format!("update {id} not done after {}s", max.as_secs()),
                ));
            }
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(Duration::from_secs(30));
            let out = self
                .client
                .describe_update()
                .name(cluster)
                .set_nodegroup_name(node_group.map(str::to_string))
                .update_id(id)
                .send()
                .await
                .map_err(classify)?;
            if let Some(ended) = out.update().and_then(update_outcome) {
                return ended;
            }
        }
    }
}

fn cluster_of(c: &aws_sdk_eks::types::Cluster) -> ClusterInfo {
    let vpc = c.resources_vpc_config();
    ClusterInfo {
        name: c.name().unwrap_or_default().to_string(),
        arn: c.arn().unwrap_or_default().to_string(),
        version: c.version().unwrap_or_default().to_string(),
        status: match c.status() {
            Some(ClusterStatus::Active) => Lifecycle::Ready,
            Some(ClusterStatus::Updating) => Lifecycle::Updating,
            Some(ClusterStatus::Deleting) => Lifecycle::Deleting,
            Some(ClusterStatus::Failed) => Lifecycle::Failed,
            _ => Lifecycle::Pending,
        },
        role_arn: c.role_arn().unwrap_or_default().to_string(),
        subnets: vpc.map(|v| v.subnet_ids().to_vec()).unwrap_or_default(),
        endpoint_private: vpc.is_some_and(|v| v.endpoint_private_access()),
        endpoint_public: vpc.is_some_and(|v| v.endpoint_public_access()),
        public_cidrs: vpc
            .map(|v| v.public_access_cidrs().to_vec())
            .unwrap_or_default(),
        log_types: c
            .logging()
            .map(|l| {
                l.cluster_logging()
                    .iter()
                    .filter(|s| s.enabled() == Some(true))
                    .flat_map(|s| s.types().iter().map(|t| t.as_str().to_string()))
                    .collect()
            })
            .unwrap_or_default(),
        authentication_mode: c
            .access_config()
            .and_then(|a| a.authentication_mode())
            .map(|m| m.as_str().to_string()),
        endpoint: c.endpoint().map(str::to_string),
        certificate_authority: c
            .certificate_authority()
            .and_then(|a| a.data())
            .map(str::to_string),
        cluster_security_group: vpc
            .and_then(|v| v.cluster_security_group_id())
            .map(str::to_string),
        tags: c
            .tags()
            .map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default(),
    }
}

fn node_group_of(n: &aws_sdk_eks::types::Nodegroup) -> NodeGroupInfo {
    let scaling = n.scaling_config();
    let size = |v: Option<i32>| v.unwrap_or_default().max(0) as u32;
    NodeGroupInfo {
        cluster: n.cluster_name().unwrap_or_default().to_string(),
        name: n.nodegroup_name().unwrap_or_default().to_string(),
        arn: n.nodegroup_arn().unwrap_or_default().to_string(),
        status: match n.status() {
            Some(NodegroupStatus::Active) => Lifecycle::Ready,
            Some(NodegroupStatus::Updating) => Lifecycle::Updating,
            Some(NodegroupStatus::Deleting) => Lifecycle::Deleting,
            Some(
                NodegroupStatus::CreateFailed
                | NodegroupStatus::DeleteFailed
                | NodegroupStatus::Degraded,
            ) => Lifecycle::Failed,
            _ => Lifecycle::Pending,
        },
        role_arn: n.node_role().unwrap_or_default().to_string(),
        subnets: n.subnets().to_vec(),
        instance_types: n.instance_types().to_vec(),
        min: size(scaling.and_then(|s| s.min_size())),
        desired: size(scaling.and_then(|s| s.desired_size())),
        max: size(scaling.and_then(|s| s.max_size())),
        labels: n
            .labels()
            .map(|l| l.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default(),
        launch_template: n.launch_template().and_then(|t| t.id()).map(str::to_string),
        autoscaling_groups: n
            .resources()
            .map(|r| {
                r.auto_scaling_groups()
                    .iter()
                    .filter_map(|g| g.name())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default(),
        tags: n
            .tags()
            .map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default(),
    }
}

fn hash(tags: &Tags) -> HashMap<String, String> {
    tags.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

fn waited(operation: &'static str, e: impl std::error::Error) -> ProviderError {
    ProviderError::new(ErrorKind::Other, operation, display_chain(&e))
}

/// How an update ended, or `None` while it runs.
fn update_outcome(update: &Update) -> Option<Result<()>> {
    match update.status()? {
        UpdateStatus::Successful => Some(Ok(())),
        s @ (UpdateStatus::Failed | UpdateStatus::Cancelled) => {
            let why: Vec<&str> = update
                .errors()
                .iter()
                .filter_map(|e| e.error_message())
                .collect();
            Some(Err(ProviderError::new(
                ErrorKind::Other,
                operation_of::<DescribeUpdateOutput>(),
                format!(
                    "update {} {}: {}",
                    update.id().unwrap_or_default(),
                    s.as_str(),
                    why.join("; ")
                ),
            )))
        }
        _ => None,
    }
}

fn logging(enabled: &[String], on: bool) -> Logging {
    Logging::builder()
        .cluster_logging(
            LogSetup::builder()
                .set_types(Some(
                    enabled.iter().map(|t| LogType::from(t.as_str())).collect(),
                ))
                .enabled(on)
                .build(),
        )
        .build()
}

#[async_trait]
impl Eks for EksClusters {
    async fn snapshot(&self, stack: &str, expected: &str) -> Result<EksSnapshot> {
        let names: Vec<String> = self
            .client
            .list_clusters()
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(classify)?;
        let per_cluster = names.iter().map(|name| async move {
            // The cluster the stack names has its node groups listed while it is described,
            // which saves a round; any other only once its tags show it is the stack's.
            let speculative = async {
                if name != expected {
                    return Ok(None);
                }
                match self.node_group_names(name).await {
                    Ok(groups) => Ok(Some(groups)),
                    // Gone since it was listed: the description says so too.
                    Err(e) if e.kind == ErrorKind::NotFound => Ok(Some(Vec::new())),
                    Err(e) => Err(e),
                }
            };
            let (cluster, groups) = futures::try_join!(self.describe(name), speculative)?;
            let Some(cluster) =
                cluster.filter(|c| c.tags.get(TAG_STACK).map(String::as_str) == Some(stack))
            else {
                return Ok(None);
            };
            let groups = match groups {
                Some(groups) => groups,
                None => self.node_group_names(name).await?,
            };
            let details = futures::future::try_join_all(groups.iter().map(|g| async move {
                match self.node_group(name, g).await {
                    Ok(group) => Ok(Some(group)),
                    // Deleted since it was listed.
                    Err(e) if e.kind == ErrorKind::NotFound => Ok(None),
                    Err(e) => Err(e),
                }
            }));
            let (details, entries) = futures::try_join!(details, self.access_entries(&cluster))?;
            let details: Vec<NodeGroupInfo> = details.into_iter().flatten().collect();
            Ok::<_, ProviderError>(Some((cluster, details, entries)))
        });
        let mut snap = EksSnapshot::default();
        for (cluster, groups, entries) in futures::future::try_join_all(per_cluster)
            .await?
            .into_iter()
            .flatten()
        {
            snap.node_groups.extend(groups);
            snap.access_entries
                .extend(entries.into_iter().map(|e| (cluster.name.clone(), e)));
            snap.clusters.push(cluster);
        }
        Ok(snap)
    }

    async fn create_cluster(&self, c: &NewCluster<'_>) -> Result<ClusterInfo> {
        let vpc = VpcConfigRequest::builder()
            .set_subnet_ids(Some(c.subnets.to_vec()))
            .endpoint_private_access(c.endpoint_private)
            .endpoint_public_access(c.endpoint_public)
            .set_public_access_cidrs(c.endpoint_public.then(|| c.public_cidrs.to_vec()))
            .build();
        let out = self
            .client
            .create_cluster()
            .name(c.name)
            .version(c.version)
            .role_arn(c.role_arn)
            .resources_vpc_config(vpc)
            .logging(logging(c.log_types, true))
            .access_config(
                CreateAccessConfigRequest::builder()
                    .authentication_mode(AuthenticationMode::Api)
                    .bootstrap_cluster_creator_admin_permissions(true)
                    .build(),
            )
            .set_tags(Some(hash(c.tags)))
            .send()
            .await
            .map_err(classify)?;
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
        let started = match update {
            ClusterUpdate::Version(version) => self
                .client
                .update_cluster_version()
                .name(name)
                .version(version)
                .send()
                .await
                .map_err(classify)?
                .update()
                .cloned(),
            ClusterUpdate::Logging { enabled, disabled } => {
                let mut logs = Logging::builder();
                for (types, on) in [(enabled, true), (disabled, false)] {
                    if !types.is_empty() {
                        logs = logs.cluster_logging(
                            LogSetup::builder()
                                .set_types(Some(
                                    types.iter().map(|t| LogType::from(t.as_str())).collect(),
                                ))
                                .enabled(on)
                                .build(),
                        );
                    }
                }
                self.client
                    .update_cluster_config()
                    .name(name)
                    .logging(logs.build())
                    .send()
                    .await
                    .map_err(classify)?
                    .update()
                    .cloned()
            }
            ClusterUpdate::Endpoint {
                private,
                public,
                public_cidrs,
            } => {
                let vpc = VpcConfigRequest::builder()
                    .endpoint_private_access(*private)
                    .endpoint_public_access(*public)
                    .set_public_access_cidrs(public.then(|| public_cidrs.clone()))
                    .build();
                self.client
                    .update_cluster_config()
                    .name(name)
                    .resources_vpc_config(vpc)
                    .send()
                    .await
                    .map_err(classify)?
                    .update()
                    .cloned()
            }
        };
        self.wait_update(name, None, started.as_ref(), max).await
    }

    async fn delete_cluster(&self, name: &str) -> Result<()> {
        self.client
            .delete_cluster()
            .name(name)
            .send()
            .await
            .map_err(classify)?;
        Ok(())
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
        let to_i32 = |n: u32| i32::try_from(n).unwrap_or(i32::MAX);
        self.client
            .create_nodegroup()
            .cluster_name(g.cluster)
            .nodegroup_name(g.name)
            .node_role(g.role_arn)
            .set_subnets(Some(g.subnets.to_vec()))
            .set_instance_types(Some(g.instance_types.to_vec()))
            .scaling_config(
                NodegroupScalingConfig::builder()
                    .min_size(to_i32(g.min))
                    .desired_size(to_i32(g.desired))
                    .max_size(to_i32(g.max))
                    .build(),
            )
            .set_labels(Some(hash(g.labels)))
            .launch_template(
                LaunchTemplateSpecification::builder()
                    .id(g.launch_template)
                    .build(),
            )
            .set_tags(Some(hash(g.tags)))
            .send()
            .await
            .map_err(classify)?;
        Ok(())
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
        let to_i32 = |n: u32| i32::try_from(n).unwrap_or(i32::MAX);
        let mut call = self
            .client
            .update_nodegroup_config()
            .cluster_name(cluster)
            .nodegroup_name(name);
        if let Some((min, desired, max_size)) = update.scaling {
            call = call.scaling_config(
                NodegroupScalingConfig::builder()
                    .min_size(to_i32(min))
                    .desired_size(to_i32(desired))
                    .max_size(to_i32(max_size))
                    .build(),
            );
        }
        if !update.add_labels.is_empty() || !update.remove_labels.is_empty() {
            call = call.labels(
                UpdateLabelsPayload::builder()
                    .set_add_or_update_labels(
                        (!update.add_labels.is_empty()).then(|| hash(&update.add_labels)),
                    )
                    .set_remove_labels(
                        (!update.remove_labels.is_empty()).then(|| update.remove_labels.clone()),
                    )
                    .build(),
            );
        }
        let out = call.send().await.map_err(classify)?;
        self.wait_update(cluster, Some(name), out.update(), max)
            .await
    }

    async fn delete_node_group(&self, cluster: &str, name: &str) -> Result<()> {
        self.client
            .delete_nodegroup()
            .cluster_name(cluster)
            .nodegroup_name(name)
            .send()
            .await
            .map_err(classify)?;
        Ok(())
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
        self.client
            .create_access_entry()
            .cluster_name(cluster)
            .principal_arn(principal)
            .set_tags(Some(hash(tags)))
            .send()
            .await
            .map_err(classify)?;
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
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }

    async fn delete_access_entry(&self, cluster: &str, principal: &str) -> Result<()> {
        self.client
            .delete_access_entry()
            .cluster_name(cluster)
            .principal_arn(principal)
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }

    async fn set_tags(&self, arn: &str, add: &Tags, remove: &[String]) -> Result<()> {
        if !remove.is_empty() {
            self.client
                .untag_resource()
                .resource_arn(arn)
                .set_tag_keys(Some(remove.to_vec()))
                .send()
                .await
                .map_err(classify)?;
        }
        if !add.is_empty() {
            self.client
                .tag_resource()
                .resource_arn(arn)
                .set_tags(Some(hash(add)))
                .send()
                .await
                .map_err(classify)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_failed_eks_status_is_failed() {
        for status in [
            NodegroupStatus::CreateFailed,
            NodegroupStatus::DeleteFailed,
            NodegroupStatus::Degraded,
        ] {
            let group = aws_sdk_eks::types::Nodegroup::builder()
                .status(status)
                .build();
            assert_eq!(node_group_of(&group).status, Lifecycle::Failed);
        }
        let cluster = aws_sdk_eks::types::Cluster::builder()
            .status(ClusterStatus::Failed)
            .build();
        assert_eq!(cluster_of(&cluster).status, Lifecycle::Failed);
        let ready = aws_sdk_eks::types::Nodegroup::builder()
            .status(NodegroupStatus::Active)
            .build();
        assert_eq!(node_group_of(&ready).status, Lifecycle::Ready);
    }
}
