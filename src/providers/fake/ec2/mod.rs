//! The fake world's EC2 networking: the trait's methods, each handed to the module of what it
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

use super::*;
use crate::providers::*;

const EC2: &str = "EC2";

#[async_trait]
impl Network for FakeRegion {
    async fn snapshot(&self, stack: &str) -> Result<NetworkSnapshot> {
        snapshot::read(self, stack).await
    }

    async fn create_vpc(&self, cidr: &str, tags: &Tags) -> Result<String> {
        vpcs::create_vpc(self, cidr, tags).await
    }

    async fn set_vpc_dns(&self, vpc: &str, attribute: VpcDnsAttribute, on: bool) -> Result<()> {
        vpcs::set_vpc_dns(self, vpc, attribute, on).await
    }

    async fn delete_vpc(&self, vpc: &str) -> Result<()> {
        vpcs::delete_vpc(self, vpc).await
    }

    async fn create_subnet(&self, vpc: &str, cidr: &str, az: &str, tags: &Tags) -> Result<String> {
        vpcs::create_subnet(self, vpc, cidr, az, tags).await
    }

    async fn set_map_public_ip(&self, subnet: &str, on: bool) -> Result<()> {
        vpcs::set_map_public_ip(self, subnet, on).await
    }

    async fn delete_subnet(&self, subnet: &str) -> Result<()> {
        vpcs::delete_subnet(self, subnet).await
    }

    async fn create_internet_gateway(&self, tags: &Tags) -> Result<String> {
        gateways::create_internet_gateway(self, tags).await
    }

    async fn attach_internet_gateway(&self, igw: &str, vpc: &str) -> Result<()> {
        gateways::attach_internet_gateway(self, igw, vpc).await
    }

    async fn detach_internet_gateway(&self, igw: &str, vpc: &str) -> Result<()> {
        gateways::detach_internet_gateway(self, igw, vpc).await
    }

    async fn delete_internet_gateway(&self, igw: &str) -> Result<()> {
        gateways::delete_internet_gateway(self, igw).await
    }

    async fn allocate_address(&self, tags: &Tags) -> Result<String> {
        gateways::allocate_address(self, tags).await
    }

    async fn release_address(&self, allocation: &str) -> Result<()> {
        gateways::release_address(self, allocation).await
    }

    async fn create_nat_gateway(
        &self,
        subnet: &str,
        allocation: &str,
        tags: &Tags,
        token: &str,
    ) -> Result<String> {
        gateways::create_nat_gateway(self, subnet, allocation, tags, token).await
    }

    async fn wait_nat_gateway_available(&self, nat: &str, max: Duration) -> Result<()> {
        gateways::wait_nat_gateway_available(self, nat, max).await
    }

    async fn delete_nat_gateway(&self, nat: &str) -> Result<()> {
        gateways::delete_nat_gateway(self, nat).await
    }

    async fn wait_nat_gateway_deleted(&self, nat: &str, max: Duration) -> Result<()> {
        gateways::wait_nat_gateway_deleted(self, nat, max).await
    }

    async fn create_route_table(&self, vpc: &str, tags: &Tags) -> Result<String> {
        routes::create_route_table(self, vpc, tags).await
    }

    async fn main_route_table(&self, vpc: &str) -> Result<RouteTableInfo> {
        routes::main_route_table(self, vpc).await
    }

    async fn delete_route_table(&self, table: &str) -> Result<()> {
        routes::delete_route_table(self, table).await
    }

    async fn create_route(
        &self,
        table: &str,
        destination: &str,
        target: &RouteTargetId,
    ) -> Result<()> {
        routes::create_route(self, table, destination, target).await
    }

    async fn replace_route(
        &self,
        table: &str,
        destination: &str,
        target: &RouteTargetId,
    ) -> Result<()> {
        routes::replace_route(self, table, destination, target).await
    }

    async fn delete_route(&self, table: &str, destination: &str) -> Result<()> {
        routes::delete_route(self, table, destination).await
    }

    async fn associate_route_table(&self, table: &str, subnet: &str) -> Result<String> {
        routes::associate_route_table(self, table, subnet).await
    }

    async fn disassociate_route_table(&self, association: &str) -> Result<()> {
        routes::disassociate_route_table(self, association).await
    }

