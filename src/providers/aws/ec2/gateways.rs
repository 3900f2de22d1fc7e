//! Internet gateways, Elastic IP addresses and NAT gateways.

use std::time::Duration;

use aws_sdk_ec2::Client;
use aws_sdk_ec2::client::Waiters;
use aws_sdk_ec2::error::ProvideErrorMetadata;
use aws_sdk_ec2::types::{DomainType, NatGateway, ResourceType};

use super::{filter, tag_spec};
use crate::providers::aws::{carried, classify, done, every, sent, waited};
use crate::providers::*;

pub(super) async fn create_internet_gateway(c: &Client, tags: &Tags) -> Result<String> {
    let tags = tag_spec(ResourceType::InternetGateway, tags)?;
    let out = sent(
        c.create_internet_gateway()
            .tag_specifications(tags)
            .customize()
            .config_override(super::once())
            .send(),
    )
    .await?;
    carried(&out, "id", |o| o.internet_gateway()?.internet_gateway_id())
}

pub(super) async fn attach_internet_gateway(c: &Client, igw: &str, vpc: &str) -> Result<()> {
    done(
        c.attach_internet_gateway()
            .internet_gateway_id(igw)
            .vpc_id(vpc)
            .send(),
    )
    .await
}

pub(super) async fn detach_internet_gateway(c: &Client, igw: &str, vpc: &str) -> Result<()> {
    done(
        c.detach_internet_gateway()
            .internet_gateway_id(igw)
            .vpc_id(vpc)
            .send(),
    )
    .await
}

pub(super) async fn delete_internet_gateway(c: &Client, igw: &str) -> Result<()> {
    done(c.delete_internet_gateway().internet_gateway_id(igw).send()).await
}

pub(super) async fn allocate_address(c: &Client, tags: &Tags) -> Result<String> {
    let tags = tag_spec(ResourceType::ElasticIp, tags)?;
    let out = sent(
        c.allocate_address()
            .domain(DomainType::Vpc)
            .tag_specifications(tags)
            .customize()
            .config_override(super::once())
            .send(),
    )
    .await?;
    carried(&out, "id", |o| o.allocation_id())
}

pub(super) async fn release_address(c: &Client, allocation: &str) -> Result<()> {
    done(c.release_address().allocation_id(allocation).send()).await
}

pub(super) async fn create_nat_gateway(
    c: &Client,
    subnet: &str,
    allocation: &str,
    tags: &Tags,
    token: &str,
) -> Result<String> {
    let tags = tag_spec(ResourceType::Natgateway, tags)?;
    let create = || {
        c.create_nat_gateway()
            .client_token(token)
            .subnet_id(subnet)
            .allocation_id(allocation)
            .tag_specifications(tags.clone())
            .send()
    };
    let out = match create().await {
        Ok(out) => out,
        Err(e) if ProvideErrorMetadata::code(&e) == Some("Resource.AlreadyAssociated") => {
            let first = classify(e);
            // A replaced gateway's address: AWS lets it go as the old gateway is deleted,
            // emulators (and AWS, for a moment) may still show it held by the deleted one.
            if !release_from_deleted_gateway(c, allocation).await? {
                return Err(first);
            }
            sent(create()).await?
        }
        Err(e) => return Err(classify(e)),
    };
    carried(&out, "id", |o| o.nat_gateway()?.nat_gateway_id())
}

/// Disassociates `allocation` if a deleted NAT gateway still holds it; whether it did.
async fn release_from_deleted_gateway(c: &Client, allocation: &str) -> Result<bool> {
    let deleted: Vec<NatGateway> = every!(
        c.describe_nat_gateways()
            .filter(filter("state", ["deleted"]))
    )
    .await?;
    let held = deleted.iter().any(|n| {
        n.nat_gateway_addresses()
            .iter()
            .any(|a| a.allocation_id() == Some(allocation))
    });
    if !held {
        return Ok(false);
    }
    let addresses = sent(c.describe_addresses().allocation_ids(allocation).send()).await?;
    let Some(association) = addresses
        .addresses()
        .first()
        .and_then(|a| a.association_id())
    else {
        return Ok(true);
    };
    done(c.disassociate_address().association_id(association).send()).await?;
    Ok(true)
}

pub(super) async fn wait_nat_gateway_available(c: &Client, nat: &str, max: Duration) -> Result<()> {
    c.wait_until_nat_gateway_available()
        .nat_gateway_ids(nat)
        .wait(max)
        .await
        .map_err(|e| waited("wait NatGatewayAvailable", e))?;
    Ok(())
}

pub(super) async fn wait_nat_gateway_deleted(c: &Client, nat: &str, max: Duration) -> Result<()> {
    c.wait_until_nat_gateway_deleted()
        .nat_gateway_ids(nat)
        .wait(max)
        .await
        .map_err(|e| waited("wait NatGatewayDeleted", e))?;
    Ok(())
}
