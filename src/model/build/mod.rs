//! Stack -> desired resources. Pure: the same stack always gives the same list, in the same order.

use std::collections::BTreeMap;

use super::{
    Direction, ListenerTls, PeeringSide, Resource, ResourceSpec, RouteTarget, RulePeer, TAG_ID,
    TAG_STACK, ids,
};
use crate::providers::TAG_ZONE;
use crate::stack::ValidStack;
use crate::stack::types::{LoadBalancerType, NatMode, RegionSpec, Scheme};

mod addons;
mod alerts;
mod autoscaler;
mod builder;
mod insights;
pub use insights::ADDON as INSIGHTS_ADDON;

use builder::Builder;

const EKS_CLUSTER_POLICIES: &[&str] = &["arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"];
const EKS_NODE_POLICIES: &[&str] = &[
    "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
    "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
    "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
];
const CLUSTER_ADMIN_POLICY: &str =
    "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy";
const ANYWHERE: &str = "0.0.0.0/0";

/// Every resource the stack implies, in declaration order (see [`super::graph`] for execution order).
/// What VPC flow logs need to deliver to CloudWatch Logs.
const FLOW_LOGS_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvents","logs:DescribeLogGroups","logs:DescribeLogStreams"],"Resource":"*"}]}"#;

pub fn desired(valid: &ValidStack) -> Vec<Resource> {
    let mut b = Builder {
        stack: valid.name().to_string(),
        user_tags: valid.stack.spec.tags.clone(),
        resources: Vec::new(),
        region: None,
    };
    let iam = &valid.stack.spec.iam;
    let cluster_role = match &iam.cluster_role_arn {
        Some(arn) => arn.clone(),
        None => b.iam_role(
            ids::CLUSTER_ROLE,
            "eks-cluster",
            "eks.amazonaws.com",
            EKS_CLUSTER_POLICIES,
            None,
        ),
    };
    let node_role = match &iam.node_role_arn {
        Some(arn) => arn.clone(),
        None => b.iam_role(
            ids::NODE_ROLE,
            "eks-node",
            "ec2.amazonaws.com",
            EKS_NODE_POLICIES,
            None,
        ),
    };
    let regions = &valid.stack.spec.regions;
    let flow_logs_role = regions.iter().any(|r| r.network.flow_logs).then(|| {
        b.iam_role(
            ids::FLOW_LOGS_ROLE,
            "flow-logs",
            "vpc-flow-logs.amazonaws.com",
            &[],
            // No AWS managed policy lets flow logs write to CloudWatch Logs.
            Some(FLOW_LOGS_POLICY),
        )
    });

    let autoscaler_role = autoscaler::role(&mut b, valid);
    let agent_role = insights::role(&mut b, valid);

    let (requester, accepter) = valid.peering_ends();
    let peering_id = ids::peering(&regions[requester].name);
    let accept_id = ids::peering_accept(&regions[accepter].name);

    for (i, region) in regions.iter().enumerate() {
        b.region = Some((region.name.clone(), region.region.clone()));
        let net = &valid.networks[i];
        let peer = &valid.networks[if i == requester { accepter } else { requester }];
        let r = &region.name;
        let vpc = b.add(
            ids::vpc(r),
            vec![],
            ResourceSpec::Vpc {
                cidr: net.vpc.to_string(),
                dns_support: true,
                dns_hostnames: true,
            },
        );
        b.add(
            ids::default_security_group(r),
            vec![vpc.clone()],
            ResourceSpec::DefaultSecurityGroup { vpc: vpc.clone() },
        );
        b.add(
            ids::main_route_table(r),
            vec![vpc.clone()],
            ResourceSpec::MainRouteTable { vpc: vpc.clone() },
        );
        let igw = b.add(
            ids::internet_gateway(r),
            vec![vpc.clone()],
            ResourceSpec::InternetGateway { vpc: vpc.clone() },
        );
        if region.network.flow_logs {
            let group = b.add(
                ids::flow_log_group(r),
                vec![],
                ResourceSpec::LogGroup {
                    name: format!("/multiregion/{}/{r}/flow-logs", b.stack),
                    retention_days: 30,
                },
            );
            let role = flow_logs_role.clone().unwrap_or_default();
            b.add(
                ids::flow_log(r),
                vec![vpc.clone(), group.clone(), role.clone()],
                ResourceSpec::FlowLog {
                    vpc: vpc.clone(),
                    log_group: group,
                    role,
                    traffic_type: "ALL".to_string(),
                },
            );
        }

        let subnet = |b: &mut Builder, tier: &str, k: usize, cidr: String, public: bool| {
            b.add(
                ids::subnet(r, tier, k + 1),
                vec![vpc.clone()],
                ResourceSpec::Subnet {
                    vpc: vpc.clone(),
                    cidr,
                    az: (k + 1) as u8,
                    public,
                    map_public_ip_on_launch: public,
                },
            )
        };
        let public: Vec<String> = net
            .public
            .iter()
            .enumerate()
            .map(|(k, c)| subnet(&mut b, "public", k, c.to_string(), true))
            .collect();
        let private: Vec<String> = net
            .private
            .iter()
            .enumerate()
            .map(|(k, c)| subnet(&mut b, "private", k, c.to_string(), false))
            .collect();

        let public_rtb = b.add(
            ids::route_table(r, "public"),
            vec![vpc.clone()],
            ResourceSpec::RouteTable { vpc: vpc.clone() },
        );
        b.route(
            ids::route(r, "public", "internet"),
            &public_rtb,
            ANYWHERE,
            RouteTarget::InternetGateway(igw.clone()),
        );
        for (k, s) in public.iter().enumerate() {
            b.associate(
                ids::route_table_association(r, "public", k + 1),
                &public_rtb,
                s,
            );
        }

        let nat_count = match region.network.nat {
            NatMode::Single => 1,
            NatMode::PerAz => public.len(),
        };
        let nats: Vec<String> = (1..=nat_count)
            .map(|n| {
                let eip = b.add(ids::nat_address(r, n), vec![], ResourceSpec::ElasticIp);
                let in_subnet = public[n - 1].clone();
                // A NAT gateway only passes traffic once the VPC has its internet gateway.
                b.add(
                    ids::nat_gateway(r, n),
                    vec![eip.clone(), in_subnet.clone(), igw.clone()],
                    ResourceSpec::NatGateway {
                        subnet: in_subnet,
                        elastic_ip: eip,
                    },
                )
            })
            .collect();

        let mut private_egress = Vec::new();
        let mut private_assocs = Vec::new();
        for (n, nat) in nats.iter().enumerate() {
            let table = if nat_count == 1 {
                "private".to_string()
            } else {
                format!("private-{}", n + 1)
            };
            let rtb = b.add(
                ids::route_table(r, &table),
                vec![vpc.clone()],
                ResourceSpec::RouteTable { vpc: vpc.clone() },
            );
            private_egress.push(b.route(
                ids::route(r, &table, "internet"),
                &rtb,
                ANYWHERE,
                RouteTarget::NatGateway(nat.clone()),
            ));
            b.add_route_with(
                ids::route(r, &table, "peer"),
                &rtb,
                &peer.vpc.to_string(),
                RouteTarget::VpcPeering(peering_id.clone()),
                vec![accept_id.clone()],
            );
            let served: Vec<usize> = if nat_count == 1 {
                (0..private.len()).collect()
            } else {
                vec![n]
            };
            for k in served {
                private_assocs.push(b.associate(
                    ids::route_table_association(r, "private", k + 1),
                    &rtb,
                    &private[k],
                ));
            }
        }

        if i == requester {
            let accepter_region = &regions[accepter];
            b.add(
                peering_id.clone(),
                vec![vpc.clone(), ids::vpc(&accepter_region.name)],
                ResourceSpec::VpcPeering {
                    requester_vpc: vpc.clone(),
                    accepter_vpc: ids::vpc(&accepter_region.name),
                    accepter_region: accepter_region.region.clone(),
                },
            );
        }
        if i == accepter {
            b.add(
                accept_id.clone(),
                vec![peering_id.clone()],
                ResourceSpec::VpcPeeringAccepter {
                    peering: peering_id.clone(),
                },
            );
        }
        let side = if i == requester {
            PeeringSide::Requester
        } else {
            PeeringSide::Accepter
        };
        b.add(
            ids::peering_dns(r),
            vec![accept_id.clone()],
            ResourceSpec::VpcPeeringDns {
                peering: peering_id.clone(),
                side,
            },
        );

        let lb = &region.load_balancer;
        let lb_sg = b.security_group(r, &vpc, "lb", "load balancer listeners");
        let nodes_sg = b.security_group(r, &vpc, "nodes", "worker nodes");
        let tls_port = lb.tls.as_ref().map(|t| t.port);
        for port in lb.listeners.iter().chain(tls_port.iter()) {
            for who in &lb.allow {
                let (label, cidr) = match who.as_str() {
                    "internet" => ("internet".to_string(), ANYWHERE.to_string()),
                    "peer" => ("peer".to_string(), peer.vpc.to_string()),
                    cidr => (cidr.replace('/', "_"), cidr.to_string()),
                };
                b.rule(
                    format!("{lb_sg}/in-{port}-from-{label}"),
                    &lb_sg,
                    Direction::Ingress,
                    Some(*port),
                    RulePeer::Cidr(cidr),
                    format!("listener {port} from {who}"),
                );
            }
        }
        b.rule(
            format!("{lb_sg}/out-{}-to-nodes", lb.target_port),
            &lb_sg,
            Direction::Egress,
            Some(lb.target_port),
            RulePeer::SecurityGroup(nodes_sg.clone()),
            "to the workload's NodePort".into(),
        );
        b.rule(
            format!("{nodes_sg}/in-{}-from-lb", lb.target_port),
            &nodes_sg,
            Direction::Ingress,
            Some(lb.target_port),
            RulePeer::SecurityGroup(lb_sg.clone()),
            "NodePort from the load balancer".into(),
        );
        b.rule(
            format!("{nodes_sg}/out-all"),
            &nodes_sg,
            Direction::Egress,
            None,
            RulePeer::Cidr(ANYWHERE.into()),
            "egress through the NAT gateway".into(),
        );

        let (lb_id, tg_id) = b.load_balancer(region, &vpc, &igw, &public, &private, &lb_sg);
        if let Some(acl_name) = &lb.waf
            && let Some(acl) = valid
                .stack
                .spec
                .waf_acls
                .iter()
                .find(|a| &a.name == acl_name)
        {
            let acl_id = b.add(
                ids::web_acl(r, acl_name),
                vec![],
                ResourceSpec::WebAcl {
                    name: format!("{}-{r}-{acl_name}", b.stack),
                    scope: "REGIONAL".to_string(),
                    managed_rule_groups: acl.managed_rule_groups.clone(),
                    rate_limit: acl.rate_limit,
                },
            );
            b.add(
                ids::web_acl_association(r),
                vec![acl_id.clone(), lb_id.clone()],
                ResourceSpec::WebAclAssociation {
                    web_acl: acl_id,
                    load_balancer: lb_id.clone(),
                },
            );
        }

        let cluster = &region.cluster;
        let mut eks_deps = private.clone();
        if iam.cluster_role_arn.is_none() {
            eks_deps.push(cluster_role.clone());
        }
        let encryption = &cluster.secrets_encryption;
        let secrets_key = match (&encryption.key_arn, encryption.enabled) {
            (_, false) => None,
            (Some(arn), true) => Some(arn.clone()),
            (None, true) => {
                let key_deps = eks_deps.iter().filter(|d| **d == cluster_role).cloned();
                let key = b.add(
                    ids::secrets_key(r),
                    key_deps.collect(),
                    ResourceSpec::SecretsKey {
                        description: format!(
                            "multiregion {}: envelope encryption of EKS cluster {}'s secrets",
                            b.stack, cluster.name
                        ),
                        user: cluster_role.clone(),
                    },
                );
                eks_deps.push(key.clone());
                Some(key)
            }
        };
        let eks = b.add(
            ids::cluster(r),
            eks_deps,
            ResourceSpec::EksCluster {
                name: cluster.name.clone(),
                version: cluster.version.clone(),
                // A logical id when the stack makes the role, the ARN when it names an existing one.
                role: cluster_role.clone(),
                subnets: private.clone(),
                endpoint_private: cluster.endpoint.private,
                endpoint_public: cluster.endpoint.public,
                public_cidrs: cluster.endpoint.public_cidrs.clone(),
                log_types: cluster
                    .logging
                    .iter()
                    .map(|l| l.as_str().to_string())
                    .collect(),
                authentication_mode: "API".to_string(),
                bootstrap_cluster_creator_admin: true,
                secrets_key,
            },
        );
        for (k, admin) in cluster.admins.iter().enumerate() {
            b.add(
                ids::access_entry(r, k + 1),
                vec![eks.clone()],
                ResourceSpec::AccessEntry {
                    cluster: eks.clone(),
                    principal_arn: admin.clone(),
                    access_policy: CLUSTER_ADMIN_POLICY.to_string(),
                },
            );
        }
        let mut node_groups = Vec::new();
        for group in &cluster.node_groups {
            let g = &group.name;
            let template = b.add(
                ids::launch_template(r, g),
                vec![nodes_sg.clone(), eks.clone()],
                ResourceSpec::LaunchTemplate {
                    name: format!("{}-{r}-{g}", b.stack),
                    security_groups: vec![nodes_sg.clone()],
                    cluster: eks.clone(),
                    imdsv2_required: true,
                    // 2 lets pods that still use IMDS reach it through the extra network hop.
                    metadata_hop_limit: 2,
                },
            );
            // Nodes must reach the EKS API and image registries before they can join.
            let mut deps = vec![eks.clone(), template.clone()];
            if iam.node_role_arn.is_none() {
                deps.push(node_role.clone());
            }
            deps.extend(private_egress.iter().cloned());
            deps.extend(private_assocs.iter().cloned());
            let node_group = b.add(
                ids::node_group(r, g),
                deps,
                ResourceSpec::NodeGroup {
                    cluster: eks.clone(),
                    name: g.clone(),
                    role: node_role.clone(),
                    subnets: private.clone(),
                    launch_template: template,
                    instance_types: group.instance_types.clone(),
                    min: group.min,
                    desired: group.desired,
                    max: group.max,
                    labels: group.labels.clone(),
                    autoscaled: crate::stack::autoscaler::wanted(cluster),
                },
            );
            node_groups.push(node_group.clone());
            b.add(
                ids::target_group_attachment(r, g),
                vec![tg_id.clone(), node_group.clone()],
                ResourceSpec::TargetGroupAttachment {
                    target_group: tg_id.clone(),
                    node_group,
                },
            );
        }
        let runs_insights = insights::runs(valid, cluster);
        if let Some(role) = agent_role.as_ref().filter(|_| runs_insights) {
            insights::association(&mut b, r, &cluster.name, &eks, role);
        }
        addons::add(&mut b, r, cluster, runs_insights, &eks, &node_groups);
        if let Some(role) = &autoscaler_role
            && crate::stack::autoscaler::wanted(cluster)
        {
            autoscaler::association(&mut b, r, &cluster.name, &eks, role);
        }
        if let Some(spec) = &valid.stack.spec.alerts {
            let workloads = valid.stack.spec.workloads.iter();
            let watched = alerts::Watched {
                region,
                load_balancer: &lb_id,
                target_group: &tg_id,
                workloads: workloads
                    .filter(|w| w.region == *r)
                    .map(|w| w.name.as_str())
                    .collect(),
            };
            alerts::add(&mut b, spec, &watched);
        }
        // Made after everything else of the region and the global roles, so it records only
        // a run that converged them.
        let everything = b
            .resources
            .iter()
            .filter(|x| x.region.is_none() || x.region.as_deref() == Some(r.as_str()))
            .map(|x| x.id.clone())
            .collect();
        b.add(
            ids::run_record(r),
            everything,
            ResourceSpec::RunRecord {
                name: run_record_name(&b.stack, r),
                tool_version: env!("CARGO_PKG_VERSION").to_string(),
                stack_digest: valid.digest.clone(),
            },
        );
    }
    b.resources
}

/// The record's parameter name: under the stack's path, one per region.
pub fn run_record_name(stack: &str, region: &str) -> String {
    format!(
        "{}{region}/last-up",
        crate::providers::parameter_path(stack)
    )
}
