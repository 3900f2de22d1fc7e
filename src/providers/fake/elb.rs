//! The fake world's Elastic Load Balancing v2.

use std::time::Duration;

use async_trait::async_trait;
use tokio::time::Instant;

use super::*;
use crate::providers::*;

const ELB: &str = "Elastic Load Balancing v2";

/// The hosted zone of the fake load balancers' names (AWS has one per region and type).
const CANONICAL_ZONE: &str = "Z35SXDOTRQ7X7K";

#[async_trait]
impl LoadBalancing for FakeRegion {
    async fn snapshot(&self, stack: &str) -> Result<LoadBalancingSnapshot> {
        // The adapter's calls: two listings, then tags and the listeners of the stack's balancers.
        let (describe, _) = futures::try_join!(
            self.call(ELB, "DescribeLoadBalancers"),
            self.call(ELB, "DescribeTargetGroups")
        )?;
        let prefix = format!("{stack}-");
        let candidates = self.in_region(describe, |r, _| {
            Ok(r.lbs
                .values()
                .filter(|l| l.name.starts_with(&prefix))
                .count())
        })?;
        let mut second = vec!["DescribeTags"];
        second.extend(std::iter::repeat_n("DescribeListeners", candidates));
        futures::future::try_join_all(second.iter().map(|op| self.call(ELB, op))).await?;
        self.in_region(describe, |r, lag| {
            let now = Instant::now();
            let mut snap = LoadBalancingSnapshot::default();
            for (arn, l) in r
                .lbs
                .iter()
                .filter(|(_, l)| visible(&l.life, lag) && owned(&l.tags, stack))
            {
                snap.load_balancers.push(LoadBalancerInfo {
                    arn: arn.clone(),
                    name: l.name.clone(),
                    lb_type: l.lb_type.clone(),
                    scheme: l.scheme.clone(),
                    subnets: l.subnets.clone(),
                    security_groups: l.groups.clone(),
                    dns_name: format!("{}.{}.elb.amazonaws.com", l.name, self.region),
                    canonical_zone: CANONICAL_ZONE.to_string(),
                    state: match now < l.life.ready {
                        true => Lifecycle::Pending,
                        false if l.broken => Lifecycle::Failed,
                        false => Lifecycle::Ready,
                    },
                    tags: l.tags.clone(),
                });
                for (larn, x) in r
                    .listeners
                    .iter()
                    .filter(|(_, x)| &x.lb == arn && visible(&x.life, lag))
                {
                    snap.listeners.push(ListenerInfo {
                        arn: larn.clone(),
                        load_balancer_arn: arn.clone(),
                        protocol: x.protocol.clone(),
                        port: x.port,
                        target_group_arn: Some(x.target_group.clone()).filter(|t| !t.is_empty()),
                        redirect: x.redirect.clone(),
                        certificate_arn: x.certificate.clone(),
                        ssl_policy: x.ssl_policy.clone(),
                    });
                }
            }
            for (arn, t) in r
                .tgs
                .iter()
                .filter(|(_, t)| visible(&t.life, lag) && owned(&t.tags, stack))
            {
                snap.target_groups.push(TargetGroupInfo {
                    arn: arn.clone(),
                    name: t.name.clone(),
                    protocol: t.protocol.clone(),
                    port: t.port,
                    vpc_id: t.vpc.clone(),
                    target_type: t.target_type.clone(),
                    health_check_path: t.health_check_path.clone(),
                    tags: t.tags.clone(),
                });
            }
            Ok(snap)
        })
    }

