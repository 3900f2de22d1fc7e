//! The builder the desired model is made with: each resource tagged and ordered as it is
//! added, and the parts several regions' resources share (roles, routes, groups, rules, load
//! balancers).

use super::*;

pub(super) struct Builder {
    pub(super) stack: String,
    pub(super) user_tags: BTreeMap<String, String>,
    pub(super) resources: Vec<Resource>,
    /// (stack region name, AWS region) of the resources being added; `None` for global ones.
    pub(super) region: Option<(String, String)>,
}

impl Builder {
    pub(super) fn add(
        &mut self,
        id: String,
        depends_on: Vec<String>,
        spec: ResourceSpec,
    ) -> String {
        let mut tags = self.user_tags.clone();
        tags.insert(
            "Name".to_string(),
            format!("{}-{}", self.stack, id.replace('/', "-")),
        );
        tags.insert(TAG_STACK.to_string(), self.stack.clone());
        tags.insert(TAG_ID.to_string(), id.clone());
        self.resources.push(Resource {
            id: id.clone(),
            region: self.region.as_ref().map(|(name, _)| name.clone()),
            aws_region: self.region.as_ref().map(|(_, aws)| aws.clone()),
            depends_on,
            tags,
            spec,
        });
        id
    }

    pub(super) fn iam_role(
        &mut self,
        id: &str,
        suffix: &str,
        service: &str,
        policies: &[&str],
        inline_policy: Option<&str>,
    ) -> String {
        let name = format!("{}-{suffix}", self.stack);
        self.add(
            id.to_string(),
            vec![],
            ResourceSpec::IamRole {
                name,
                trusted_service: service.to_string(),
                managed_policies: policies.iter().map(|p| p.to_string()).collect(),
                inline_policy: inline_policy.map(str::to_string),
            },
        )
    }

    pub(super) fn route(
        &mut self,
        id: String,
        table: &str,
        destination: &str,
        target: RouteTarget,
    ) -> String {
        self.add_route_with(id, table, destination, target, vec![])
    }

    pub(super) fn add_route_with(
        &mut self,
        id: String,
        table: &str,
        destination: &str,
        target: RouteTarget,
        mut deps: Vec<String>,
    ) -> String {
        deps.insert(0, table.to_string());
        match &target {
            RouteTarget::InternetGateway(t) | RouteTarget::NatGateway(t) => deps.push(t.clone()),
            // The accepter (already listed) is what makes the peering usable for routes.
            RouteTarget::VpcPeering(_) => {}
        }
        self.add(
            id,
            deps,
            ResourceSpec::Route {
                route_table: table.to_string(),
                destination: destination.to_string(),
                target,
            },
        )
    }

    pub(super) fn associate(&mut self, id: String, table: &str, subnet: &str) -> String {
        self.add(
            id,
            vec![table.to_string(), subnet.to_string()],
            ResourceSpec::RouteTableAssociation {
                route_table: table.to_string(),
                subnet: subnet.to_string(),
            },
        )
    }

    pub(super) fn security_group(
        &mut self,
        region: &str,
        vpc: &str,
        role: &str,
        purpose: &str,
    ) -> String {
        let name = format!("{}-{region}-{role}", self.stack);
        self.add(
            ids::security_group(region, role),
            vec![vpc.to_string()],
            ResourceSpec::SecurityGroup {
                vpc: vpc.to_string(),
                description: format!("multiregion {}: {purpose}", self.stack),
                name,
            },
        )
    }

    pub(super) fn rule(
        &mut self,
        id: String,
        group: &str,
        direction: Direction,
        port: Option<u16>,
        peer: RulePeer,
        description: String,
    ) -> String {
        let mut deps = vec![group.to_string()];
        if let RulePeer::SecurityGroup(other) = &peer {
            deps.push(other.clone());
        }
        let protocol = if port.is_some() { "tcp" } else { "-1" };
        self.add(
            id,
            deps,
            ResourceSpec::SecurityGroupRule {
                group: group.to_string(),
                direction,
                protocol: protocol.to_string(),
                from_port: port,
                to_port: port,
                peer,
                description,
            },
        )
    }

