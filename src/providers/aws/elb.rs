//! Elastic Load Balancing v2 on `aws-sdk-elasticloadbalancingv2`.

use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_elasticloadbalancingv2::Client;
use aws_sdk_elasticloadbalancingv2::client::Waiters;
use aws_sdk_elasticloadbalancingv2::types::{
    Action, ActionTypeEnum, Certificate, LoadBalancerSchemeEnum, LoadBalancerStateEnum,
    LoadBalancerTypeEnum, ProtocolEnum, RedirectActionConfig, RedirectActionStatusCodeEnum,
    TargetTypeEnum,
};

use super::{carried, classify, done, every, retag, sdk_tags, sent, tags_of, waited};
use crate::model::TAG_STACK;
use crate::providers::*;

/// DescribeTags takes at most this many ARNs per call.
const TAGS_PER_CALL: usize = 20;

pub struct ElbLoadBalancing {
    client: Client,
}

impl ElbLoadBalancing {
    pub fn new(client: Client) -> Self {
        ElbLoadBalancing { client }
    }

    async fn tags_of(&self, arns: &[String]) -> Result<std::collections::HashMap<String, Tags>> {
        let calls = arns.chunks(TAGS_PER_CALL).map(|chunk| {
            self.client
                .describe_tags()
                .set_resource_arns(Some(chunk.to_vec()))
                .send()
        });
        let mut out = std::collections::HashMap::new();
        for answer in futures::future::try_join_all(calls)
            .await
            .map_err(classify)?
        {
            for d in answer.tag_descriptions() {
                let arn = d.resource_arn().unwrap_or_default().to_string();
                out.insert(arn, tags_of(d.tags()));
            }
        }
        Ok(out)
    }
}

fn forward(target_group: &str) -> Action {
    Action::builder()
        .r#type(ActionTypeEnum::Forward)
        .target_group_arn(target_group)
        .build()
}

/// A listener's default action: forward, or a permanent redirect to HTTPS that keeps the
/// host, path and query (ELB's `#{host}`, `#{path}`, `#{query}` are the defaults).
fn default_action(action: ListenerAction<'_>) -> Action {
    match action {
        ListenerAction::Forward(target_group) => forward(target_group),
        ListenerAction::RedirectToHttps(port) => Action::builder()
            .r#type(ActionTypeEnum::Redirect)
            .redirect_config(
                RedirectActionConfig::builder()
                    .protocol("HTTPS")
                    .port(port.to_string())
                    .status_code(RedirectActionStatusCodeEnum::Http301)
                    .build(),
            )
            .build(),
    }
}

fn terminates_tls(l: &aws_sdk_elasticloadbalancingv2::types::Listener) -> bool {
    matches!(l.protocol(), Some(ProtocolEnum::Https | ProtocolEnum::Tls))
}

fn certificates(listener: &NewListener<'_>) -> Option<Vec<Certificate>> {
    listener
        .tls
        .map(|(arn, _)| vec![Certificate::builder().certificate_arn(arn).build()])
}

/// An impaired load balancer still serves (it cannot scale for a while): not a failure.
fn lifecycle(l: &aws_sdk_elasticloadbalancingv2::types::LoadBalancer) -> Lifecycle {
    match l.state().and_then(|s| s.code()) {
        Some(LoadBalancerStateEnum::Active | LoadBalancerStateEnum::ActiveImpaired) => {
            Lifecycle::Ready
        }
        Some(LoadBalancerStateEnum::Failed) => Lifecycle::Failed,
        _ => Lifecycle::Pending,
    }
}

