//! Load balancers (listeners, target port, who may reach them) and the WAF ACLs they attach.

use super::Checker;
use crate::quote::quoted;
use crate::stack::diagnostic::Finding;
use crate::stack::limits;
use crate::stack::suggest::did_you_mean;
use crate::stack::types::*;

/// AWS managed rule groups a web ACL may name (vendor `AWS`).
pub const MANAGED_RULE_GROUPS: &[&str] = &[
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesSQLiRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesAmazonIpReputationList",
    "AWSManagedRulesAnonymousIpList",
    "AWSManagedRulesAdminProtectionRuleSet",
    "AWSManagedRulesLinuxRuleSet",
    "AWSManagedRulesUnixRuleSet",
    "AWSManagedRulesWindowsRuleSet",
    "AWSManagedRulesPHPRuleSet",
    "AWSManagedRulesWordPressRuleSet",
    "AWSManagedRulesBotControlRuleSet",
    "AWSManagedRulesATPRuleSet",
    "AWSManagedRulesACFPRuleSet",
];

impl Checker {
    pub(super) fn load_balancer(&mut self, lb: &LoadBalancerSpec, acls: &[WafAclSpec], path: &str) {
        if lb.listeners.is_empty() {
            self.push(Finding::new(
                format!("{path}.listeners"),
                "at least one listener port is needed",
            ));
        }
        for (k, port) in lb.listeners.iter().enumerate() {
            if *port == 0 {
                self.push(Finding::new(
                    format!("{path}.listeners[{k}]"),
                    "port 0 is not a listener port",
                ));
            }
        }
        let ports: Vec<String> = lb.listeners.iter().map(ToString::to_string).collect();
        self.unique(
            ports.iter().map(String::as_str),
            |k| format!("{path}.listeners[{k}]"),
            "listener port",
        );
        if !(30000..=32767).contains(&lb.target_port) {
            self.push(
                Finding::new(format!("{path}.targetPort"), format!("{} is outside the Kubernetes NodePort range", lb.target_port))
                    .hint("use a port from 30000 to 32767; the workload's Service exposes it on every node"),
            );
        }
        if lb.allow.is_empty() {
            self.push(
                Finding::new(
                    format!("{path}.allow"),
                    "nobody may reach this load balancer",
                )
                .hint("list `internet`, `peer` or CIDR blocks"),
            );
        }
        for (k, who) in lb.allow.iter().enumerate() {
            let item = format!("{path}.allow[{k}]");
            match who.as_str() {
                "internet" if lb.scheme == Scheme::Internal => self.push(
                    Finding::new(
                        &item,
                        "an internal load balancer cannot be reached from the internet",
                    )
                    .hint("use `scheme: internet-facing`, or allow `peer` or CIDR blocks"),
                ),
                "internet" | "peer" => {}
                other if other.contains('/') => {
                    self.block(other, &item);
                }
                other => self.push(
                    Finding::new(
                        &item,
                        format!(
                            "{} is not `internet`, `peer` or a CIDR block",
                            quoted(other)
                        ),
                    )
                    .maybe_hint(did_you_mean(other, ["internet", "peer"])),
                ),
            }
        }
        self.unique(
            lb.allow.iter().map(String::as_str),
            |k| format!("{path}.allow[{k}]"),
            "allow entry",
        );
        if let Some(waf) = &lb.waf {
            if lb.kind == LoadBalancerType::Network {
                self.push(
                    Finding::new(format!("{path}.waf"), "AWS WAF cannot be attached to a Network Load Balancer (only to Application Load Balancers, API Gateway, CloudFront, AppSync, Cognito, App Runner and Verified Access)")
                        .hint("use `type: application` for a WAF-protected entry, or remove `waf`"),
                );
            }
            if !acls.iter().any(|a| &a.name == waf) {
                let hint = did_you_mean(waf, acls.iter().map(|a| a.name.as_str()))
                    .or_else(|| Some("define it under spec.wafAcls".to_string()));
                self.push(
                    Finding::new(
                        format!("{path}.waf"),
                        format!("no WAF ACL named {}", quoted(waf)),
                    )
                    .maybe_hint(hint),
                );
            }
        }
    }

    /// HTTPS needs an application load balancer, an ACM certificate of its own region, a
    /// policy of TLS 1.2 and newer, and a port of its own.
    pub(super) fn tls(&mut self, lb: &LoadBalancerSpec, aws_region: &str, path: &str) {
        let Some(tls) = &lb.tls else { return };
        let path = format!("{path}.tls");
        if lb.kind == LoadBalancerType::Network {
            self.push(
                Finding::new(
                    &path,
                    "the tool terminates TLS on Application Load Balancers only",
                )
                .hint("use `type: application`, or remove `tls`"),
            );
        }
        self.certificate(tls, aws_region, &path);
        if !crate::stack::tls::tls12_or_newer(&tls.policy) {
            self.push(
                Finding::new(
                    format!("{path}.policy"),
                    format!(
                        "{} is not a security policy of TLS 1.2 and newer only",
                        quoted(&tls.policy)
                    ),
                )
                .hint(format!(
                    "leave it out for {}, or name another ELBSecurityPolicy-TLS13-1-2-… policy",
                    default_tls_policy()
                )),
            );
        }
        if tls.port == 0 {
            self.push(Finding::new(
                format!("{path}.port"),
                "port 0 is not a listener port",
            ));
        }
        if let Some(k) = lb.listeners.iter().position(|p| *p == tls.port) {
            self.push(
                Finding::new(
                    format!("{path}.port"),
                    format!(
                        "port {} is also in `listeners[{k}]`, which redirect to HTTPS",
                        tls.port
                    ),
                )
                .hint("list only the plain-HTTP ports (80) in `listeners`"),
            );
        }
    }

