//! EC2 networking on `aws-sdk-ec2`.

use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_ec2::Client;
use aws_sdk_ec2::client::Waiters;
use aws_sdk_ec2::error::ProvideErrorMetadata;
use aws_sdk_ec2::types::{
    AttributeBooleanValue, AvailabilityZoneOptInStatus, AvailabilityZoneState, Filter,
    IpPermission, IpRange, LaunchTemplateHttpTokensState,
    LaunchTemplateInstanceMetadataEndpointState, LaunchTemplateInstanceMetadataOptionsRequest,
    NatGatewayState, PeeringConnectionOptionsRequest, RequestLaunchTemplateData, ResourceType, Tag,
    TagSpecification, UserIdGroupPair, VpcAttributeName,
};

use super::{answered, carried, classify, operation_of};
use crate::model::TAG_STACK;
use crate::providers::*;
use aws_sdk_ec2::operation::create_route::CreateRouteOutput;
use aws_sdk_ec2::operation::describe_security_groups::DescribeSecurityGroupsOutput;
use aws_sdk_ec2::operation::replace_route::ReplaceRouteOutput;

pub struct Ec2Network {
    client: Client,
}

impl Ec2Network {
    pub fn new(client: Client) -> Self {
        Ec2Network { client }
    }
}

/// Peering states after which a peering can never carry traffic again.
const PEERING_GONE: &[&str] = &["deleted", "deleting", "rejected", "failed", "expired"];

fn stack_filter(stack: &str) -> Filter {
    Filter::builder()
        .name(format!("tag:{TAG_STACK}"))
        .values(stack)
        .build()
}

fn tags_of(tags: &[Tag]) -> Tags {
    tags.iter()
        .filter_map(|t| {
            Some((
                t.key()?.to_string(),
                t.value().unwrap_or_default().to_string(),
            ))
        })
        .collect()
}

/// Server-side filters are an optimisation; this keeps the answer right where they are ignored.
fn owned(tags: &Tags, stack: &str) -> bool {
    tags.get(TAG_STACK).map(String::as_str) == Some(stack)
}

fn tag_spec(kind: ResourceType, tags: &Tags) -> TagSpecification {
    TagSpecification::builder()
        .resource_type(kind)
        .set_tags(Some(to_sdk_tags(tags)))
        .build()
}

fn to_sdk_tags(tags: &Tags) -> Vec<Tag> {
    tags.iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect()
}

fn flag(on: bool) -> AttributeBooleanValue {
    AttributeBooleanValue::builder().value(on).build()
}

fn permission(rule: &RuleSpec) -> IpPermission {
    let mut p = IpPermission::builder().ip_protocol(&rule.protocol);
    if let Some(from) = rule.from_port {
        p = p.from_port(from);
    }
    if let Some(to) = rule.to_port {
        p = p.to_port(to);
    }
    match &rule.peer {
        RulePeerId::Cidr(cidr) => p.ip_ranges(
            IpRange::builder()
                .cidr_ip(cidr)
                .set_description(rule.description.clone())
                .build(),
        ),
        RulePeerId::Group(group) => p.user_id_group_pairs(
            UserIdGroupPair::builder()
                .group_id(group)
                .set_description(rule.description.clone())
                .build(),
        ),
    }
    .build()
}

/// One rule per (permission, peer), the shape the engine compares.
fn rules_of(permissions: &[IpPermission], egress: bool) -> Vec<RuleSpec> {
    let mut rules = Vec::new();
    for p in permissions {
        let protocol = p.ip_protocol().unwrap_or("-1").to_string();
        let (from_port, to_port) = if protocol == "-1" {
            (None, None)
        } else {
            (p.from_port(), p.to_port())
        };
        let base = |peer, description: Option<&str>| RuleSpec {
            egress,
            protocol: protocol.clone(),
            from_port,
            to_port,
            peer,
            description: description.map(str::to_string),
        };
        for range in p.ip_ranges() {
            if let Some(cidr) = range.cidr_ip() {
                rules.push(base(
                    RulePeerId::Cidr(cidr.to_string()),
                    range.description(),
                ));
            }
        }
        for range in p.ipv6_ranges() {
            if let Some(cidr) = range.cidr_ipv6() {
                rules.push(base(
                    RulePeerId::Cidr(cidr.to_string()),
                    range.description(),
                ));
            }
        }
        for pair in p.user_id_group_pairs() {
            if let Some(group) = pair.group_id() {
                rules.push(base(
                    RulePeerId::Group(group.to_string()),
                    pair.description(),
                ));
            }
        }
    }
    rules
}

fn group_of(g: &aws_sdk_ec2::types::SecurityGroup) -> SecurityGroupInfo {
    let mut rules = rules_of(g.ip_permissions(), false);
    rules.extend(rules_of(g.ip_permissions_egress(), true));
    SecurityGroupInfo {
        id: g.group_id().unwrap_or_default().to_string(),
        vpc_id: g.vpc_id().unwrap_or_default().to_string(),
        name: g.group_name().unwrap_or_default().to_string(),
        description: g.description().unwrap_or_default().to_string(),
        rules,
        tags: tags_of(g.tags()),
    }
}

