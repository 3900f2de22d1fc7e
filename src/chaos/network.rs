//! `az-outage`: one AZ's private subnets of a region cut off by a network ACL that denies
//! everything, for a while, then their own ACLs put back and it deleted. The ACL is tagged
//! with the stack, the experiment and what to put back (`multiregion:chaos-restore`), so
//! `chaos --cleanup` and `down` find and undo one a killed run left.

use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::{Filter, ResourceType, RuleAction, Tag, TagSpecification};
use tokio::sync::Mutex;

use super::run::Fault;
use crate::model::{TAG_ID, TAG_STACK};

pub const TAG_CHAOS: &str = "multiregion:chaos";
/// `subnet-a=acl-a,subnet-b=acl-b`: each blocked subnet and the ACL it had.
pub const TAG_RESTORE: &str = "multiregion:chaos-restore";

pub struct AzOutage {
    pub ec2: Client,
    pub stack: String,
    /// The stack's region name (`c2`) and its AWS region, for ids and messages.
    pub region: String,
    pub aws_region: String,
    /// 1-based AZ index of the stack's subnets.
    pub az: usize,
    pub lasts: Duration,
    pub acl: Mutex<Option<String>>,
}

fn error(what: &str, e: impl std::error::Error) -> String {
    format!("{what}: {}", crate::errors::error_chain(&e))
}

#[async_trait]
impl Fault for AzOutage {
    /// The cluster side is not read: on AWS the probe (`--url`) shows the traffic's loss and
    /// recovery; on an emulator there is no traffic to lose.
    async fn healthy(&self) -> Result<bool, String> {
        Ok(true)
    }

    async fn inject(&self) -> Result<String, String> {
        let id = crate::model::ids::subnet(&self.region, "private", self.az);
        let subnets = self
            .ec2
            .describe_subnets()
            .filters(tag_filter(TAG_STACK, &self.stack))
            .filters(tag_filter(TAG_ID, &id))
            .send()
            .await
            .map_err(|e| error("finding the private subnet", e))?;
        let subnet = subnets.subnets().first().ok_or_else(|| {
            format!(
                "the stack has no subnet {id} in {}: run `up` first",
                self.aws_region
            )
        })?;
        let (subnet_id, vpc) = (
            subnet.subnet_id().unwrap_or_default().to_string(),
            subnet.vpc_id().unwrap_or_default().to_string(),
        );
        let zone = subnet.availability_zone().unwrap_or_default().to_string();
        let (association, original) = association_of(&self.ec2, &subnet_id).await?;
        let restore = format!("{subnet_id}={original}");
        let tags = TagSpecification::builder()
            .resource_type(ResourceType::NetworkAcl)
            .tags(tag(TAG_STACK, &self.stack))
            .tags(tag(TAG_CHAOS, "az-outage"))
            .tags(tag(TAG_RESTORE, &restore))
            .tags(tag(
                "Name",
                &format!("{}-chaos-az-outage-{zone}", self.stack),
            ))
            .build();
        let made = self
            .ec2
            .create_network_acl()
            .vpc_id(&vpc)
            .tag_specifications(tags)
            .send()
            .await
            .map_err(|e| error("creating the blocking network ACL", e))?;
        let acl = made
            .network_acl()
            .and_then(|a| a.network_acl_id())
            .ok_or("CreateNetworkAcl answered no id")?
            .to_string();
        *self.acl.lock().await = Some(acl.clone());
        for egress in [false, true] {
            self.ec2
                .create_network_acl_entry()
                .network_acl_id(&acl)
                .rule_number(1)
                .protocol("-1")
                .rule_action(RuleAction::Deny)
                .egress(egress)
                .cidr_block("0.0.0.0/0")
                .send()
                .await
                .map_err(|e| error("adding the deny-all rule", e))?;
        }
        self.ec2
            .replace_network_acl_association()
            .association_id(&association)
            .network_acl_id(&acl)
            .send()
            .await
            .map_err(|e| error("associating the blocking ACL", e))?;
        Ok(format!(
            "blocked private subnet {subnet_id} ({zone}) of {} with network ACL {acl} (deny all)",
            self.aws_region
        ))
    }