    /// The load balancer, its target group and listeners; returns (load balancer, target group).
    pub(super) fn load_balancer(
        &mut self,
        region: &RegionSpec,
        vpc: &str,
        igw: &str,
        public: &[String],
        private: &[String],
        security_group: &str,
    ) -> (String, String) {
        let r = &region.name;
        let lb = &region.load_balancer;
        let subnets = match lb.scheme {
            Scheme::InternetFacing => public,
            Scheme::Internal => private,
        };
        let protocol = match lb.kind {
            LoadBalancerType::Application => "HTTP",
            LoadBalancerType::Network => "TCP",
        }
        .to_string();
        let mut deps = vec![security_group.to_string()];
        deps.extend(subnets.iter().cloned());
        if lb.scheme == Scheme::InternetFacing {
            // AWS refuses an internet-facing load balancer in a VPC without an internet gateway.
            deps.push(igw.to_string());
        }
        let lb_id = self.add(
            ids::load_balancer(r),
            deps,
            ResourceSpec::LoadBalancer {
                name: format!("{}-{r}-lb", self.stack),
                lb_type: lb.kind,
                scheme: lb.scheme,
                subnets: subnets.to_vec(),
                security_groups: vec![security_group.to_string()],
            },
        );
        let tg_id = self.add(
            ids::target_group(r),
            vec![vpc.to_string()],
            ResourceSpec::TargetGroup {
                name: format!("{}-{r}-tg", self.stack),
                vpc: vpc.to_string(),
                protocol: protocol.clone(),
                port: lb.target_port,
                target_type: "instance".to_string(),
                health_check_path: (lb.kind == LoadBalancerType::Application)
                    .then(|| "/readyz".to_string()),
            },
        );
        // With TLS the plain ports only redirect, and the HTTPS port forwards.
        let redirect_to = lb.tls.as_ref().map(|t| t.port);
        for port in &lb.listeners {
            self.add(
                ids::listener(r, port),
                vec![lb_id.clone(), tg_id.clone()],
                ResourceSpec::Listener {
                    load_balancer: lb_id.clone(),
                    target_group: tg_id.clone(),
                    protocol: protocol.clone(),
                    port: *port,
                    tls: None,
                    redirect_to,
                },
            );
        }
        if let Some(tls) = &lb.tls {
            let mut deps = vec![lb_id.clone(), tg_id.clone()];
            let certificate = match (&tls.certificate_arn, &tls.domain, &tls.hosted_zone_id) {
                (Some(arn), ..) => arn.clone(),
                (None, Some(domain), Some(zone)) => {
                    let (certificate, validated) = self.certificate(r, domain, zone);
                    // The listener takes the certificate only once it is issued.
                    deps.push(validated);
                    certificate
                }
                _ => String::new(),
            };
            let https = self.add(
                ids::listener(r, tls.port),
                deps,
                ResourceSpec::Listener {
                    load_balancer: lb_id.clone(),
                    target_group: tg_id.clone(),
                    protocol: "HTTPS".to_string(),
                    port: tls.port,
                    tls: Some(ListenerTls {
                        certificate,
                        policy: tls.policy.clone(),
                    }),
                    redirect_to: None,
                },
            );
            // The name resolves to the load balancer once it serves HTTPS.
            if let (None, Some(domain), Some(zone)) =
                (&tls.certificate_arn, &tls.domain, &tls.hosted_zone_id)
            {
                self.add(
                    ids::domain_alias(r),
                    vec![lb_id.clone(), https],
                    ResourceSpec::DomainAlias {
                        name: domain.clone(),
                        hosted_zone: zone.clone(),
                        load_balancer: lb_id.clone(),
                    },
                );
            }
        }
        (lb_id, tg_id)
    }

    /// A certificate requested for `domain` and its validation in `zone`; returns (the
    /// certificate, its validation).
    fn certificate(&mut self, region: &str, domain: &str, zone: &str) -> (String, String) {
        let certificate = self.add(
            ids::certificate(region),
            vec![],
            ResourceSpec::Certificate {
                domain: domain.to_string(),
                hosted_zone: zone.to_string(),
            },
        );
        // Discovery finds the validation records through the zone the certificate names.
        let made = self.resources.last_mut().expect("just added");
        made.tags.insert(TAG_ZONE.to_string(), zone.to_string());
        let validated = self.add(
            ids::certificate_validation(region),
            vec![certificate.clone()],
            ResourceSpec::CertificateValidation {
                certificate: certificate.clone(),
                hosted_zone: zone.to_string(),
            },
        );
        (certificate, validated)
    }
}
