//! The fake world's EKS. A cluster takes its time to come up; a Kubernetes load balancer
//! controller is simulated by the group it makes (tagged `kubernetes.io/cluster/<name>`) and
//! the network interface it leaves behind when the cluster goes.

use std::time::Duration;

use async_trait::async_trait;
use tokio::time::Instant;

use super::*;
use crate::providers::*;

const EKS: &str = "EKS";

fn gone(deleted_at: Option<Instant>) -> bool {
    deleted_at.is_some_and(|t| Instant::now() >= t)
}

fn status(life: &Life, deleted_at: Option<Instant>, broken: bool) -> Lifecycle {
    match deleted_at {
        Some(_) => Lifecycle::Deleting,
        None if Instant::now() < life.ready => Lifecycle::Pending,
        None if broken => Lifecycle::Failed,
        None => Lifecycle::Ready,
    }
}

impl FakeRegion {
    /// The node group `name` of `cluster`, or NotFound.
    fn node_group<'s>(
        &self,
        s: &'s mut State,
        op: Op,
        cluster: &str,
        name: &str,
    ) -> Result<&'s mut NodeGroup> {
        let key = (cluster.to_string(), name.to_string());
        self.here(s)
            .node_groups
            .get_mut(&key)
            .ok_or_else(|| op.not_found(name))
    }

    /// [`FakeRegion::with`], once the deletions that have finished are forgotten.
    fn eks_state<R>(&self, op: Op, f: impl FnOnce(&mut State, Duration) -> Result<R>) -> Result<R> {
        self.with(op, |s, lag| {
            let r = self.here(s);
            r.clusters.retain(|_, c| !gone(c.deleted_at));
            r.node_groups.retain(|_, g| !gone(g.deleted_at));
            f(s, lag)
        })
    }
}

#[async_trait]
impl Eks for FakeRegion {
    async fn snapshot(
        &self,
        stack: &str,
        expected: &str,
        access_entries: bool,
    ) -> Result<EksSnapshot> {
        let op = self.call(EKS, "ListClusters").await?;
        let (names, owned_names, groups) = self.eks_state(op, |s, _| {
            let r = self.here(s);
            let owned_names: Vec<String> = r
                .clusters
                .values()
                .filter(|c| owned(&c.info.tags, stack))
                .map(|c| c.info.name.clone())
                .collect();
            let names: Vec<String> = r.clusters.keys().cloned().collect();
            Ok((names, owned_names, r.node_groups.len()))
        })?;
        // As on AWS: each cluster described, the expected one's node groups listed beside it;
        // then the others' node groups, the node groups' details and the access entries.
        let first = names.iter().flat_map(|n| {
            std::iter::once("DescribeCluster").chain((n == expected).then_some("ListNodegroups"))
        });
        futures::future::try_join_all(first.map(|op| self.call(EKS, op))).await?;
        let late_lists = owned_names.iter().filter(|n| *n != expected).count();
        futures::future::try_join_all((0..late_lists).map(|_| self.call(EKS, "ListNodegroups")))
            .await?;
        let last = std::iter::repeat_n("DescribeNodegroup", groups).chain(std::iter::repeat_n(
            "ListAccessEntries",
            if access_entries { owned_names.len() } else { 0 },
        ));
        futures::future::try_join_all(last.map(|op| self.call(EKS, op))).await?;
        self.eks_state(op, |s, lag| {
            let r = self.here(s);
            let mut snap = EksSnapshot::default();
            for c in r
                .clusters
                .values()
                .filter(|c| visible(&c.life, lag) && owned(&c.info.tags, stack))
            {
                snap.clusters.push(ClusterInfo {
                    status: status(&c.life, c.deleted_at, c.broken),
                    ..c.info.clone()
                });
                snap.access_entries.extend(
                    r.access_entries
                        .iter()
                        .filter(|(cl, _)| access_entries && *cl == c.info.name)
                        .cloned(),
                );
                for g in r
                    .node_groups
                    .values()
                    .filter(|g| g.info.cluster == c.info.name && visible(&g.life, lag))
                {
                    snap.node_groups.push(NodeGroupInfo {
                        status: status(&g.life, g.deleted_at, g.broken),
                        ..g.info.clone()
                    });
                }
            }
            Ok(snap)
        })
    }

