//! A CloudWatch metric alarm of the stack, known by its `multiregion:id` tag, whose ALARM and
//! OK actions notify its region's alert topic. CloudWatch's put is whole: any change is one
//! put of the entire alarm.

use super::*;
use crate::providers::{AlarmDefinition, DimensionValue, Tags, arn_suffix};

pub const NAME: Field = Field::force_new("name");
pub const DESCRIPTION: Field = Field::updatable("description");
pub const METRIC: Field = Field::updatable("metric");
pub const CONDITION: Field = Field::updatable("condition");
pub const MISSING_DATA: Field = Field::updatable("missingData");
pub const ACTIONS: Field = Field::updatable("actions");

pub const DEF: KindDef = KindDef {
    kind: Kind::MetricAlarm,
    scope: Scope::Regional,
    tagging: Tagging::Kept(TagService::Alerts),
    after_region: false,
    fields: &[NAME, DESCRIPTION, METRIC, CONDITION, MISSING_DATA, ACTIONS],
    desired,
    index: Some(index),
    discovery: Discovery::InRegion(observe),
    ops: &MetricAlarm,
};

fn index(snap: &Snapshot) -> Vec<(&str, &Tags)> {
    let all = snap.alerting.alarms.iter();
    all.map(|a| (a.arn.as_str(), &a.tags)).collect()
}

/// `GreaterThanThreshold 40, 1 of 1 x 60 s`: what must hold, and for how long.
pub fn condition(comparison: &str, threshold: f64, evaluations: u32, period: u32) -> String {
    format!("{comparison} {threshold}, {evaluations} x {period} s")
}

/// How the `actions` field ends when CloudWatch is told not to run them.
pub const ACTIONS_DISABLED: &str = " (actions disabled)";

fn actions(alarm: &[String], ok: &[String], enabled: bool) -> String {
    let text = format!("ALARM: {}; OK: {}", list(alarm), list(ok));
    if enabled {
        text
    } else {
        format!("{text}{ACTIONS_DISABLED}")
    }
}

/// The ALARM actions of an `actions` field, as [`actions`] wrote it.
pub fn alarm_actions(field: &str) -> Vec<String> {
    let alarm = field.strip_prefix("ALARM: ").unwrap_or_default();
    let alarm = alarm.split(';').next().unwrap_or_default();
    alarm
        .split(',')
        .filter(|a| !a.is_empty())
        .map(str::to_string)
        .collect()
}

fn observe(m: &mut Mapper<'_>, snap: &Snapshot) {
    for a in &snap.alerting.alarms {
        let Some(id) = tag_id(&a.tags) else { continue };
        let d = &a.definition;
        let mut query = d.query.clone();
        let mut refs = Vec::new();
        // Load balancers and target groups are named by the ends of their ARNs.
        for value in query.dimension_values_mut() {
            let text = value.text().to_string();
            let found = m
                .logical
                .iter()
                .find(|(aws, _)| aws.starts_with("arn:") && arn_suffix(aws) == text);
            if let Some((_, logical)) = found {
                refs.push(logical.clone());
                *value = DimensionValue::ArnSuffixOf(logical.clone());
            }
        }
        let alarm: Vec<String> = d.actions.iter().map(|x| m.name(x)).collect();
        let ok: Vec<String> = a.ok_actions.iter().map(|x| m.name(x)).collect();
        refs.extend(alarm.iter().cloned());
        let f = fields([
            (NAME, d.name.clone()),
            (DESCRIPTION, d.description.clone()),
            (METRIC, query.text()),
            (
                CONDITION,
                condition(&d.comparison, d.threshold, d.evaluation_periods, d.period),
            ),
            (MISSING_DATA, d.treat_missing.clone()),
            (ACTIONS, actions(&alarm, &ok, a.actions_enabled)),
        ]);
        let handle = Handle::Alarm {
            name: d.name.clone(),
            arn: a.arn.clone(),
        };
        let tags = Some(a.tags.clone());
        m.put(id, Kind::MetricAlarm, handle, f, tags, refs);
    }
}

/// The alarm as the stack asks for it: dimensions and actions still by logical id.
fn asked(r: &Resource) -> Option<AlarmDefinition> {
    let ResourceSpec::MetricAlarm {
        name,
        description,
        query,
        comparison,
        threshold,
        period,
        evaluation_periods,
        treat_missing,
        topic,
    } = &r.spec
    else {
        return None;
    };
    Some(AlarmDefinition {
        name: name.clone(),
        description: description.clone(),
        query: query.clone(),
        comparison: comparison.clone(),
        threshold: *threshold,
        period: *period,
        evaluation_periods: *evaluation_periods,
        treat_missing: treat_missing.clone(),
        actions: vec![topic.clone()],
    })
}

fn desired(r: &Resource, _: &DesiredContext<'_>) -> Fields {
    let Some(d) = asked(r) else {
        return Fields::new();
    };
    fields([
        (NAME, d.name),
        (DESCRIPTION, d.description),
        (METRIC, d.query.text()),
        (
            CONDITION,
            condition(&d.comparison, d.threshold, d.evaluation_periods, d.period),
        ),
        (MISSING_DATA, d.treat_missing),
        (ACTIONS, actions(&d.actions, &d.actions, true)),
    ])
}

/// The alarm as CloudWatch takes it: every logical id resolved to what AWS calls it.
fn definition(cx: &Applier<'_>, r: &Resource) -> StepResult<AlarmDefinition> {
    let mut d = asked(r).ok_or_else(|| not_a(r))?;
    for value in d.query.dimension_values_mut() {
        if let DimensionValue::ArnSuffixOf(logical) = value {
            let arn = cx.aws(logical)?;
            *value = DimensionValue::Text(arn_suffix(&arn).to_string());
        }
    }
    d.actions = cx.aws_all(&d.actions)?;
    Ok(d)
}

struct MetricAlarm;

#[async_trait]
impl Ops for MetricAlarm {
    async fn create(&self, cx: &Applier<'_>, r: &Resource) -> StepResult<(Handle, String)> {
        let alarm = definition(cx, r)?;
        let alerting = &cx.target(&r.region)?.clients.alerting;
        // A put of the same alarm again is the same alarm: no duplicate can come of a retry.
        let arn = retry::change(|| alerting.put_alarm(&alarm, &r.tags)).await?;
        let handle = Handle::Alarm {
            name: alarm.name.clone(),
            arn: arn.clone(),
        };
        Ok((handle, arn))
    }

    async fn update(&self, u: InPlace<'_>) -> StepResult<()> {
        let InPlace(cx, r, _, _) = u;
        let alarm = definition(cx, r)?;
        let alerting = &cx.target(&r.region)?.clients.alerting;
        retry::change(|| alerting.put_alarm(&alarm, &r.tags)).await?;
        Ok(())
    }

    async fn delete(&self, cx: &Applier<'_>, o: &ObservedResource) -> StepResult<()> {
        let Handle::Alarm { name, .. } = &o.handle else {
            return Err(StepError::precondition("not an alarm"));
        };
        let alerting = &cx.target(&o.region)?.clients.alerting;
        Ok(retry::delete(|| alerting.delete_alarm(name)).await?)
    }
}
