//! The fake world's IAM (global).

use async_trait::async_trait;

use super::*;
use crate::providers::*;

const IAM: &str = "IAM";

#[async_trait]
impl Iam for FakeRegion {
    async fn snapshot(&self, stack: &str) -> Result<Vec<RoleInfo>> {
        self.call(IAM, "ListRoles").await?;
        let path = role_path(stack);
        let count = self
            .world
            .lock()
            .roles
            .values()
            .filter(|r| r.path == path)
            .count();
        let reads = [
            "ListRoleTags",
            "ListAttachedRolePolicies",
            "ListRolePolicies",
        ]
        .repeat(count);
        futures::future::try_join_all(reads.iter().map(|op| self.call(IAM, op))).await?;
        let s = self.world.lock();
        Ok(s.roles
            .iter()
            .filter(|(_, r)| r.path == path && owned(&r.tags, stack))
            .map(|(name, r)| RoleInfo {
                name: name.clone(),
                arn: r.arn.clone(),
                trusted_service: r.service.clone(),
                managed_policies: r.policies.clone(),
                inline_policies: r.inline.keys().cloned().collect(),
                tags: r.tags.clone(),
            })
            .collect())
    }

    async fn create_role(
        &self,
        name: &str,
        path: &str,
        trusted_service: &str,
        tags: &Tags,
    ) -> Result<String> {
        let op = self.call(IAM, "CreateRole").await?;
        let mut s = self.world.lock();
        if s.roles.contains_key(name) {
            return Err(op.exists(format!("{name} exists")));
        }
        let arn = format!("arn:aws:iam::123456789012:role{path}{name}");
        s.roles.insert(
            name.into(),
            Role {
                arn: arn.clone(),
                path: path.into(),
                service: trusted_service.into(),
                policies: vec![],
                inline: Default::default(),
                tags: tags.clone(),
            },
        );
        Ok(arn)
    }

    async fn put_inline_policy(&self, role: &str, name: &str, document: &str) -> Result<()> {
        let op = self.call(IAM, "PutRolePolicy").await?;
        let mut s = self.world.lock();
        let r = op.get_mut(&mut s.roles, role)?;
        r.inline.insert(name.into(), document.into());
        Ok(())
    }

    async fn delete_inline_policy(&self, role: &str, name: &str) -> Result<()> {
        let op = self.call(IAM, "DeleteRolePolicy").await?;
        let mut s = self.world.lock();
        let r = op.get_mut(&mut s.roles, role)?;
        op.remove(&mut r.inline, name).map(drop)
    }

    async fn attach_policy(&self, role: &str, policy_arn: &str) -> Result<()> {
        let op = self.call(IAM, "AttachRolePolicy").await?;
        let mut s = self.world.lock();
        let r = op.get_mut(&mut s.roles, role)?;
        if !r.policies.iter().any(|p| p == policy_arn) {
            r.policies.push(policy_arn.into());
        }
        Ok(())
    }

    async fn detach_policy(&self, role: &str, policy_arn: &str) -> Result<()> {
        let op = self.call(IAM, "DetachRolePolicy").await?;
        let mut s = self.world.lock();
        let r = op.get_mut(&mut s.roles, role)?;
        r.policies.retain(|p| p != policy_arn);
        Ok(())
    }

    async fn delete_role(&self, role: &str) -> Result<()> {
        let op = self.call(IAM, "DeleteRole").await?;
        let mut s = self.world.lock();
        match s.roles.get(role) {
            None => Err(op.not_found(role)),
            Some(r) if !r.policies.is_empty() || !r.inline.is_empty() => {
                Err(op.in_use(format!("{role} still has policies")))
            }
            Some(_) => {
                s.roles.remove(role);
                Ok(())
            }
        }
    }

    async fn set_tags(&self, role: &str, add: &Tags, remove: &[String]) -> Result<()> {
        let op = self.call(IAM, "TagRole").await?;
        let mut s = self.world.lock();
        retag(&mut op.get_mut(&mut s.roles, role)?.tags, add, remove);
        Ok(())
    }
}