    async fn create_security_group(
        &self,
        vpc: &str,
        name: &str,
        description: &str,
        tags: &Tags,
    ) -> Result<String> {
        groups::create_security_group(self, vpc, name, description, tags).await
    }

    async fn default_security_group(&self, vpc: &str) -> Result<SecurityGroupInfo> {
        groups::default_security_group(self, vpc).await
    }

    async fn delete_security_group(&self, group: &str) -> Result<()> {
        groups::delete_security_group(self, group).await
    }

    async fn authorize(&self, group: &str, rule: &RuleSpec, _tags: &Tags) -> Result<()> {
        groups::authorize(self, group, rule, _tags).await
    }

    async fn revoke(&self, group: &str, rule: &RuleSpec) -> Result<()> {
        groups::revoke(self, group, rule).await
    }

    async fn create_peering(
        &self,
        vpc: &str,
        peer_vpc: &str,
        peer_region: &str,
        tags: &Tags,
    ) -> Result<String> {
        peering::create_peering(self, vpc, peer_vpc, peer_region, tags).await
    }

    async fn accept_peering(&self, peering: &str) -> Result<()> {
        peering::accept_peering(self, peering).await
    }

    async fn wait_peering_active(&self, peering: &str, max: Duration) -> Result<()> {
        peering::wait_peering_active(self, peering, max).await
    }

    async fn set_peering_dns(&self, peering: &str, side: PeeringSideRef, on: bool) -> Result<()> {
        peering::set_peering_dns(self, peering, side, on).await
    }

    async fn delete_peering(&self, peering: &str) -> Result<()> {
        peering::delete_peering(self, peering).await
    }

    async fn create_launch_template(
        &self,
        name: &str,
        groups: &[String],
        imdsv2_required: bool,
        hop_limit: u8,
        tags: &Tags,
    ) -> Result<String> {
        instances::create_launch_template(self, name, groups, imdsv2_required, hop_limit, tags)
            .await
    }

    async fn delete_launch_template(&self, id: &str) -> Result<()> {
        instances::delete_launch_template(self, id).await
    }

    async fn vpc_contents(&self, vpc: &str) -> Result<Vec<String>> {
        vpcs::vpc_contents(self, vpc).await
    }

    async fn leftovers(
        &self,
        vpcs: &[String],
    ) -> Result<(Vec<InterfaceInfo>, Vec<SecurityGroupInfo>)> {
        groups::leftovers(self, vpcs).await
    }

    async fn delete_network_interface(&self, id: &str) -> Result<()> {
        groups::delete_network_interface(self, id).await
    }

    async fn node_instances(&self, cluster: &str) -> Result<Vec<NodeInstance>> {
        instances::node_instances(self, cluster).await
    }

    async fn create_flow_log(
        &self,
        vpc: &str,
        log_group: &str,
        role_arn: &str,
        traffic_type: &str,
        tags: &Tags,
    ) -> Result<String> {
        instances::create_flow_log(self, vpc, log_group, role_arn, traffic_type, tags).await
    }

    async fn delete_flow_log(&self, id: &str) -> Result<()> {
        instances::delete_flow_log(self, id).await
    }

    async fn set_tags(&self, resource: &str, add: &Tags, remove: &[String]) -> Result<()> {
        let op = self.call(EC2, "CreateTags").await?;
        self.with(op, |s, lag| {
            let region = self.region.clone();
            // A peering has a side, and tags, in each region.
            if let Some(p) = s
                .peerings
                .get_mut(resource)
                .filter(|p| visible(&p.life, lag))
            {
                let tags = if p.requester_region == region {
                    &mut p.requester_tags
                } else {
                    &mut p.accepter_tags
                };
                retag(tags, add, remove);
                return Ok(());
            }
            let r = self.here(s);
            let tags = tags_of(&mut r.vpcs, resource)
                .or_else(|| tags_of(&mut r.subnets, resource))
                .or_else(|| tags_of(&mut r.gateways, resource))
                .or_else(|| tags_of(&mut r.addresses, resource))
                .or_else(|| tags_of(&mut r.nats, resource))
                .or_else(|| tags_of(&mut r.tables, resource))
                .or_else(|| tags_of(&mut r.groups, resource))
                .or_else(|| tags_of(&mut r.templates, resource))
                .ok_or_else(|| op.not_found(resource))?;
            retag(tags, add, remove);
            Ok(())
        })
    }
}
