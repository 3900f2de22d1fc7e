//! The checks. Each is a pure function of the world: what it looked at goes in `resources`,
//! why it decided as it did in `evidence`. Something the check needs that is missing from a
//! live world is a failure, never a quiet pass.

use ipnet::IpNet;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::networking::v1::NetworkPolicy;

use super::world::{Kube, KubeObjects, RegionView, TargetKind, World};
use super::{Check, Finding, Scope, Severity, Verdict};
use crate::stack::types::{LoadBalancerType, Role, Scheme};

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
];

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

fn region(world: &World, role: Role) -> Option<&RegionView> {
    world.regions.iter().find(|r| r.role == role)
}

fn not_applicable(reason: &str) -> Finding {
    Finding {
        verdict: Verdict::NotApplicable(reason.to_string()),
        resources: Vec::new(),
        evidence: Vec::new(),
    }
}

fn is_anywhere(cidr: &str) -> bool {
    ANYWHERE.contains(&cidr)
}

/// Whether `cidr` lies inside `block`.
fn within(cidr: &str, block: &str) -> bool {
    match (cidr.parse::<IpNet>(), block.parse::<IpNet>()) {
        (Ok(inner), Ok(outer)) => outer.contains(&inner),
        _ => false,
    }
}

fn waf_on_public_entry(world: &World) -> Finding {
    let mut look = Look::default();
    let Some(r) = region(world, Role::Frontend) else {
        return not_applicable("the stack has no frontend region");
    };
    let Some(lb) = &r.load_balancer else {
        look.problem(format!("{}: no load balancer found", r.name));
        return look.finish();
    };
    look.saw(&lb.name.label);
    let Some(acl) = &lb.web_acl else {
        let why = if lb.lb_type == Some(LoadBalancerType::Network) {
            " (a network load balancer cannot carry one: AWS attaches WAF to application load balancers only)"
        } else {
            ""
        };
        look.problem(format!("{}: no web ACL is associated{why}", lb.name.label));
        return look.finish();
    };
    look.saw(&acl.name.label);
    match &acl.managed_rule_groups {
        None => look.problem(format!(
            "{} is associated, but it is not one of the stack's ACLs: its rules are unknown",
            acl.name.label
        )),
        Some(groups) => {
            for wanted in MANAGED_GROUPS {
                if groups.iter().any(|g| g == wanted) {
                    look.ok(format!("{}: managed rule group {wanted}", acl.name.label));
                } else {
                    look.problem(format!(
                        "{}: managed rule group {wanted} is missing",
                        acl.name.label
                    ));
                }
            }
        }
    }
    match acl.rate_limit {
        Some(limit) => look.ok(format!(
            "{}: rate-based rule, {limit} requests per 5 minutes",
            acl.name.label
        )),
        None => look.problem(format!("{}: no rate-based rule", acl.name.label)),
    }
    look.finish()
}

fn backend_is_internal(world: &World) -> Finding {
    let mut look = Look::default();
    let Some(r) = region(world, Role::Backend) else {
        return not_applicable("the stack has no backend region");
    };
    match &r.load_balancer {
        None => look.problem(format!("{}: no load balancer found", r.name)),
        Some(lb) => {
            look.saw(&lb.name.label);
            let scheme = lb.scheme.map(Scheme::as_str).unwrap_or("unknown");
            let text = format!("{}: scheme {scheme}", lb.name.label);
            if lb.scheme == Some(Scheme::Internal) {
                look.ok(text);
            } else {
                look.problem(text);
            }
        }
    }
    look.finish()
}

fn backend_ingress_only_from_peer(world: &World) -> Finding {
    let mut look = Look::default();
    let Some(r) = region(world, Role::Backend) else {
        return not_applicable("the stack has no backend region");
    };
    if r.security_groups.is_empty() {
        look.problem(format!(
            "{}: no security group of the stack's found",
            r.name
        ));
    }
    for g in &r.security_groups {
        look.saw(&g.name.label);
        for rule in &g.ingress {
            match &rule.cidr {
                Some(cidr) if is_anywhere(cidr) || !within(cidr, &r.peer_cidr) => {
                    look.problem(format!(
                        "{}: admits {} (only {} may reach the backend)",
                        g.name.label,
                        rule.describe(),
                        r.peer_cidr
                    ))
                }
                Some(_) => look.ok(format!("{}: admits {}", g.name.label, rule.describe())),
                // A group reference stays inside the backend's own VPC.
                None => look.ok(format!("{}: admits {}", g.name.label, rule.describe())),
            }
        }
    }
    look.finish()
}