fn table_of(t: &aws_sdk_ec2::types::RouteTable) -> RouteTableInfo {
    RouteTableInfo {
        id: t.route_table_id().unwrap_or_default().to_string(),
        vpc_id: t.vpc_id().unwrap_or_default().to_string(),
        // Routes to prefix lists (gateway endpoints) have no block and are not the stack's.
        routes: t
            .routes()
            .iter()
            .filter_map(|r| {
                Some(RouteInfo {
                    destination: r.destination_cidr_block()?.to_string(),
                    target: target_of(r),
                })
            })
            .collect(),
        associations: t
            .associations()
            .iter()
            .map(|a| RouteTableAssociationInfo {
                id: a
                    .route_table_association_id()
                    .unwrap_or_default()
                    .to_string(),
                subnet_id: a.subnet_id().map(str::to_string),
                main: a.main().unwrap_or(false),
            })
            .collect(),
        tags: tags_of(t.tags()),
    }
}

fn target_of(route: &aws_sdk_ec2::types::Route) -> RouteTargetId {
    if let Some(nat) = route.nat_gateway_id() {
        return RouteTargetId::NatGateway(nat.to_string());
    }
    if let Some(pcx) = route.vpc_peering_connection_id() {
        return RouteTargetId::Peering(pcx.to_string());
    }
    match route.gateway_id() {
        Some("local") => RouteTargetId::Local,
        Some(gw) if gw.starts_with("igw-") => RouteTargetId::Gateway(gw.to_string()),
        Some(other) => RouteTargetId::Other(other.to_string()),
        None => RouteTargetId::Other("unknown".to_string()),
    }
}

fn not_ok(operation: &'static str, message: String) -> ProviderError {
    ProviderError::new(ErrorKind::Other, operation, message)
}

impl Ec2Network {
    async fn availability_zones(&self) -> Result<Vec<String>> {
        let out = self
            .client
            .describe_availability_zones()
            .send()
            .await
            .map_err(classify)?;
        let mut zones: Vec<String> = out
            .availability_zones()
            .iter()
            .filter(|z| z.state() == Some(&AvailabilityZoneState::Available))
            .filter(|z| z.zone_type().is_none_or(|t| t == "availability-zone"))
            .filter(|z| {
                z.opt_in_status()
                    .is_none_or(|s| *s == AvailabilityZoneOptInStatus::OptInNotRequired)
            })
            .filter_map(|z| z.zone_name().map(str::to_string))
            .collect();
        zones.sort();
        Ok(zones)
    }

    async fn vpc_dns(&self, vpc: &str) -> Result<(bool, bool)> {
        let ask = |attribute: VpcAttributeName| {
            self.client
                .describe_vpc_attribute()
                .vpc_id(vpc)
                .attribute(attribute)
                .send()
        };
        let (support, hostnames) = futures::try_join!(
            ask(VpcAttributeName::EnableDnsSupport),
            ask(VpcAttributeName::EnableDnsHostnames)
        )
        .map_err(classify)?;
        Ok((
            support
                .enable_dns_support()
                .and_then(|a| a.value())
                .unwrap_or(false),
            hostnames
                .enable_dns_hostnames()
                .and_then(|a| a.value())
                .unwrap_or(false),
        ))
    }

    /// Every flow log on the stack's VPCs, whoever made it: one filtered call.
    async fn flow_logs(&self, vpc_ids: &[String]) -> Result<Vec<FlowLogInfo>> {
        if vpc_ids.is_empty() {
            return Ok(Vec::new());
        }
        let logs = self
            .client
            .describe_flow_logs()
            .filter(
                Filter::builder()
                    .name("resource-id")
                    .set_values(Some(vpc_ids.to_vec()))
                    .build(),
            )
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(classify)?;
        Ok(logs
            .into_iter()
            .map(|f| FlowLogInfo {
                id: f.flow_log_id().unwrap_or_default().to_string(),
                resource_id: f.resource_id().unwrap_or_default().to_string(),
                log_group: f.log_group_name().map(str::to_string),
                traffic_type: f
                    .traffic_type()
                    .map(|t| t.as_str().to_string())
                    .unwrap_or_default(),
                tags: tags_of(f.tags()),
            })
            .collect())
    }

    async fn default_groups(&self, vpcs: &[String]) -> Result<Vec<SecurityGroupInfo>> {
        if vpcs.is_empty() {
            return Ok(Vec::new());
        }
        let groups = self
            .client
            .describe_security_groups()
            .filters(
                Filter::builder()
                    .name("vpc-id")
                    .set_values(Some(vpcs.to_vec()))
                    .build(),
            )
            .filters(
                Filter::builder()
                    .name("group-name")
                    .values("default")
                    .build(),
            )
            .send()
            .await
            .map_err(classify)?;
        Ok(groups
            .security_groups()
            .iter()
            .map(group_of)
            .filter(|g| g.name == "default" && vpcs.contains(&g.vpc_id))
            .collect())
    }

    /// Disassociates `allocation` if a deleted NAT gateway still holds it; whether it did.
    async fn release_from_deleted_gateway(&self, allocation: &str) -> Result<bool> {
        let deleted: Vec<aws_sdk_ec2::types::NatGateway> = self
            .client
            .describe_nat_gateways()
            .filter(Filter::builder().name("state").values("deleted").build())
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(classify)?;
        let held = deleted.iter().any(|n| {
            n.nat_gateway_addresses()
                .iter()
                .any(|a| a.allocation_id() == Some(allocation))
        });
        if !held {
            return Ok(false);
        }
        let addresses = self
            .client
            .describe_addresses()
            .allocation_ids(allocation)
            .send()
            .await
            .map_err(classify)?;
        let Some(association) = addresses
            .addresses()
            .first()
            .and_then(|a| a.association_id())
        else {
            return Ok(true);
        };
        self.client
            .disassociate_address()
            .association_id(association)
            .send()
            .await
            .map_err(classify)?;
        Ok(true)
    }

