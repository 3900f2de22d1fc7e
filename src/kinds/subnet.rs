//! A subnet in one availability zone.

use super::*;

pub const VPC: Field = Field::force_new("vpc");
pub const CIDR: Field = Field::force_new("cidr");
pub const AZ: Field = Field::force_new("az");
pub const MAP_PUBLIC_IP: Field = Field::updatable("mapPublicIpOnLaunch");

pub const DEF: KindDef = KindDef {
    kind: Kind::Subnet,
    scope: Scope::Regional,
    tagging: Tagging::Kept(TagService::Ec2),
    fields: &[VPC, CIDR, AZ, MAP_PUBLIC_IP],
    desired,
};

fn desired(r: &Resource, cx: &DesiredContext<'_>) -> Fields {
    let ResourceSpec::Subnet {
        vpc,
        cidr,
        az,
        map_public_ip_on_launch,
        ..
    } = &r.spec
    else {
        return Fields::new();
    };
    // The model names the zone by index into the region's usable zones.
    let zone = cx.azs.get(usize::from(*az).saturating_sub(1)).cloned();
    fields([
        (VPC, vpc.clone()),
        (CIDR, cidr.clone()),
        (AZ, zone.unwrap_or_else(|| format!("zone #{az}"))),
        (MAP_PUBLIC_IP, map_public_ip_on_launch.to_string()),
    ])
}
