//! Reading EKS: clusters, node groups and access entries, and how they map to the engine's
//! types.

use aws_sdk_eks::types::{Cluster, ClusterStatus, Nodegroup, NodegroupStatus};

use super::EksClusters;
use crate::model::TAG_STACK;
use crate::providers::aws::{answered, classify, every, from_map, sent};
use crate::providers::*;

impl EksClusters {
    pub(super) async fn describe(&self, name: &str) -> Result<Option<ClusterInfo>> {
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

    pub(super) async fn node_group_names(&self, cluster: &str) -> Result<Vec<String>> {
        every!(self.client.list_nodegroups().cluster_name(cluster)).await
    }

    /// Access entries exist only in clusters that use them (authentication mode API).
    pub(super) async fn access_entries(&self, cluster: &ClusterInfo) -> Result<Vec<String>> {
        let uses_them = cluster
            .authentication_mode
            .as_deref()
            .is_some_and(|m| m.starts_with("API"));
        if !uses_them {
            return Ok(Vec::new());
        }
        every!(
            self.client
                .list_access_entries()
                .cluster_name(&cluster.name)
        )
        .await
    }

    pub(super) async fn node_group(&self, cluster: &str, name: &str) -> Result<NodeGroupInfo> {
        let out = sent(
            self.client
                .describe_nodegroup()
                .cluster_name(cluster)
                .nodegroup_name(name)
                .send(),
        )
        .await?;
        out.nodegroup()
            .map(node_group_of)
            .ok_or_else(|| answered(&out, ErrorKind::NotFound, format!("{cluster}/{name}")))
    }

    /// The clusters tagged with the stack, their node groups and access entries.
    pub(super) async fn read_snapshot(
        &self,
        stack: &str,
        expected: &str,
        access_entries: bool,
    ) -> Result<EksSnapshot> {
        let names: Vec<String> = every!(self.client.list_clusters()).await?;
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
            let entries = async {
                if access_entries {
                    self.access_entries(&cluster).await
                } else {
                    Ok(Vec::new())
                }
            };
            let (details, entries) = futures::try_join!(details, entries)?;
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
}

pub(super) fn cluster_of(c: &Cluster) -> ClusterInfo {
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
        secrets_key: c
            .encryption_config()
            .iter()
            .filter(|e| e.resources().iter().any(|r| r == "secrets"))
            .find_map(|e| e.provider().and_then(|p| p.key_arn()))
            .map(str::to_string),
        tags: from_map(c.tags()),
    }
}

fn node_group_of(n: &Nodegroup) -> NodeGroupInfo {
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
        labels: from_map(n.labels()),
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
        tags: from_map(n.tags()),
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
            let group = Nodegroup::builder().status(status).build();
            assert_eq!(node_group_of(&group).status, Lifecycle::Failed);
        }
        let cluster = Cluster::builder().status(ClusterStatus::Failed).build();
        assert_eq!(cluster_of(&cluster).status, Lifecycle::Failed);
        let ready = Nodegroup::builder().status(NodegroupStatus::Active).build();
        assert_eq!(node_group_of(&ready).status, Lifecycle::Ready);
    }
}
