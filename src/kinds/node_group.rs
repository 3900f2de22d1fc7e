//! An EKS managed node group.

use super::*;
use crate::providers::Lifecycle;
use crate::providers::{NewNodeGroup, NodeGroupUpdate, Tags};

pub const CLUSTER: Field = Field::force_new("cluster");
pub const ROLE: Field = Field::force_new("role");
pub const SUBNETS: Field = Field::force_new("subnets");
pub const LAUNCH_TEMPLATE: Field = Field::force_new("launchTemplate");
pub const INSTANCE_TYPES: Field = Field::force_new("instanceTypes");
pub const MIN: Field = Field::updatable("min");
pub const DESIRED: Field = Field::updatable("desired");
pub const MAX: Field = Field::updatable("max");
pub const LABELS: Field = Field::updatable("labels");

pub const DEF: KindDef = KindDef {
    kind: Kind::NodeGroup,
    scope: Scope::Regional,
    tagging: Tagging::Kept(TagService::Eks),
    after_region: false,
    fields: &[
        CLUSTER,
        ROLE,
        SUBNETS,
        LAUNCH_TEMPLATE,
        INSTANCE_TYPES,
        MIN,
        DESIRED,
        MAX,
        LABELS,
    ],
    desired,
    index: None,
    discovery: Discovery::InRegion(observe),
    ops: &NodeGroup,
};

fn observe(m: &mut Mapper<'_>, snap: &Snapshot) {
    for g in &snap.eks.node_groups {
        let Some(id) = tag_id(&g.tags) else { continue };
        let cluster = m
            .cluster_names
            .get(&g.cluster)
            .cloned()
            .unwrap_or_else(|| g.cluster.clone());
        let role = m.name(&g.role_arn);
        let subnets: Vec<String> = g.subnets.iter().map(|x| m.name(x)).collect();
        let template = g
            .launch_template
            .as_deref()
            .map(|t| m.name(t))
            .unwrap_or_default();
        let f = fields([
            (CLUSTER, cluster.clone()),
            (ROLE, role.clone()),
            (SUBNETS, list(&subnets)),
            (LAUNCH_TEMPLATE, template.clone()),
            (INSTANCE_TYPES, list(&g.instance_types)),
            (MIN, g.min.to_string()),
            (DESIRED, g.desired.to_string()),
            (MAX, g.max.to_string()),
            (LABELS, labels_field(&g.labels)),
        ]);
        let handle = Handle::NodeGroup {
            cluster: g.cluster.clone(),
            name: g.name.clone(),
            arn: g.arn.clone(),
        };
        let refs = subnets
            .into_iter()
            .chain([cluster, role, template])
            .collect();
        let o = m.put(id, Kind::NodeGroup, handle, f, Some(g.tags.clone()), refs);
        o.state = (g.status != Lifecycle::Ready).then(|| g.status.as_str().to_string());
    }
}

fn desired(r: &Resource, _: &DesiredContext<'_>) -> Fields {
    let ResourceSpec::NodeGroup {
        cluster,
        role,
        subnets,
        launch_template,
        instance_types,
        min,
        desired,
        max,
        labels,
        autoscaled,
        ..
    } = &r.spec
    else {
        return Fields::new();
    };
    let mut f = fields([
        (CLUSTER, cluster.clone()),
        (ROLE, role.clone()),
        (SUBNETS, list(subnets)),
        (LAUNCH_TEMPLATE, launch_template.clone()),
        (INSTANCE_TYPES, list(instance_types)),
        (MIN, min.to_string()),
        (DESIRED, desired.to_string()),
        (MAX, max.to_string()),
        (LABELS, labels_field(labels)),
    ]);
    // The autoscaler's size is not drift: `desired` is only where the group starts.
    if *autoscaled {
        f.remove(DESIRED.name);
    }
    f
}

/// Labels as canonical text: `key=value`, sorted.
pub fn labels_field<'a>(labels: impl IntoIterator<Item = (&'a String, &'a String)>) -> String {
    list(labels.into_iter().map(|(k, v)| format!("{k}={v}")))
}

