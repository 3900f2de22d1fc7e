//! An EKS managed node group.

use super::*;

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
};

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
        ..
    } = &r.spec
    else {
        return Fields::new();
    };
    fields([
        (CLUSTER, cluster.clone()),
        (ROLE, role.clone()),
        (SUBNETS, list(subnets)),
        (LAUNCH_TEMPLATE, launch_template.clone()),
        (INSTANCE_TYPES, list(instance_types)),
        (MIN, min.to_string()),
        (DESIRED, desired.to_string()),
        (MAX, max.to_string()),
        (LABELS, labels_field(labels)),
    ])
}

/// Labels as canonical text: `key=value`, sorted.
pub fn labels_field<'a>(labels: impl IntoIterator<Item = (&'a String, &'a String)>) -> String {
    list(labels.into_iter().map(|(k, v)| format!("{k}={v}")))
}
