//! What is compared, per kind: a resource's fields as canonical strings, the same shape for the
//! desired side (from the model) and the observed side (from discovery), so the diff is one
//! generic comparison. References are logical ids on both sides.

use std::collections::BTreeMap;

use crate::model::{Direction, Resource, ResourceSpec, RouteTarget, RulePeer};

pub type Fields = BTreeMap<&'static str, String>;

/// The name a role's inline policy goes by.
pub const INLINE_POLICY: &str = "multiregion";

/// Whether the kind carries tags the diff keeps in step.
pub fn is_tagged(kind: &str) -> bool {
    matches!(
        kind,
        "Vpc"
            | "InternetGateway"
            | "Subnet"
            | "ElasticIp"
            | "NatGateway"
            | "RouteTable"
            | "SecurityGroup"
            | "DefaultSecurityGroup"
            | "MainRouteTable"
            | "VpcPeering"
            | "LoadBalancer"
            | "TargetGroup"
            | "WebAcl"
            | "IamRole"
            | "EksCluster"
            | "LaunchTemplate"
            | "NodeGroup"
            | "FlowLog"
    )
}

/// Fields AWS cannot change in place: a difference means a replacement.
pub fn immutable(kind: &str) -> &'static [&'static str] {
    match kind {
        "Vpc" => &["cidr"],
        "Subnet" => &["vpc", "cidr", "az"],
        "NatGateway" => &["subnet", "elasticIp"],
        "RouteTable" => &["vpc"],
        "RouteTableAssociation" => &["subnet"],
        "SecurityGroup" => &["vpc", "name", "description"],
        "VpcPeering" => &["requesterVpc", "accepterVpc", "accepterRegion"],
        "LoadBalancer" => &["type", "scheme"],
        "TargetGroup" => &["protocol", "port", "vpc", "targetType"],
        "Listener" => &["loadBalancer"],
        "WebAclAssociation" => &["loadBalancer"],
        "IamRole" => &["trustedService"],
        "LogGroup" => &["name"],
        "FlowLog" => &["vpc", "logGroup", "trafficType"],
        "EksCluster" => &["role", "subnets"],
        "LaunchTemplate" => &["securityGroups", "imdsv2Required", "hopLimit"],
        "NodeGroup" => &[
            "cluster",
            "role",
            "subnets",
            "instanceTypes",
            "launchTemplate",
        ],
        _ => &[],
    }
}

pub fn list(items: impl IntoIterator<Item = impl AsRef<str>>) -> String {
    let mut items: Vec<String> = items.into_iter().map(|i| i.as_ref().to_string()).collect();
    items.sort();
    items.join(",")
}

/// A rule's identity: direction, protocol, ports and peer (a CIDR or a group's logical id).
pub fn rule_key(
    egress: bool,
    protocol: &str,
    from: Option<i32>,
    to: Option<i32>,
    peer: &str,
) -> String {
    let direction = if egress { "out" } else { "in" };
    let ports = match (from, to) {
        (Some(a), Some(b)) if a == b => a.to_string(),
        (Some(a), Some(b)) => format!("{a}-{b}"),
        _ => "all".to_string(),
    };
    format!("{direction} {protocol} {ports} {peer}")
}

pub fn desired_rule_key(spec: &ResourceSpec) -> Option<(String, String)> {
    let ResourceSpec::SecurityGroupRule {
        group,
        direction,
        protocol,
        from_port,
        to_port,
        peer,
        ..
    } = spec
    else {
        return None;
    };
    let peer = match peer {
        RulePeer::Cidr(c) => c.clone(),
        RulePeer::SecurityGroup(g) => g.clone(),
    };
    let key = rule_key(
        *direction == Direction::Egress,
        protocol,
        from_port.map(i32::from),
        to_port.map(i32::from),
        &peer,
    );
    Some((group.clone(), key))
}

