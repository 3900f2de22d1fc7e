//! The nodes' launch template: security groups and instance metadata options.

use super::*;
use crate::providers::Tags;

/// The stack's own groups; the cluster's group, which EKS owns, is added at creation.
pub const SECURITY_GROUPS: Field = Field::force_new("securityGroups");
pub const IMDSV2_REQUIRED: Field = Field::force_new("imdsv2Required");
pub const HOP_LIMIT: Field = Field::force_new("hopLimit");

pub const DEF: KindDef = KindDef {
    kind: Kind::LaunchTemplate,
    scope: Scope::Regional,
    tagging: Tagging::Kept(TagService::Ec2),
    after_region: false,
    fields: &[SECURITY_GROUPS, IMDSV2_REQUIRED, HOP_LIMIT],
    desired,
    index: Some(index),
    discovery: Discovery::InRegion(observe),
    ops: &LaunchTemplate,
};
/// Its AWS ids and tags, for the index that resolves references to logical ids.
fn index(snap: &Snapshot) -> Vec<(&str, &Tags)> {
    let all = snap.network.launch_templates.iter();
    all.map(|t| (t.id.as_str(), &t.tags)).collect()
}

fn observe(m: &mut Mapper<'_>, snap: &Snapshot) {
    for t in &snap.network.launch_templates {
        let Some(id) = tag_id(&t.tags) else { continue };
        // Only the stack's own groups count; the cluster's own group belongs to EKS.
        let groups: Vec<String> = t
            .security_groups
            .iter()
            .filter(|g| m.logical.contains_key(*g))
            .map(|g| m.name(g))
            .collect();
        let f = fields([
            (SECURITY_GROUPS, list(&groups)),
            (IMDSV2_REQUIRED, t.imdsv2_required.to_string()),
            (HOP_LIMIT, t.hop_limit.to_string()),
        ]);
        let (handle, tags) = (Handle::Id(t.id.clone()), Some(t.tags.clone()));
        m.put(id, Kind::LaunchTemplate, handle, f, tags, groups);
    }
}

fn desired(r: &Resource, _: &DesiredContext<'_>) -> Fields {
    let ResourceSpec::LaunchTemplate {
        security_groups,
        imdsv2_required,
        metadata_hop_limit,
        ..
    } = &r.spec
    else {
        return Fields::new();
    };
    fields([
        (SECURITY_GROUPS, list(security_groups)),
        (IMDSV2_REQUIRED, imdsv2_required.to_string()),
        (HOP_LIMIT, metadata_hop_limit.to_string()),
    ])
}

struct LaunchTemplate;

#[async_trait]
impl Ops for LaunchTemplate {
    async fn create(&self, cx: &Applier<'_>, r: &Resource) -> StepResult<(Handle, String)> {
        let ResourceSpec::LaunchTemplate {
            name,
            security_groups,
            cluster,
            imdsv2_required,
            metadata_hop_limit,
        } = &r.spec
        else {
            return Err(not_a(r));
        };
        let net = &cx.target(&r.region)?.clients.network;
        let mut groups = cx.aws_all(security_groups)?;
        // Nodes need the cluster's own group to reach the control plane; EKS adds it only to
        // templates without groups, so it is listed here.
        let note = match cx.handle(cluster)? {
            Handle::Cluster {
                security_group: Some(group),
                ..
            } => {
                groups.push(group);
                String::new()
            }
            _ => format!(
                " (EKS reported no security group for {cluster}; nodes get the stack's groups only)"
            ),
        };
        // Its name is unique: after a lost answer, "already exists" finds the first one.
        let id = cx
            .create_id(r, || {
                net.create_launch_template(
                    name,
                    &groups,
                    *imdsv2_required,
                    *metadata_hop_limit,
                    &r.tags,
                )
            })
            .await?;
        Ok((Handle::Id(id.clone()), format!("{id}{note}")))
    }

    async fn delete(&self, cx: &Applier<'_>, o: &ObservedResource) -> StepResult<()> {
        let net = &cx.target(&o.region)?.clients.network;
        Ok(retry::delete(|| net.delete_launch_template(o.handle.aws_id())).await?)
    }
}
