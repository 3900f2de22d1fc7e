//! An EKS access entry with its access policy, known by its cluster and principal.

use super::*;

pub const DEF: KindDef = KindDef {
    kind: Kind::AccessEntry,
    scope: Scope::Regional,
    tagging: Tagging::AtCreation(TagService::Eks),
    after_region: false,
    fields: &[],
    desired: |_, _| Fields::new(),
    index: None,
    discovery: Discovery::ByRule("matching: an entry by its cluster and principal"),
    ops: &AccessEntry,
};

struct AccessEntry;

#[async_trait]
impl Ops for AccessEntry {
    async fn create(&self, cx: &Applier<'_>, r: &Resource) -> StepResult<(Handle, String)> {
        let ResourceSpec::AccessEntry {
            cluster,
            principal_arn,
            access_policy,
        } = &r.spec
        else {
            return Err(not_a(r));
        };
        let eks = &cx.target(&r.region)?.clients.eks;
        let cluster = cx.aws(cluster)?;
        // Safe to repeat after a lost answer: the provider takes an entry that exists as made
        // and associates the policy again.
        retry::change(|| eks.create_access_entry(&cluster, principal_arn, access_policy, &r.tags))
            .await?;
        let handle = Handle::AccessEntry {
            cluster,
            principal: principal_arn.clone(),
        };
        Ok((handle, String::new()))
    }

    async fn delete(&self, cx: &Applier<'_>, o: &ObservedResource) -> StepResult<()> {
        let Handle::AccessEntry { cluster, principal } = &o.handle else {
            return Err(StepError::precondition("not an access entry"));
        };
        let eks = &cx.target(&o.region)?.clients.eks;
        Ok(retry::delete(|| eks.delete_access_entry(cluster, principal)).await?)
    }
}