/// The desired side. `azs` are the region's usable zones, to name a subnet's AZ by index.
pub fn desired(resource: &Resource, azs: &[String]) -> Fields {
    let mut f = Fields::new();
    let mut put = |k: &'static str, v: String| {
        f.insert(k, v);
    };
    match &resource.spec {
        ResourceSpec::Vpc {
            cidr,
            dns_support,
            dns_hostnames,
        } => {
            put("cidr", cidr.clone());
            put("dnsSupport", dns_support.to_string());
            put("dnsHostnames", dns_hostnames.to_string());
        }
        ResourceSpec::InternetGateway { vpc } => put("vpc", vpc.clone()),
        ResourceSpec::Subnet {
            vpc,
            cidr,
            az,
            map_public_ip_on_launch,
            ..
        } => {
            put("vpc", vpc.clone());
            put("cidr", cidr.clone());
            let name = azs.get(usize::from(*az).saturating_sub(1)).cloned();
            put("az", name.unwrap_or_else(|| format!("zone #{az}")));
            put("mapPublicIpOnLaunch", map_public_ip_on_launch.to_string());
        }
        ResourceSpec::NatGateway { subnet, elastic_ip } => {
            put("subnet", subnet.clone());
            put("elasticIp", elastic_ip.clone());
        }
        ResourceSpec::RouteTable { vpc } | ResourceSpec::MainRouteTable { vpc } => {
            put("vpc", vpc.clone())
        }
        ResourceSpec::Route { target, .. } => put(
            "target",
            match target {
                RouteTarget::InternetGateway(t)
                | RouteTarget::NatGateway(t)
                | RouteTarget::VpcPeering(t) => t.clone(),
            },
        ),
        ResourceSpec::RouteTableAssociation {
            route_table,
            subnet,
        } => {
            put("routeTable", route_table.clone());
            put("subnet", subnet.clone());
        }
        ResourceSpec::SecurityGroup {
            vpc,
            name,
            description,
        } => {
            put("vpc", vpc.clone());
            put("name", name.clone());
            put("description", description.clone());
        }
        ResourceSpec::DefaultSecurityGroup { .. } => put("rules", String::new()),
        ResourceSpec::VpcPeering {
            requester_vpc,
            accepter_vpc,
            accepter_region,
        } => {
            put("requesterVpc", requester_vpc.clone());
            put("accepterVpc", accepter_vpc.clone());
            put("accepterRegion", accepter_region.clone());
        }
        ResourceSpec::VpcPeeringDns { .. } => put("remoteDnsResolution", "true".to_string()),
        ResourceSpec::LoadBalancer {
            lb_type,
            scheme,
            subnets,
            security_groups,
            ..
        } => {
            put("type", lb_type.clone());
            put("scheme", scheme.clone());
            put("subnets", list(subnets));
            put("securityGroups", list(security_groups));
        }
        ResourceSpec::TargetGroup {
            protocol,
            port,
            vpc,
            target_type,
            health_check_path,
            ..
        } => {
            put("protocol", protocol.clone());
            put("port", port.to_string());
            put("vpc", vpc.clone());
            put("targetType", target_type.clone());
            if let Some(path) = health_check_path {
                put("healthCheckPath", path.clone());
            }
        }
        ResourceSpec::Listener {
            load_balancer,
            target_group,
            protocol,
            port,
        } => {
            put("loadBalancer", load_balancer.clone());
            put("targetGroup", target_group.clone());
            put("protocol", protocol.clone());
            put("port", port.to_string());
        }
        ResourceSpec::WebAcl {
            managed_rule_groups,
            rate_limit,
            ..
        } => {
            put("managedRuleGroups", managed_rule_groups.join(","));
            put("rateLimit", rate_limit.to_string());
        }
        ResourceSpec::WebAclAssociation {
            web_acl,
            load_balancer,
        } => {
            put("webAcl", web_acl.clone());
            put("loadBalancer", load_balancer.clone());
        }
        ResourceSpec::IamRole {
            trusted_service,
            managed_policies,
            inline_policy,
            ..
        } => {
            put("trustedService", trusted_service.clone());
            put("managedPolicies", list(managed_policies));
            put(
                "inlinePolicies",
                if inline_policy.is_some() {
                    INLINE_POLICY.to_string()
                } else {
                    String::new()
                },
            );
        }
        ResourceSpec::LogGroup {
            name,
            retention_days,
        } => {
            put("name", name.clone());
            put("retentionDays", retention_days.to_string());
        }
        ResourceSpec::FlowLog {
            vpc,
            log_group,
            traffic_type,
            ..
        } => {
            put("vpc", vpc.clone());
            put("logGroup", log_group.clone());
            put("trafficType", traffic_type.clone());
        }
        ResourceSpec::EksCluster {
            version,
            role,
            subnets,
            endpoint_private,
            endpoint_public,
            public_cidrs,
            log_types,
            ..
        } => {
            put("version", version.clone());
            put("role", role.clone());
            put("subnets", list(subnets));
            put("endpointPrivate", endpoint_private.to_string());
            put("endpointPublic", endpoint_public.to_string());
            put(
                "publicCidrs",
                public_cidrs_field(*endpoint_public, public_cidrs),
            );
            put("logTypes", list(log_types));
        }
        // The stack's own groups; the cluster's group, which EKS owns, is added at creation.
        ResourceSpec::LaunchTemplate {
            security_groups,
            imdsv2_required,
            metadata_hop_limit,
            ..
        } => {
            put("securityGroups", list(security_groups));
            put("imdsv2Required", imdsv2_required.to_string());
            put("hopLimit", metadata_hop_limit.to_string());
        }
        ResourceSpec::NodeGroup {
            cluster,
            role,
            subnets,
            launch_template,
            instance_types,
            min,
            desired,
            max,
            labels,
            ..
        } => {
            put("cluster", cluster.clone());
            put("role", role.clone());
            put("subnets", list(subnets));
            put("launchTemplate", launch_template.clone());
            put("instanceTypes", list(instance_types));
            put("min", min.to_string());
            put("desired", desired.to_string());
            put("max", max.to_string());
            put(
                "labels",
                list(labels.iter().map(|(k, v)| format!("{k}={v}"))),
            );
        }
        // Identity is the whole content (matched in discovery); nothing more to compare.
        ResourceSpec::SecurityGroupRule { .. }
        | ResourceSpec::ElasticIp
        | ResourceSpec::VpcPeeringAccepter { .. }
        | ResourceSpec::AccessEntry { .. } => {}
        // Nodes come and go; what matters is that none is left out.
        ResourceSpec::TargetGroupAttachment { .. } => put("unregistered", String::new()),
    }
    f
}

/// Public endpoint CIDRs only mean something while the public endpoint is on (EKS reports
/// 0.0.0.0/0 for a private-only cluster).
pub fn public_cidrs_field(public: bool, cidrs: &[String]) -> String {
    if public { list(cidrs) } else { String::new() }
}
