//! A CloudWatch Logs group under the stack's prefix, known by its name.

use super::*;

pub const NAME: Field = Field::force_new("name");
pub const RETENTION_DAYS: Field = Field::updatable("retentionDays");

pub const DEF: KindDef = KindDef {
    kind: Kind::LogGroup,
    scope: Scope::Regional,
    tagging: Tagging::AtCreation(TagService::Logs),
    after_region: false,
    fields: &[NAME, RETENTION_DAYS],
    desired,
    index: None,
    discovery: Discovery::InRegion(observe),
    ops: &LogGroup,
};

/// Known by name (CloudWatch Logs tags are not read). One under the stack's prefix that the
/// stack no longer names is kept (it holds logs) and left alone.
fn observe(m: &mut Mapper<'_>, snap: &Snapshot) {
    for g in &snap.log_groups {
        let wanted = |r: &Resource| matches!(&r.spec, ResourceSpec::LogGroup { name, .. } if *name == g.name);
        let Some(id) = m.desired_id(wanted) else {
            continue;
        };
        m.logical.insert(g.name.clone(), id.clone());
        let retention = g.retention_days.map(|d| d.to_string()).unwrap_or_default();
        let f = fields([(NAME, g.name.clone()), (RETENTION_DAYS, retention)]);
        m.put(
            id,
            Kind::LogGroup,
            Handle::Id(g.name.clone()),
            f,
            None,
            vec![],
        );
    }
}

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

struct LogGroup;

#[async_trait]
impl Ops for LogGroup {
    async fn create(&self, cx: &Applier<'_>, r: &Resource) -> StepResult<(Handle, String)> {
        let ResourceSpec::LogGroup {
            name,
            retention_days,
        } = &r.spec
        else {
            return Err(not_a(r));
        };
        let logs = &cx.target(&r.region)?.clients.logs;
        cx.create_once(r, || logs.create_log_group(name, &r.tags), |_| Some(()))
            .await?;
        retry::change(|| logs.set_retention(name, *retention_days)).await?;
        Ok((Handle::Id(name.clone()), name.clone()))
    }

    async fn update(&self, u: InPlace<'_>) -> StepResult<()> {
        let InPlace(cx, r, changed, _) = u;
        let ResourceSpec::LogGroup {
            name,
            retention_days,
        } = &r.spec
        else {
            return Err(not_a(r));
        };
        if changed != [RETENTION_DAYS.name] {
            return Err(cannot_change(r, &changed.join(", ")));
        }
        let logs = &cx.target(&r.region)?.clients.logs;
        Ok(retry::change(|| logs.set_retention(name, *retention_days)).await?)
    }

    async fn delete(&self, cx: &Applier<'_>, o: &ObservedResource) -> StepResult<()> {
        let logs = &cx.target(&o.region)?.clients.logs;
        Ok(retry::delete(|| logs.delete_log_group(o.handle.aws_id())).await?)
    }
}
