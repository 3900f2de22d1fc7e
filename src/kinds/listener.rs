//! A load balancer's listener, known by its load balancer and port: it forwards to the
//! target group, or, where the stack terminates TLS, redirects plain HTTP to HTTPS.

use super::*;
use crate::model::ListenerTls;
use crate::providers::{ListenerAction, NewListener};

pub const LOAD_BALANCER: Field = Field::force_new("loadBalancer");
pub const TARGET_GROUP: Field = Field::updatable("targetGroup");
pub const PROTOCOL: Field = Field::updatable("protocol");
pub const PORT: Field = Field::updatable("port");
/// `HTTPS:443` for a listener that redirects, empty for one that forwards.
pub const REDIRECT: Field = Field::updatable("redirect");
pub const CERTIFICATE: Field = Field::updatable("certificate");
pub const SSL_POLICY: Field = Field::updatable("sslPolicy");

pub const DEF: KindDef = KindDef {
    kind: Kind::Listener,
    scope: Scope::Regional,
    tagging: Tagging::AtCreation(TagService::Elbv2),
    after_region: false,
    fields: &[
        LOAD_BALANCER,
        TARGET_GROUP,
        PROTOCOL,
        PORT,
        REDIRECT,
        CERTIFICATE,
        SSL_POLICY,
    ],
    desired,
    index: None,
    discovery: Discovery::ByRule("matching: a listener by its load balancer and port"),
    ops: &Listener,
};

fn desired(r: &Resource, _: &DesiredContext<'_>) -> Fields {
    let ResourceSpec::Listener {
        load_balancer,
        target_group,
        protocol,
        port,
        tls,
        redirect_to,
    } = &r.spec
    else {
        return Fields::new();
    };
    // A redirecting listener forwards nowhere.
    let forwards_to = match redirect_to {
        Some(_) => String::new(),
        None => target_group.clone(),
    };
    fields([
        (LOAD_BALANCER, load_balancer.clone()),
        (TARGET_GROUP, forwards_to),
        (PROTOCOL, protocol.clone()),
        (PORT, port.to_string()),
        (
            REDIRECT,
            redirect_to
                .map(ListenerAction::redirect_text)
                .unwrap_or_default(),
        ),
        (
            CERTIFICATE,
            tls.as_ref()
                .map(|t| t.certificate.clone())
                .unwrap_or_default(),
        ),
        (
            SSL_POLICY,
            tls.as_ref().map(|t| t.policy.clone()).unwrap_or_default(),
        ),
    ])
}

/// The listener as ELB takes it, its target group's and certificate's ARNs resolved.
fn new_listener<'a>(
    protocol: &'a str,
    port: u16,
    target_group_arn: &'a str,
    tls: Option<(&'a str, &'a str)>,
    redirect_to: &Option<u16>,
) -> NewListener<'a> {
    NewListener {
        protocol,
        port,
        action: match redirect_to {
            Some(to) => ListenerAction::RedirectToHttps(*to),
            None => ListenerAction::Forward(target_group_arn),
        },
        tls,
    }
}

/// The certificate's ARN: the stack's own certificate ARN, or that of the one it requested.
fn certificate_arn(cx: &Applier<'_>, tls: &Option<ListenerTls>) -> StepResult<Option<String>> {
    tls.as_ref()
        .map(|t| cx.role_arn(&t.certificate))
        .transpose()
}

struct Listener;

#[async_trait]
impl Ops for Listener {
    async fn create(&self, cx: &Applier<'_>, r: &Resource) -> StepResult<(Handle, String)> {
        let ResourceSpec::Listener {
            load_balancer,
            target_group,
            protocol,
            port,
            tls,
            redirect_to,
        } = &r.spec
        else {
            return Err(not_a(r));
        };
        let lbs = &cx.target(&r.region)?.clients.load_balancing;
        let (lb, tg) = (cx.aws(load_balancer)?, cx.aws(target_group)?);
        let certificate = certificate_arn(cx, tls)?;
        let tls = certificate
            .as_deref()
            .zip(tls.as_ref().map(|t| t.policy.as_str()));
        let new = new_listener(protocol, *port, &tg, tls, redirect_to);
        let arn = cx
            .create_id(r, || lbs.create_listener(&lb, &new, &r.tags))
            .await?;
        Ok((Handle::Id(arn.clone()), arn))
    }

    /// Everything but the load balancer changes in one call.
    async fn update(&self, u: InPlace<'_>) -> StepResult<()> {
        let InPlace(cx, r, changed, _) = u;
        let ResourceSpec::Listener {
            target_group,
            protocol,
            port,
            tls,
            redirect_to,
            ..
        } = &r.spec
        else {
            return Err(not_a(r));
        };
        if let Some(other) = changed.iter().find(|f| **f == LOAD_BALANCER.name) {
            return Err(cannot_change(r, other));
        }
        let lbs = &cx.target(&r.region)?.clients.load_balancing;
        let (arn, tg) = (cx.aws(&r.id)?, cx.aws(target_group)?);
        let certificate = certificate_arn(cx, tls)?;
        let tls = certificate
            .as_deref()
            .zip(tls.as_ref().map(|t| t.policy.as_str()));
        let new = new_listener(protocol, *port, &tg, tls, redirect_to);
        Ok(retry::change(|| lbs.modify_listener(&arn, &new)).await?)
    }

    async fn delete(&self, cx: &Applier<'_>, o: &ObservedResource) -> StepResult<()> {
        let lbs = &cx.target(&o.region)?.clients.load_balancing;
        Ok(retry::delete(|| lbs.delete_listener(o.handle.aws_id())).await?)
    }
}
