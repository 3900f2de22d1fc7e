//! The record of the last `up` that converged a region: an SSM parameter under the stack's
//! path holding the tool's version, the stack file's digest and the time, as JSON. Made after
//! everything else of the region, so a run that failed anywhere there leaves the previous
//! record; rewritten when another version or another stack file converges the region.

use serde::{Deserialize, Serialize};

use super::*;

pub const TOOL_VERSION: Field = Field::updatable("toolVersion");
pub const STACK_DIGEST: Field = Field::updatable("stackDigest");
/// When the record was written; read back for people, never compared.
pub const RECORDED_AT: Field = Field::updatable("recordedAt");

pub const DEF: KindDef = KindDef {
    kind: Kind::RunRecord,
    scope: Scope::Regional,
    tagging: Tagging::AtCreation(TagService::Ssm),
    after_region: true,
    fields: &[TOOL_VERSION, STACK_DIGEST, RECORDED_AT],
    desired,
    index: None,
    discovery: Discovery::InRegion(observe),
    ops: &RunRecord,
};

/// The parameter's value.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Record {
    tool_version: String,
    stack_digest: String,
    recorded_at: String,
}

fn desired(r: &Resource, _: &DesiredContext<'_>) -> Fields {
    let ResourceSpec::RunRecord {
        tool_version,
        stack_digest,
        ..
    } = &r.spec
    else {
        return Fields::new();
    };
    fields([
        (TOOL_VERSION, tool_version.clone()),
        (STACK_DIGEST, stack_digest.clone()),
    ])
}

/// Every record under the stack's path, by the region its name says: one of a region the
/// stack no longer has is deleted with the rest of what the stack owns there.
fn observe(m: &mut Mapper<'_>, snap: &Snapshot) {
    for p in &snap.parameters {
        let Some(region) = p
            .name
            .strip_suffix("/last-up")
            .and_then(|n| n.rsplit('/').next())
            .filter(|r| *r == m.region)
        else {
            continue;
        };
        let f = match serde_json::from_str::<Record>(&p.value) {
            Ok(r) => fields([
                (TOOL_VERSION, r.tool_version),
                (STACK_DIGEST, r.stack_digest),
                (RECORDED_AT, r.recorded_at),
            ]),
            // Unreadable: the diff sees every field differ and rewrites it.
            Err(_) => Fields::new(),
        };
        let id = crate::model::ids::run_record(region);
        m.put(
            id,
            Kind::RunRecord,
            Handle::Id(p.name.clone()),
            f,
            None,
            vec![],
        );
    }
}

struct RunRecord;

impl RunRecord {
    /// The value to write: the desired version and digest, and now.
    fn value(r: &Resource) -> StepResult<(String, String)> {
        let ResourceSpec::RunRecord {
            name,
            tool_version,
            stack_digest,
        } = &r.spec
        else {
            return Err(not_a(r));
        };
        let now = aws_smithy_types::DateTime::from(std::time::SystemTime::now());
        let record = Record {
            tool_version: tool_version.clone(),
            stack_digest: stack_digest.clone(),
            recorded_at: now
                .fmt(aws_smithy_types::date_time::Format::DateTime)
                .unwrap_or_default(),
        };
        let value = serde_json::to_string(&record)
            .map_err(|e| StepError::precondition(format!("internal: {e}")))?;
        Ok((name.clone(), value))
    }
}

#[async_trait]
impl Ops for RunRecord {
    async fn create(&self, cx: &Applier<'_>, r: &Resource) -> StepResult<(Handle, String)> {
        let (name, value) = Self::value(r)?;
        let ssm = &cx.target(&r.region)?.clients.parameters;
        cx.create_once(
            r,
            || ssm.create_parameter(&name, &value, &r.tags),
            |_| Some(()),
        )
        .await?;
        Ok((Handle::Id(name.clone()), name))
    }

    async fn update(&self, u: InPlace<'_>) -> StepResult<()> {
        let InPlace(cx, r, _, _) = u;
        let (name, value) = Self::value(r)?;
        let ssm = &cx.target(&r.region)?.clients.parameters;
        Ok(retry::change(|| ssm.set_parameter(&name, &value)).await?)
    }

    async fn delete(&self, cx: &Applier<'_>, o: &ObservedResource) -> StepResult<()> {
        let ssm = &cx.target(&o.region)?.clients.parameters;
        Ok(retry::delete(|| ssm.delete_parameter(o.handle.aws_id())).await?)
    }
}
