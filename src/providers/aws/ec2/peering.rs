//! VPC peering connections, requested in one region and accepted in the other.

use std::time::Duration;

use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::{
    PeeringConnectionOptionsRequest, ResourceType, VpcPeeringConnection,
    VpcPeeringConnectionVpcInfo,
};

use super::tag_spec;
use crate::providers::aws::{carried, done, sent, tags_of};
use crate::providers::*;

/// Peering states after which a peering can never carry traffic again.
const PEERING_GONE: &[&str] = &["deleted", "deleting", "rejected", "failed", "expired"];

fn status_of(p: &VpcPeeringConnection) -> Option<String> {
    p.status()
        .and_then(|s| s.code())
        .map(|c| c.as_str().to_string())
}

/// What describing a peering answers, in the engine's terms; nothing for an ended one.
pub(super) fn peering_of(p: &VpcPeeringConnection) -> Option<PeeringInfo> {
    let status = status_of(p).unwrap_or_default();
    // Ended peerings stay listed for days; a route to one is a route to nowhere.
    if PEERING_GONE.contains(&status.as_str()) {
        return None;
    }
    let requester = p.requester_vpc_info();
    let accepter = p.accepter_vpc_info();
    let vpc = |info: Option<&VpcPeeringConnectionVpcInfo>| {
        info.and_then(|i| i.vpc_id())
            .unwrap_or_default()
            .to_string()
    };
    let region = |info: Option<&VpcPeeringConnectionVpcInfo>| {
        info.and_then(|i| i.region()).map(str::to_string)
    };
    let dns = |info: Option<&VpcPeeringConnectionVpcInfo>| {
        info.and_then(|i| i.peering_options())
            .and_then(|o| o.allow_dns_resolution_from_remote_vpc())
            .unwrap_or(false)
    };
    Some(PeeringInfo {
        id: p
            .vpc_peering_connection_id()
            .unwrap_or_default()
            .to_string(),
        requester_vpc: vpc(requester),
        requester_region: region(requester),
        accepter_vpc: vpc(accepter),
        accepter_region: region(accepter),
        status,
        requester_dns: dns(requester),
        accepter_dns: dns(accepter),
        tags: tags_of(p.tags()),
    })
}

pub(super) async fn create(
    c: &Client,
    vpc: &str,
    peer_vpc: &str,
    peer_region: &str,
    tags: &Tags,
) -> Result<String> {
    let out = sent(
        c.create_vpc_peering_connection()
            .vpc_id(vpc)
            .peer_vpc_id(peer_vpc)
            .peer_region(peer_region)
            .tag_specifications(tag_spec(ResourceType::VpcPeeringConnection, tags)?)
            .customize()
            .config_override(super::once())
            .send(),
    )
    .await?;
    carried(&out, "id", |o| {
        o.vpc_peering_connection()?.vpc_peering_connection_id()
    })
}

pub(super) async fn accept(c: &Client, peering: &str) -> Result<()> {
    done(
        c.accept_vpc_peering_connection()
            .vpc_peering_connection_id(peering)
            .send(),
    )
    .await
}

async fn status(c: &Client, peering: &str) -> Result<Option<String>> {
    let out = sent(
        c.describe_vpc_peering_connections()
            .vpc_peering_connection_ids(peering)
            .send(),
    )
    .await?;
    Ok(out.vpc_peering_connections().first().and_then(status_of))
}

/// No SDK waiter waits for `active` (only for existence), so this polls with backoff.
pub(super) async fn wait_active(c: &Client, peering: &str, max: Duration) -> Result<()> {
    const WAIT: &str = "wait VpcPeeringActive";
    let started = tokio::time::Instant::now();
    let mut delay = Duration::from_secs(2);
    loop {
        match status(c, peering).await?.as_deref() {
            Some("active") => return Ok(()),
            Some(s @ ("failed" | "rejected" | "expired" | "deleted")) => {
                let why = format!("{peering} is {s}");
                return Err(ProviderError::new(ErrorKind::InvalidState, WAIT, why));
            }
            _ => {}
        }
        if started.elapsed() + delay > max {
            let why = format!("{peering} not active after {}s", max.as_secs());
            return Err(ProviderError::new(ErrorKind::Other, WAIT, why));
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(15));
    }
}

pub(super) async fn set_dns(
    c: &Client,
    peering: &str,
    side: PeeringSideRef,
    on: bool,
) -> Result<()> {
    let options = PeeringConnectionOptionsRequest::builder()
        .allow_dns_resolution_from_remote_vpc(on)
        .build();
    let call = c
        .modify_vpc_peering_connection_options()
        .vpc_peering_connection_id(peering);
    let call = match side {
        PeeringSideRef::Requester => call.requester_peering_connection_options(options),
        PeeringSideRef::Accepter => call.accepter_peering_connection_options(options),
    };
    done(call.send()).await
}

pub(super) async fn delete(c: &Client, peering: &str) -> Result<()> {
    done(
        c.delete_vpc_peering_connection()
            .vpc_peering_connection_id(peering)
            .send(),
    )
    .await
}
