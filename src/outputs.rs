//! The stack's outputs: what a user needs once `up` has run — the public URL, the backend's
//! DNS name, each cluster's endpoint, version and kubeconfig context, the VPC, peering and web
//! ACL ids — read from one discovery pass. `output` prints them, and `up` ends with them.

use serde::Serialize;

use crate::engine::Snapshot;
use crate::model::{TAG_ID, ids};
use crate::stack::ValidStack;
use crate::stack::types::Role;

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Outputs {
    pub stack: String,
    /// `http://<public load balancer DNS name>[:port]`, through its first listener.
    pub frontend_url: Option<String>,
    pub frontend_dns: Option<String>,
    pub backend_dns: Option<String>,
    pub peering: Option<String>,
    pub web_acl: Option<String>,
    pub regions: Vec<RegionOutputs>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RegionOutputs {
    pub name: String,
    pub region: String,
    pub vpc: Option<String>,
    pub cluster: String,
    pub cluster_endpoint: Option<String>,
    pub cluster_version: Option<String>,
    /// The context `multiregion kubeconfig` writes for the cluster.
    pub kubeconfig_context: String,
}

/// The outputs, from the snapshots of one discovery pass (in `spec.regions` order). What does
/// not exist (yet) is `None`.
pub fn from_snapshots(stack: &ValidStack, snapshots: &[Snapshot]) -> Outputs {
    let spec = &stack.stack.spec;
    let tagged = |snap: &Snapshot, id: &str| {
        snap.load_balancing
            .load_balancers
            .iter()
            .find(|l| l.tags.get(TAG_ID).map(String::as_str) == Some(id))
            .map(|l| l.dns_name.clone())
    };
    let dns_of = |role: Role| {
        let i = stack.index_of_role(role);
        snapshots
            .get(i)
            .and_then(|s| tagged(s, &ids::load_balancer(&spec.regions[i].name)))
    };
    let frontend = stack.index_of_role(Role::Frontend);
    let frontend_dns = dns_of(Role::Frontend);
    let entry = &spec.regions[frontend].load_balancer;
    let port = entry.listeners.first().copied();
    // A requested certificate is for the stack's domain: that is the name clients use.
    let host = |dns: &String| match entry.tls.as_ref().and_then(|t| t.domain.as_ref()) {
        Some(domain) => domain.clone(),
        None => dns.clone(),
    };
    let frontend_url = frontend_dns
        .as_ref()
        .map(host)
        .map(|dns| match (&entry.tls, port) {
            // With TLS the plain ports only redirect: the entry is the HTTPS listener.
            (Some(tls), _) if tls.port == 443 => format!("https://{dns}"),
            (Some(tls), _) => format!("https://{dns}:{}", tls.port),
            (None, Some(80) | None) => format!("http://{dns}"),
            (None, Some(443)) => format!("https://{dns}"),
            (None, Some(p)) => format!("http://{dns}:{p}"),
        });
    let snap = snapshots.get(frontend);
    let peering = snap.and_then(|s| {
        let id = ids::peering(&spec.regions[frontend].name);
        let peering = s.network.peerings.iter();
        let mut ours = peering.filter(|p| p.tags.get(TAG_ID) == Some(&id));
        ours.next().map(|p| p.id.clone())
    });
    let web_acl = snap.and_then(|s| s.web_acl_of.values().next().cloned());
    let regions = spec
        .regions
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let snap = snapshots.get(i);
            let vpc = snap.and_then(|s| {
                let id = ids::vpc(&r.name);
                let vpcs = s.network.vpcs.iter();
                let mut ours = vpcs.filter(|v| v.tags.get(TAG_ID) == Some(&id));
                ours.next().map(|v| v.id.clone())
            });
            let cluster =
                snap.and_then(|s| s.eks.clusters.iter().find(|c| c.name == r.cluster.name));
            RegionOutputs {
                name: r.name.clone(),
                region: r.region.clone(),
                vpc,
                cluster: r.cluster.name.clone(),
                cluster_endpoint: cluster.and_then(|c| c.endpoint.clone()),
                cluster_version: cluster.map(|c| c.version.clone()),
                kubeconfig_context: r.cluster.name.clone(),
            }
        })
        .collect();
    Outputs {
        stack: stack.name().to_string(),
        frontend_url,
        frontend_dns,
        backend_dns: dns_of(Role::Backend),
        peering,
        web_acl,
        regions,
    }
}

impl Outputs {
    /// Every output by the name `output NAME` takes: `frontendUrl`, `c1.clusterEndpoint`, ….
    pub fn named(&self) -> Vec<(String, Option<String>)> {
        let mut all = vec![
            ("frontendUrl".to_string(), self.frontend_url.clone()),
            ("frontendDns".to_string(), self.frontend_dns.clone()),
            ("backendDns".to_string(), self.backend_dns.clone()),
            ("peering".to_string(), self.peering.clone()),
            ("webAcl".to_string(), self.web_acl.clone()),
        ];
        for r in &self.regions {
            let name = |what: &str| format!("{}.{what}", r.name);
            all.push((name("vpc"), r.vpc.clone()));
            all.push((name("cluster"), Some(r.cluster.clone())));
            all.push((name("clusterEndpoint"), r.cluster_endpoint.clone()));
            all.push((name("clusterVersion"), r.cluster_version.clone()));
            all.push((
                name("kubeconfigContext"),
                Some(r.kubeconfig_context.clone()),
            ));
        }
        all
    }

    /// `name = value` lines, `(not made yet)` where there is none.
    pub fn to_text(&self) -> String {
        let named = self.named();
        let width = named.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
        let mut out = format!("Outputs of stack `{}`:\n", self.stack);
        for (name, value) in named {
            let value = value.unwrap_or_else(|| "(not made yet)".to_string());
            out.push_str(&format!("  {name:<width$}  {value}\n"));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::tests::{engine, reference, world};
    use crate::progress::Silent;

    #[tokio::test(start_paused = true)]
    async fn outputs_name_what_up_made_and_nothing_before() {
        let (stack, fake) = (reference(), world());
        let e = engine(&stack, &fake, &Silent);
        let before = from_snapshots(&stack, &e.read().await.unwrap());
        assert_eq!(before.frontend_url, None);
        assert!(before.to_text().contains("frontendUrl"));
        assert!(before.to_text().contains("(not made yet)"));
        e.up(false).await.unwrap();
        let after = from_snapshots(&stack, &e.read().await.unwrap());
        let url = after.frontend_url.clone().expect("a public URL");
        assert!(url.starts_with("http://") && url.contains(after.frontend_dns.as_deref().unwrap()));
        assert!(after.backend_dns.is_some() && after.peering.is_some() && after.web_acl.is_some());
        for r in &after.regions {
            assert!(r.vpc.as_deref().is_some_and(|v| v.starts_with("vpc-")));
            assert!(r.cluster_endpoint.is_some() && r.cluster_version.is_some());
        }
        let named = after.named();
        let endpoint = named.iter().find(|(n, _)| n == "c2.clusterEndpoint");
        assert_eq!(endpoint.unwrap().1, after.regions[1].cluster_endpoint);
    }
}
