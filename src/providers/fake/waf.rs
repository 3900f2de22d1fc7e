//! The fake world's regional WAFv2.

use std::time::Duration;

use async_trait::async_trait;

use super::*;
use crate::providers::*;

const WAF: &str = "WAFV2";

#[async_trait]
impl Waf for FakeRegion {
    async fn snapshot(&self, stack: &str) -> Result<Vec<WebAclInfo>> {
        self.call(WAF, "ListWebACLs").await?;
        let prefix = format!("{stack}-");
        let candidates = self.lb_waf(|r, _| {
            Ok(r.acls
                .values()
                .filter(|a| a.name.starts_with(&prefix))
                .count())
        })?;
        let reads = ["GetWebACL", "ListTagsForResource"].repeat(candidates);
        futures::future::try_join_all(reads.iter().map(|op| self.call(WAF, op))).await?;
        self.lb_waf(|r, lag| {
            Ok(r.acls
                .iter()
                .filter(|(_, a)| visible(&a.life, lag) && owned(&a.tags, stack))
                .map(|(arn, a)| WebAclInfo {
                    id: a.id.clone(),
                    arn: arn.clone(),
                    name: a.name.clone(),
                    rules: a.rules.clone(),
                    tags: a.tags.clone(),
                })
                .collect())
        })
    }

    async fn web_acl_for(&self, resource_arn: &str) -> Result<Option<String>> {
        self.call(WAF, "GetWebACLForResource").await?;
        self.lb_waf(|r, _| Ok(r.acl_of.get(resource_arn).cloned()))
    }

    async fn create_web_acl(
        &self,
        name: &str,
        rules: &WebAclRules,
        tags: &Tags,
    ) -> Result<WebAclInfo> {
        self.call(WAF, "CreateWebACL").await?;
        let (arn, id) = {
            let mut s = self.world.lock();
            (
                self.arn(&mut s, "wafv2", &format!("regional/webacl/{name}")),
                self.new_id(&mut s, "acl"),
            )
        };
        let life = self.life(Duration::ZERO);
        self.lb_waf(|r, _| {
            if r.acls.values().any(|a| a.name == name) {
                return Err(ProviderError::new(
                    ErrorKind::AlreadyExists,
                    "CreateWebACL",
                    format!("{name} exists"),
                ));
            }
            r.acls.insert(
                arn.clone(),
                Acl {
                    name: name.into(),
                    id: id.clone(),
                    rules: rules.clone(),
                    tags: tags.clone(),
                    life,
                },
            );
            Ok(WebAclInfo {
                id: id.clone(),
                arn: arn.clone(),
                name: name.into(),
                rules: rules.clone(),
                tags: tags.clone(),
            })
        })
    }

    async fn update_web_acl(&self, acl: &WebAclInfo, rules: &WebAclRules) -> Result<()> {
        futures::try_join!(self.call(WAF, "GetWebACL"), self.call(WAF, "UpdateWebACL"))?;
        self.lb_waf(|r, _| {
            r.acls
                .get_mut(&acl.arn)
                .ok_or_else(|| not_found("UpdateWebACL", &acl.name))?
                .rules = rules.clone();
            Ok(())
        })
    }

    async fn delete_web_acl(&self, acl: &WebAclInfo) -> Result<()> {
        futures::try_join!(self.call(WAF, "GetWebACL"), self.call(WAF, "DeleteWebACL"))?;
        self.lb_waf(|r, _| {
            if r.acl_of.values().any(|a| *a == acl.arn) {
                return Err(in_use(
                    "DeleteWebACL",
                    format!("{} is associated", acl.name),
                ));
            }
            r.acls
                .remove(&acl.arn)
                .map(|_| ())
                .ok_or_else(|| not_found("DeleteWebACL", &acl.name))
        })
    }

    async fn associate(&self, acl_arn: &str, resource_arn: &str) -> Result<()> {
        self.call(WAF, "AssociateWebACL").await?;
        self.lb_waf(|r, lag| {
            if !r.acls.get(acl_arn).is_some_and(|a| visible(&a.life, lag)) {
                return Err(not_found("AssociateWebACL", acl_arn));
            }
            match r.lbs.get(resource_arn) {
                Some(l) if visible(&l.life, lag) && l.lb_type == "application" => {}
                Some(_) => {
                    return Err(ProviderError::new(
                        ErrorKind::Other,
                        "AssociateWebACL",
                        "WAF protects application load balancers only",
                    ));
                }
                None => return Err(not_found("AssociateWebACL", resource_arn)),
            }
            r.acl_of.insert(resource_arn.into(), acl_arn.into());
            Ok(())
        })
    }

    async fn disassociate(&self, resource_arn: &str) -> Result<()> {
        self.call(WAF, "DisassociateWebACL").await?;
        self.lb_waf(|r, _| {
            r.acl_of.remove(resource_arn);
            Ok(())
        })
    }

    async fn set_tags(&self, arn: &str, add: &Tags, remove: &[String]) -> Result<()> {
        self.call(WAF, "TagResource").await?;
        self.lb_waf(|r, _| {
            let a = r
                .acls
                .get_mut(arn)
                .ok_or_else(|| not_found("TagResource", arn))?;
            for k in remove {
                a.tags.remove(k);
            }
            a.tags
                .extend(add.iter().map(|(k, v)| (k.clone(), v.clone())));
            Ok(())
        })
    }
}

impl FakeRegion {
    fn lb_waf<R>(&self, f: impl FnOnce(&mut Region, Duration) -> Result<R>) -> Result<R> {
        let lag = self.world.behaviour().lag;
        let mut s = self.world.lock();
        let r = s
            .regions
            .get_mut(&self.region)
            .ok_or_else(|| not_found("WAF", &self.region))?;
        f(r, lag)
    }
}
