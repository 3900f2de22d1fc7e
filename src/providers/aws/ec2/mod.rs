//! EC2 networking on `aws-sdk-ec2`: the trait's methods, each handed to the module of what it
//! works on.

mod gateways;
mod groups;
mod instances;
mod peering;
mod routes;
mod snapshot;
mod vpcs;

use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::{Filter, ResourceType, Tag, TagSpecification};

use super::{done, retag, sdk_tags};
use crate::providers::*;

/// The configuration of a create that takes no client token: one attempt. The SDK would repeat
/// it after a 5xx answer or a timeout, making a second resource when the first call took
/// effect; the engine's policy looks for the first one instead (`retry::create`).
fn once() -> aws_sdk_ec2::config::Builder {
    aws_sdk_ec2::config::Builder::default().retry_config(aws_config::retry::RetryConfig::disabled())
}

pub struct Ec2Network {
    client: Client,
}

impl Ec2Network {
    pub fn new(client: Client) -> Self {
        Ec2Network { client }
    }
}

/// A filter on `name` matching any of `values`.
fn filter<S: Into<String>>(name: &str, values: impl IntoIterator<Item = S>) -> Filter {
    Filter::builder()
        .name(name)
        .set_values(Some(values.into_iter().map(Into::into).collect()))
        .build()
}

/// Tags for what a create call makes.
fn tag_spec(kind: ResourceType, tags: &Tags) -> Result<TagSpecification> {
    Ok(TagSpecification::builder()
        .resource_type(kind)
        .set_tags(Some(sdk_tags(tags)?))
        .build())
}

#[async_trait]
impl Network for Ec2Network {
    async fn snapshot(&self, stack: &str) -> Result<NetworkSnapshot> {
        snapshot::read(&self.client, stack).await
    }

    async fn create_vpc(&self, cidr: &str, tags: &Tags) -> Result<String> {
        vpcs::create_vpc(&self.client, cidr, tags).await
    }

    async fn set_vpc_dns(&self, vpc: &str, attribute: VpcDnsAttribute, on: bool) -> Result<()> {
        vpcs::set_vpc_dns(&self.client, vpc, attribute, on).await
    }

    async fn delete_vpc(&self, vpc: &str) -> Result<()> {
        done(self.client.delete_vpc().vpc_id(vpc).send()).await
    }

    async fn create_subnet(&self, vpc: &str, cidr: &str, az: &str, tags: &Tags) -> Result<String> {
        vpcs::create_subnet(&self.client, vpc, cidr, az, tags).await
    }

    async fn set_map_public_ip(&self, subnet: &str, on: bool) -> Result<()> {
        vpcs::set_map_public_ip(&self.client, subnet, on).await
    }

    async fn delete_subnet(&self, subnet: &str) -> Result<()> {
        done(self.client.delete_subnet().subnet_id(subnet).send()).await
    }

    async fn create_internet_gateway(&self, tags: &Tags) -> Result<String> {
        gateways::create_internet_gateway(&self.client, tags).await
    }

    async fn attach_internet_gateway(&self, igw: &str, vpc: &str) -> Result<()> {
        gateways::attach_internet_gateway(&self.client, igw, vpc).await
    }

    async fn detach_internet_gateway(&self, igw: &str, vpc: &str) -> Result<()> {
        gateways::detach_internet_gateway(&self.client, igw, vpc).await
    }

    async fn delete_internet_gateway(&self, igw: &str) -> Result<()> {
        gateways::delete_internet_gateway(&self.client, igw).await
    }

    async fn allocate_address(&self, tags: &Tags) -> Result<String> {
        gateways::allocate_address(&self.client, tags).await
    }

    async fn release_address(&self, allocation: &str) -> Result<()> {
        gateways::release_address(&self.client, allocation).await
    }

    async fn create_nat_gateway(
        &self,
        subnet: &str,
        allocation: &str,
        tags: &Tags,
        token: &str,
    ) -> Result<String> {
        gateways::create_nat_gateway(&self.client, subnet, allocation, tags, token).await
    }

    async fn wait_nat_gateway_available(&self, nat: &str, max: Duration) -> Result<()> {
        gateways::wait_nat_gateway_available(&self.client, nat, max).await
    }

    async fn delete_nat_gateway(&self, nat: &str) -> Result<()> {
        done(self.client.delete_nat_gateway().nat_gateway_id(nat).send()).await
    }

    async fn wait_nat_gateway_deleted(&self, nat: &str, max: Duration) -> Result<()> {
        gateways::wait_nat_gateway_deleted(&self.client, nat, max).await
    }

    async fn create_route_table(&self, vpc: &str, tags: &Tags) -> Result<String> {
        routes::create_route_table(&self.client, vpc, tags).await
    }

    async fn main_route_table(&self, vpc: &str) -> Result<RouteTableInfo> {
        routes::main_route_table(&self.client, vpc).await
    }