#[async_trait]
impl LoadBalancing for ElbLoadBalancing {
    async fn snapshot(&self, stack: &str) -> Result<LoadBalancingSnapshot> {
        // ELB cannot filter by tag: list everything, then read tags in batches of 20.
        let lbs = every!(self.client.describe_load_balancers());
        let tgs = every!(self.client.describe_target_groups());
        let (lbs, tgs) = futures::join!(lbs, tgs);
        let lbs = lbs?;
        let tgs = tgs?;
        let arns: Vec<String> = lbs
            .iter()
            .filter_map(|l| l.load_balancer_arn())
            .chain(tgs.iter().filter_map(|t| t.target_group_arn()))
            .map(str::to_string)
            .collect();
        // Listeners are read alongside the tags, for load balancers named like the stack's;
        // the tags then decide which are really ours.
        let prefix = format!("{stack}-");
        let candidates: Vec<String> = lbs
            .iter()
            .filter(|l| {
                l.load_balancer_name()
                    .is_some_and(|n| n.starts_with(&prefix))
            })
            .filter_map(|l| l.load_balancer_arn().map(str::to_string))
            .collect();
        let listener_calls = futures::future::try_join_all(
            candidates
                .iter()
                .map(|arn| every!(self.client.describe_listeners().load_balancer_arn(arn))),
        );
        let (tags, listeners) = futures::join!(self.tags_of(&arns), listener_calls);
        let tags = tags?;
        let listeners = listeners?;
        let ours = |arn: Option<&str>| -> Option<Tags> {
            let tags = tags.get(arn?)?;
            (tags.get(TAG_STACK).map(String::as_str) == Some(stack)).then(|| tags.clone())
        };
        let mut snap = LoadBalancingSnapshot::default();
        for l in &lbs {
            let Some(tags) = ours(l.load_balancer_arn()) else {
                continue;
            };
            snap.load_balancers.push(LoadBalancerInfo {
                arn: l.load_balancer_arn().unwrap_or_default().to_string(),
                name: l.load_balancer_name().unwrap_or_default().to_string(),
                lb_type: l
                    .r#type()
                    .map(|t| t.as_str().to_string())
                    .unwrap_or_default(),
                scheme: l
                    .scheme()
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
                subnets: l
                    .availability_zones()
                    .iter()
                    .filter_map(|z| z.subnet_id())
                    .map(str::to_string)
                    .collect(),
                security_groups: l.security_groups().to_vec(),
                dns_name: l.dns_name().unwrap_or_default().to_string(),
                canonical_zone: l.canonical_hosted_zone_id().unwrap_or_default().to_string(),
                state: lifecycle(l),
                tags,
            });
        }
        for t in &tgs {
            let Some(tags) = ours(t.target_group_arn()) else {
                continue;
            };
            snap.target_groups.push(TargetGroupInfo {
                arn: t.target_group_arn().unwrap_or_default().to_string(),
                name: t.target_group_name().unwrap_or_default().to_string(),
                protocol: t
                    .protocol()
                    .map(|p| p.as_str().to_string())
                    .unwrap_or_default(),
                port: t.port().unwrap_or_default() as u16,
                vpc_id: t.vpc_id().unwrap_or_default().to_string(),
                target_type: t
                    .target_type()
                    .map(|p| p.as_str().to_string())
                    .unwrap_or_default(),
                health_check_path: t.health_check_path().map(str::to_string),
                tags,
            });
        }
        for l in listeners.into_iter().flatten() {
            let lb = l.load_balancer_arn().unwrap_or_default().to_string();
            if !snap.load_balancers.iter().any(|x| x.arn == lb) {
                continue;
            }
            snap.listeners.push(ListenerInfo {
                arn: l.listener_arn().unwrap_or_default().to_string(),
                load_balancer_arn: lb,
                protocol: l
                    .protocol()
                    .map(|p| p.as_str().to_string())
                    .unwrap_or_default(),
                port: l.port().unwrap_or_default() as u16,
                target_group_arn: l
                    .default_actions()
                    .iter()
                    .find(|a| a.r#type() == Some(&ActionTypeEnum::Forward))
                    .and_then(|a| a.target_group_arn())
                    .map(str::to_string),
                redirect: l
                    .default_actions()
                    .iter()
                    .find(|a| a.r#type() == Some(&ActionTypeEnum::Redirect))
                    .and_then(|a| a.redirect_config())
                    .map(|r| {
                        format!(
                            "{}:{}",
                            r.protocol().unwrap_or("#{protocol}"),
                            r.port().unwrap_or("#{port}")
                        )
                    }),
                // Only a listener that terminates TLS has them (moto names a policy for
                // plain HTTP listeners too).
                certificate_arn: l
                    .certificates()
                    .first()
                    .and_then(|c| c.certificate_arn())
                    .filter(|_| terminates_tls(&l))
                    .map(str::to_string),
                ssl_policy: l
                    .ssl_policy()
                    .filter(|_| terminates_tls(&l))
                    .map(str::to_string),
            });
        }
        Ok(snap)
    }

    async fn create_load_balancer(&self, lb: &NewLoadBalancer<'_>) -> Result<LoadBalancerInfo> {
        let out = sent(
            self.client
                .create_load_balancer()
                .name(lb.name)
                .r#type(LoadBalancerTypeEnum::from(lb.lb_type))
                .scheme(LoadBalancerSchemeEnum::from(lb.scheme))
                .set_subnets(Some(lb.subnets.to_vec()))
                .set_security_groups(Some(lb.security_groups.to_vec()))
                .set_tags(Some(sdk_tags(lb.tags)?))
                .send(),
        )
        .await?;
        let arn = carried(&out, "ARN", |o| {
            o.load_balancers().first()?.load_balancer_arn()
        })?;
        let l = &out.load_balancers()[0];
        Ok(LoadBalancerInfo {
            arn,
            name: lb.name.to_string(),
            lb_type: lb.lb_type.to_string(),
            scheme: lb.scheme.to_string(),
            subnets: lb.subnets.to_vec(),
            security_groups: lb.security_groups.to_vec(),
            dns_name: l.dns_name().unwrap_or_default().to_string(),
            canonical_zone: l.canonical_hosted_zone_id().unwrap_or_default().to_string(),
            state: lifecycle(l),
            tags: lb.tags.clone(),
        })
    }

    async fn wait_load_balancer_active(&self, arn: &str, max: Duration) -> Result<()> {
        self.client
            .wait_until_load_balancer_available()
            .load_balancer_arns(arn)
            .wait(max)
            .await
            .map_err(|e| waited("wait LoadBalancerAvailable", e))?;
        Ok(())
    }

    async fn set_security_groups(&self, arn: &str, groups: &[String]) -> Result<()> {
        done(
            self.client
                .set_security_groups()
                .load_balancer_arn(arn)
                .set_security_groups(Some(groups.to_vec()))
                .send(),
        )
        .await
    }

    async fn set_subnets(&self, arn: &str, subnets: &[String]) -> Result<()> {
        done(
            self.client
                .set_subnets()
                .load_balancer_arn(arn)
                .set_subnets(Some(subnets.to_vec()))
                .send(),
        )
        .await
    }

    async fn delete_load_balancer(&self, arn: &str) -> Result<()> {
        done(
            self.client
                .delete_load_balancer()
                .load_balancer_arn(arn)
                .send(),
        )
        .await
    }

    async fn wait_load_balancer_deleted(&self, arn: &str, max: Duration) -> Result<()> {
        self.client
            .wait_until_load_balancers_deleted()
            .load_balancer_arns(arn)
            .wait(max)
            .await
            .map_err(|e| waited("wait LoadBalancersDeleted", e))?;
        Ok(())
    }

    async fn create_target_group(&self, tg: &NewTargetGroup<'_>) -> Result<String> {
        let out = sent(
            self.client
                .create_target_group()
                .name(tg.name)
                .protocol(ProtocolEnum::from(tg.protocol))
                .port(i32::from(tg.port))
                .vpc_id(tg.vpc)
                .target_type(TargetTypeEnum::from(tg.target_type))
                .set_health_check_path(tg.health_check_path.map(str::to_string))
                .set_tags(Some(sdk_tags(tg.tags)?))
                .send(),
        )
        .await?;
        carried(&out, "ARN", |o| {
            o.target_groups().first()?.target_group_arn()
        })
    }

    async fn set_health_check_path(&self, arn: &str, path: &str) -> Result<()> {
        done(
            self.client
                .modify_target_group()
                .target_group_arn(arn)
                .health_check_path(path)
                .send(),
        )
        .await
    }

    async fn delete_target_group(&self, arn: &str) -> Result<()> {
        done(
            self.client
                .delete_target_group()
                .target_group_arn(arn)
                .send(),
        )
        .await
    }

    async fn create_listener(
        &self,
        lb: &str,
        listener: &NewListener<'_>,
        tags: &Tags,
    ) -> Result<String> {
        let out = sent(
            self.client
                .create_listener()
                .load_balancer_arn(lb)
                .protocol(ProtocolEnum::from(listener.protocol))
                .port(i32::from(listener.port))
                .default_actions(default_action(listener.action))
                .set_certificates(certificates(listener))
                .set_ssl_policy(listener.tls.map(|(_, policy)| policy.to_string()))
                .set_tags(Some(sdk_tags(tags)?))
                .send(),
        )
        .await?;
        carried(&out, "ARN", |o| o.listeners().first()?.listener_arn())
    }

    async fn modify_listener(&self, arn: &str, listener: &NewListener<'_>) -> Result<()> {
        done(
            self.client
                .modify_listener()
                .listener_arn(arn)
                .protocol(ProtocolEnum::from(listener.protocol))
                .port(i32::from(listener.port))
                .default_actions(default_action(listener.action))
                .set_certificates(certificates(listener))
                .set_ssl_policy(listener.tls.map(|(_, policy)| policy.to_string()))
                .send(),
        )
        .await
    }

    async fn delete_listener(&self, arn: &str) -> Result<()> {
        done(self.client.delete_listener().listener_arn(arn).send()).await
    }

    async fn registered_targets(&self, target_group_arn: &str) -> Result<Vec<String>> {
        let out = sent(
            self.client
                .describe_target_health()
                .target_group_arn(target_group_arn)
                .send(),
        )
        .await?;
        Ok(out
            .target_health_descriptions()
            .iter()
            .filter_map(|d| d.target()?.id().map(str::to_string))
            .collect())
    }

    async fn register_targets(
        &self,
        target_group_arn: &str,
        instances: &[String],
        port: u16,
    ) -> Result<()> {
        done(
            self.client
                .register_targets()
                .target_group_arn(target_group_arn)
                .set_targets(Some(targets(instances, Some(port))))
                .send(),
        )
        .await
    }

    async fn deregister_targets(&self, target_group_arn: &str, instances: &[String]) -> Result<()> {
        done(
            self.client
                .deregister_targets()
                .target_group_arn(target_group_arn)
                .set_targets(Some(targets(instances, None)))
                .send(),
        )
        .await
    }

    async fn set_tags(&self, arn: &str, add: &Tags, remove: &[String]) -> Result<()> {
        let c = &self.client;
        retag(
            remove,
            done(
                c.remove_tags()
                    .resource_arns(arn)
                    .set_tag_keys(Some(remove.to_vec()))
                    .send(),
            ),
            add,
            async {
                done(
                    c.add_tags()
                        .resource_arns(arn)
                        .set_tags(Some(sdk_tags(add)?))
                        .send(),
                )
                .await
            },
        )
        .await
    }
}

fn targets(
    instances: &[String],
    port: Option<u16>,
) -> Vec<aws_sdk_elasticloadbalancingv2::types::TargetDescription> {
    instances
        .iter()
        .map(|id| {
            aws_sdk_elasticloadbalancingv2::types::TargetDescription::builder()
                .id(id)
                .set_port(port.map(i32::from))
                .build()
        })
        .collect()
}