fn internet_only_on_listeners(world: &World) -> Finding {
    let mut look = Look::default();
    let Some(r) = region(world, Role::Frontend) else {
        return not_applicable("the stack has no frontend region");
    };
    let Some(lb) = &r.load_balancer else {
        look.problem(format!("{}: no load balancer found", r.name));
        return look.finish();
    };
    look.saw(&lb.name.label);
    for g in &r.security_groups {
        look.saw(&g.name.label);
        let on_lb = lb.security_groups.contains(&g.name.id);
        for rule in g
            .ingress
            .iter()
            .filter(|x| x.cidr.as_deref().is_some_and(is_anywhere))
        {
            let listener_port = rule.protocol == "tcp"
                && rule.from_port == rule.to_port
                && rule
                    .from_port
                    .is_some_and(|p| lb.listeners.iter().any(|l| i32::from(*l) == p));
            if on_lb && listener_port {
                look.ok(format!(
                    "{}: admits {} (a listener port)",
                    g.name.label,
                    rule.describe()
                ));
            } else {
                look.problem(format!(
                    "{}: admits {}; the internet may reach only listener ports {:?} of {}",
                    g.name.label,
                    rule.describe(),
                    lb.listeners,
                    lb.name.label
                ));
            }
        }
    }
    look.finish()
}

fn peering_active(world: &World) -> Finding {
    if !world.live {
        return not_applicable(
            "a peering's state exists only in AWS; run `verify` against the account",
        );
    }
    let mut look = Look::default();
    let vpcs: Vec<String> = world
        .regions
        .iter()
        .filter_map(|r| r.vpc.as_ref().map(|v| v.id.clone()))
        .collect();
    if world.peerings.is_empty() {
        look.problem("no peering of the stack's found".into());
    }
    if world.peerings.len() > 1 {
        look.problem(format!(
            "{} peerings found; the stack has one",
            world.peerings.len()
        ));
    }
    for p in &world.peerings {
        look.saw(&p.name.label);
        let joins = vpcs.len() == 2
            && vpcs.contains(&p.requester_vpc)
            && vpcs.contains(&p.accepter_vpc)
            && p.requester_vpc != p.accepter_vpc;
        let text = format!(
            "{}: {} between {} and {}",
            p.name.label, p.status, p.requester_vpc, p.accepter_vpc
        );
        if p.status == "active" && joins {
            look.ok(text);
        } else if !joins {
            look.problem(format!(
                "{text}, which are not the stack's two VPCs ({})",
                vpcs.join(", ")
            ));
        } else {
            look.problem(text);
        }
    }
    look.finish()
}

/// Subnets whose route table sends the default route to an internet gateway.
fn public_subnets(r: &RegionView) -> Vec<&str> {
    r.route_tables
        .iter()
        .filter(|t| {
            t.routes.iter().any(|x| {
                is_anywhere(&x.destination) && x.target_kind == TargetKind::InternetGateway
            })
        })
        .flat_map(|t| t.subnets.iter().map(String::as_str))
        .collect()
}

fn peer_routes(world: &World) -> Finding {
    let mut look = Look::default();
    let peerings: Vec<&str> = world.peerings.iter().map(|p| p.name.id.as_str()).collect();
    for r in &world.regions {
        let public = public_subnets(r);
        let private_tables: Vec<_> = r
            .route_tables
            .iter()
            .filter(|t| {
                !t.subnets.is_empty() && t.subnets.iter().all(|s| !public.contains(&s.as_str()))
            })
            .collect();
        if private_tables.is_empty() {
            look.problem(format!("{}: no private route table found", r.name));
        }
        for t in private_tables {
            look.saw(&t.name.label);
            let route = t.routes.iter().find(|x| x.destination == r.peer_cidr);
            match route {
                Some(x)
                    if x.target_kind == TargetKind::Peering
                        && peerings.contains(&x.target.as_str()) =>
                {
                    look.ok(format!(
                        "{}: {} via {}",
                        t.name.label, r.peer_cidr, x.target
                    ))
                }
                Some(x) => look.problem(format!(
                    "{}: {} goes to {} {}, not the stack's peering",
                    t.name.label, r.peer_cidr, x.target_kind, x.target
                )),
                None => look.problem(format!("{}: no route to {}", t.name.label, r.peer_cidr)),
            }
        }
    }
    look.finish()
}