    async fn create_cluster(&self, c: &NewCluster<'_>) -> Result<ClusterInfo> {
        let op = self.call(EKS, "CreateCluster").await?;
        let ready = self.world.behaviour().cluster;
        let life = self.life(ready);
        self.eks_state(op, |s, lag| {
            let role_ok = s.roles.values().any(|r| r.arn == c.role_arn)
                || !c.role_arn.contains(":role/multiregion/");
            if !role_ok {
                return Err(op.not_found(c.role_arn));
            }
            let group = self.new_id(s, "sg");
            let k8s_group = self.new_id(s, "sg");
            let r = self.here(s);
            if let Some(made) = r.clusters.get(c.name) {
                // The same token: the first call's answer, as EKS gives it.
                if made.token == c.token {
                    return Ok(made.info.clone());
                }
                return Err(op.exists(format!("{} exists", c.name)));
            }
            let mut vpc = None;
            for subnet in c.subnets {
                let x = op.seen(&r.subnets, subnet, lag)?;
                vpc = Some(x.vpc.clone());
            }
            let vpc = vpc.ok_or_else(|| op.refused("no subnets"))?;
            if let Some(key) = c.secrets_key {
                usable_key(r, op, key)?;
            }
            let k8s = Tags::from([(
                format!("kubernetes.io/cluster/{}", c.name),
                "owned".to_string(),
            )]);
            // EKS's own group for the cluster, and one its load balancer controller makes.
            r.groups.insert(
                group.clone(),
                Group {
                    vpc: vpc.clone(),
                    name: format!("eks-cluster-sg-{}", c.name),
                    description: "EKS created security group".into(),
                    rules: vec![],
                    tags: k8s.clone(),
                    life: life.clone(),
                },
            );
            let http = RuleSpec {
                egress: false,
                protocol: "tcp".into(),
                from_port: Some(80),
                to_port: Some(80),
                peer: RulePeerId::Cidr("0.0.0.0/0".into()),
                description: None,
            };
            r.groups.insert(
                k8s_group,
                Group {
                    vpc,
                    name: format!("k8s-elb-{}", c.name),
                    description: "Security group for Kubernetes ELB".into(),
                    rules: vec![http],
                    tags: k8s,
                    life: life.clone(),
                },
            );
            let info = ClusterInfo {
                name: c.name.into(),
                arn: format!(
                    "arn:aws:eks:{}:123456789012:cluster/{}",
                    self.region, c.name
                ),
                version: c.version.into(),
                status: Lifecycle::Pending,
                role_arn: c.role_arn.into(),
                subnets: c.subnets.to_vec(),
                endpoint_private: c.endpoint_private,
                endpoint_public: c.endpoint_public,
                public_cidrs: if c.endpoint_public {
                    c.public_cidrs.to_vec()
                } else {
                    vec!["0.0.0.0/0".into()]
                },
                log_types: c.log_types.to_vec(),
                authentication_mode: Some("API".into()),
                endpoint: Some(format!(
                    "https://{}.eks.{}.amazonaws.com",
                    c.name, self.region
                )),
                certificate_authority: Some("LS0tLS1CRUdJTi1GQUtFLUNBLS0tLS0=".into()),
                cluster_security_group: Some(group),
                secrets_key: c.secrets_key.map(str::to_string),
                tags: c.tags.clone(),
            };
            r.clusters.insert(
                c.name.into(),
                Cluster {
                    info: info.clone(),
                    deleted_at: None,
                    life,
                    token: c.token.to_string(),
                    broken: false,
                },
            );
            Ok(info)
        })
    }

    async fn wait_cluster_active(&self, name: &str, max: Duration) -> Result<ClusterInfo> {
        // The waiter's reads, uncounted, and the description after it.
        let op = Op("DescribeCluster");
        poll("wait ClusterActive", max, || {
            self.eks_state(op, |s, _| {
                let c = op.get(&self.here(s).clusters, name)?;
                Ok(c.deleted_at.is_none() && Instant::now() >= c.life.ready)
            })
        })
        .await?;
        self.eks_state(op, |s, _| {
            let c = op.get(&self.here(s).clusters, name)?;
            Ok(ClusterInfo {
                status: Lifecycle::Ready,
                ..c.info.clone()
            })
        })
    }

