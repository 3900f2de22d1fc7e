//! A VPC: the network of one region.

use super::*;

pub const CIDR: Field = Field::force_new("cidr");
pub const DNS_SUPPORT: Field = Field::updatable("dnsSupport");
pub const DNS_HOSTNAMES: Field = Field::updatable("dnsHostnames");

pub const DEF: KindDef = KindDef {
    kind: Kind::Vpc,
    scope: Scope::Regional,
    tagging: Tagging::Kept(TagService::Ec2),
    fields: &[CIDR, DNS_SUPPORT, DNS_HOSTNAMES],
    desired,
};

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
