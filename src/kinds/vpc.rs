//! A VPC: the network of one region.

use super::*;
use crate::providers::Tags;
use crate::providers::{ErrorKind, ProviderError, VpcDnsAttribute};

pub const CIDR: Field = Field::force_new("cidr");
pub const DNS_SUPPORT: Field = Field::updatable("dnsSupport");
pub const DNS_HOSTNAMES: Field = Field::updatable("dnsHostnames");

pub const DEF: KindDef = KindDef {
    kind: Kind::Vpc,
    scope: Scope::Regional,
    tagging: Tagging::Kept(TagService::Ec2),
    after_region: false,
    fields: &[CIDR, DNS_SUPPORT, DNS_HOSTNAMES],
    desired,
    index: Some(index),
    discovery: Discovery::InRegion(observe),
    ops: &Vpc,
};
/// Its AWS ids and tags, for the index that resolves references to logical ids.
fn index(snap: &Snapshot) -> Vec<(&str, &Tags)> {
    let all = snap.network.vpcs.iter();
    all.map(|v| (v.id.as_str(), &v.tags)).collect()
}

fn observe(m: &mut Mapper<'_>, snap: &Snapshot) {
    let n = &snap.network;
    for v in &n.vpcs {
        let Some(id) = tag_id(&v.tags) else { continue };
        let (support, hostnames) = n.vpc_dns.get(&v.id).copied().unwrap_or((true, false));
        let f = fields([
            (CIDR, v.cidr.clone()),
            (DNS_SUPPORT, support.to_string()),
            (DNS_HOSTNAMES, hostnames.to_string()),
        ]);
        let (handle, tags) = (Handle::Id(v.id.clone()), Some(v.tags.clone()));
        m.put(id, Kind::Vpc, handle, f, tags, vec![]);
    }
}

fn desired(r: &Resource, _: &DesiredContext<'_>) -> Fields {
    let ResourceSpec::Vpc {
        cidr,
        dns_support,
        dns_hostnames,
    } = &r.spec
    else {
        return Fields::new();
    };
    fields([
        (CIDR, cidr.clone()),
        (DNS_SUPPORT, dns_support.to_string()),
        (DNS_HOSTNAMES, dns_hostnames.to_string()),
    ])
}

struct Vpc;

#[async_trait]
impl Ops for Vpc {
    async fn create(&self, cx: &Applier<'_>, r: &Resource) -> StepResult<(Handle, String)> {
        let ResourceSpec::Vpc {
            cidr,
            dns_support,
            dns_hostnames,
        } = &r.spec
        else {
            return Err(not_a(r));
        };
        let net = &cx.target(&r.region)?.clients.network;
        let id = cx.create_id(r, || net.create_vpc(cidr, &r.tags)).await?;
        // New VPCs have DNS support on and hostnames off.
        if !dns_support {
            retry::change(|| net.set_vpc_dns(&id, VpcDnsAttribute::Support, false)).await?;
        }
        if *dns_hostnames {
            retry::change(|| net.set_vpc_dns(&id, VpcDnsAttribute::Hostnames, true)).await?;
        }
        Ok((Handle::Id(id.clone()), id))
    }

    async fn update(&self, u: InPlace<'_>) -> StepResult<()> {
        let InPlace(cx, r, changed, _) = u;
        let ResourceSpec::Vpc {
            dns_support,
            dns_hostnames,
            ..
        } = &r.spec
        else {
            return Err(not_a(r));
        };
        let (net, id) = (&cx.target(&r.region)?.clients.network, cx.aws(&r.id)?);
        for &field in changed {
            let (attribute, on) = match field {
                f if f == DNS_SUPPORT.name => (VpcDnsAttribute::Support, *dns_support),
                f if f == DNS_HOSTNAMES.name => (VpcDnsAttribute::Hostnames, *dns_hostnames),
                other => return Err(cannot_change(r, other)),
            };
            retry::change(|| net.set_vpc_dns(&id, attribute, on)).await?;
        }
        Ok(())
    }

    /// Waits while what blocks the VPC is going away (network interfaces of load balancers
    /// and nodes). What stays unless someone removes it — a subnet, route table, gateway or
    /// endpoint made outside the stack — ends the wait at once, named: `down` never deletes
    /// what is not the stack's.
    async fn delete(&self, cx: &Applier<'_>, o: &ObservedResource) -> StepResult<()> {
        let net = &cx.target(&o.region)?.clients.network;
        let id = o.handle.aws_id();
        let attempt = || async {
            match net.delete_vpc(id).await {
                Err(e) if e.kind == ErrorKind::DependencyViolation => {
                    let held = net.vpc_contents(id).await?;
                    if held.is_empty() {
                        return Err(e);
                    }
                    Err(ProviderError::new(
                        ErrorKind::Other,
                        "DeleteVpc",
                        format!(
                            "{id} still holds what is not the stack's: {}; remove it and run \
                             `down` again",
                            held.join(", ")
                        ),
                    ))
                }
                other => other,
            }
        };
        Ok(retry::delete(attempt).await?)
    }
}
