//! The network checks: the public entry and its WAF, the backend kept internal, security groups, the peering and its routes, subnets, default groups, main tables and flow logs.

use super::*;

pub(super) fn waf_on_public_entry(world: &World) -> Finding {
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

pub(super) fn backend_is_internal(world: &World) -> Finding {
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

pub(super) fn backend_ingress_only_from_peer(world: &World) -> Finding {
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

pub(super) fn internet_only_on_listeners(world: &World) -> Finding {
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
                    .is_some_and(|p| lb.listeners.iter().any(|l| i32::from(l.port) == p));
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
                    lb.listeners.iter().map(|l| l.port).collect::<Vec<_>>(),
                    lb.name.label
                ));
            }
        }
    }
    look.finish()
}

pub(super) fn peering_active(world: &World) -> Finding {
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
pub(super) fn public_subnets(r: &RegionView) -> Vec<&str> {
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

pub(super) fn peer_routes(world: &World) -> Finding {
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

pub(super) fn nodes_in_private_subnets(world: &World) -> Finding {
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

pub(super) fn default_groups_empty(world: &World) -> Finding {
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

pub(super) fn main_tables_local(world: &World) -> Finding {
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

pub(super) fn flow_logs_on(world: &World) -> Finding {
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