    async fn launch_template(
        &self,
        t: &aws_sdk_ec2::types::LaunchTemplate,
    ) -> Result<LaunchTemplateInfo> {
        let id = t.launch_template_id().unwrap_or_default();
        let out = self
            .client
            .describe_launch_template_versions()
            .launch_template_id(id)
            .versions("$Latest")
            .send()
            .await
            .map_err(classify)?;
        let data = out
            .launch_template_versions()
            .first()
            .and_then(|v| v.launch_template_data());
        let metadata = data.and_then(|d| d.metadata_options());
        Ok(LaunchTemplateInfo {
            id: id.to_string(),
            name: t.launch_template_name().unwrap_or_default().to_string(),
            security_groups: data
                .map(|d| d.security_group_ids().to_vec())
                .unwrap_or_default(),
            imdsv2_required: metadata.and_then(|m| m.http_tokens())
                == Some(&LaunchTemplateHttpTokensState::Required),
            hop_limit: metadata
                .and_then(|m| m.http_put_response_hop_limit())
                .unwrap_or(1)
                .clamp(0, 64) as u8,
            tags: tags_of(t.tags()),
        })
    }

    async fn peering_status(&self, peering: &str) -> Result<Option<String>> {
        let out = self
            .client
            .describe_vpc_peering_connections()
            .vpc_peering_connection_ids(peering)
            .send()
            .await
            .map_err(classify)?;
        Ok(out
            .vpc_peering_connections()
            .first()
            .and_then(|p| p.status())
            .and_then(|s| s.code())
            .map(|c| c.as_str().to_string()))
    }
}

