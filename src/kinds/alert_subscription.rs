//! A webhook or e-mail address subscribed to an alert topic. SNS gives subscriptions no tags:
//! each is found on the stack's topic by its protocol and endpoint, and one the stack no longer
//! lists is unsubscribed.

use super::*;

pub const TOPIC: Field = Field::force_new("topic");
pub const PROTOCOL: Field = Field::force_new("protocol");
pub const ENDPOINT: Field = Field::force_new("endpoint");

pub const DEF: KindDef = KindDef {
    kind: Kind::AlertSubscription,
    scope: Scope::Regional,
    tagging: Tagging::Untaggable,
    after_region: false,
    fields: &[TOPIC, PROTOCOL, ENDPOINT],
    desired,
    index: None,
    discovery: Discovery::InRegion(observe),
    ops: &AlertSubscription,
};

/// What SNS shows while an endpoint has not confirmed.
pub const PENDING: &str = "pending confirmation";

fn observe(m: &mut Mapper<'_>, snap: &Snapshot) {
    for t in &snap.alerting.topics {
        let Some(topic) = tag_id(&t.tags) else {
            continue;
        };
        for s in &t.subscriptions {
            let wanted = |r: &Resource| {
                matches!(&r.spec, ResourceSpec::AlertSubscription { topic: want, protocol, endpoint }
                    if *want == topic && *protocol == s.protocol && *endpoint == s.endpoint)
            };
            // One the stack does not list is removed; unless it is unconfirmed, when there
            // is nothing to remove it by (SNS drops it after three days).
            let id = match (m.desired_id(wanted), &s.arn) {
                (Some(id), _) => id,
                (None, Some(_)) if s.protocol == "email" => {
                    format!("{}/alerts/unlisted~mailto:{}", m.region, s.endpoint)
                }
                (None, Some(_)) => format!("{}/alerts/unlisted~{}", m.region, s.endpoint),
                (None, None) => continue,
            };
            let f = fields([
                (TOPIC, topic.clone()),
                (PROTOCOL, s.protocol.clone()),
                (ENDPOINT, s.endpoint.clone()),
            ]);
            let handle = Handle::Subscription {
                arn: s.arn.clone(),
                endpoint: s.endpoint.clone(),
            };
            let o = m.put(
                id,
                Kind::AlertSubscription,
                handle,
                f,
                None,
                vec![topic.clone()],
            );
            if s.arn.is_none() {
                o.state = Some(PENDING.to_string());
            }
        }
    }
}

fn desired(r: &Resource, _: &DesiredContext<'_>) -> Fields {
    let ResourceSpec::AlertSubscription {
        topic,
        protocol,
        endpoint,
    } = &r.spec
    else {
        return Fields::new();
    };
    fields([
        (TOPIC, topic.clone()),
        (PROTOCOL, protocol.clone()),
        (ENDPOINT, endpoint.clone()),
    ])
}

struct AlertSubscription;

#[async_trait]
impl Ops for AlertSubscription {
    async fn create(&self, cx: &Applier<'_>, r: &Resource) -> StepResult<(Handle, String)> {
        let ResourceSpec::AlertSubscription {
            topic,
            protocol,
            endpoint,
        } = &r.spec
        else {
            return Err(not_a(r));
        };
        let alerting = &cx.target(&r.region)?.clients.alerting;
        let topic_arn = cx.aws(topic)?;
        // SNS answers a repeated subscribe of the same endpoint with the same subscription.
        let arn = retry::change(|| alerting.subscribe(&topic_arn, protocol, endpoint)).await?;
        let what = match &arn {
            Some(arn) => arn.clone(),
            None => format!("{endpoint} ({PENDING}: SNS sent it a request to confirm)"),
        };
        let handle = Handle::Subscription {
            arn,
            endpoint: endpoint.clone(),
        };
        Ok((handle, what))
    }

    async fn delete(&self, cx: &Applier<'_>, o: &ObservedResource) -> StepResult<()> {
        let Handle::Subscription { arn, .. } = &o.handle else {
            return Err(StepError::precondition("not a subscription"));
        };
        // An unconfirmed one has no ARN to unsubscribe: SNS drops it after three days, and
        // with its topic.
        let Some(arn) = arn else { return Ok(()) };
        let alerting = &cx.target(&o.region)?.clients.alerting;
        Ok(retry::delete(|| alerting.unsubscribe(arn)).await?)
    }
}
