//! VPC peering connections, which live beside the regions they join.

use std::time::Duration;

use tokio::time::Instant;

use super::EC2;
use crate::providers::fake::*;
use crate::providers::*;

pub(super) async fn create_peering(
    fake: &FakeRegion,
    vpc: &str,
    peer_vpc: &str,
    peer_region: &str,
    tags: &Tags,
) -> Result<String> {
    let op = fake.call(EC2, "CreateVpcPeeringConnection").await?;
    fake.with(op, |s, lag| {
        let id = fake.new_id(s, "pcx");
        let life = fake.life(Duration::ZERO);
        let here = fake
            .here(s)
            .vpcs
            .get(vpc)
            .is_some_and(|v| visible(&v.life, lag));
        let there = s
            .regions
            .get(peer_region)
            .is_some_and(|r| r.vpcs.get(peer_vpc).is_some_and(|v| visible(&v.life, lag)));
        if !here || !there {
            return Err(op.not_found(if here { peer_vpc } else { vpc }));
        }
        s.peerings.insert(
            id.clone(),
            Peering {
                requester_region: fake.region.clone(),
                requester_vpc: vpc.into(),
                accepter_region: peer_region.into(),
                accepter_vpc: peer_vpc.into(),
                accepted_at: None,
                deleted: false,
                requester_dns: false,
                accepter_dns: false,
                requester_tags: tags.clone(),
                accepter_tags: Tags::new(),
                life,
            },
        );
        Ok(id)
    })
}

pub(super) async fn accept_peering(fake: &FakeRegion, peering: &str) -> Result<()> {
    let op = fake.call(EC2, "AcceptVpcPeeringConnection").await?;
    let takes = fake.world.behaviour().peering;
    fake.with(op, |s, lag| {
        let p = s
            .peerings
            .get_mut(peering)
            .filter(|p| visible(&p.life, lag) && !p.deleted)
            .ok_or_else(|| op.not_found(peering))?;
        if p.accepter_region != fake.region {
            return Err(op.refused("accept in the accepter's region"));
        }
        if p.accepted_at.is_some() {
            return Err(op.invalid_state("already accepted"));
        }
        p.accepted_at = Some(Instant::now() + takes);
        Ok(())
    })
}

pub(super) async fn wait_peering_active(
    fake: &FakeRegion,
    peering: &str,
    max: Duration,
) -> Result<()> {
    // The waiter's reads, uncounted.
    let op = Op("DescribeVpcPeeringConnections");
    poll("wait VpcPeeringActive", max, || {
        fake.with(op, |s, _| {
            let p = op.get(&s.peerings, peering)?;
            Ok(p.accepted_at.is_some_and(|t| Instant::now() >= t))
        })
    })
    .await
}

/// The peering `id`, unless it was deleted.
fn live<'s>(s: &'s mut State, op: Op, id: &str) -> Result<&'s mut Peering> {
    s.peerings
        .get_mut(id)
        .filter(|p| !p.deleted)
        .ok_or_else(|| op.not_found(id))
}

pub(super) async fn set_peering_dns(
    fake: &FakeRegion,
    peering: &str,
    side: PeeringSideRef,
    on: bool,
) -> Result<()> {
    let op = fake.call(EC2, "ModifyVpcPeeringConnectionOptions").await?;
    fake.with(op, |s, _| {
        let p = live(s, op, peering)?;
        if p.accepted_at.is_none_or(|t| Instant::now() < t) {
            return Err(op.invalid_state("the peering is not active"));
        }
        let own_region = match side {
            PeeringSideRef::Requester => &p.requester_region,
            PeeringSideRef::Accepter => &p.accepter_region,
        };
        if *own_region != fake.region {
            return Err(op.refused("each side's options are set in its own region"));
        }
        match side {
            PeeringSideRef::Requester => p.requester_dns = on,
            PeeringSideRef::Accepter => p.accepter_dns = on,
        }
        Ok(())
    })
}

pub(super) async fn delete_peering(fake: &FakeRegion, peering: &str) -> Result<()> {
    let op = fake.call(EC2, "DeleteVpcPeeringConnection").await?;
    fake.with(op, |s, _| {
        let p = live(s, op, peering)?;
        p.deleted = true;
        Ok(())
    })
}