    pub(super) fn waf_acls(&mut self, acls: &[WafAclSpec]) {
        self.unique(
            acls.iter().map(|a| a.name.as_str()),
            |k| format!("spec.wafAcls[{k}].name"),
            "WAF ACL name",
        );
        for (k, acl) in acls.iter().enumerate() {
            let path = format!("spec.wafAcls[{k}]");
            let name_ok = !acl.name.is_empty()
                && acl.name.len() <= limits::WAF_ACL_NAME
                && acl
                    .name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !name_ok {
                self.push(
                    Finding::new(
                        format!("{path}.name"),
                        format!("{} is not a valid WAF ACL name", quoted(&acl.name)),
                    )
                    .hint("1-100 letters, digits, hyphens and underscores"),
                );
            }
            if !(10..=2_000_000_000).contains(&acl.rate_limit) {
                self.push(Finding::new(
                    format!("{path}.rateLimit"),
                    format!(
                        "WAF rate limits are 10 to 2,000,000,000 requests per 5 minutes, found {}",
                        acl.rate_limit
                    ),
                ));
            }
            for (g, group) in acl.managed_rule_groups.iter().enumerate() {
                if !MANAGED_RULE_GROUPS.contains(&group.as_str()) {
                    self.push(
                        Finding::new(
                            format!("{path}.managedRuleGroups[{g}]"),
                            format!("{} is not an AWS managed rule group", quoted(group)),
                        )
                        .maybe_hint(did_you_mean(group, MANAGED_RULE_GROUPS.iter().copied())),
                    );
                }
            }
            self.unique(
                acl.managed_rule_groups.iter().map(String::as_str),
                |g| format!("{path}.managedRuleGroups[{g}]"),
                "rule group",
            );
        }
    }
}

impl Checker {
    /// The certificate: an existing one of the load balancer's region, or a domain to request
    /// one for with the hosted zone that proves it.
    fn certificate(&mut self, tls: &TlsSpec, aws_region: &str, path: &str) {
        match (&tls.certificate_arn, &tls.domain) {
            (Some(_), Some(_)) => self.push(
                Finding::new(
                    format!("{path}.domain"),
                    "give either `certificateArn` (an existing certificate) or `domain` (one to request), not both",
                )
                .hint("remove one of them"),
            ),
            (None, None) => self.push(
                Finding::new(path, "no certificate: give `certificateArn` or `domain`")
                    .hint("`domain: shop.example.com` with `hostedZoneId` has the tool request and validate one"),
            ),
            _ => {}
        }
        if let Some(arn) = &tls.certificate_arn {
            match crate::stack::arn::region_of(arn, "acm", "certificate/") {
                None => self.push(
                    Finding::new(
                        format!("{path}.certificateArn"),
                        format!("{} is not an ACM certificate ARN", quoted(arn)),
                    )
                    .hint("arn:aws:acm:<region>:<account>:certificate/<id>, as `aws acm list-certificates` shows it"),
                ),
                Some(region) if region != aws_region => self.push(Finding::new(
                    format!("{path}.certificateArn"),
                    format!("the certificate is in {region}, but the load balancer is in {aws_region}; a load balancer takes only certificates of its own region"),
                )),
                Some(_) => {}
            }
            if let Some(zone) = &tls.hosted_zone_id {
                self.push(
                    Finding::new(
                        format!("{path}.hostedZoneId"),
                        format!("hosted zone {} is for a requested certificate's validation, and this one exists", quoted(zone)),
                    )
                    .hint("remove `hostedZoneId`, or `certificateArn` to have a certificate requested"),
                );
            }
        }
        if let Some(domain) = &tls.domain {
            if let Err(why) = crate::stack::tls::domain_name(domain) {
                self.push(
                    Finding::new(
                        format!("{path}.domain"),
                        format!("{}: {why}", quoted(domain)),
                    )
                    .hint(
                        "a fully qualified name such as shop.example.com, without a trailing dot",
                    ),
                );
            }
            match &tls.hosted_zone_id {
                None => self.push(
                    Finding::new(
                        format!("{path}.hostedZoneId"),
                        format!("a requested certificate for {} is validated through DNS: name the Route 53 hosted zone it is in", quoted(domain)),
                    )
                    .hint("`aws route53 list-hosted-zones-by-name --dns-name <zone>` shows its id"),
                ),
                Some(zone) if !crate::stack::tls::hosted_zone_id(zone) => self.push(
                    Finding::new(
                        format!("{path}.hostedZoneId"),
                        format!("{} is not a Route 53 hosted zone id", quoted(zone)),
                    )
                    .hint("the id alone (Z0123456789ABCDEFGHIJ), without `/hostedzone/`"),
                ),
                Some(_) => {}
            }
        }
    }
}

impl Checker {
    /// A domain points at one load balancer: its alias record is one name in one zone.
    pub(super) fn one_region_per_domain(&mut self, regions: &[RegionSpec]) {
        let mut seen: Vec<(&str, usize)> = Vec::new();
        for (i, region) in regions.iter().enumerate() {
            let tls = region.load_balancer.tls.as_ref();
            let Some(domain) = tls.and_then(|t| t.domain.as_deref()) else {
                continue;
            };
            if let Some((_, first)) = seen.iter().find(|(d, _)| *d == domain) {
                self.push(
                    Finding::new(
                        format!("spec.regions[{i}].loadBalancer.tls.domain"),
                        format!("{} is also the domain of spec.regions[{first}]: one name points at one load balancer", quoted(domain)),
                    )
                    .hint("give this region's entry a name of its own"),
                );
            } else {
                seen.push((domain, i));
            }
        }
    }
}
