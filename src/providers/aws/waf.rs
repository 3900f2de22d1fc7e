//! Regional WAFv2 on `aws-sdk-wafv2`.

use async_trait::async_trait;
use aws_sdk_wafv2::Client;
use aws_sdk_wafv2::types::{
    AllowAction, BlockAction, DefaultAction, ManagedRuleGroupStatement, NoneAction, OverrideAction,
    RateBasedStatement, RateBasedStatementAggregateKeyType, Rule, RuleAction, Scope, Statement,
    VisibilityConfig,
};

use super::{answered, done, retag, sdk_tags, sent, tags_of};
use crate::model::TAG_STACK;
use crate::providers::*;

/// Name of the rate-based rule; managed rule groups are named after the group.
const RATE_RULE: &str = "rate-limit";

pub struct WafV2 {
    client: Client,
    region: String,
}

impl WafV2 {
    pub fn new(client: Client, region: String) -> Self {
        WafV2 { client, region }
    }

    async fn tags_of(&self, arn: &str) -> Result<Tags> {
        let out = sent(
            self.client
                .list_tags_for_resource()
                .resource_arn(arn)
                .send(),
        )
        .await?;
        Ok(tags_of(
            out.tag_info_for_resource()
                .map(|i| i.tag_list())
                .unwrap_or_default(),
        ))
    }

    /// Rules and lock token of an ACL, read fresh (the token changes with every update).
    async fn read(&self, name: &str, id: &str) -> Result<(WebAclRules, String)> {
        let out = sent(
            self.client
                .get_web_acl()
                .name(name)
                .id(id)
                .scope(Scope::Regional)
                .send(),
        )
        .await?;
        let rules = out
            .web_acl()
            .map(|a| rules_of(a.rules()))
            .unwrap_or(WebAclRules {
                managed_rule_groups: Vec::new(),
                rate_limit: None,
            });
        Ok((rules, out.lock_token().unwrap_or_default().to_string()))
    }
}

fn built<T>(
    operation: &'static str,
    r: std::result::Result<T, aws_smithy_types::error::operation::BuildError>,
) -> Result<T> {
    r.map_err(|e| ProviderError::new(ErrorKind::Other, operation, e.to_string()))
}

fn visibility(metric: &str) -> Result<VisibilityConfig> {
    built(
        "build VisibilityConfig",
        VisibilityConfig::builder()
            .sampled_requests_enabled(true)
            .cloud_watch_metrics_enabled(true)
            .metric_name(metric)
            .build(),
    )
}

fn sdk_rules(rules: &WebAclRules) -> Result<Vec<Rule>> {
    let mut out = Vec::new();
    for (priority, group) in rules.managed_rule_groups.iter().enumerate() {
        let statement = built(
            "build ManagedRuleGroupStatement",
            ManagedRuleGroupStatement::builder()
                .vendor_name("AWS")
                .name(group)
                .build(),
        )?;
        out.push(built(
            "build Rule",
            Rule::builder()
                .name(group)
                .priority(priority as i32)
                .statement(
                    Statement::builder()
                        .managed_rule_group_statement(statement)
                        .build(),
                )
                .override_action(
                    OverrideAction::builder()
                        .none(NoneAction::builder().build())
                        .build(),
                )
                .visibility_config(visibility(group)?)
                .build(),
        )?);
    }
    if let Some(limit) = rules.rate_limit {
        let statement = built(
            "build RateBasedStatement",
            RateBasedStatement::builder()
                .limit(i64::from(limit))
                .aggregate_key_type(RateBasedStatementAggregateKeyType::Ip)
                .build(),
        )?;
        out.push(built(
            "build Rule",
            Rule::builder()
                .name(RATE_RULE)
                .priority(rules.managed_rule_groups.len() as i32)
                .statement(Statement::builder().rate_based_statement(statement).build())
                .action(
                    RuleAction::builder()
                        .block(BlockAction::builder().build())
                        .build(),
                )
                .visibility_config(visibility(RATE_RULE)?)
                .build(),
        )?);
    }
    Ok(out)
}

fn rules_of(rules: &[Rule]) -> WebAclRules {
    let mut sorted: Vec<&Rule> = rules.iter().collect();
    sorted.sort_by_key(|r| r.priority());
    WebAclRules {
        managed_rule_groups: sorted
            .iter()
            .filter_map(|r| r.statement()?.managed_rule_group_statement())
            .map(|m| m.name().to_string())
            .collect(),
        rate_limit: sorted
            .iter()
            .find_map(|r| r.statement()?.rate_based_statement())
            .map(|s| s.limit() as u32),
    }
}

