//! The checks. Each is a pure function of the world: what it looked at goes in `resources`,
//! why it decided as it did in `evidence`. Something the check needs that is missing from a
//! live world is a failure, never a quiet pass.

use ipnet::IpNet;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::networking::v1::NetworkPolicy;

use super::world::{Kube, KubeObjects, RegionView, TargetKind, World};
use super::{Check, Finding, Scope, Severity, Verdict};
use crate::stack::types::{LoadBalancerType, Role, Scheme};

mod alerts;
mod autoscaling;
mod clusters;
mod cost;
mod kubernetes;
mod network;
mod tls;

use alerts::*;
use autoscaling::*;
use clusters::*;
use cost::*;
use kubernetes::*;
use network::*;
use tls::*;

pub const CATALOG: &[Check] = &[
    Check {
        id: "MR-WAF-001",
        title: "WAF web ACL on the public load balancer, with the managed rule groups and a rate rule",
        severity: Severity::High,
        remediation: "Give the frontend region's load balancer `waf: <acl>` and list AWSManagedRulesCommonRuleSet, AWSManagedRulesSQLiRuleSet and a `rateLimit` in that ACL; run `up`.",
        settings: &[
            (Scope::Region(Role::Frontend), "loadBalancer.waf"),
            (Scope::Spec, "wafAcls"),
        ],
        run: waf_on_public_entry,
    },
    Check {
        id: "MR-LB-001",
        title: "The backend load balancer is internal",
        severity: Severity::Critical,
        remediation: "Set the backend region's `loadBalancer.scheme: internal`; AWS cannot change a scheme in place, so run `up --allow-replace`.",
        settings: &[(Scope::Region(Role::Backend), "loadBalancer.scheme")],
        run: backend_is_internal,
    },
    Check {
        id: "MR-LB-002",
        title: "The public load balancer serves HTTPS only (plain HTTP only redirects) with a TLS 1.2+ policy",
        severity: Severity::High,
        remediation: "Set `loadBalancer.tls.certificateArn` to an ACM certificate of the region for the names clients use, and run `up`: the tool adds the HTTPS listener (ELBSecurityPolicy-TLS13-1-2-2021-06 unless `tls.policy` names another TLS 1.2+ policy) and turns the `listeners` into redirects to it. To accept plain HTTP, skip this check in `spec.verify.skip` with the reason.",
        settings: &[(Scope::Region(Role::Frontend), "loadBalancer.tls")],
        run: public_entry_is_https,
    },
    Check {
        id: "MR-NET-001",
        title: "Backend ingress admits only the peer VPC's block",
        severity: Severity::Critical,
        remediation: "Allow only `peer` on the backend's load balancer and remove other ingress rules from the backend's security groups; `up` removes rules added by hand.",
        settings: &[(Scope::Region(Role::Backend), "loadBalancer.allow")],
        run: backend_ingress_only_from_peer,
    },
    Check {
        id: "MR-NET-002",
        title: "The public load balancer admits the internet only on its listener ports",
        severity: Severity::High,
        remediation: "Open the internet (0.0.0.0/0, ::/0) only on the load balancer's listener ports; `up` removes rules added by hand.",
        settings: &[
            (Scope::Region(Role::Frontend), "loadBalancer.allow"),
            (Scope::Region(Role::Frontend), "loadBalancer.listeners"),
        ],
        run: internet_only_on_listeners,
    },
    Check {
        id: "MR-NET-003",
        title: "The peering is active and joins exactly the two stack VPCs",
        severity: Severity::High,
        remediation: "Run `up`: it requests the peering from the frontend region, accepts it in the backend region and removes strays.",
        settings: &[(Scope::Spec, "peering")],
        run: peering_active,
    },
    Check {
        id: "MR-NET-004",
        title: "Routes to the peer VPC go through the peering on both sides",
        severity: Severity::High,
        remediation: "Run `up`: every private route table gets a route to the peer block through the peering.",
        settings: &[(Scope::Spec, "peering")],
        run: peer_routes,
    },
    Check {
        id: "MR-NET-005",
        title: "Worker nodes sit in private subnets, which assign no public IPs",
        severity: Severity::High,
        remediation: "Keep node groups in the private subnets and turn off `MapPublicIpOnLaunch` on them; run `up`.",
        settings: &[(Scope::EachRegion, "network.subnets")],
        run: nodes_in_private_subnets,
    },
    Check {
        id: "MR-NET-006",
        title: "The VPCs' default security groups admit nothing",
        severity: Severity::Medium,
        remediation: "Run `up`: it empties the default security group of each stack VPC.",
        settings: &[(Scope::EachRegion, "network")],
        run: default_groups_empty,
    },
    Check {
        id: "MR-NET-007",
        title: "VPC flow logs are on where the stack asks for them",
        severity: Severity::Medium,
        remediation: "Run `up` with `network.flowLogs: true`, or add a flow log to the VPC.",
        settings: &[(Scope::EachRegion, "network.flowLogs")],
        run: flow_logs_on,
    },
    Check {
        id: "MR-NET-008",
        title: "The VPCs' main route tables route only within the VPC",
        severity: Severity::Medium,
        remediation: "Run `up`: it keeps only the local route in each stack VPC's main route table, so a subnet without a table of its own reaches nothing outside the VPC.",
        settings: &[(Scope::EachRegion, "network")],
        run: main_tables_local,
    },
    Check {
        id: "MR-EKS-001",
        title: "EKS public endpoint off, or limited to the configured CIDRs",
        severity: Severity::High,
        remediation: "Set `cluster.endpoint.public: false`, or list only your networks in `publicCidrs` (never 0.0.0.0/0); run `up`.",
        settings: &[(Scope::EachRegion, "cluster.endpoint")],
        run: endpoint_limited,
    },
    Check {
        id: "MR-EKS-002",
        title: "EKS control-plane logging on for all log types",
        severity: Severity::Medium,
        remediation: "Leave `cluster.logging` out (all five types) and run `up`.",
        settings: &[(Scope::EachRegion, "cluster.logging")],
        run: all_logs_on,
    },
    Check {
        id: "MR-EKS-003",
        title: "Worker nodes require IMDSv2",
        severity: Severity::High,
        remediation: "Run `up`: node groups are made from a launch template that requires IMDSv2 tokens; a node group without one is replaced with `--allow-replace`.",
        settings: &[(Scope::EachRegion, "cluster.nodeGroups")],
        run: imdsv2_required,
    },
    Check {
        id: "MR-EKS-004",
        title: "Kubernetes secrets are envelope-encrypted with a KMS key",
        severity: Severity::High,
        remediation: "Leave `cluster.secretsEncryption` out (a key per region the stack makes, rotation on) or give `keyArn` of a key in the cluster's region, and run `up`: an existing cluster is encrypted in place (EKS cannot undo it).",
        settings: &[(Scope::EachRegion, "cluster.secretsEncryption")],
        run: secrets_encrypted,
    },
    Check {
        id: "MR-EKS-005",
        title: "Each cluster runs a Kubernetes version in EKS standard support",
        severity: Severity::Medium,
        remediation: "Raise `cluster.version` to a version in standard support, one minor at a time as the evidence lists (EKS upgrades one minor per update, and so does `up`); read each version's release notes for removed APIs first.",
        settings: &[(Scope::EachRegion, "cluster.version")],
        run: version_supported,
    },
    Check {
        id: "MR-EKS-006",
        title: "Node groups that can grow (max above min) have an autoscaler that discovers them",
        severity: Severity::Medium,
        remediation: "Leave `cluster.autoscaler.enabled` on (the default) and run `up`: the tool runs the Cluster Autoscaler, which discovers the node groups by their Auto Scaling groups' tags; or set `max` to `min` if the group should not grow.",
        settings: &[
            (Scope::EachRegion, "cluster.autoscaler"),
            (Scope::EachRegion, "cluster.nodeGroups"),
        ],
        run: growing_groups_have_an_autoscaler,
    },
    Check {
        id: "MR-K8S-001",
        title: "No LoadBalancer Service in the backend cluster; backend pods reachable only from the peer VPC",
        severity: Severity::Critical,
        remediation: "Delete `type: LoadBalancer` Services from the backend cluster and keep a default-deny NetworkPolicy whose allows name only the peer and own VPC blocks.",
        settings: &[(Scope::Workloads(Role::Backend), "source")],
        run: backend_cluster_closed,
    },
    Check {
        id: "MR-K8S-002",
        title: "Workloads are hardened: non-root, unprivileged, limits, probes, default-deny NetworkPolicy",
        severity: Severity::High,
        remediation: "Set runAsNonRoot, leave privileged off, give every container CPU and memory limits and liveness and readiness probes, and add a default-deny NetworkPolicy to each namespace.",
        settings: &[
            (Scope::Workloads(Role::Frontend), "source"),
            (Scope::Workloads(Role::Backend), "source"),
        ],
        run: workloads_hardened,
    },
    Check {
        id: "MR-STK-001",
        title: "Each of the stack's resources exists once",
        severity: Severity::Medium,
        remediation: "Run `up`: it keeps the resource the rest of the stack hangs on and deletes the other copies (made by two runs at once, or by hand).",
        settings: &[(Scope::Spec, "name")],
        run: no_duplicates,
    },
    Check {
        id: "MR-COST-001",
        title: "A dev environment runs one NAT gateway per region",
        severity: Severity::Low,
        remediation: "Set `network.nat: single` for each region in the dev overlay (envs/dev.yaml): each NAT gateway past the first costs about $33 a month and its public IPv4 address $3.65; run `up`.",
        settings: &[(Scope::EachRegion, "network.nat")],
        run: single_nat_in_dev,
    },
    Check {
        id: "MR-COST-003",
        title: "The stack's log groups expire",
        severity: Severity::Low,
        remediation: "Run `up`: it sets the flow logs' groups to keep 30 days. (EKS's own group for control-plane logs, /aws/eks/<cluster>/cluster, is not the tool's: set a retention on it with `aws logs put-retention-policy`.)",
        settings: &[(Scope::EachRegion, "network.flowLogs")],
        run: logs_expire,
    },
    Check {
        id: "MR-OBS-001",
        title: "The stack's alarms exist, notify their region's topic, and the topic has a confirmed subscriber",
        severity: Severity::Medium,
        remediation: "Add `spec.alerts` with at least one of `webhooks` or `emails` (the documents' alarms are on by default) and run `up`; an e-mail subscriber must follow the link AWS mails, a webhook must answer the subscription confirmation (`multiregion webhook serve` does).",
        settings: &[(Scope::Spec, "alerts")],
        run: alarms_reach_someone,
    },
];