    async fn create_load_balancer(&self, lb: &NewLoadBalancer<'_>) -> Result<LoadBalancerInfo> {
        let op = self.call(ELB, "CreateLoadBalancer").await?;
        let ready = self.world.behaviour().load_balancer;
        let arn = {
            let mut s = self.world.lock();
            let kind = if lb.lb_type == "network" {
                "loadbalancer/net"
            } else {
                "loadbalancer/app"
            };
            self.arn(
                &mut s,
                "elasticloadbalancing",
                &format!("{kind}/{}", lb.name),
            )
        };
        let life = self.life(ready);
        self.in_region(op, |r, lag| {
            if r.lbs.values().any(|l| l.name == lb.name) {
                return Err(op.exists(format!("{} exists", lb.name)));
            }
            for subnet in lb.subnets {
                op.seen(&r.subnets, subnet, lag)?;
            }
            for group in lb.security_groups {
                op.seen(&r.groups, group, lag)?;
            }
            r.lbs.insert(
                arn.clone(),
                LoadBalancer {
                    name: lb.name.into(),
                    lb_type: lb.lb_type.into(),
                    scheme: lb.scheme.into(),
                    subnets: lb.subnets.to_vec(),
                    groups: lb.security_groups.to_vec(),
                    tags: lb.tags.clone(),
                    life,
                    broken: false,
                },
            );
            Ok(LoadBalancerInfo {
                arn: arn.clone(),
                name: lb.name.into(),
                lb_type: lb.lb_type.into(),
                scheme: lb.scheme.into(),
                subnets: lb.subnets.to_vec(),
                security_groups: lb.security_groups.to_vec(),
                dns_name: format!("{}.{}.elb.amazonaws.com", lb.name, self.region),
                canonical_zone: CANONICAL_ZONE.to_string(),
                state: Lifecycle::Pending,
                tags: lb.tags.clone(),
            })
        })
    }

    async fn wait_load_balancer_active(&self, arn: &str, max: Duration) -> Result<()> {
        // The waiter's reads, uncounted.
        let op = Op("DescribeLoadBalancers");
        poll("wait LoadBalancerAvailable", max, || {
            self.in_region(op, |r, _| {
                let l = op.get(&r.lbs, arn)?;
                Ok(Instant::now() >= l.life.ready)
            })
        })
        .await
    }

    async fn set_security_groups(&self, arn: &str, groups: &[String]) -> Result<()> {
        let op = self.call(ELB, "SetSecurityGroups").await?;
        self.in_region(op, |r, _| {
            let l = op.get_mut(&mut r.lbs, arn)?;
            l.groups = groups.to_vec();
            Ok(())
        })
    }

    async fn set_subnets(&self, arn: &str, subnets: &[String]) -> Result<()> {
        let op = self.call(ELB, "SetSubnets").await?;
        self.in_region(op, |r, _| {
            let l = op.get_mut(&mut r.lbs, arn)?;
            l.subnets = subnets.to_vec();
            Ok(())
        })
    }

    async fn delete_load_balancer(&self, arn: &str) -> Result<()> {
        let op = self.call(ELB, "DeleteLoadBalancer").await?;
        self.in_region(op, |r, _| {
            op.remove(&mut r.lbs, arn)?;
            r.listeners.retain(|_, l| l.lb != arn);
            r.acl_of.remove(arn);
            Ok(())
        })
    }

    async fn wait_load_balancer_deleted(&self, arn: &str, max: Duration) -> Result<()> {
        // The waiter's reads, uncounted.
        let op = Op("DescribeLoadBalancers");
        poll("wait LoadBalancersDeleted", max, || {
            self.in_region(op, |r, _| Ok(!r.lbs.contains_key(arn)))
        })
        .await
    }

    async fn create_target_group(&self, tg: &NewTargetGroup<'_>) -> Result<String> {
        let op = self.call(ELB, "CreateTargetGroup").await?;
        let arn = {
            let mut s = self.world.lock();
            self.arn(
                &mut s,
                "elasticloadbalancing",
                &format!("targetgroup/{}", tg.name),
            )
        };
        let life = self.life(Duration::ZERO);
        self.in_region(op, |r, lag| {
            op.seen(&r.vpcs, tg.vpc, lag)?;
            r.tgs.insert(
                arn.clone(),
                TargetGroup {
                    name: tg.name.into(),
                    protocol: tg.protocol.into(),
                    port: tg.port,
                    vpc: tg.vpc.into(),
                    target_type: tg.target_type.into(),
                    health_check_path: tg.health_check_path.map(str::to_string),
                    targets: Default::default(),
                    tags: tg.tags.clone(),
                    life,
                },
            );
            Ok(arn.clone())
        })
    }

    async fn set_health_check_path(&self, arn: &str, path: &str) -> Result<()> {
        let op = self.call(ELB, "ModifyTargetGroup").await?;
        self.in_region(op, |r, _| {
            op.get_mut(&mut r.tgs, arn)?.health_check_path = Some(path.into());
            Ok(())
        })
    }

    async fn delete_target_group(&self, arn: &str) -> Result<()> {
        let op = self.call(ELB, "DeleteTargetGroup").await?;
        self.in_region(op, |r, _| {
            if r.listeners.values().any(|l| l.target_group == arn) {
                return Err(op.in_use(format!("{arn} is in use by a listener")));
            }
            op.remove(&mut r.tgs, arn).map(drop)
        })
    }