fn allow_by_default() -> DefaultAction {
    DefaultAction::builder()
        .allow(AllowAction::builder().build())
        .build()
}

#[async_trait]
impl Waf for WafV2 {
    async fn snapshot(&self, stack: &str) -> Result<Vec<WebAclInfo>> {
        let mut summaries = Vec::new();
        let mut marker: Option<String> = None;
        loop {
            let out = sent(
                self.client
                    .list_web_acls()
                    .scope(Scope::Regional)
                    .limit(100)
                    .set_next_marker(marker.clone())
                    .send(),
            )
            .await?;
            summaries.extend(out.web_acls().iter().cloned());
            match out.next_marker() {
                Some(next) if !next.is_empty() && out.web_acls().len() == 100 => {
                    marker = Some(next.to_string())
                }
                _ => break,
            }
        }
        // Our ACLs are named `<stack>-...`; read tags only for those, then confirm by tag.
        let candidates: Vec<_> = summaries
            .iter()
            .filter(|s| {
                s.name()
                    .is_some_and(|n| n.starts_with(&format!("{stack}-")))
            })
            .collect();
        let reads = candidates.iter().map(|s| async move {
            let (name, id, arn) = (
                s.name().unwrap_or_default(),
                s.id().unwrap_or_default(),
                s.arn().unwrap_or_default(),
            );
            let (tags, (rules, _)) = futures::try_join!(self.tags_of(arn), self.read(name, id))?;
            Ok::<_, ProviderError>(WebAclInfo {
                id: id.to_string(),
                arn: arn.to_string(),
                name: name.to_string(),
                rules,
                tags,
            })
        });
        let acls = futures::future::try_join_all(reads).await?;
        Ok(acls
            .into_iter()
            .filter(|a| a.tags.get(TAG_STACK).map(String::as_str) == Some(stack))
            .collect())
    }

    async fn web_acl_for(&self, resource_arn: &str) -> Result<Option<String>> {
        let out = sent(
            self.client
                .get_web_acl_for_resource()
                .resource_arn(resource_arn)
                .send(),
        )
        .await?;
        Ok(out.web_acl().map(|a| a.arn().to_string()))
    }

    async fn create_web_acl(
        &self,
        name: &str,
        rules: &WebAclRules,
        tags: &Tags,
    ) -> Result<WebAclInfo> {
        let out = sent(
            self.client
                .create_web_acl()
                .name(name)
                .scope(Scope::Regional)
                .default_action(allow_by_default())
                .set_rules(Some(sdk_rules(rules)?))
                .visibility_config(visibility(name)?)
                .set_tags(Some(sdk_tags(tags)?))
                .send(),
        )
        .await?;
        let summary = out.summary().ok_or_else(|| {
            answered(
                &out,
                ErrorKind::Other,
                format!("no summary in {}", self.region),
            )
        })?;
        Ok(WebAclInfo {
            id: summary.id().unwrap_or_default().to_string(),
            arn: summary.arn().unwrap_or_default().to_string(),
            name: name.to_string(),
            rules: rules.clone(),
            tags: tags.clone(),
        })
    }

    async fn update_web_acl(&self, acl: &WebAclInfo, rules: &WebAclRules) -> Result<()> {
        let (_, lock_token) = self.read(&acl.name, &acl.id).await?;
        done(
            self.client
                .update_web_acl()
                .name(&acl.name)
                .id(&acl.id)
                .scope(Scope::Regional)
                .default_action(allow_by_default())
                .set_rules(Some(sdk_rules(rules)?))
                .visibility_config(visibility(&acl.name)?)
                .lock_token(lock_token)
                .send(),
        )
        .await
    }

    async fn delete_web_acl(&self, acl: &WebAclInfo) -> Result<()> {
        let (_, lock_token) = self.read(&acl.name, &acl.id).await?;
        done(
            self.client
                .delete_web_acl()
                .name(&acl.name)
                .id(&acl.id)
                .scope(Scope::Regional)
                .lock_token(lock_token)
                .send(),
        )
        .await
    }

    async fn associate(&self, acl_arn: &str, resource_arn: &str) -> Result<()> {
        done(
            self.client
                .associate_web_acl()
                .web_acl_arn(acl_arn)
                .resource_arn(resource_arn)
                .send(),
        )
        .await
    }

    async fn disassociate(&self, resource_arn: &str) -> Result<()> {
        done(
            self.client
                .disassociate_web_acl()
                .resource_arn(resource_arn)
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
            async {
                done(
                    c.tag_resource()
                        .resource_arn(arn)
                        .set_tags(Some(sdk_tags(add)?))
                        .send(),
                )
                .await
            },
        )
        .await
    }
}