fn nodes_in_private_subnets(world: &World) -> Finding {
    let mut look = Look::default();
    for r in &world.regions {
        let public = public_subnets(r);
        if r.node_groups.is_empty() {
            look.problem(format!("{}: no node group found", r.name));
        }
        for g in &r.node_groups {
            look.saw(&g.name.label);
            for s in &g.subnets {
                if public.contains(&s.as_str()) {
                    look.problem(format!("{}: runs in public subnet {s}", g.name.label));
                } else {
                    look.ok(format!("{}: runs in private subnet {s}", g.name.label));
                }
            }
        }
        for s in r
            .subnets
            .iter()
            .filter(|s| !public.contains(&s.name.id.as_str()))
        {
            look.saw(&s.name.label);
            if s.map_public_ip {
                look.problem(format!(
                    "{} ({}): a private subnet that assigns public IPs",
                    s.name.label, s.cidr
                ));
            }
        }
    }
    look.finish()
}

fn default_groups_empty(world: &World) -> Finding {
    if !world.live {
        return not_applicable(
            "default security groups are made by AWS with each VPC; `up` empties them, and only the account can show rules added later",
        );
    }
    let mut look = Look::default();
    for r in &world.regions {
        match &r.default_group {
            None => look.problem(format!(
                "{}: the VPC's default security group was not found",
                r.name
            )),
            Some(g) => {
                look.saw(&g.name.label);
                let rules: Vec<String> = g
                    .ingress
                    .iter()
                    .map(|x| format!("in {}", x.describe()))
                    .chain(g.egress.iter().map(|x| format!("out {}", x.describe())))
                    .collect();
                if rules.is_empty() {
                    look.ok(format!("{}: no rules", g.name.label));
                } else {
                    look.problem(format!("{}: {}", g.name.label, rules.join("; ")));
                }
            }
        }
    }
    look.finish()
}

fn main_tables_local(world: &World) -> Finding {
    if !world.live {
        return not_applicable(
            "main route tables are made by AWS with each VPC; `up` keeps only their local route, and only the account can show routes added later",
        );
    }
    let mut look = Look::default();
    for r in &world.regions {
        let Some(t) = r.route_tables.iter().find(|t| t.main) else {
            look.problem(format!(
                "{}: the VPC's main route table was not found among the stack's (run `up` to adopt it)",
                r.name
            ));
            continue;
        };
        look.saw(&t.name.label);
        let out: Vec<String> = t
            .routes
            .iter()
            .filter(|x| x.target_kind != TargetKind::Local)
            .map(|x| format!("{} via {} {}", x.destination, x.target_kind, x.target))
            .collect();
        if out.is_empty() {
            look.ok(format!("{}: local route only", t.name.label));
        } else {
            look.problem(format!(
                "{}: {}; a subnet without a table of its own would take it",
                t.name.label,
                out.join(", ")
            ));
        }
    }
    look.finish()
}

fn flow_logs_on(world: &World) -> Finding {
    if !world.live {
        return not_applicable(
            "flow logs exist only in the account; the stack's `network.flowLogs` says where they are wanted",
        );
    }
    let mut look = Look::default();
    let wanted: Vec<&RegionView> = world
        .regions
        .iter()
        .filter(|r| r.flow_logs_wanted)
        .collect();
    if wanted.is_empty() {
        return not_applicable("the stack asks for no flow logs");
    }
    for r in wanted {
        let Some(vpc) = &r.vpc else {
            look.problem(format!("{}: no VPC found", r.name));
            continue;
        };
        look.saw(&vpc.label);
        if r.flow_logs.is_empty() {
            look.problem(format!("{}: no flow log", vpc.label));
        } else {
            look.ok(format!(
                "{}: flow logs {}",
                vpc.label,
                r.flow_logs.join(", ")
            ));
        }
    }
    look.finish()
}

fn endpoint_limited(world: &World) -> Finding {
    let mut look = Look::default();
    for r in &world.regions {
        let Some(c) = &r.cluster else {
            look.problem(format!("{}: no EKS cluster found", r.name));
            continue;
        };
        look.saw(&c.name.label);
        if !c.endpoint_public {
            look.ok(format!("{}: public endpoint off", c.name.label));
            continue;
        }
        if c.public_cidrs.is_empty() {
            look.problem(format!(
                "{}: public endpoint open to all (no CIDRs)",
                c.name.label
            ));
        }
        for cidr in &c.public_cidrs {
            if is_anywhere(cidr) {
                look.problem(format!("{}: public endpoint open to {cidr}", c.name.label));
            } else if !r.endpoint_cidrs.contains(cidr) {
                look.problem(format!(
                    "{}: public endpoint admits {cidr}, which the stack does not list",
                    c.name.label
                ));
            } else {
                look.ok(format!(
                    "{}: public endpoint limited to {cidr}",
                    c.name.label
                ));
            }
        }
    }
    look.finish()
}

