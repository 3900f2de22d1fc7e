//! The fake world's EC2 Auto Scaling: one group per live managed node group, as EKS makes them
//! (unless `Behaviour::node_groups_without_asgs`, which plays an emulator that names groups it
//! does not have).

use async_trait::async_trait;

use super::*;
use crate::providers::*;

const SCALING: &str = "Auto Scaling";

impl FakeRegion {
    fn scaling<R>(&self, op: Op, f: impl FnOnce(&mut Region) -> Result<R>) -> Result<R> {
        self.in_region(op, |r, _| f(r))
    }

    fn asg_exists(&self, r: &Region, asg: &str) -> bool {
        !self.world.behaviour().node_groups_without_asgs
            && r.node_groups.values().any(|g| {
                g.deleted_at.is_none() && g.info.autoscaling_groups.iter().any(|a| a == asg)
            })
    }
}

#[async_trait]
impl Scaling for FakeRegion {
    async fn node_group_asgs(&self, cluster: &str) -> Result<Vec<AutoScalingGroupInfo>> {
        let op = self.call(SCALING, "DescribeAutoScalingGroups").await?;
        let without = self.world.behaviour().node_groups_without_asgs;
        self.scaling(op, |r| {
            if without {
                return Ok(Vec::new());
            }
            Ok(r.node_groups
                .values()
                .filter(|g| g.info.cluster == cluster && g.deleted_at.is_none())
                .flat_map(|g| {
                    g.info
                        .autoscaling_groups
                        .iter()
                        .map(|name| AutoScalingGroupInfo {
                            name: name.clone(),
                            node_group: g.info.name.clone(),
                            target_groups: r
                                .asg_targets
                                .get(name)
                                .map(|t| t.iter().cloned().collect())
                                .unwrap_or_default(),
                        })
                })
                .collect())
        })
    }

    async fn attach_target_group(&self, asg: &str, target_group_arn: &str) -> Result<()> {
        let op = self.call(SCALING, "AttachLoadBalancerTargetGroups").await?;
        self.scaling(op, |r| {
            if !self.asg_exists(r, asg) {
                return Err(op.not_found(asg));
            }
            if !r.tgs.contains_key(target_group_arn) {
                return Err(op.not_found(target_group_arn));
            }
            r.asg_targets
                .entry(asg.to_string())
                .or_default()
                .insert(target_group_arn.to_string());
            Ok(())
        })
    }

    async fn detach_target_group(&self, asg: &str, target_group_arn: &str) -> Result<()> {
        let op = self.call(SCALING, "DetachLoadBalancerTargetGroups").await?;
        self.scaling(op, |r| {
            if !self.asg_exists(r, asg) {
                return Err(op.not_found(asg));
            }
            if let Some(t) = r.asg_targets.get_mut(asg) {
                t.remove(target_group_arn);
            }
            Ok(())
        })
    }
}

impl FakeWorld {
    /// A node group's (min, desired, max), by cluster and name.
    pub fn node_group_sizes(
        &self,
        region: &str,
        cluster: &str,
        name: &str,
    ) -> Option<(u32, u32, u32)> {
        let s = self.inner.lock();
        let key = (cluster.to_string(), name.to_string());
        let g = &s.regions.get(region)?.node_groups.get(&key)?.info;
        Some((g.min, g.desired, g.max))
    }

    /// What the Cluster Autoscaler does: sets a group's desired size.
    pub fn scale_node_group(&self, region: &str, cluster: &str, name: &str, desired: u32) {
        let mut s = self.inner.lock();
        let key = (cluster.to_string(), name.to_string());
        if let Some(g) = s
            .regions
            .get_mut(region)
            .and_then(|r| r.node_groups.get_mut(&key))
        {
            g.info.desired = desired;
        }
    }

    /// A role's trusted service and inline policies, by name.
    pub fn role(&self, name: &str) -> Option<(String, BTreeMap<String, String>)> {
        let s = self.inner.lock();
        let role = s.roles.get(name)?;
        Some((role.service.clone(), role.inline.clone()))
    }
}
