//! The Kubernetes checks: the backend cluster closed to all but the frontend, hardened workloads.

use super::*;

pub(super) fn objects<'a>(r: &'a RegionView, look: &mut Look) -> Result<&'a KubeObjects, Finding> {
    match &r.kubernetes {
        Kube::Objects(objects) => Ok(objects),
        Kube::Unavailable(why) => {
            look.saw(&format!("cluster of {}", r.name));
            Err(Finding {
                verdict: Verdict::Error(format!("{}: {why}", r.name)),
                resources: std::mem::take(&mut look.resources),
                evidence: Vec::new(),
            })
        }
    }
}

pub(super) fn object_name(
    meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
) -> String {
    format!(
        "{}/{}",
        meta.namespace.as_deref().unwrap_or("default"),
        meta.name.as_deref().unwrap_or_default()
    )
}

/// Whether a policy denies all ingress to every pod of its namespace.
pub(super) fn is_default_deny(p: &NetworkPolicy) -> bool {
    let Some(spec) = &p.spec else { return false };
    let selects_all = spec.pod_selector.as_ref().is_none_or(|s| {
        s.match_labels.as_ref().is_none_or(|l| l.is_empty())
            && s.match_expressions.as_ref().is_none_or(|e| e.is_empty())
    });
    let ingress_type = spec
        .policy_types
        .as_ref()
        .is_none_or(|t| t.iter().any(|t| t == "Ingress"));
    let no_allows = spec.ingress.as_ref().is_none_or(|i| i.is_empty());
    selects_all && ingress_type && no_allows
}

pub(super) fn namespaces_of(deployments: &[Deployment]) -> Vec<String> {
    let mut out: Vec<String> = deployments
        .iter()
        .map(|d| {
            d.metadata
                .namespace
                .clone()
                .unwrap_or_else(|| "default".into())
        })
        .collect();
    out.dedup();
    out
}

pub(super) fn backend_cluster_closed(world: &World) -> Finding {
    let mut look = Look::default();
    let Some(r) = region(world, Role::Backend) else {
        return not_applicable("the stack has no backend region");
    };
    if r.workloads.is_empty() {
        return not_applicable("the stack runs no workload in the backend region");
    }
    let objects = match objects(r, &mut look) {
        Ok(o) => o,
        Err(finding) => return finding,
    };
    for s in &objects.services {
        let name = object_name(&s.metadata);
        look.saw(&format!("Service {name}"));
        if s.spec.as_ref().and_then(|x| x.type_.as_deref()) == Some("LoadBalancer") {
            look.problem(format!("Service {name} is of type LoadBalancer"));
        }
    }
    let namespaces = namespaces_of(&objects.deployments);
    if namespaces.is_empty() && !r.workloads.is_empty() {
        look.problem(format!(
            "{}: no Deployment of {} found",
            r.name,
            r.workloads.join(", ")
        ));
    }
    for ns in namespaces {
        let policies: Vec<&NetworkPolicy> = objects
            .network_policies
            .iter()
            .filter(|p| p.metadata.namespace.as_deref().unwrap_or("default") == ns)
            .collect();
        if !policies.iter().any(|p| is_default_deny(p)) {
            look.problem(format!(
                "namespace {ns}: no default-deny NetworkPolicy; every pod is open"
            ));
        }
        for p in policies {
            let name = object_name(&p.metadata);
            look.saw(&format!("NetworkPolicy {name}"));
            for rule in p.spec.iter().flat_map(|s| s.ingress.iter().flatten()) {
                let peers = rule.from.as_deref().unwrap_or_default();
                if peers.is_empty() {
                    look.problem(format!(
                        "NetworkPolicy {name}: an ingress rule from anywhere"
                    ));
                }
                for peer in peers {
                    match &peer.ip_block {
                        Some(b) if within(&b.cidr, &r.peer_cidr) || within(&b.cidr, &r.cidr) => {
                            look.ok(format!("NetworkPolicy {name}: admits {}", b.cidr))
                        }
                        Some(b) => look.problem(format!(
                            "NetworkPolicy {name}: admits {}, outside the peer block {} and the VPC {}",
                            b.cidr, r.peer_cidr, r.cidr
                        )),
                        // Pod and namespace selectors stay inside the cluster.
                        None => {}
                    }
                }
            }
        }
    }
    look.finish()
}

pub(super) fn workloads_hardened(world: &World) -> Finding {
    if world.regions.iter().all(|r| r.workloads.is_empty()) {
        return not_applicable("the stack has no workloads");
    }
    let mut look = Look::default();
    for r in world.regions.iter().filter(|r| !r.workloads.is_empty()) {
        let objects = match objects(r, &mut look) {
            Ok(o) => o,
            Err(finding) => return finding,
        };
        for d in &objects.deployments {
            let name = format!("Deployment {}", object_name(&d.metadata));
            look.saw(&name);
            let Some(pod) = d.spec.as_ref().and_then(|s| s.template.spec.as_ref()) else {
                look.problem(format!("{name}: no pod spec"));
                continue;
            };
            let pod_non_root = pod
                .security_context
                .as_ref()
                .and_then(|c| c.run_as_non_root)
                .unwrap_or(false);
            for c in &pod.containers {
                let ctx = c.security_context.as_ref();
                let who = format!("{name} container {}", c.name);
                let non_root = ctx.and_then(|x| x.run_as_non_root).unwrap_or(pod_non_root);
                if !non_root {
                    look.problem(format!("{who}: runAsNonRoot is not set"));
                }
                if ctx.and_then(|x| x.privileged) == Some(true) {
                    look.problem(format!("{who}: privileged"));
                }
                if ctx.and_then(|x| x.allow_privilege_escalation) != Some(false) {
                    look.problem(format!("{who}: allowPrivilegeEscalation is not false"));
                }
                let limits = c.resources.as_ref().and_then(|x| x.limits.as_ref());
                for resource in ["cpu", "memory"] {
                    if !limits.is_some_and(|l| l.contains_key(resource)) {
                        look.problem(format!("{who}: no {resource} limit"));
                    }
                }
                if c.liveness_probe.is_none() {
                    look.problem(format!("{who}: no liveness probe"));
                }
                if c.readiness_probe.is_none() {
                    look.problem(format!("{who}: no readiness probe"));
                }
            }
        }
        for ns in namespaces_of(&objects.deployments) {
            let deny = objects
                .network_policies
                .iter()
                .filter(|p| p.metadata.namespace.as_deref().unwrap_or("default") == ns)
                .any(is_default_deny);
            if deny {
                look.ok(format!(
                    "{}: namespace {ns} has a default-deny NetworkPolicy",
                    r.name
                ));
            } else {
                look.problem(format!(
                    "{}: namespace {ns} has no default-deny NetworkPolicy",
                    r.name
                ));
            }
        }
        if objects.deployments.is_empty() && !r.workloads.is_empty() {
            look.problem(format!(
                "{}: no Deployment of {} found",
                r.name,
                r.workloads.join(", ")
            ));
        }
    }
    if look.problems.is_empty() {
        look.ok("every container: non-root, unprivileged, no privilege escalation, CPU and memory limits, liveness and readiness probes".into());
    }
    look.finish()
}
