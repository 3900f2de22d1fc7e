//! The public entry speaks HTTPS: every listener of the frontend's internet-facing load
//! balancer either terminates TLS with a policy of TLS 1.2 and newer, or only redirects to
//! HTTPS. (A backend balancer open to the internet is MR-LB-001's failure.)

use super::*;
use crate::stack::tls::tls12_or_newer;

pub(super) fn public_entry_is_https(world: &World) -> Finding {
    let public: Vec<(&RegionView, &super::super::world::LoadBalancerView)> = world
        .regions
        .iter()
        .filter(|r| r.role == Role::Frontend)
        .filter_map(|r| r.load_balancer.as_ref().map(|lb| (r, lb)))
        .filter(|(_, lb)| lb.scheme == Some(Scheme::InternetFacing))
        .collect();
    if public.is_empty() {
        return not_applicable("the frontend's load balancer is not internet-facing");
    }
    let mut look = Look::default();
    for (r, lb) in public {
        look.saw(&lb.name.label);
        if !lb.listeners.iter().any(|l| l.protocol == "HTTPS") {
            look.problem(format!(
                "{}: {} has no HTTPS listener",
                r.name, lb.name.label
            ));
        }
        for l in &lb.listeners {
            let at = format!("{}: port {} ({})", lb.name.label, l.port, l.protocol);
            match (&l.redirect, l.protocol.as_str(), l.ssl_policy.as_deref()) {
                (Some(to), _, _) if to.starts_with("HTTPS:") => {
                    look.ok(format!("{at} only redirects to {to}"))
                }
                (None, "HTTPS", Some(policy)) if tls12_or_newer(policy) => look.ok(format!(
                    "{at} serves HTTPS with {policy} (TLS 1.2 and newer)"
                )),
                (None, "HTTPS", policy) => look.problem(format!(
                    "{at} serves HTTPS with {}, which accepts TLS older than 1.2",
                    policy.unwrap_or("no security policy")
                )),
                (Some(to), _, _) => look.problem(format!("{at} redirects to {to}, not to HTTPS")),
                (None, _, _) => look.problem(format!("{at} serves plain {}", l.protocol)),
            }
        }
    }
    look.finish()
}
