//! The fake world's regional WAFv2.

use std::time::Duration;

use async_trait::async_trait;

use super::*;
use crate::providers::*;

const WAF: &str = "WAFV2";

#[async_trait]
impl Waf for FakeRegion {
    async fn snapshot(&self, stack: &str) -> Result<Vec<WebAclInfo>> {
        let op = self.call(WAF, "ListWebACLs").await?;
        let prefix = format!("{stack}-");
        let candidates = self.in_region(op, |r, _| {
            Ok(r.acls
                .values()
                .filter(|a| a.name.starts_with(&prefix))
                .count())
        })?;
        let reads = ["GetWebACL", "ListTagsForResource"].repeat(candidates);
        futures::future::try_join_all(reads.iter().map(|op| self.call(WAF, op))).await?;
        self.in_region(op, |r, lag| {
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
        let op = self.call(WAF, "GetWebACLForResource").await?;
        self.in_region(op, |r, _| Ok(r.acl_of.get(resource_arn).cloned()))
    }

    async fn create_web_acl(
        &self,
        name: &str,
        rules: &WebAclRules,
        tags: &Tags,
    ) -> Result<WebAclInfo> {
        let op = self.call(WAF, "CreateWebACL").await?;
        let (arn, id) = {
            let mut s = self.world.lock();
            (
                self.arn(&mut s, "wafv2", &format!("regional/webacl/{name}")),
                self.new_id(&mut s, "acl"),
            )
        };
        let life = self.life(Duration::ZERO);
        self.in_region(op, |r, _| {
            if r.acls.values().any(|a| a.name == name) {
                return Err(op.exists(format!("{name} exists")));
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
        let (_, op) =
            futures::try_join!(self.call(WAF, "GetWebACL"), self.call(WAF, "UpdateWebACL"))?;
        self.in_region(op, |r, _| {
            r.acls
                .get_mut(&acl.arn)
                .ok_or_else(|| op.not_found(&acl.name))?
                .rules = rules.clone();
            Ok(())
        })
    }

    async fn delete_web_acl(&self, acl: &WebAclInfo) -> Result<()> {
        let (_, op) =
            futures::try_join!(self.call(WAF, "GetWebACL"), self.call(WAF, "DeleteWebACL"))?;
        self.in_region(op, |r, _| {
            if r.acl_of.values().any(|a| *a == acl.arn) {
                return Err(op.in_use(format!("{} is associated", acl.name)));
            }
            r.acls
                .remove(&acl.arn)
                .map(|_| ())
                .ok_or_else(|| op.not_found(&acl.name))
        })
    }

    async fn associate(&self, acl_arn: &str, resource_arn: &str) -> Result<()> {
        let op = self.call(WAF, "AssociateWebACL").await?;
        self.in_region(op, |r, lag| {
            op.seen(&r.acls, acl_arn, lag)?;
            match r.lbs.get(resource_arn) {
                Some(l) if visible(&l.life, lag) && l.lb_type == "application" => {}
                Some(_) => {
                    return Err(op.refused("WAF protects application load balancers only"));
                }
                None => return Err(op.not_found(resource_arn)),
            }
            r.acl_of.insert(resource_arn.into(), acl_arn.into());
            Ok(())
        })
    }

    async fn disassociate(&self, resource_arn: &str) -> Result<()> {
        let op = self.call(WAF, "DisassociateWebACL").await?;
        self.in_region(op, |r, _| {
            r.acl_of.remove(resource_arn);
            Ok(())
        })
    }

    async fn set_tags(&self, arn: &str, add: &Tags, remove: &[String]) -> Result<()> {
        let op = self.call(WAF, "TagResource").await?;
        self.in_region(op, |r, _| {
            retag(&mut op.get_mut(&mut r.acls, arn)?.tags, add, remove);
            Ok(())
        })
    }
}