#[async_trait]
impl Network for Ec2Network {
    async fn snapshot(&self, stack: &str) -> Result<NetworkSnapshot> {
        let c = &self.client;
        let vpcs = c
            .describe_vpcs()
            .filters(stack_filter(stack))
            .into_paginator()
            .items()
            .send()
            .try_collect();
        let subnets = c
            .describe_subnets()
            .filters(stack_filter(stack))
            .into_paginator()
            .items()
            .send()
            .try_collect();
        let igws = c
            .describe_internet_gateways()
            .filters(stack_filter(stack))
            .into_paginator()
            .items()
            .send()
            .try_collect();
        let addresses = c.describe_addresses().filters(stack_filter(stack)).send();
        let nats = c
            .describe_nat_gateways()
            .filter(stack_filter(stack))
            .into_paginator()
            .items()
            .send()
            .try_collect();
        let tables = c
            .describe_route_tables()
            .filters(stack_filter(stack))
            .into_paginator()
            .items()
            .send()
            .try_collect();
        let groups = c
            .describe_security_groups()
            .filters(stack_filter(stack))
            .into_paginator()
            .items()
            .send()
            .try_collect();
        let peerings = c
            .describe_vpc_peering_connections()
            .filters(stack_filter(stack))
            .into_paginator()
            .items()
            .send()
            .try_collect();
        let templates = c
            .describe_launch_templates()
            .filters(stack_filter(stack))
            .into_paginator()
            .items()
            .send()
            .try_collect();
        let (azs, vpcs, subnets, igws, addresses, nats, tables, groups, peerings, templates) = futures::join!(
            self.availability_zones(),
            vpcs,
            subnets,
            igws,
            addresses,
            nats,
            tables,
            groups,
            peerings,
            templates
        );
        let mut snap = NetworkSnapshot {
            azs: azs?,
            ..Default::default()
        };
        for v in vpcs.map_err(classify)? {
            let tags = tags_of(v.tags());
            if owned(&tags, stack) {
                snap.vpcs.push(VpcInfo {
                    id: v.vpc_id().unwrap_or_default().to_string(),
                    cidr: v.cidr_block().unwrap_or_default().to_string(),
                    state: v
                        .state()
                        .map(|s| s.as_str().to_string())
                        .unwrap_or_default(),
                    tags,
                });
            }
        }
        for s in subnets.map_err(classify)? {
            let tags = tags_of(s.tags());
            if owned(&tags, stack) {
                snap.subnets.push(SubnetInfo {
                    id: s.subnet_id().unwrap_or_default().to_string(),
                    vpc_id: s.vpc_id().unwrap_or_default().to_string(),
                    cidr: s.cidr_block().unwrap_or_default().to_string(),
                    az: s.availability_zone().unwrap_or_default().to_string(),
                    map_public_ip_on_launch: s.map_public_ip_on_launch().unwrap_or(false),
                    tags,
                });
            }
        }
        for g in igws.map_err(classify)? {
            let tags = tags_of(g.tags());
            if owned(&tags, stack) {
                snap.internet_gateways.push(InternetGatewayInfo {
                    id: g.internet_gateway_id().unwrap_or_default().to_string(),
                    attached_vpc: g
                        .attachments()
                        .first()
                        .and_then(|a| a.vpc_id())
                        .map(str::to_string),
                    tags,
                });
            }
        }
        for a in addresses.map_err(classify)?.addresses() {
            let tags = tags_of(a.tags());
            if owned(&tags, stack) {
                snap.addresses.push(AddressInfo {
                    allocation_id: a.allocation_id().unwrap_or_default().to_string(),
                    association_id: a.association_id().map(str::to_string),
                    tags,
                });
            }
        }
        for n in nats.map_err(classify)? {
            let tags = tags_of(n.tags());
            let state = match n.state() {
                // Deleted gateways linger in listings for an hour; gone for our purposes.
                Some(NatGatewayState::Deleted) => continue,
                Some(NatGatewayState::Available) => Lifecycle::Ready,
                Some(NatGatewayState::Deleting) => Lifecycle::Deleting,
                Some(NatGatewayState::Failed) => Lifecycle::Failed,
                _ => Lifecycle::Pending,
            };
            if owned(&tags, stack) {
                snap.nat_gateways.push(NatGatewayInfo {
                    id: n.nat_gateway_id().unwrap_or_default().to_string(),
                    subnet_id: n.subnet_id().unwrap_or_default().to_string(),
                    allocation_id: n
                        .nat_gateway_addresses()
                        .first()
                        .and_then(|a| a.allocation_id())
                        .map(str::to_string),
                    state,
                    tags,
                });
            }
        }
        for t in tables.map_err(classify)? {
            let table = table_of(&t);
            if owned(&table.tags, stack) {
                snap.route_tables.push(table);
            }
        }
        for g in groups.map_err(classify)? {
            let info = group_of(&g);
            if owned(&info.tags, stack) && info.name != "default" {
                snap.security_groups.push(info);
            }
        }
        for p in peerings.map_err(classify)? {
            let tags = tags_of(p.tags());
            let status = p
                .status()
                .and_then(|s| s.code())
                .map(|c| c.as_str().to_string())
                .unwrap_or_default();
            // Ended peerings stay listed for days; a route to one is a route to nowhere.
            if !owned(&tags, stack) || PEERING_GONE.contains(&status.as_str()) {
                continue;
            }
            let requester = p.requester_vpc_info();
            let accepter = p.accepter_vpc_info();
            let dns = |info: Option<&aws_sdk_ec2::types::VpcPeeringConnectionVpcInfo>| {
                info.and_then(|i| i.peering_options())
                    .and_then(|o| o.allow_dns_resolution_from_remote_vpc())
                    .unwrap_or(false)
            };
            snap.peerings.push(PeeringInfo {
                id: p
                    .vpc_peering_connection_id()
                    .unwrap_or_default()
                    .to_string(),
                requester_vpc: requester
                    .and_then(|i| i.vpc_id())
                    .unwrap_or_default()
                    .to_string(),
                requester_region: requester.and_then(|i| i.region()).map(str::to_string),
                accepter_vpc: accepter
                    .and_then(|i| i.vpc_id())
                    .unwrap_or_default()
                    .to_string(),
                accepter_region: accepter.and_then(|i| i.region()).map(str::to_string),
                status: p
                    .status()
                    .and_then(|s| s.code())
                    .map(|c| c.as_str().to_string())
                    .unwrap_or_default(),
                requester_dns: dns(requester),
                accepter_dns: dns(accepter),
                tags,
            });
        }
        let templates: Vec<_> = templates
            .map_err(classify)?
            .into_iter()
            .filter(|t| owned(&tags_of(t.tags()), stack))
            .collect();
        // The second round: what needs the ids of the first.
        let vpc_ids: Vec<String> = snap.vpcs.iter().map(|v| v.id.clone()).collect();
        let dns = futures::future::try_join_all(vpc_ids.iter().map(|v| self.vpc_dns(v)));
        let versions =
            futures::future::try_join_all(templates.iter().map(|t| self.launch_template(t)));
        let (dns, defaults, versions, flow_logs) = futures::try_join!(
            dns,
            self.default_groups(&vpc_ids),
            versions,
            self.flow_logs(&vpc_ids)
        )?;
        snap.vpc_dns = vpc_ids.into_iter().zip(dns).collect();
        snap.default_security_groups = defaults;
        snap.launch_templates = versions;
        snap.flow_logs = flow_logs;
        Ok(snap)
    }

    async fn create_vpc(&self, cidr: &str, tags: &Tags) -> Result<String> {
        let out = self
            .client
            .create_vpc()
            .cidr_block(cidr)
            .tag_specifications(tag_spec(ResourceType::Vpc, tags))
            .send()
            .await
            .map_err(classify)?;
        carried(&out, "id", |o| o.vpc()?.vpc_id())
    }

    async fn set_vpc_dns(&self, vpc: &str, attribute: VpcDnsAttribute, on: bool) -> Result<()> {
        let call = self.client.modify_vpc_attribute().vpc_id(vpc);
        let call = match attribute {
            VpcDnsAttribute::Support => call.enable_dns_support(flag(on)),
            VpcDnsAttribute::Hostnames => call.enable_dns_hostnames(flag(on)),
        };
        call.send().await.map_err(classify)?;
        Ok(())
    }

    async fn delete_vpc(&self, vpc: &str) -> Result<()> {
        self.client
            .delete_vpc()
            .vpc_id(vpc)
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }

