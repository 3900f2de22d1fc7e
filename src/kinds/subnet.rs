//! A subnet in one availability zone.

use super::*;
use crate::providers::Tags;

pub const VPC: Field = Field::force_new("vpc");
pub const CIDR: Field = Field::force_new("cidr");
pub const AZ: Field = Field::force_new("az");
pub const MAP_PUBLIC_IP: Field = Field::updatable("mapPublicIpOnLaunch");

pub const DEF: KindDef = KindDef {
    kind: Kind::Subnet,
    scope: Scope::Regional,
    tagging: Tagging::Kept(TagService::Ec2),
    after_region: false,
    fields: &[VPC, CIDR, AZ, MAP_PUBLIC_IP],
    desired,
    index: Some(index),
    discovery: Discovery::InRegion(observe),
    ops: &Subnet,
};
/// Its AWS ids and tags, for the index that resolves references to logical ids.
fn index(snap: &Snapshot) -> Vec<(&str, &Tags)> {
    let all = snap.network.subnets.iter();
    all.map(|s| (s.id.as_str(), &s.tags)).collect()
}

fn observe(m: &mut Mapper<'_>, snap: &Snapshot) {
    for s in &snap.network.subnets {
        let Some(id) = tag_id(&s.tags) else { continue };
        let vpc = m.name(&s.vpc_id);
        let f = fields([
            (VPC, vpc.clone()),
            (CIDR, s.cidr.clone()),
            (AZ, s.az.clone()),
            (MAP_PUBLIC_IP, s.map_public_ip_on_launch.to_string()),
        ]);
        let (handle, tags) = (Handle::Id(s.id.clone()), Some(s.tags.clone()));
        m.put(id, Kind::Subnet, handle, f, tags, vec![vpc]);
    }
}

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

struct Subnet;

#[async_trait]
impl Ops for Subnet {
    async fn create(&self, cx: &Applier<'_>, r: &Resource) -> StepResult<(Handle, String)> {
        let ResourceSpec::Subnet {
            vpc,
            cidr,
            az,
            map_public_ip_on_launch,
            ..
        } = &r.spec
        else {
            return Err(not_a(r));
        };
        let t = cx.target(&r.region)?;
        let net = &t.clients.network;
        let vpc = cx.aws(vpc)?;
        let zone = cx
            .azs(&r.region)
            .get(usize::from(*az).saturating_sub(1))
            .cloned()
            .ok_or_else(|| {
                StepError::precondition(format!(
                    "{} has no usable availability zone #{az}",
                    t.aws_region
                ))
            })?;
        let id = cx
            .create_id(r, || net.create_subnet(&vpc, cidr, &zone, &r.tags))
            .await?;
        if *map_public_ip_on_launch {
            retry::change(|| net.set_map_public_ip(&id, true)).await?;
        }
        Ok((Handle::Id(id.clone()), format!("{id} in {zone}")))
    }

    async fn update(&self, u: InPlace<'_>) -> StepResult<()> {
        let InPlace(cx, r, changed, _) = u;
        let ResourceSpec::Subnet {
            map_public_ip_on_launch,
            ..
        } = &r.spec
        else {
            return Err(not_a(r));
        };
        if changed != [MAP_PUBLIC_IP.name] {
            return Err(cannot_change(r, &changed.join(", ")));
        }
        let (net, id) = (&cx.target(&r.region)?.clients.network, cx.aws(&r.id)?);
        Ok(retry::change(|| net.set_map_public_ip(&id, *map_public_ip_on_launch)).await?)
    }

    async fn delete(&self, cx: &Applier<'_>, o: &ObservedResource) -> StepResult<()> {
        let net = &cx.target(&o.region)?.clients.network;
        Ok(retry::delete(|| net.delete_subnet(o.handle.aws_id())).await?)
    }
}