    async fn update_cluster(
        &self,
        name: &str,
        update: &ClusterUpdate,
        max: Duration,
    ) -> Result<()> {
        let op = match update {
            ClusterUpdate::Version(_) => "UpdateClusterVersion",
            ClusterUpdate::Encryption { .. } => "AssociateEncryptionConfig",
            _ => "UpdateClusterConfig",
        };
        let op = self.call(EKS, op).await?;
        self.eks_state(op, |s, _| {
            let r = self.here(s);
            if let ClusterUpdate::Encryption { key_arn } = update {
                usable_key(r, op, key_arn)?;
            }
            let c = op.get_mut(&mut r.clusters, name)?;
            match update {
                ClusterUpdate::Encryption { key_arn } => {
                    if c.info.secrets_key.is_some() {
                        return Err(op.invalid_state("encryption is already enabled"));
                    }
                    c.info.secrets_key = Some(key_arn.clone());
                }
                ClusterUpdate::Version(v) => {
                    let (from, to) = (crate::model::minor(&c.info.version), crate::model::minor(v));
                    if to != from.map(|f| f + 1) {
                        return Err(op.refused("only one minor version at a time"));
                    }
                    c.info.version = v.clone();
                }
                ClusterUpdate::Logging { enabled, .. } => c.info.log_types = enabled.clone(),
                ClusterUpdate::Endpoint {
                    private,
                    public,
                    public_cidrs,
                } => {
                    c.info.endpoint_private = *private;
                    c.info.endpoint_public = *public;
                    c.info.public_cidrs = if *public {
                        public_cidrs.clone()
                    } else {
                        vec!["0.0.0.0/0".into()]
                    };
                }
            }
            Ok(())
        })?;
        // An update takes a few minutes.
        tokio::time::sleep(Duration::from_secs(120).min(max)).await;
        Ok(())
    }

    async fn delete_cluster(&self, name: &str) -> Result<()> {
        let op = self.call(EKS, "DeleteCluster").await?;
        let takes = self.world.behaviour().cluster_delete;
        self.eks_state(op, |s, _| {
            let eni = self.new_id(s, "eni");
            let r = self.here(s);
            if r.node_groups.values().any(|g| g.info.cluster == name) {
                return Err(op.in_use(format!("{name} has node groups attached")));
            }
            let c = op.get_mut(&mut r.clusters, name)?;
            if c.deleted_at.is_some() {
                return Ok(());
            }
            c.deleted_at = Some(Instant::now() + takes);
            // Its Pod Identity associations go with it.
            r.pod_identities.retain(|_, a| a.info.cluster != name);
            // EKS removes its own group; what the load balancer controller made stays, with an
            // interface of the balancer it had, as in real accounts.
            let own = c.info.cluster_security_group.clone();
            let subnet = c.info.subnets.first().cloned().unwrap_or_default();
            let k8s_group = r
                .groups
                .iter()
                .find(|(_, g)| g.name == format!("k8s-elb-{name}"))
                .map(|(id, _)| id.clone());
            if let Some(own) = own {
                r.groups.remove(&own);
            }
            let vpc = r
                .subnets
                .get(&subnet)
                .map(|x| x.vpc.clone())
                .unwrap_or_default();
            r.interfaces.insert(
                eni,
                Interface {
                    subnet,
                    vpc,
                    groups: k8s_group.into_iter().collect(),
                    description: format!("ELB k8s-{name}"),
                },
            );
            Ok(())
        })
    }

    async fn wait_cluster_deleted(&self, name: &str, max: Duration) -> Result<()> {
        poll("wait ClusterDeleted", max, || {
            self.eks_state(Op("DescribeCluster"), |s, _| {
                Ok(!self.here(s).clusters.contains_key(name))
            })
        })
        .await
    }

    async fn create_node_group(&self, g: &NewNodeGroup<'_>) -> Result<()> {
        let op = self.call(EKS, "CreateNodegroup").await?;
        let ready = self.world.behaviour().node_group;
        let life = self.life(ready);
        self.eks_state(op, |s, lag| {
            let r = self.here(s);
            let cluster = op.seen(&r.clusters, g.cluster, lag)?;
            if Instant::now() < cluster.life.ready {
                return Err(op.invalid_state("the cluster is not active"));
            }
            op.seen(&r.templates, g.launch_template, lag)?;
            let key = (g.cluster.to_string(), g.name.to_string());
            if let Some(made) = r.node_groups.get(&key) {
                if made.token == g.token {
                    return Ok(());
                }
                return Err(op.exists(format!("{} exists", g.name)));
            }
            let info = NodeGroupInfo {
                cluster: g.cluster.into(),
                name: g.name.into(),
                arn: format!(
                    "arn:aws:eks:{}:123456789012:nodegroup/{}/{}",
                    self.region, g.cluster, g.name
                ),
                status: Lifecycle::Pending,
                role_arn: g.role_arn.into(),
                subnets: g.subnets.to_vec(),
                instance_types: g.instance_types.to_vec(),
                min: g.min,
                desired: g.desired,
                max: g.max,
                labels: g.labels.clone(),
                launch_template: Some(g.launch_template.into()),
                autoscaling_groups: vec![format!("eks-{}-{}", g.cluster, g.name)],
                tags: g.tags.clone(),
            };
            r.node_groups.insert(
                key,
                NodeGroup {
                    info,
                    deleted_at: None,
                    life,
                    token: g.token.to_string(),
                    broken: false,
                },
            );
            Ok(())
        })
    }