    async fn create_subnet(&self, vpc: &str, cidr: &str, az: &str, tags: &Tags) -> Result<String> {
        let out = self
            .client
            .create_subnet()
            .vpc_id(vpc)
            .cidr_block(cidr)
            .availability_zone(az)
            .tag_specifications(tag_spec(ResourceType::Subnet, tags))
            .send()
            .await
            .map_err(classify)?;
        carried(&out, "id", |o| o.subnet()?.subnet_id())
    }

    async fn set_map_public_ip(&self, subnet: &str, on: bool) -> Result<()> {
        self.client
            .modify_subnet_attribute()
            .subnet_id(subnet)
            .map_public_ip_on_launch(flag(on))
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }

    async fn delete_subnet(&self, subnet: &str) -> Result<()> {
        self.client
            .delete_subnet()
            .subnet_id(subnet)
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }

    async fn create_internet_gateway(&self, tags: &Tags) -> Result<String> {
        let out = self
            .client
            .create_internet_gateway()
            .tag_specifications(tag_spec(ResourceType::InternetGateway, tags))
            .send()
            .await
            .map_err(classify)?;
        carried(&out, "id", |o| o.internet_gateway()?.internet_gateway_id())
    }

    async fn attach_internet_gateway(&self, igw: &str, vpc: &str) -> Result<()> {
        self.client
            .attach_internet_gateway()
            .internet_gateway_id(igw)
            .vpc_id(vpc)
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }

    async fn detach_internet_gateway(&self, igw: &str, vpc: &str) -> Result<()> {
        self.client
            .detach_internet_gateway()
            .internet_gateway_id(igw)
            .vpc_id(vpc)
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }

    async fn delete_internet_gateway(&self, igw: &str) -> Result<()> {
        self.client
            .delete_internet_gateway()
            .internet_gateway_id(igw)
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }

    async fn allocate_address(&self, tags: &Tags) -> Result<String> {
        let out = self
            .client
            .allocate_address()
            .domain(aws_sdk_ec2::types::DomainType::Vpc)
            .tag_specifications(tag_spec(ResourceType::ElasticIp, tags))
            .send()
            .await
            .map_err(classify)?;
        carried(&out, "id", |o| o.allocation_id())
    }

    async fn release_address(&self, allocation: &str) -> Result<()> {
        self.client
            .release_address()
            .allocation_id(allocation)
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }

    async fn create_nat_gateway(
        &self,
        subnet: &str,
        allocation: &str,
        tags: &Tags,
    ) -> Result<String> {
        let create = || {
            self.client
                .create_nat_gateway()
                .subnet_id(subnet)
                .allocation_id(allocation)
                .tag_specifications(tag_spec(ResourceType::Natgateway, tags))
                .send()
        };
        let out = match create().await {
            Ok(out) => out,
            Err(e) if ProvideErrorMetadata::code(&e) == Some("Resource.AlreadyAssociated") => {
                let first = classify(e);
                // A replaced gateway's address: AWS lets it go as the old gateway is deleted,
                // emulators (and AWS, for a moment) may still show it held by the deleted one.
                if !self.release_from_deleted_gateway(allocation).await? {
                    return Err(first);
                }
                create().await.map_err(classify)?
            }
            Err(e) => return Err(classify(e)),
        };
        carried(&out, "id", |o| o.nat_gateway()?.nat_gateway_id())
    }

    async fn wait_nat_gateway_available(&self, nat: &str, max: Duration) -> Result<()> {
        self.client
            .wait_until_nat_gateway_available()
            .nat_gateway_ids(nat)
            .wait(max)
            .await
            .map_err(|e| not_ok("wait NatGatewayAvailable", super::display_chain(&e)))?;
        Ok(())
    }

    async fn delete_nat_gateway(&self, nat: &str) -> Result<()> {
        self.client
            .delete_nat_gateway()
            .nat_gateway_id(nat)
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }

    async fn wait_nat_gateway_deleted(&self, nat: &str, max: Duration) -> Result<()> {
        self.client
            .wait_until_nat_gateway_deleted()
            .nat_gateway_ids(nat)
            .wait(max)
            .await
            .map_err(|e| not_ok("wait NatGatewayDeleted", super::display_chain(&e)))?;
        Ok(())
    }

    async fn create_route_table(&self, vpc: &str, tags: &Tags) -> Result<String> {
        let out = self
            .client
            .create_route_table()
            .vpc_id(vpc)
            .tag_specifications(tag_spec(ResourceType::RouteTable, tags))
            .send()
            .await
            .map_err(classify)?;
        carried(&out, "id", |o| o.route_table()?.route_table_id())
    }

    async fn main_route_table(&self, vpc: &str) -> Result<RouteTableInfo> {
        let out = self
            .client
            .describe_route_tables()
            .filters(Filter::builder().name("vpc-id").values(vpc).build())
            .filters(
                Filter::builder()
                    .name("association.main")
                    .values("true")
                    .build(),
            )
            .send()
            .await
            .map_err(classify)?;
        out.route_tables().first().map(table_of).ok_or_else(|| {
            answered(
                &out,
                ErrorKind::NotFound,
                format!("no main route table in {vpc} yet"),
            )
        })
    }

    async fn delete_route_table(&self, table: &str) -> Result<()> {
        self.client
            .delete_route_table()
            .route_table_id(table)
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }

