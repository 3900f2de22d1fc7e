//! The ACM certificate the public load balancer serves, requested for the stack's domain and
//! known by its `multiregion:id` tag. One ACM gave up on (failed, timed out) is in state
//! `failed`, so `up` requests a new one.

use super::*;
use crate::providers::{ISSUED, PENDING};

pub const DOMAIN: Field = Field::force_new("domain");

pub const DEF: KindDef = KindDef {
    kind: Kind::Certificate,
    scope: Scope::Regional,
    tagging: Tagging::Kept(TagService::Acm),
    after_region: false,
    fields: &[DOMAIN],
    desired,
    index: Some(index),
    discovery: Discovery::InRegion(observe),
    ops: &Certificate,
};

fn index(snap: &Snapshot) -> Vec<(&str, &Tags)> {
    let all = snap.certificates.iter();
    all.map(|c| (c.arn.as_str(), &c.tags)).collect()
}

fn observe(m: &mut Mapper<'_>, snap: &Snapshot) {
    for c in &snap.certificates {
        let Some(id) = tag_id(&c.tags) else { continue };
        let f = fields([(DOMAIN, c.domain.clone())]);
        let (handle, tags) = (Handle::Id(c.arn.clone()), Some(c.tags.clone()));
        let o = m.put(id, Kind::Certificate, handle, f, tags, vec![]);
        o.state = match c.status.as_str() {
            ISSUED => None,
            PENDING => Some("pending validation".to_string()),
            _ if c.failed() => Some("failed".to_string()),
            other => Some(other.to_lowercase()),
        };
    }
}

fn desired(r: &Resource, _: &DesiredContext<'_>) -> Fields {
    let ResourceSpec::Certificate { domain, .. } = &r.spec else {
        return Fields::new();
    };
    fields([(DOMAIN, domain.clone())])
}

struct Certificate;

#[async_trait]
impl Ops for Certificate {
    async fn create(&self, cx: &Applier<'_>, r: &Resource) -> StepResult<(Handle, String)> {
        let ResourceSpec::Certificate { domain, .. } = &r.spec else {
            return Err(not_a(r));
        };
        let certificates = &cx.target(&r.region)?.clients.certificates;
        // ACM answers a repeated request with the same token with the first one's ARN (for an
        // hour), so a lost answer makes no second certificate.
        let token = cx.token(&r.id);
        let arn = cx
            .create_id(r, || certificates.request(domain, &token, &r.tags))
            .await?;
        Ok((Handle::Id(arn.clone()), format!("{arn} for {domain}")))
    }

    async fn delete(&self, cx: &Applier<'_>, o: &ObservedResource) -> StepResult<()> {
        let certificates = &cx.target(&o.region)?.clients.certificates;
        // ACM notices a moment late that the listener using it is gone: a dependency.
        Ok(retry::delete(|| certificates.delete(o.handle.aws_id())).await?)
    }
}