    async fn wait_node_group_active(
        &self,
        cluster: &str,
        name: &str,
        max: Duration,
    ) -> Result<NodeGroupInfo> {
        // The waiter's reads, uncounted, and the description after it.
        let op = Op("DescribeNodegroup");
        poll("wait NodegroupActive", max, || {
            self.eks_state(op, |s, _| {
                let g = self.node_group(s, op, cluster, name)?;
                Ok(g.deleted_at.is_none() && Instant::now() >= g.life.ready)
            })
        })
        .await?;
        self.eks_state(op, |s, _| {
            let g = self.node_group(s, op, cluster, name)?;
            Ok(NodeGroupInfo {
                status: Lifecycle::Ready,
                ..g.info.clone()
            })
        })
    }

    async fn update_node_group(
        &self,
        cluster: &str,
        name: &str,
        update: &NodeGroupUpdate,
        max: Duration,
    ) -> Result<()> {
        let op = self.call(EKS, "UpdateNodegroupConfig").await?;
        self.eks_state(op, |s, _| {
            let g = self.node_group(s, op, cluster, name)?;
            if let Some((min, desired, max_size)) = update.scaling {
                (g.info.min, g.info.desired, g.info.max) = (min, desired, max_size);
            }
            for k in &update.remove_labels {
                g.info.labels.remove(k);
            }
            g.info.labels.extend(
                update
                    .add_labels
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone())),
            );
            Ok(())
        })?;
        tokio::time::sleep(Duration::from_secs(60).min(max)).await;
        Ok(())
    }

    async fn delete_node_group(&self, cluster: &str, name: &str) -> Result<()> {
        let op = self.call(EKS, "DeleteNodegroup").await?;
        let takes = self.world.behaviour().node_group_delete;
        self.eks_state(op, |s, _| {
            let g = self.node_group(s, op, cluster, name)?;
            g.deleted_at.get_or_insert(Instant::now() + takes);
            Ok(())
        })
    }

    async fn wait_node_group_deleted(
        &self,
        cluster: &str,
        name: &str,
        max: Duration,
    ) -> Result<()> {
        let key = (cluster.to_string(), name.to_string());
        poll("wait NodegroupDeleted", max, || {
            self.eks_state(Op("DescribeNodegroup"), |s, _| {
                Ok(!self.here(s).node_groups.contains_key(&key))
            })
        })
        .await
    }

    async fn create_access_entry(
        &self,
        cluster: &str,
        principal: &str,
        _policy_arn: &str,
        _tags: &Tags,
    ) -> Result<()> {
        let (op, _) = futures::try_join!(
            self.call(EKS, "CreateAccessEntry"),
            self.call(EKS, "AssociateAccessPolicy")
        )?;
        self.eks_state(op, |s, _| {
            let r = self.here(s);
            if !r.clusters.contains_key(cluster) {
                return Err(op.not_found(cluster));
            }
            r.access_entries.insert((cluster.into(), principal.into()));
            Ok(())
        })
    }

    async fn delete_access_entry(&self, cluster: &str, principal: &str) -> Result<()> {
        let op = self.call(EKS, "DeleteAccessEntry").await?;
        self.eks_state(op, |s, _| {
            let r = self.here(s);
            r.access_entries
                .remove(&(cluster.to_string(), principal.to_string()))
                .then_some(())
                .ok_or_else(|| op.not_found(principal))
        })
    }

    async fn set_tags(&self, arn: &str, add: &Tags, remove: &[String]) -> Result<()> {
        let op = self.call(EKS, "TagResource").await?;
        self.eks_state(op, |s, _| {
            let r = self.here(s);
            let tags = if let Some(c) = r.clusters.values_mut().find(|c| c.info.arn == arn) {
                &mut c.info.tags
            } else if let Some(g) = r.node_groups.values_mut().find(|g| g.info.arn == arn) {
                &mut g.info.tags
            } else {
                return Err(op.not_found(arn));
            };
            retag(tags, add, remove);
            Ok(())
        })
    }
}

/// EKS takes a key of this world only while it is there and not pending deletion; a key of
/// another account is taken on trust.
fn usable_key(r: &Region, op: Op, key: &str) -> Result<()> {
    match r.keys.get(key) {
        Some(k) if k.pending_deletion => {
            Err(op.invalid_state(format!("{key} is pending deletion")))
        }
        None if key.contains(":123456789012:") => Err(op.not_found(key)),
        _ => Ok(()),
    }
}