fn all_logs_on(world: &World) -> Finding {
    let mut look = Look::default();
    for r in &world.regions {
        let Some(c) = &r.cluster else {
            look.problem(format!("{}: no EKS cluster found", r.name));
            continue;
        };
        look.saw(&c.name.label);
        let missing: Vec<&str> = LOG_TYPES
            .iter()
            .copied()
            .filter(|t| !c.log_types.iter().any(|l| l == t))
            .collect();
        if missing.is_empty() {
            look.ok(format!("{}: all five log types on", c.name.label));
        } else {
            look.problem(format!(
                "{}: log types off: {}",
                c.name.label,
                missing.join(", ")
            ));
        }
    }
    look.finish()
}

fn imdsv2_required(world: &World) -> Finding {
    let mut look = Look::default();
    for r in &world.regions {
        if r.node_groups.is_empty() {
            look.problem(format!("{}: no node group found", r.name));
        }
        for g in &r.node_groups {
            look.saw(&g.name.label);
            match g.imdsv2_required {
                Some(true) => look.ok(format!("{}: IMDSv2 required", g.name.label)),
                Some(false) => look.problem(format!(
                    "{}: its launch template allows IMDSv1",
                    g.name.label
                )),
                None => look.problem(format!(
                    "{}: made without a launch template, so IMDSv1 is allowed",
                    g.name.label
                )),
            }
        }
    }
    look.finish()
}

fn objects<'a>(r: &'a RegionView, look: &mut Look) -> Result<&'a KubeObjects, Finding> {
    match &r.kubernetes {
        Kube::Objects(objects) => Ok(objects),
        Kube::Unavailable(why) => {
            look.saw(&format!("cluster of {}", r.name));
            Err(Finding {
                verdict: Verdict::Error(format!("{}: {why}", r.name)),
                resources: std::mem::take(&mut look.resources),
                evidence: Vec::new(),
            })
        }
    }
}

fn object_name(meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta) -> String {
    format!(
        "{}/{}",
        meta.namespace.as_deref().unwrap_or("default"),
        meta.name.as_deref().unwrap_or_default()
    )
}

/// Whether a policy denies all ingress to every pod of its namespace.
fn is_default_deny(p: &NetworkPolicy) -> bool {
    let Some(spec) = &p.spec else { return false };
    let selects_all = spec.pod_selector.as_ref().is_none_or(|s| {
        s.match_labels.as_ref().is_none_or(|l| l.is_empty())
            && s.match_expressions.as_ref().is_none_or(|e| e.is_empty())
    });
    let ingress_type = spec
        .policy_types
        .as_ref()
        .is_none_or(|t| t.iter().any(|t| t == "Ingress"));
    let no_allows = spec.ingress.as_ref().is_none_or(|i| i.is_empty());
    selects_all && ingress_type && no_allows
}

fn namespaces_of(deployments: &[Deployment]) -> Vec<String> {
    let mut out: Vec<String> = deployments
        .iter()
        .map(|d| {
            d.metadata
                .namespace
                .clone()
                .unwrap_or_else(|| "default".into())
        })
        .collect();
    out.dedup();
    out
}