    async fn create_route(
        &self,
        table: &str,
        destination: &str,
        target: &RouteTargetId,
    ) -> Result<()> {
        let call = self
            .client
            .create_route()
            .route_table_id(table)
            .destination_cidr_block(destination);
        let call = match target {
            RouteTargetId::Gateway(id) => call.gateway_id(id),
            RouteTargetId::NatGateway(id) => call.nat_gateway_id(id),
            RouteTargetId::Peering(id) => call.vpc_peering_connection_id(id),
            RouteTargetId::Local | RouteTargetId::Other(_) => {
                return Err(not_ok(
                    operation_of::<CreateRouteOutput>(),
                    format!("cannot route to {target:?}"),
                ));
            }
        };
        call.send().await.map_err(classify)?;
        Ok(())
    }

    async fn replace_route(
        &self,
        table: &str,
        destination: &str,
        target: &RouteTargetId,
    ) -> Result<()> {
        let call = self
            .client
            .replace_route()
            .route_table_id(table)
            .destination_cidr_block(destination);
        let call = match target {
            RouteTargetId::Gateway(id) => call.gateway_id(id),
            RouteTargetId::NatGateway(id) => call.nat_gateway_id(id),
            RouteTargetId::Peering(id) => call.vpc_peering_connection_id(id),
            RouteTargetId::Local | RouteTargetId::Other(_) => {
                return Err(not_ok(
                    operation_of::<ReplaceRouteOutput>(),
                    format!("cannot route to {target:?}"),
                ));
            }
        };
        call.send().await.map_err(classify)?;
        Ok(())
    }

    async fn delete_route(&self, table: &str, destination: &str) -> Result<()> {
        self.client
            .delete_route()
            .route_table_id(table)
            .destination_cidr_block(destination)
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }

    async fn associate_route_table(&self, table: &str, subnet: &str) -> Result<String> {
        let out = self
            .client
            .associate_route_table()
            .route_table_id(table)
            .subnet_id(subnet)
            .send()
            .await
            .map_err(classify)?;
        carried(&out, "id", |o| o.association_id())
    }

    async fn disassociate_route_table(&self, association: &str) -> Result<()> {
        self.client
            .disassociate_route_table()
            .association_id(association)
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }

    async fn create_security_group(
        &self,
        vpc: &str,
        name: &str,
        description: &str,
        tags: &Tags,
    ) -> Result<String> {
        let out = self
            .client
            .create_security_group()
            .vpc_id(vpc)
            .group_name(name)
            .description(description)
            .tag_specifications(tag_spec(ResourceType::SecurityGroup, tags))
            .send()
            .await
            .map_err(classify)?;
        carried(&out, "id", |o| o.group_id())
    }