    async fn create_listener(
        &self,
        lb: &str,
        listener: &NewListener<'_>,
        _tags: &Tags,
    ) -> Result<String> {
        let op = self.call(ELB, "CreateListener").await?;
        let arn = {
            let mut s = self.world.lock();
            self.arn(&mut s, "elasticloadbalancing", "listener")
        };
        let life = self.life(Duration::ZERO);
        let port = listener.port;
        self.in_region(op, |r, lag| {
            op.seen(&r.lbs, lb, lag)?;
            let made = Self::listener_of(op, r, lag, lb, listener, life)?;
            if r.listeners.values().any(|l| l.lb == lb && l.port == port) {
                return Err(op.exists(format!("a listener on {port} exists")));
            }
            r.listeners.insert(arn.clone(), made);
            Ok(arn.clone())
        })
    }

    async fn modify_listener(&self, arn: &str, listener: &NewListener<'_>) -> Result<()> {
        let op = self.call(ELB, "ModifyListener").await?;
        self.in_region(op, |r, lag| {
            let (lb, life) = {
                let l = op.get(&r.listeners, arn)?;
                (l.lb.clone(), l.life.clone())
            };
            let made = Self::listener_of(op, r, lag, &lb, listener, life)?;
            r.listeners.insert(arn.to_string(), made);
            Ok(())
        })
    }

    async fn delete_listener(&self, arn: &str) -> Result<()> {
        let op = self.call(ELB, "DeleteListener").await?;
        self.in_region(op, |r, _| op.remove(&mut r.listeners, arn).map(drop))
    }

    async fn registered_targets(&self, target_group_arn: &str) -> Result<Vec<String>> {
        let op = self.call(ELB, "DescribeTargetHealth").await?;
        self.in_region(op, |r, _| {
            let tg = op.get(&r.tgs, target_group_arn)?;
            Ok(tg.targets.iter().cloned().collect())
        })
    }

    async fn register_targets(
        &self,
        target_group_arn: &str,
        instances: &[String],
        _port: u16,
    ) -> Result<()> {
        let op = self.call(ELB, "RegisterTargets").await?;
        self.in_region(op, |r, _| {
            let tg = op.get_mut(&mut r.tgs, target_group_arn)?;
            tg.targets.extend(instances.iter().cloned());
            Ok(())
        })
    }

    async fn deregister_targets(&self, target_group_arn: &str, instances: &[String]) -> Result<()> {
        let op = self.call(ELB, "DeregisterTargets").await?;
        self.in_region(op, |r, _| {
            let tg = op.get_mut(&mut r.tgs, target_group_arn)?;
            for i in instances {
                tg.targets.remove(i);
            }
            Ok(())
        })
    }

    async fn set_tags(&self, arn: &str, add: &Tags, remove: &[String]) -> Result<()> {
        let op = self.call(ELB, "AddTags").await?;
        self.in_region(op, |r, _| {
            let tags = tags_of(&mut r.lbs, arn)
                .or_else(|| tags_of(&mut r.tgs, arn))
                .ok_or_else(|| op.not_found(arn))?;
            retag(tags, add, remove);
            Ok(())
        })
    }
}

impl FakeRegion {
    /// A listener as ELB takes it: HTTPS only with a certificate and policy, and a target
    /// group to forward to that exists.
    fn listener_of(
        op: Op,
        r: &Region,
        lag: Duration,
        lb: &str,
        listener: &NewListener<'_>,
        life: Life,
    ) -> Result<Listener> {
        if (listener.protocol == "HTTPS") != listener.tls.is_some() {
            return Err(op.refused("an HTTPS listener needs a certificate, and only it takes one"));
        }
        let (target_group, redirect) = match listener.action {
            ListenerAction::Forward(tg) => {
                op.seen(&r.tgs, tg, lag)?;
                (tg.to_string(), None)
            }
            ListenerAction::RedirectToHttps(port) => {
                (String::new(), Some(ListenerAction::redirect_text(port)))
            }
        };
        Ok(Listener {
            lb: lb.into(),
            protocol: listener.protocol.into(),
            port: listener.port,
            target_group,
            redirect,
            certificate: listener.tls.map(|t| t.0.to_string()),
            ssl_policy: listener.tls.map(|t| t.1.to_string()),
            life,
        })
    }
}
