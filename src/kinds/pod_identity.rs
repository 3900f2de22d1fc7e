//! An EKS Pod Identity association, known by its `multiregion:id` tag: the pods of one
//! service account get the credentials of one IAM role.

use super::*;
use crate::providers::NewPodIdentity;

pub const CLUSTER: Field = Field::force_new("cluster");
pub const NAMESPACE: Field = Field::force_new("namespace");
pub const SERVICE_ACCOUNT: Field = Field::force_new("serviceAccount");
pub const ROLE: Field = Field::updatable("role");

pub const DEF: KindDef = KindDef {
    kind: Kind::PodIdentity,
    scope: Scope::Regional,
    tagging: Tagging::Kept(TagService::Eks),
    after_region: false,
    fields: &[CLUSTER, NAMESPACE, SERVICE_ACCOUNT, ROLE],
    desired,
    index: None,
    discovery: Discovery::InRegion(observe),
    ops: &PodIdentity,
};

fn observe(m: &mut Mapper<'_>, snap: &Snapshot) {
    for a in &snap.pod_identities {
        let Some(id) = tag_id(&a.tags) else { continue };
        let cluster = m
            .cluster_names
            .get(&a.cluster)
            .cloned()
            .unwrap_or_else(|| a.cluster.clone());
        let role = m.name(&a.role_arn);
        let f = fields([
            (CLUSTER, cluster.clone()),
            (NAMESPACE, a.namespace.clone()),
            (SERVICE_ACCOUNT, a.service_account.clone()),
            (ROLE, role.clone()),
        ]);
        let handle = Handle::PodIdentity {
            cluster: a.cluster.clone(),
            id: a.id.clone(),
            arn: a.arn.clone(),
        };
        m.put(
            id,
            Kind::PodIdentity,
            handle,
            f,
            Some(a.tags.clone()),
            vec![cluster, role],
        );
    }
}

fn desired(r: &Resource, _: &DesiredContext<'_>) -> Fields {
    let ResourceSpec::PodIdentity {
        cluster,
        namespace,
        service_account,
        role,
        ..
    } = &r.spec
    else {
        return Fields::new();
    };
    fields([
        (CLUSTER, cluster.clone()),
        (NAMESPACE, namespace.clone()),
        (SERVICE_ACCOUNT, service_account.clone()),
        (ROLE, role.clone()),
    ])
}

struct PodIdentity;

#[async_trait]
impl Ops for PodIdentity {
    async fn create(&self, cx: &Applier<'_>, r: &Resource) -> StepResult<(Handle, String)> {
        let ResourceSpec::PodIdentity {
            cluster_name,
            namespace,
            service_account,
            role,
            ..
        } = &r.spec
        else {
            return Err(not_a(r));
        };
        let identities = &cx.target(&r.region)?.clients.pod_identities;
        let role_arn = cx.role_arn(role)?;
        let token = cx.token(&r.id);
        let new = NewPodIdentity {
            cluster: cluster_name,
            namespace,
            service_account,
            role_arn: &role_arn,
            tags: &r.tags,
            token: &token,
        };
        let made = retry::change(|| identities.create_association(&new)).await?;
        let handle = Handle::PodIdentity {
            cluster: cluster_name.clone(),
            id: made.id,
            arn: made.arn,
        };
        Ok((handle, format!("{namespace}/{service_account}")))
    }

    async fn update(&self, u: InPlace<'_>) -> StepResult<()> {
        let InPlace(cx, r, _, o) = u;
        let (ResourceSpec::PodIdentity { role, .. }, Handle::PodIdentity { cluster, id, .. }) =
            (&r.spec, &o.handle)
        else {
            return Err(not_a(r));
        };
        let identities = &cx.target(&r.region)?.clients.pod_identities;
        let role_arn = cx.role_arn(role)?;
        Ok(retry::change(|| identities.update_role(cluster, id, &role_arn)).await?)
    }

    async fn delete(&self, cx: &Applier<'_>, o: &ObservedResource) -> StepResult<()> {
        let Handle::PodIdentity { cluster, id, .. } = &o.handle else {
            return Err(StepError::precondition("not a Pod Identity association"));
        };
        let identities = &cx.target(&o.region)?.clients.pod_identities;
        Ok(retry::delete(|| identities.delete_association(cluster, id)).await?)
    }
}