    async fn default_security_group(&self, vpc: &str) -> Result<SecurityGroupInfo> {
        self.default_groups(&[vpc.to_string()])
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| {
                ProviderError::new(
                    ErrorKind::NotFound,
                    operation_of::<DescribeSecurityGroupsOutput>(),
                    format!("no default security group in {vpc} yet"),
                )
            })
    }

    async fn delete_security_group(&self, group: &str) -> Result<()> {
        self.client
            .delete_security_group()
            .group_id(group)
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }

    async fn authorize(&self, group: &str, rule: &RuleSpec, tags: &Tags) -> Result<()> {
        let tags = tag_spec(ResourceType::SecurityGroupRule, tags);
        if rule.egress {
            self.client
                .authorize_security_group_egress()
                .group_id(group)
                .ip_permissions(permission(rule))
                .tag_specifications(tags)
                .send()
                .await
                .map_err(classify)?;
        } else {
            self.client
                .authorize_security_group_ingress()
                .group_id(group)
                .ip_permissions(permission(rule))
                .tag_specifications(tags)
                .send()
                .await
                .map_err(classify)?;
        }
        Ok(())
    }

    async fn revoke(&self, group: &str, rule: &RuleSpec) -> Result<()> {
        if rule.egress {
            self.client
                .revoke_security_group_egress()
                .group_id(group)
                .ip_permissions(permission(rule))
                .send()
                .await
                .map_err(classify)?;
        } else {
            self.client
                .revoke_security_group_ingress()
                .group_id(group)
                .ip_permissions(permission(rule))
                .send()
                .await
                .map_err(classify)?;
        }
        Ok(())
    }

    async fn create_peering(
        &self,
        vpc: &str,
        peer_vpc: &str,
        peer_region: &str,
        tags: &Tags,
    ) -> Result<String> {
        let out = self
            .client
            .create_vpc_peering_connection()
            .vpc_id(vpc)
            .peer_vpc_id(peer_vpc)
            .peer_region(peer_region)
            .tag_specifications(tag_spec(ResourceType::VpcPeeringConnection, tags))
            .send()
            .await
            .map_err(classify)?;
        carried(&out, "id", |o| {
            o.vpc_peering_connection()?.vpc_peering_connection_id()
        })
    }

    async fn accept_peering(&self, peering: &str) -> Result<()> {
        self.client
            .accept_vpc_peering_connection()
            .vpc_peering_connection_id(peering)
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }

    /// No SDK waiter waits for `active` (only for existence), so this polls with backoff.
    async fn wait_peering_active(&self, peering: &str, max: Duration) -> Result<()> {
        let started = tokio::time::Instant::now();
        let mut delay = Duration::from_secs(2);
        loop {
            match self.peering_status(peering).await?.as_deref() {
                Some("active") => return Ok(()),
                Some(s @ ("failed" | "rejected" | "expired" | "deleted")) => {
                    return Err(ProviderError::new(
                        ErrorKind::InvalidState,
                        "wait VpcPeeringActive",
                        format!("{peering} is {s}"),
                    ));
                }
                _ => {}
            }
            if started.elapsed() + delay > max {
                return Err(not_ok(
                    "wait VpcPeeringActive",
                    format!("{peering} not active after {}s", max.as_secs()),
                ));
            }
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(Duration::from_secs(15));
        }
    }

    async fn set_peering_dns(&self, peering: &str, side: PeeringSideRef, on: bool) -> Result<()> {
        let options = PeeringConnectionOptionsRequest::builder()
            .allow_dns_resolution_from_remote_vpc(on)
            .build();
        let call = self
            .client
            .modify_vpc_peering_connection_options()
            .vpc_peering_connection_id(peering);
        let call = match side {
            PeeringSideRef::Requester => call.requester_peering_connection_options(options),
            PeeringSideRef::Accepter => call.accepter_peering_connection_options(options),
        };
        call.send().await.map_err(classify)?;
        Ok(())
    }

    async fn delete_peering(&self, peering: &str) -> Result<()> {
        self.client
            .delete_vpc_peering_connection()
            .vpc_peering_connection_id(peering)
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }

    async fn create_launch_template(
        &self,
        name: &str,
        groups: &[String],
        imdsv2_required: bool,
        hop_limit: u8,
        tags: &Tags,
    ) -> Result<String> {
        let tokens = if imdsv2_required {
            LaunchTemplateHttpTokensState::Required
        } else {
            LaunchTemplateHttpTokensState::Optional
        };
        let data = RequestLaunchTemplateData::builder()
            .set_security_group_ids(Some(groups.to_vec()))
            .metadata_options(
                LaunchTemplateInstanceMetadataOptionsRequest::builder()
                    .http_endpoint(LaunchTemplateInstanceMetadataEndpointState::Enabled)
                    .http_tokens(tokens)
                    .http_put_response_hop_limit(i32::from(hop_limit))
                    .build(),
            )
            .build();
        let out = self
            .client
            .create_launch_template()
            .launch_template_name(name)
            .launch_template_data(data)
            .tag_specifications(tag_spec(ResourceType::LaunchTemplate, tags))
            .send()
            .await
            .map_err(classify)?;
        carried(&out, "id", |o| o.launch_template()?.launch_template_id())
    }

    async fn delete_launch_template(&self, id: &str) -> Result<()> {
        self.client
            .delete_launch_template()
            .launch_template_id(id)
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }

    async fn vpc_contents(&self, vpc: &str) -> Result<Vec<String>> {
        let in_vpc = || Filter::builder().name("vpc-id").values(vpc).build();
        let (subnets, tables, groups, gateways, nats, endpoints) = futures::join!(
            self.client.describe_subnets().filters(in_vpc()).send(),
            self.client.describe_route_tables().filters(in_vpc()).send(),
            self.client
                .describe_security_groups()
                .filters(in_vpc())
                .send(),
            self.client
                .describe_internet_gateways()
                .filters(
                    Filter::builder()
                        .name("attachment.vpc-id")
                        .values(vpc)
                        .build()
                )
                .send(),
            self.client
                .describe_nat_gateways()
                .filter(in_vpc())
                .filter(
                    Filter::builder()
                        .name("state")
                        .values("pending")
                        .values("available")
                        .build()
                )
                .send(),
            self.client
                .describe_vpc_endpoints()
                .filters(in_vpc())
                .send(),
        );
        let mut found = Vec::new();
        let subnets = subnets.map_err(classify)?;
        found.extend(
            subnets
                .subnets()
                .iter()
                .filter_map(|s| s.subnet_id())
                .map(|id| format!("subnet {id}")),
        );
        let tables = tables.map_err(classify)?;
        found.extend(
            tables
                .route_tables()
                .iter()
                .filter(|t| !t.associations().iter().any(|a| a.main() == Some(true)))
                .filter_map(|t| t.route_table_id())
                .map(|id| format!("route table {id}")),
        );
        let groups = groups.map_err(classify)?;
        found.extend(
            groups
                .security_groups()
                .iter()
                .filter(|g| g.group_name() != Some("default"))
                .filter_map(|g| g.group_id())
                .map(|id| format!("security group {id}")),
        );
        let gateways = gateways.map_err(classify)?;
        found.extend(
            gateways
                .internet_gateways()
                .iter()
                .filter_map(|g| g.internet_gateway_id())
                .map(|id| format!("internet gateway {id}")),
        );
        let nats = nats.map_err(classify)?;
        found.extend(
            nats.nat_gateways()
                .iter()
                .filter_map(|n| n.nat_gateway_id())
                .map(|id| format!("NAT gateway {id}")),
        );
        let endpoints = endpoints.map_err(classify)?;
        found.extend(
            endpoints
                .vpc_endpoints()
                .iter()
                .filter(|e| !matches!(e.state().map(|s| s.as_str()), Some("deleting" | "deleted")))
                .filter_map(|e| e.vpc_endpoint_id())
                .map(|id| format!("VPC endpoint {id}")),
        );
        Ok(found)
    }

    async fn leftovers(
        &self,
        vpcs: &[String],
    ) -> Result<(Vec<InterfaceInfo>, Vec<SecurityGroupInfo>)> {
        if vpcs.is_empty() {
            return Ok((Vec::new(), Vec::new()));
        }
        let in_vpcs = || {
            Filter::builder()
                .name("vpc-id")
                .set_values(Some(vpcs.to_vec()))
                .build()
        };
        let interfaces = self
            .client
            .describe_network_interfaces()
            .filters(in_vpcs())
            .filters(Filter::builder().name("status").values("available").build())
            .into_paginator()
            .items()
            .send()
            .try_collect();
        let groups = self
            .client
            .describe_security_groups()
            .filters(in_vpcs())
            .into_paginator()
            .items()
            .send()
            .try_collect();
        let (interfaces, groups) = futures::join!(interfaces, groups);
        let interfaces = interfaces
            .map_err(classify)?
            .iter()
            .filter(|i| i.vpc_id().is_some_and(|v| vpcs.iter().any(|x| x == v)))
            .map(|i| InterfaceInfo {
                id: i.network_interface_id().unwrap_or_default().to_string(),
                vpc_id: i.vpc_id().unwrap_or_default().to_string(),
                status: i
                    .status()
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
                description: i.description().unwrap_or_default().to_string(),
                security_groups: i
                    .groups()
                    .iter()
                    .filter_map(|g| g.group_id())
                    .map(str::to_string)
                    .collect(),
            })
            .filter(|i| i.status == "available")
            .collect();
        let groups = groups
            .map_err(classify)?
            .iter()
            .map(group_of)
            .filter(|g| g.name != "default" && vpcs.contains(&g.vpc_id))
            .collect();
        Ok((interfaces, groups))
    }

    async fn delete_network_interface(&self, id: &str) -> Result<()> {
        self.client
            .delete_network_interface()
            .network_interface_id(id)
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }

    async fn node_instances(&self, cluster: &str) -> Result<Vec<NodeInstance>> {
        let reservations: Vec<_> = self
            .client
            .describe_instances()
            .filters(
                Filter::builder()
                    .name("tag:eks:cluster-name")
                    .values(cluster)
                    .build(),
            )
            .filters(
                Filter::builder()
                    .name("instance-state-name")
                    .values("pending")
                    .values("running")
                    .build(),
            )
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(classify)?;
        Ok(reservations
            .iter()
            .flat_map(|r| r.instances())
            .filter_map(|i| {
                let node_group = i
                    .tags()
                    .iter()
                    .find(|t| t.key() == Some("eks:nodegroup-name"))?
                    .value()?
                    .to_string();
                Some(NodeInstance {
                    id: i.instance_id()?.to_string(),
                    node_group,
                })
            })
            .collect())
    }

    async fn create_flow_log(
        &self,
        vpc: &str,
        log_group: &str,
        role_arn: &str,
        traffic_type: &str,
        tags: &Tags,
    ) -> Result<String> {
        let out = self
            .client
            .create_flow_logs()
            .resource_type(aws_sdk_ec2::types::FlowLogsResourceType::Vpc)
            .resource_ids(vpc)
            .traffic_type(traffic_type.into())
            .log_destination_type(aws_sdk_ec2::types::LogDestinationType::CloudWatchLogs)
            .log_group_name(log_group)
            .deliver_logs_permission_arn(role_arn)
            .tag_specifications(tag_spec(ResourceType::VpcFlowLog, tags))
            .send()
            .await
            .map_err(classify)?;
        // The call succeeds as a whole and reports failures per resource.
        if let Some(failed) = out.unsuccessful().first() {
            let message = failed
                .error()
                .and_then(|e| e.message())
                .unwrap_or("refused");
            // A role made a moment ago cannot be assumed yet: the same as not there yet.
            let kind = if message.contains("assume") {
                ErrorKind::NotFound
            } else {
                ErrorKind::Other
            };
            return Err(answered(&out, kind, format!("{vpc}: {message}")));
        }
        out.flow_log_ids()
            .first()
            .cloned()
            .ok_or_else(|| answered(&out, ErrorKind::Other, "no flow log id returned"))
    }

    async fn delete_flow_log(&self, id: &str) -> Result<()> {
        let out = self
            .client
            .delete_flow_logs()
            .flow_log_ids(id)
            .send()
            .await
            .map_err(classify)?;
        match out.unsuccessful().first() {
            None => Ok(()),
            Some(failed) => {
                let code = failed.error().and_then(|e| e.code()).unwrap_or_default();
                let kind = if code.contains("NotFound") {
                    ErrorKind::NotFound
                } else {
                    ErrorKind::Other
                };
                let message = failed.error().and_then(|e| e.message()).unwrap_or(code);
                Err(answered(&out, kind, format!("{id}: {message}")))
            }
        }
    }

    async fn set_tags(&self, resource: &str, add: &Tags, remove: &[String]) -> Result<()> {
        if !remove.is_empty() {
            let keys = remove
                .iter()
                .map(|k| Tag::builder().key(k).build())
                .collect();
            self.client
                .delete_tags()
                .resources(resource)
                .set_tags(Some(keys))
                .send()
                .await
                .map_err(classify)?;
        }
        if !add.is_empty() {
            self.client
                .create_tags()
                .resources(resource)
                .set_tags(Some(to_sdk_tags(add)))
                .send()
                .await
                .map_err(classify)?;
        }
        Ok(())
    }
}
