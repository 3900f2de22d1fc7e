//! The peering across the regions, a rule across kinds: one connection, listed by both
//! regions, owned by the requester's; its accepter side and each side's DNS option are parts
//! of it, found once it is active.

use super::matching::Matches;
use crate::kinds::{Fields, Handle, Kind, Mapper, RegionTarget, Snapshot, fields, tag_id};
use crate::kinds::{vpc_peering, vpc_peering_dns};
use crate::providers::PeeringInfo;

/// Maps every peering the regions list, each once.
pub fn map(m: &mut Mapper<'_>, x: &Matches<'_>, targets: &[RegionTarget], snaps: &[Snapshot]) {
    let mut seen: Vec<&str> = Vec::new();
    for (target, snap) in targets.iter().zip(snaps) {
        for p in &snap.network.peerings {
            if seen.contains(&p.id.as_str()) {
                continue;
            }
            seen.push(&p.id);
            m.region = target.name.clone();
            m.aws_region = target.aws_region.clone();
            peering(m, x, p, targets);
        }
    }
}

fn peering(m: &mut Mapper<'_>, x: &Matches<'_>, p: &PeeringInfo, targets: &[RegionTarget]) {
    let Some(id) = tag_id(&p.tags) else { return };
    // The requester's region owns the peering, whichever region listed it.
    let requester_region = p
        .requester_region
        .clone()
        .unwrap_or_else(|| m.aws_region.clone());
    if let Some(t) = targets.iter().find(|t| t.aws_region == requester_region) {
        m.region = t.name.clone();
        m.aws_region = t.aws_region.clone();
    }
    let requester_vpc = m.name(&p.requester_vpc);
    let accepter_vpc = m.name(&p.accepter_vpc);
    let accepter_region = p
        .accepter_region
        .clone()
        .unwrap_or_else(|| m.aws_region.clone());
    let f = fields([
        (vpc_peering::REQUESTER_VPC, requester_vpc.clone()),
        (vpc_peering::ACCEPTER_VPC, accepter_vpc.clone()),
        (vpc_peering::ACCEPTER_REGION, accepter_region.clone()),
    ]);
    let (handle, tags) = (Handle::Id(p.id.clone()), Some(p.tags.clone()));
    let refs = vec![requester_vpc, accepter_vpc];
    let o = m.put(id.clone(), Kind::VpcPeering, handle, f, tags, refs);
    if p.status != "active" {
        o.state = Some(p.status.clone());
        return;
    }
    let accepter_name = targets
        .iter()
        .find(|t| t.aws_region == accepter_region)
        .map(|t| t.name.clone());
    let Some(accept_id) = x.accepters.get(&id).map(|s| s.to_string()) else {
        return;
    };
    let handle = Handle::Peering { id: p.id.clone() };
    let o = m.put(
        accept_id.clone(),
        Kind::VpcPeeringAccepter,
        handle,
        Fields::new(),
        None,
        vec![id.clone()],
    );
    if let Some(name) = &accepter_name {
        o.region = Some(name.clone());
    }
    for (requester_side, on) in [(true, p.requester_dns), (false, p.accepter_dns)] {
        let Some(dns_id) = x
            .peering_dns
            .get(&(id.clone(), requester_side))
            .map(|s| s.to_string())
        else {
            continue;
        };
        let f = fields([(vpc_peering_dns::REMOTE_DNS, on.to_string())]);
        let handle = Handle::Peering { id: p.id.clone() };
        let refs = vec![accept_id.clone()];
        let o = m.put(dns_id, Kind::VpcPeeringDns, handle, f, None, refs);
        if !requester_side && let Some(name) = &accepter_name {
            o.region = Some(name.clone());
        }
    }
}