fn backend_cluster_closed(world: &World) -> Finding {
    let mut look = Look::default();
    let Some(r) = region(world, Role::Backend) else {
        return not_applicable("the stack has no backend region");
    };
    if r.workloads.is_empty() {
        return not_applicable("the stack runs no workload in the backend region");
    }
    let objects = match objects(r, &mut look) {
        Ok(o) => o,
        Err(finding) => return finding,
    };
    for s in &objects.services {
        let name = object_name(&s.metadata);
        look.saw(&format!("Service {name}"));
        if s.spec.as_ref().and_then(|x| x.type_.as_deref()) == Some("LoadBalancer") {
            look.problem(format!("Service {name} is of type LoadBalancer"));
        }
    }
    let namespaces = namespaces_of(&objects.deployments);
    if namespaces.is_empty() && !r.workloads.is_empty() {
        look.problem(format!(
            "{}: no Deployment of {} found",
            r.name,
            r.workloads.join(", ")
        ));
    }
    for ns in namespaces {
        let policies: Vec<&NetworkPolicy> = objects
            .network_policies
            .iter()
            .filter(|p| p.metadata.namespace.as_deref().unwrap_or("default") == ns)
            .collect();
        if !policies.iter().any(|p| is_default_deny(p)) {
            look.problem(format!(
                "namespace {ns}: no default-deny NetworkPolicy; every pod is open"
            ));
        }
        for p in policies {
            let name = object_name(&p.metadata);
            look.saw(&format!("NetworkPolicy {name}"));
            for rule in p.spec.iter().flat_map(|s| s.ingress.iter().flatten()) {
                let peers = rule.from.as_deref().unwrap_or_default();
                if peers.is_empty() {
                    look.problem(format!(
                        "NetworkPolicy {name}: an ingress rule from anywhere"
                    ));
                }
                for peer in peers {
                    match &peer.ip_block {
                        Some(b) if within(&b.cidr, &r.peer_cidr) || within(&b.cidr, &r.cidr) => {
                            look.ok(format!("NetworkPolicy {name}: admits {}", b.cidr))
                        }
                        Some(b) => look.problem(format!(
                            "NetworkPolicy {name}: admits {}, outside the peer block {} and the VPC {}",
                            b.cidr, r.peer_cidr, r.cidr
                        )),
                        // Pod and namespace selectors stay inside the cluster.
                        None => {}
                    }
                }
            }
        }
    }
    look.finish()
}

fn workloads_hardened(world: &World) -> Finding {
    if world.regions.iter().all(|r| r.workloads.is_empty()) {
        return not_applicable("the stack has no workloads");
    }
    let mut look = Look::default();
    for r in world.regions.iter().filter(|r| !r.workloads.is_empty()) {
        let objects = match objects(r, &mut look) {
            Ok(o) => o,
            Err(finding) => return finding,
        };
        for d in &objects.deployments {
            let name = format!("Deployment {}", object_name(&d.metadata));
            look.saw(&name);
            let Some(pod) = d.spec.as_ref().and_then(|s| s.template.spec.as_ref()) else {
                look.problem(format!("{name}: no pod spec"));
                continue;
            };
            let pod_non_root = pod
                .security_context
                .as_ref()
                .and_then(|c| c.run_as_non_root)
                .unwrap_or(false);
            for c in &pod.containers {
                let ctx = c.security_context.as_ref();
                let who = format!("{name} container {}", c.name);
                let non_root = ctx.and_then(|x| x.run_as_non_root).unwrap_or(pod_non_root);
                if !non_root {
                    look.problem(format!("{who}: runAsNonRoot is not set"));
                }
                if ctx.and_then(|x| x.privileged) == Some(true) {
                    look.problem(format!("{who}: privileged"));
                }
                if ctx.and_then(|x| x.allow_privilege_escalation) != Some(false) {
                    look.problem(format!("{who}: allowPrivilegeEscalation is not false"));
                }
                let limits = c.resources.as_ref().and_then(|x| x.limits.as_ref());
                for resource in ["cpu", "memory"] {
                    if !limits.is_some_and(|l| l.contains_key(resource)) {
                        look.problem(format!("{who}: no {resource} limit"));
                    }
                }
                if c.liveness_probe.is_none() {
                    look.problem(format!("{who}: no liveness probe"));
                }
                if c.readiness_probe.is_none() {
                    look.problem(format!("{who}: no readiness probe"));
                }
            }
        }
        for ns in namespaces_of(&objects.deployments) {
            let deny = objects
                .network_policies
                .iter()
                .filter(|p| p.metadata.namespace.as_deref().unwrap_or("default") == ns)
                .any(is_default_deny);
            if deny {
                look.ok(format!(
                    "{}: namespace {ns} has a default-deny NetworkPolicy",
                    r.name
                ));
            } else {
                look.problem(format!(
                    "{}: namespace {ns} has no default-deny NetworkPolicy",
                    r.name
                ));
            }
        }
        if objects.deployments.is_empty() && !r.workloads.is_empty() {
            look.problem(format!(
                "{}: no Deployment of {} found",
                r.name,
                r.workloads.join(", ")
            ));
        }
    }
    if look.problems.is_empty() {
        look.ok("every container: non-root, unprivileged, no privilege escalation, CPU and memory limits, liveness and readiness probes".into());
    }
    look.finish()
}