    async fn delete_route_table(&self, table: &str) -> Result<()> {
        routes::delete_route_table(&self.client, table).await
    }

    async fn create_route(
        &self,
        table: &str,
        destination: &str,
        target: &RouteTargetId,
    ) -> Result<()> {
        routes::create_route(&self.client, table, destination, target).await
    }

    async fn replace_route(
        &self,
        table: &str,
        destination: &str,
        target: &RouteTargetId,
    ) -> Result<()> {
        routes::replace_route(&self.client, table, destination, target).await
    }

    async fn delete_route(&self, table: &str, destination: &str) -> Result<()> {
        routes::delete_route(&self.client, table, destination).await
    }

    async fn associate_route_table(&self, table: &str, subnet: &str) -> Result<String> {
        routes::associate_route_table(&self.client, table, subnet).await
    }

    async fn disassociate_route_table(&self, association: &str) -> Result<()> {
        routes::disassociate_route_table(&self.client, association).await
    }

    async fn create_security_group(
        &self,
        vpc: &str,
        name: &str,
        description: &str,
        tags: &Tags,
    ) -> Result<String> {
        groups::create_security_group(&self.client, vpc, name, description, tags).await
    }

    async fn default_security_group(&self, vpc: &str) -> Result<SecurityGroupInfo> {
        groups::default_security_group(&self.client, vpc).await
    }

    async fn delete_security_group(&self, group: &str) -> Result<()> {
        done(self.client.delete_security_group().group_id(group).send()).await
    }

    async fn authorize(&self, group: &str, rule: &RuleSpec, tags: &Tags) -> Result<()> {
        groups::authorize(&self.client, group, rule, tags).await
    }

    async fn revoke(&self, group: &str, rule: &RuleSpec) -> Result<()> {
        groups::revoke(&self.client, group, rule).await
    }

    async fn create_peering(
        &self,
        vpc: &str,
        peer_vpc: &str,
        peer_region: &str,
        tags: &Tags,
    ) -> Result<String> {
        peering::create(&self.client, vpc, peer_vpc, peer_region, tags).await
    }

    async fn accept_peering(&self, peering: &str) -> Result<()> {
        peering::accept(&self.client, peering).await
    }

    async fn wait_peering_active(&self, peering: &str, max: Duration) -> Result<()> {
        peering::wait_active(&self.client, peering, max).await
    }

    async fn set_peering_dns(&self, peering: &str, side: PeeringSideRef, on: bool) -> Result<()> {
        peering::set_dns(&self.client, peering, side, on).await
    }

    async fn delete_peering(&self, peering: &str) -> Result<()> {
        peering::delete(&self.client, peering).await
    }

    async fn create_launch_template(
        &self,
        name: &str,
        groups: &[String],
        imdsv2_required: bool,
        hop_limit: u8,
        tags: &Tags,
    ) -> Result<String> {
        instances::create_launch_template(
            &self.client,
            name,
            groups,
            imdsv2_required,
            hop_limit,
            tags,
        )
        .await
    }

    async fn delete_launch_template(&self, id: &str) -> Result<()> {
        instances::delete_launch_template(&self.client, id).await
    }

    async fn vpc_contents(&self, vpc: &str) -> Result<Vec<String>> {
        vpcs::contents(&self.client, vpc).await
    }

    async fn leftovers(
        &self,
        vpcs: &[String],
    ) -> Result<(Vec<InterfaceInfo>, Vec<SecurityGroupInfo>)> {
        groups::leftovers(&self.client, vpcs).await
    }

    async fn delete_network_interface(&self, id: &str) -> Result<()> {
        groups::delete_network_interface(&self.client, id).await
    }

    async fn node_instances(&self, cluster: &str) -> Result<Vec<NodeInstance>> {
        instances::node_instances(&self.client, cluster).await
    }

    async fn create_flow_log(
        &self,
        vpc: &str,
        log_group: &str,
        role_arn: &str,
        traffic_type: &str,
        tags: &Tags,
    ) -> Result<String> {
        instances::create_flow_log(&self.client, vpc, log_group, role_arn, traffic_type, tags).await
    }

    async fn delete_flow_log(&self, id: &str) -> Result<()> {
        instances::delete_flow_log(&self.client, id).await
    }

    async fn set_tags(&self, resource: &str, add: &Tags, remove: &[String]) -> Result<()> {
        let c = &self.client;
        // EC2 removes tags by key: tags without values.
        let keys = remove
            .iter()
            .map(|k| Tag::builder().key(k).build())
            .collect();
        retag(
            remove,
            done(
                c.delete_tags()
                    .resources(resource)
                    .set_tags(Some(keys))
                    .send(),
            ),
            add,
            async {
                let tags = sdk_tags(add)?;
                done(
                    c.create_tags()
                        .resources(resource)
                        .set_tags(Some(tags))
                        .send(),
                )
                .await
            },
        )
        .await
    }
}
