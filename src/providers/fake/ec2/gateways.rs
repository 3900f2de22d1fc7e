//! Internet gateways, Elastic IP addresses and NAT gateways.

use std::time::Duration;

use tokio::time::Instant;

use super::EC2;
use crate::providers::fake::*;
use crate::providers::*;

pub(super) async fn create_internet_gateway(fake: &FakeRegion, tags: &Tags) -> Result<String> {
    let op = fake.call(EC2, "CreateInternetGateway").await?;
    fake.create(op, "igw", Duration::ZERO, |_, _, life, _| {
        Ok(Gateway {
            vpc: None,
            tags: tags.clone(),
            life,
        })
    })
}

pub(super) async fn attach_internet_gateway(fake: &FakeRegion, igw: &str, vpc: &str) -> Result<()> {
    let op = fake.call(EC2, "AttachInternetGateway").await?;
    fake.with(op, |s, lag| {
        let r = fake.here(s);
        op.seen(&r.vpcs, vpc, lag)?;
        let g = op.seen_mut(&mut r.gateways, igw, lag)?;
        if g.vpc.is_some() {
            return Err(op.invalid_state(format!("{igw} is already attached")));
        }
        g.vpc = Some(vpc.into());
        Ok(())
    })
}

pub(super) async fn detach_internet_gateway(fake: &FakeRegion, igw: &str, vpc: &str) -> Result<()> {
    let op = fake.call(EC2, "DetachInternetGateway").await?;
    fake.with(op, |s, _| {
        let now = Instant::now();
        let r = fake.here(s);
        let subnets: Vec<&String> = r
            .subnets
            .iter()
            .filter(|(_, x)| x.vpc == vpc)
            .map(|(id, _)| id)
            .collect();
        // AWS refuses while public addresses are mapped in the VPC (NAT gateways).
        if r.nats
            .values()
            .any(|n| subnets.contains(&&n.subnet) && n.deleted_at.is_none_or(|t| now < t))
        {
            return Err(op.in_use(format!("{vpc} has some mapped public address(es)")));
        }
        let g = op.get_mut(&mut r.gateways, igw)?;
        g.vpc = None;
        Ok(())
    })
}

pub(super) async fn delete_internet_gateway(fake: &FakeRegion, igw: &str) -> Result<()> {
    let op = fake.call(EC2, "DeleteInternetGateway").await?;
    fake.with(op, |s, _| {
        let r = fake.here(s);
        match r.gateways.get(igw) {
            None => Err(op.not_found(igw)),
            Some(g) if g.vpc.is_some() => Err(op.in_use(format!("{igw} is attached"))),
            Some(_) => {
                r.gateways.remove(igw);
                Ok(())
            }
        }
    })
}

pub(super) async fn allocate_address(fake: &FakeRegion, tags: &Tags) -> Result<String> {
    let op = fake.call(EC2, "AllocateAddress").await?;
    fake.create(op, "eipalloc", Duration::ZERO, |_, _, life, _| {
        Ok(Address {
            nat: None,
            tags: tags.clone(),
            life,
        })
    })
}

pub(super) async fn release_address(fake: &FakeRegion, allocation: &str) -> Result<()> {
    let op = fake.call(EC2, "ReleaseAddress").await?;
    fake.with(op, |s, _| {
        let now = Instant::now();
        let r = fake.here(s);
        let Some(a) = r.addresses.get(allocation) else {
            return Err(op.not_found(allocation));
        };
        if let Some(nat) = &a.nat
            && r.nats
                .get(nat)
                .is_some_and(|n| n.deleted_at.is_none_or(|t| now < t))
        {
            return Err(op.in_use(format!("{allocation} is in use by {nat}")));
        }
        r.addresses.remove(allocation);
        Ok(())
    })
}

pub(super) async fn create_nat_gateway(
    fake: &FakeRegion,
    subnet: &str,
    allocation: &str,
    tags: &Tags,
    token: &str,
) -> Result<String> {
    let op = fake.call(EC2, "CreateNatGateway").await?;
    let ready = fake.world.behaviour().nat_gateway;
    let life = fake.life(ready);
    fake.with(op, |s, lag| {
        fake.once(token, s, |s| {
            let id = fake.new_id(s, "nat");
            let r = fake.here(s);
            op.seen(&r.subnets, subnet, lag)?;
            op.seen_mut(&mut r.addresses, allocation, lag)?.nat = Some(id.clone());
            let nat = Nat {
                subnet: subnet.into(),
                allocation: allocation.into(),
                deleted_at: None,
                tags: tags.clone(),
                life,
                broken: false,
            };
            r.nats.insert(id.clone(), nat);
            Ok(id)
        })
    })
}

pub(super) async fn wait_nat_gateway_available(
    fake: &FakeRegion,
    nat: &str,
    max: Duration,
) -> Result<()> {
    // The waiter's reads, uncounted.
    let op = Op("DescribeNatGateways");
    poll("wait NatGatewayAvailable", max, || {
        fake.with(op, |s, _| {
            let n = op.get(&fake.here(s).nats, nat)?;
            Ok(n.deleted_at.is_none() && Instant::now() >= n.life.ready)
        })
    })
    .await
}

pub(super) async fn delete_nat_gateway(fake: &FakeRegion, nat: &str) -> Result<()> {
    let op = fake.call(EC2, "DeleteNatGateway").await?;
    let takes = fake.world.behaviour().nat_gateway_delete;
    fake.with(op, |s, _| {
        let n = op.get_mut(&mut fake.here(s).nats, nat)?;
        n.deleted_at.get_or_insert(Instant::now() + takes);
        Ok(())
    })
}

pub(super) async fn wait_nat_gateway_deleted(
    fake: &FakeRegion,
    nat: &str,
    max: Duration,
) -> Result<()> {
    // The waiter's reads, uncounted.
    let op = Op("DescribeNatGateways");
    poll("wait NatGatewayDeleted", max, || {
        fake.with(op, |s, _| {
            let r = fake.here(s);
            let done = r
                .nats
                .get(nat)
                .is_none_or(|n| n.deleted_at.is_some_and(|t| Instant::now() >= t));
            if done {
                r.nats.remove(nat);
            }
            Ok(done)
        })
    })
    .await
}