    async fn rollback(&self) -> Result<String, String> {
        let Some(acl) = self.acl.lock().await.clone() else {
            return Ok("no network ACL was made".into());
        };
        undo(&self.ec2, &acl).await?;
        Ok(format!("put the subnets' own ACLs back and deleted {acl}"))
    }

    fn lasts(&self) -> Option<Duration> {
        Some(self.lasts)
    }
}

fn tag(key: &str, value: &str) -> Tag {
    Tag::builder().key(key).value(value).build()
}

fn tag_filter(key: &str, value: &str) -> Filter {
    Filter::builder()
        .name(format!("tag:{key}"))
        .values(value)
        .build()
}

/// The subnet's ACL association and the ACL it names.
async fn association_of(ec2: &Client, subnet: &str) -> Result<(String, String), String> {
    let acls = ec2
        .describe_network_acls()
        .filters(
            Filter::builder()
                .name("association.subnet-id")
                .values(subnet)
                .build(),
        )
        .send()
        .await
        .map_err(|e| error("reading the subnet's network ACL", e))?;
    acls.network_acls()
        .iter()
        .flat_map(|a| a.associations())
        .find(|a| a.subnet_id() == Some(subnet))
        .and_then(|a| {
            Some((
                a.network_acl_association_id()?.to_string(),
                a.network_acl_id()?.to_string(),
            ))
        })
        .ok_or_else(|| format!("subnet {subnet} has no network ACL association"))
}

/// Puts back each subnet's own ACL from the blocking ACL's restore tag, then deletes it.
async fn undo(ec2: &Client, acl: &str) -> Result<(), String> {
    let found = ec2
        .describe_network_acls()
        .network_acl_ids(acl)
        .send()
        .await
        .map_err(|e| error("reading the blocking network ACL", e))?;
    let Some(blocking) = found.network_acls().first() else {
        return Ok(());
    };
    let restore = blocking
        .tags()
        .iter()
        .find(|t| t.key() == Some(TAG_RESTORE))
        .and_then(|t| t.value())
        .unwrap_or_default();
    for pair in restore.split(',').filter(|p| !p.is_empty()) {
        let Some((subnet, original)) = pair.split_once('=') else {
            continue;
        };
        let Some(association) = blocking
            .associations()
            .iter()
            .find(|a| a.subnet_id() == Some(subnet))
            .and_then(|a| a.network_acl_association_id())
        else {
            continue;
        };
        ec2.replace_network_acl_association()
            .association_id(association)
            .network_acl_id(original)
            .send()
            .await
            .map_err(|e| error(&format!("putting {original} back on {subnet}"), e))?;
    }
    ec2.delete_network_acl()
        .network_acl_id(acl)
        .send()
        .await
        .map_err(|e| error(&format!("deleting network ACL {acl}"), e))?;
    Ok(())
}

/// Undoes every blocking ACL of the stack an experiment left in the region.
pub async fn cleanup(ec2: &Client, stack: &str, aws_region: &str) -> Result<Vec<String>, String> {
    let found = ec2
        .describe_network_acls()
        .filters(tag_filter(TAG_STACK, stack))
        .filters(Filter::builder().name("tag-key").values(TAG_CHAOS).build())
        .send()
        .await
        .map_err(|e| error("listing the experiments' network ACLs", e))?;
    let mut done = Vec::new();
    for acl in found.network_acls() {
        let Some(id) = acl.network_acl_id() else {
            continue;
        };
        undo(ec2, id).await?;
        done.push(format!(
            "removed network ACL {id} of an az-outage in {aws_region}"
        ));
    }
    Ok(done)
}