struct NodeGroup;

#[async_trait]
impl Ops for NodeGroup {
    async fn create(&self, cx: &Applier<'_>, r: &Resource) -> StepResult<(Handle, String)> {
        let ResourceSpec::NodeGroup {
            cluster,
            name,
            role,
            subnets,
            launch_template,
            instance_types,
            min,
            desired,
            max,
            labels,
            ..
        } = &r.spec
        else {
            return Err(not_a(r));
        };
        let eks = &cx.target(&r.region)?.clients.eks;
        let (cluster, role) = (cx.aws(cluster)?, cx.role_arn(role)?);
        let (template, subnets) = (cx.aws(launch_template)?, cx.aws_all(subnets)?);
        let token = cx.token(&r.id);
        let new = NewNodeGroup {
            token: &token,
            cluster: &cluster,
            name,
            role_arn: &role,
            subnets: &subnets,
            launch_template: &template,
            instance_types,
            min: *min,
            desired: *desired,
            max: *max,
            labels,
            tags: &r.tags,
        };
        retry::change(|| eks.create_node_group(&new)).await?;
        let handle = |arn: String| Handle::NodeGroup {
            cluster: cluster.clone(),
            name: name.clone(),
            arn,
        };
        // Known before the long wait, so a failed wait still leaves it deletable.
        cx.remember(&r.id, handle(String::new()));
        let group =
            retry::wait(|| eks.wait_node_group_active(&cluster, name, cx.limits.node_group))
                .await?;
        Ok((handle(group.arn), format!("{} nodes", group.desired)))
    }

    /// Scaling and labels, in one update.
    async fn update(&self, u: InPlace<'_>) -> StepResult<()> {
        let InPlace(cx, r, changed, o) = u;
        let ResourceSpec::NodeGroup {
            cluster,
            name,
            min,
            desired,
            max,
            labels,
            autoscaled,
            ..
        } = &r.spec
        else {
            return Err(not_a(r));
        };
        // An autoscaled group keeps the size the autoscaler chose, moved inside new bounds.
        let desired = match o
            .fields
            .get(DESIRED.name)
            .and_then(|d| d.parse::<u32>().ok())
        {
            Some(now) if *autoscaled => now.clamp(*min, (*max).max(*min)),
            _ => *desired,
        };
        let in_place = [MIN.name, DESIRED.name, MAX.name, LABELS.name];
        if let Some(other) = changed.iter().find(|f| !in_place.contains(f)) {
            return Err(cannot_change(r, other));
        }
        let cluster = cx.aws(cluster)?;
        let observed_labels: Tags = o
            .fields
            .get(LABELS.name)
            .map(|l| {
                l.split(',')
                    .filter_map(|kv| kv.split_once('='))
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect()
            })
            .unwrap_or_default();
        let scaled = changed.iter().any(|f| *f != LABELS.name);
        let update = NodeGroupUpdate {
            scaling: scaled.then_some((*min, desired, *max)),
            add_labels: labels
                .iter()
                .filter(|(k, v)| observed_labels.get(*k) != Some(*v))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            remove_labels: observed_labels
                .keys()
                .filter(|k| !labels.contains_key(*k))
                .cloned()
                .collect(),
        };
        let eks = &cx.target(&r.region)?.clients.eks;
        Ok(
            retry::change(|| eks.update_node_group(&cluster, name, &update, cx.limits.node_group))
                .await?,
        )
    }

    async fn delete(&self, cx: &Applier<'_>, o: &ObservedResource) -> StepResult<()> {
        let Handle::NodeGroup { cluster, name, .. } = &o.handle else {
            return Err(StepError::precondition("not a node group"));
        };
        let eks = &cx.target(&o.region)?.clients.eks;
        retry::delete(|| eks.delete_node_group(cluster, name)).await?;
        let gone = || eks.wait_node_group_deleted(cluster, name, cx.limits.node_group);
        Ok(retry::delete(gone).await?)
    }
}
