//! A CloudWatch Logs group under the stack's prefix, known by its name.

use super::*;

pub const NAME: Field = Field::force_new("name");
pub const RETENTION_DAYS: Field = Field::updatable("retentionDays");

pub const DEF: KindDef = KindDef {
    kind: Kind::LogGroup,
    scope: Scope::Regional,
    tagging: Tagging::AtCreation(TagService::Logs),
    fields: &[NAME, RETENTION_DAYS],
    desired,
};

fn desired(r: &Resource, _: &DesiredContext<'_>) -> Fields {
    let ResourceSpec::LogGroup {
        name,
        retention_days,
    } = &r.spec
    else {
        return Fields::new();
    };
    fields([
        (NAME, name.clone()),
        (RETENTION_DAYS, retention_days.to_string()),
    ])
}