/// Two resources carrying one logical id: one of them is not what the stack manages.
fn no_duplicates(world: &World) -> Finding {
    if !world.live {
        return not_applicable(
            "copies exist only in the account; the stack file names each resource once",
        );
    }
    let mut look = Look::default();
    for r in &world.regions {
        look.saw(&format!("everything tagged for {}", r.name));
    }
    for d in &world.duplicates {
        look.saw(d.split(':').next().unwrap_or_default());
        look.problem(d.clone());
    }
    if world.duplicates.is_empty() {
        look.ok("every logical id of the stack is carried by one resource".to_string());
    }
    look.finish()
}

const ANYWHERE: [&str; 2] = ["0.0.0.0/0", "::/0"];
const MANAGED_GROUPS: [&str; 2] = ["AWSManagedRulesCommonRuleSet", "AWSManagedRulesSQLiRuleSet"];
const LOG_TYPES: [&str; 5] = [
    "api",
    "audit",
    "authenticator",
    "controllerManager",
    "scheduler",
];

/// Collects what a check looked at and the problems it saw; no problem is a pass.
#[derive(Default)]
struct Look {
    resources: Vec<String>,
    problems: Vec<String>,
    fine: Vec<String>,
}

impl Look {
    fn saw(&mut self, resource: &str) {
        if !self.resources.iter().any(|r| r == resource) {
            self.resources.push(resource.to_string());
        }
    }

    fn problem(&mut self, text: String) {
        self.problems.push(text);
    }

    fn ok(&mut self, text: String) {
        self.fine.push(text);
    }

    fn finish(self) -> Finding {
        let failed = !self.problems.is_empty();
        Finding {
            verdict: if failed { Verdict::Fail } else { Verdict::Pass },
            resources: self.resources,
            evidence: if failed { self.problems } else { self.fine },
        }
    }
}

pub(super) fn region(world: &World, role: Role) -> Option<&RegionView> {
    world.regions.iter().find(|r| r.role == role)
}

pub(super) fn not_applicable(reason: &str) -> Finding {
    Finding {
        verdict: Verdict::NotApplicable(reason.to_string()),
        resources: Vec::new(),
        evidence: Vec::new(),
    }
}

pub(super) fn is_anywhere(cidr: &str) -> bool {
    ANYWHERE.contains(&cidr)
}

/// Whether `cidr` lies inside `block`.
pub(super) fn within(cidr: &str, block: &str) -> bool {
    match (cidr.parse::<IpNet>(), block.parse::<IpNet>()) {
        (Ok(inner), Ok(outer)) => outer.contains(&inner),
        _ => false,
    }
}
