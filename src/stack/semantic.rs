//! Semantic validation: what a well-formed stack must also satisfy for AWS to accept it and for
//! the topology to work. Every problem is collected; the resolved networks come out alongside.

use std::collections::{BTreeMap, HashMap};

use ipnet::Ipv4Net;

use super::diagnostic::Finding;
use super::network::{self, SMALLEST_SUBNET_PREFIX};
use super::regions;
use super::suggest::did_you_mean;
use super::types::*;

/// A region's network with every block parsed: the VPC and one public and private subnet per AZ.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedNetwork {
    pub vpc: Ipv4Net,
    pub public: Vec<Ipv4Net>,
    pub private: Vec<Ipv4Net>,
}

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

/// Tags every resource carries besides the user's: `Name`, `multiregion:stack`, `multiregion:id`.
const RESERVED_TAGS: usize = 3;
const AWS_TAG_LIMIT: usize = 50;

pub fn check(stack: &Stack) -> (Vec<Finding>, Vec<Option<ResolvedNetwork>>) {
    let mut c = Checker::default();
    c.metadata(&stack.metadata);
    c.tags(&stack.spec.tags);
    c.iam(&stack.spec.iam);
    c.regions(&stack.spec.regions);
    let networks = c.networks(&stack.spec.regions);
    let region_names: Vec<&str> = stack.spec.regions.iter().map(|r| r.name.as_str()).collect();
    c.waf_acls(&stack.spec.waf_acls);
    for (i, region) in stack.spec.regions.iter().enumerate() {
        let path = format!("spec.regions[{i}]");
        c.cluster(&region.cluster, &format!("{path}.cluster"));
        c.load_balancer(
            &region.load_balancer,
            &stack.spec.waf_acls,
            &format!("{path}.loadBalancer"),
        );
    }
    c.unique(
        stack.spec.regions.iter().map(|r| r.cluster.name.as_str()),
        |i| format!("spec.regions[{i}].cluster.name"),
        "cluster name",
    );
    c.peering(&stack.spec.peering, &region_names);
    c.workloads(&stack.spec.workloads, &region_names);
    c.verify(&stack.spec.verify);
    (c.findings, networks)
}

#[derive(Default)]
struct Checker {
    findings: Vec<Finding>,
}

fn is_dns_label(s: &str, max: usize) -> bool {
    !s.is_empty()
        && s.len() <= max
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && !s.ends_with('-')
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

impl Checker {
    fn push(&mut self, finding: Finding) {
        self.findings.push(finding);
    }

    /// Reports every repeat of a value after its first use.
    fn unique<'a>(
        &mut self,
        values: impl Iterator<Item = &'a str>,
        path: impl Fn(usize) -> String,
        what: &str,
    ) {
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (i, value) in values.enumerate() {
            if let Some(first) = seen.insert(value, i) {
                seen.insert(value, first);
                self.push(Finding::new(
                    path(i),
                    format!("duplicate {what} `{value}` (also at {})", path(first)),
                ));
            }
        }
    }

    fn metadata(&mut self, metadata: &Metadata) {
        if !is_dns_label(&metadata.name, 20) {
            self.push(
                Finding::new("metadata.name", format!("`{}` is not a valid stack name", metadata.name))
                    .hint("use 1-20 lowercase letters, digits and hyphens, starting with a letter (load balancer names derived from it are limited to 32 characters)"),
            );
        }
    }

    fn tags(&mut self, tags: &BTreeMap<String, String>) {
        for (key, value) in tags {
            let path = format!("spec.tags[{key:?}]");
            let lowered = key.to_ascii_lowercase();
            if lowered.starts_with("aws:") || lowered.starts_with("multiregion:") {
                self.push(
                    Finding::new(&path, format!("tag key `{key}` uses a reserved prefix"))
                        .hint("`aws:` belongs to AWS and `multiregion:` to this tool"),
                );
            }
            if key.is_empty() || key.chars().count() > 128 {
                self.push(Finding::new(&path, "tag keys are 1 to 128 characters"));
            }
            if value.chars().count() > 256 {
                self.push(Finding::new(&path, "tag values are at most 256 characters"));
            }
        }
        if tags.len() + RESERVED_TAGS > AWS_TAG_LIMIT {
            self.push(Finding::new(
                "spec.tags",
                format!(
                    "{} tags given; AWS allows {AWS_TAG_LIMIT} per resource and the tool uses {RESERVED_TAGS}, so at most {}",
                    tags.len(),
                    AWS_TAG_LIMIT - RESERVED_TAGS
                ),
            ));
        }
    }

    fn iam(&mut self, iam: &IamSpec) {
        let roles = [
            ("spec.iam.clusterRoleArn", &iam.cluster_role_arn),
            ("spec.iam.nodeRoleArn", &iam.node_role_arn),
        ];
        for (path, arn) in roles {
            if let Some(arn) = arn
                && !is_role_arn(arn)
            {
                self.push(
                    Finding::new(path, format!("`{arn}` is not an IAM role ARN"))
                        .hint("expected arn:aws:iam::<12-digit account>:role/<name>"),
                );
            }
        }
    }

    fn regions(&mut self, regions: &[RegionSpec]) {
        if regions.len() != 2 {
            self.push(
                Finding::new(
                    "spec.regions",
                    format!("a stack has exactly two regions, found {}", regions.len()),
                )
                .hint("one with `role: frontend` and one with `role: backend`"),
            );
        }
        for role in [Role::Frontend, Role::Backend] {
            let with_role: Vec<usize> = (0..regions.len())
                .filter(|&i| regions[i].role == role)
                .collect();
            match with_role.as_slice() {
                [_] => {}
                [] if !regions.is_empty() => self.push(Finding::new(
                    "spec.regions",
                    format!("no region has `role: {}`; exactly one must", role.as_str()),
                )),
                [] => {}
                [_, more @ ..] => {
                    for &i in more {
                        self.push(Finding::new(
                            format!("spec.regions[{i}].role"),
                            format!(
                                "role `{}` is already taken; exactly one region has each role",
                                role.as_str()
                            ),
                        ));
                    }
                }
            }
        }
        self.unique(
            regions.iter().map(|r| r.name.as_str()),
            |i| format!("spec.regions[{i}].name"),
            "region name",
        );
        self.unique(
            regions.iter().map(|r| r.region.as_str()),
            |i| format!("spec.regions[{i}].region"),
            "AWS region",
        );
        for (i, region) in regions.iter().enumerate() {
            if !is_dns_label(&region.name, 8) {
                self.push(
                    Finding::new(format!("spec.regions[{i}].name"), format!("`{}` is not a valid region name", region.name))
                        .hint("use 1-8 lowercase letters, digits and hyphens, starting with a letter (for example `c1`)"),
                );
            }
            let path = format!("spec.regions[{i}].region");
            match regions::az_count(&region.region) {
                None => self.push(
                    Finding::new(
                        &path,
                        format!("`{}` is not an AWS region this tool knows", region.region),
                    )
                    .maybe_hint(did_you_mean(&region.region, regions::names())),
                ),
                Some(available) if region.network.azs > available => self.push(Finding::new(
                    format!("spec.regions[{i}].network.azs"),
                    format!(
                        "{} has {available} availability zones, the stack asks for {}",
                        region.region, region.network.azs
                    ),
                )),
                Some(_) => {}
            }
            if region.network.azs < 2 {
                self.push(Finding::new(
                    format!("spec.regions[{i}].network.azs"),
                    format!(
                        "EKS needs subnets in at least 2 availability zones, found {}",
                        region.network.azs
                    ),
                ));
            }
        }
    }

    /// Parses every block and checks containment and overlap; returns what resolved cleanly.
    fn networks(&mut self, regions: &[RegionSpec]) -> Vec<Option<ResolvedNetwork>> {
        let mut resolved = Vec::with_capacity(regions.len());
        let mut vpcs: Vec<(usize, Ipv4Net)> = Vec::new();
        for (i, region) in regions.iter().enumerate() {
            let path = format!("spec.regions[{i}].network");
            let Some(vpc) = self.block(&region.network.cidr, &format!("{path}.cidr")) else {
                resolved.push(None);
                continue;
            };
            if !(16..=SMALLEST_SUBNET_PREFIX).contains(&vpc.prefix_len()) {
                self.push(Finding::new(
                    format!("{path}.cidr"),
                    format!("a VPC block is /16 to /28, found /{}", vpc.prefix_len()),
                ));
                resolved.push(None);
                continue;
            }
            for &(j, other) in &vpcs {
                if network::overlaps(vpc, other) {
                    self.push(
                        Finding::new(
                            format!("{path}.cidr"),
                            format!("{vpc} overlaps {other} of spec.regions[{j}]; VPC peering needs disjoint blocks"),
                        )
                        .hint("give each region its own block, for example 10.0.0.0/16 and 10.1.0.0/16"),
                    );
                }
            }
            vpcs.push((i, vpc));
            resolved.push(self.subnets(region, vpc, &path));
        }
        resolved
    }

    fn block(&mut self, text: &str, path: &str) -> Option<Ipv4Net> {
        match network::parse_block(text) {
            Ok(net) => Some(net),
            Err((message, hint)) => {
                self.push(Finding::new(path, message).maybe_hint(hint));
                None
            }
        }
    }

    fn subnets(
        &mut self,
        region: &RegionSpec,
        vpc: Ipv4Net,
        path: &str,
    ) -> Option<ResolvedNetwork> {
        let azs = region.network.azs;
        let Some(given) = &region.network.subnets else {
            let Some((public, private)) = network::derive_subnets(vpc, azs) else {
                self.push(
                    Finding::new(
                        format!("{path}.cidr"),
                        format!("cannot derive {azs} public and {azs} private subnets from {vpc}"),
                    )
                    .hint("use a VPC block of /24 or larger, or list `subnets` explicitly"),
                );
                return None;
            };
            return Some(ResolvedNetwork {
                vpc,
                public,
                private,
            });
        };
        let mut all: Vec<(String, Ipv4Net)> = Vec::new();
        let mut tiers: Vec<Vec<Ipv4Net>> = Vec::new();
        let mut complete = true;
        for (tier, blocks) in [("public", &given.public), ("private", &given.private)] {
            let tier_path = format!("{path}.subnets.{tier}");
            if blocks.len() != usize::from(azs) {
                self.push(Finding::new(
                    &tier_path,
                    format!(
                        "{} {tier} subnets given for {azs} availability zones; give one per AZ",
                        blocks.len()
                    ),
                ));
                complete = false;
            }
            let mut parsed = Vec::new();
            for (k, text) in blocks.iter().enumerate() {
                let item = format!("{tier_path}[{k}]");
                let Some(net) = self.block(text, &item) else {
                    complete = false;
                    continue;
                };
                if !vpc.contains(&net) {
                    self.push(Finding::new(
                        &item,
                        format!("{net} is outside the VPC block {vpc}"),
                    ));
                    complete = false;
                } else if net.prefix_len() > SMALLEST_SUBNET_PREFIX {
                    self.push(Finding::new(
                        &item,
                        format!("{net} is smaller than AWS's smallest subnet, a /28"),
                    ));
                    complete = false;
                }
                if let Some((other_path, other)) =
                    all.iter().find(|(_, o)| network::overlaps(net, *o))
                {
                    self.push(Finding::new(
                        &item,
                        format!("{net} overlaps {other} at {other_path}"),
                    ));
                    complete = false;
                }
                all.push((item, net));
                parsed.push(net);
            }
            tiers.push(parsed);
        }
        let private = tiers.pop()?;
        let public = tiers.pop()?;
        complete.then_some(ResolvedNetwork {
            vpc,
            public,
            private,
        })
    }

    fn cluster(&mut self, cluster: &ClusterSpec, path: &str) {
        let name_ok = !cluster.name.is_empty()
            && cluster.name.len() <= 100
            && cluster
                .name
                .starts_with(|c: char| c.is_ascii_alphanumeric())
            && cluster
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !name_ok {
            self.push(
                Finding::new(format!("{path}.name"), format!("`{}` is not a valid EKS cluster name", cluster.name))
                    .hint("1-100 letters, digits, hyphens and underscores, starting with a letter or digit"),
            );
        }
        let version_ok = cluster
            .version
            .split_once('.')
            .is_some_and(|(major, minor)| {
                major == "1"
                    && !minor.is_empty()
                    && minor.len() <= 2
                    && minor.bytes().all(|b| b.is_ascii_digit())
            });
        if !version_ok {
            self.push(
                Finding::new(
                    format!("{path}.version"),
                    format!("`{}` is not a Kubernetes minor version", cluster.version),
                )
                .hint("write it quoted, like \"1.31\""),
            );
        }
        let endpoint = &cluster.endpoint;
        if !endpoint.private && !endpoint.public {
            self.push(Finding::new(
                format!("{path}.endpoint"),
                "both the private and the public endpoint are off; nothing could reach the cluster API",
            ));
        }
        if endpoint.public && endpoint.public_cidrs.is_empty() {
            self.push(
                Finding::new(format!("{path}.endpoint.publicCidrs"), "the public endpoint is on but no CIDRs are given; EKS would open it to 0.0.0.0/0")
                    .hint("list the networks that may reach the API, for example your office or CI egress"),
            );
        }
        if !endpoint.public && !endpoint.public_cidrs.is_empty() {
            self.push(Finding::new(
                format!("{path}.endpoint.publicCidrs"),
                "publicCidrs has no effect while `public` is false",
            ));
        }
        for (k, cidr) in endpoint.public_cidrs.iter().enumerate() {
            self.block(cidr, &format!("{path}.endpoint.publicCidrs[{k}]"));
        }
        self.unique(
            cluster.logging.iter().map(|l| l.as_str()),
            |k| format!("{path}.logging[{k}]"),
            "log type",
        );
        for (k, arn) in cluster.admins.iter().enumerate() {
            if !is_principal_arn(arn) {
                self.push(
                    Finding::new(
                        format!("{path}.admins[{k}]"),
                        format!("`{arn}` is not an IAM user or role ARN"),
                    )
                    .hint("expected arn:aws:iam::<12-digit account>:role/<name> or :user/<name>"),
                );
            }
        }
        self.unique(
            cluster.admins.iter().map(String::as_str),
            |k| format!("{path}.admins[{k}]"),
            "admin",
        );
        if cluster.node_groups.is_empty() {
            self.push(Finding::new(
                format!("{path}.nodeGroups"),
                "at least one node group is needed to run workloads",
            ));
        }
        self.unique(
            cluster.node_groups.iter().map(|g| g.name.as_str()),
            |k| format!("{path}.nodeGroups[{k}].name"),
            "node group name",
        );
        for (k, group) in cluster.node_groups.iter().enumerate() {
            self.node_group(group, &format!("{path}.nodeGroups[{k}]"));
        }
        if let Some(context) = &cluster.kubeconfig_context
            && context.trim().is_empty()
        {
            self.push(Finding::new(
                format!("{path}.kubeconfigContext"),
                "the context name is empty",
            ));
        }
    }

    fn node_group(&mut self, group: &NodeGroupSpec, path: &str) {
        if !is_dns_label(&group.name, 40) {
            self.push(
                Finding::new(
                    format!("{path}.name"),
                    format!("`{}` is not a valid node group name", group.name),
                )
                .hint("use 1-40 lowercase letters, digits and hyphens, starting with a letter"),
            );
        }
        if !(group.min <= group.desired && group.desired <= group.max) {
            self.push(
                Finding::new(
                    path,
                    format!("node group sizes must satisfy min <= desired <= max, found min {} / desired {} / max {}", group.min, group.desired, group.max),
                ),
            );
        }
        if group.max == 0 {
            self.push(Finding::new(
                format!("{path}.max"),
                "max must be at least 1 (EKS refuses an empty node group)",
            ));
        }
        if group.instance_types.is_empty() {
            self.push(Finding::new(
                format!("{path}.instanceTypes"),
                "at least one instance type is needed",
            ));
        }
        for (k, instance_type) in group.instance_types.iter().enumerate() {
            let ok = instance_type.split_once('.').is_some_and(|(family, size)| {
                family.starts_with(|c: char| c.is_ascii_lowercase())
                    && family
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                    && !size.is_empty()
                    && size
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            });
            if !ok {
                self.push(
                    Finding::new(
                        format!("{path}.instanceTypes[{k}]"),
                        format!("`{instance_type}` is not an EC2 instance type"),
                    )
                    .hint("for example t3.medium or m6i.large"),
                );
            }
        }
        self.unique(
            group.instance_types.iter().map(String::as_str),
            |k| format!("{path}.instanceTypes[{k}]"),
            "instance type",
        );
        for key in group.labels.keys() {
            if !is_label_key(key) {
                self.push(Finding::new(
                    format!("{path}.labels[{key:?}]"),
                    format!("`{key}` is not a valid Kubernetes label key"),
                ));
            }
        }
    }

    fn load_balancer(&mut self, lb: &LoadBalancerSpec, acls: &[WafAclSpec], path: &str) {
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
                        format!("`{other}` is not `internet`, `peer` or a CIDR block"),
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
                    Finding::new(format!("{path}.waf"), format!("no WAF ACL named `{waf}`"))
                        .maybe_hint(hint),
                );
            }
        }
    }

    fn waf_acls(&mut self, acls: &[WafAclSpec]) {
        self.unique(
            acls.iter().map(|a| a.name.as_str()),
            |k| format!("spec.wafAcls[{k}].name"),
            "WAF ACL name",
        );
        for (k, acl) in acls.iter().enumerate() {
            let path = format!("spec.wafAcls[{k}]");
            let name_ok = !acl.name.is_empty()
                && acl.name.len() <= 100
                && acl
                    .name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !name_ok {
                self.push(
                    Finding::new(
                        format!("{path}.name"),
                        format!("`{}` is not a valid WAF ACL name", acl.name),
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
                            format!("`{group}` is not an AWS managed rule group"),
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

    fn peering(&mut self, peering: &PeeringSpec, regions: &[&str]) {
        let ends = [
            (
                "spec.peering.requester",
                &peering.requester,
                &peering.accepter,
            ),
            (
                "spec.peering.accepter",
                &peering.accepter,
                &peering.requester,
            ),
        ];
        for (path, end, other_end) in ends {
            if let Some(name) = end
                && !regions.contains(&name.as_str())
            {
                // The other end is taken, so it is never the likely meaning.
                let candidates = regions
                    .iter()
                    .copied()
                    .filter(|r| Some(*r) != other_end.as_deref());
                self.push(
                    Finding::new(path, format!("no region named `{name}`")).maybe_hint(
                        did_you_mean(name, candidates)
                            .or_else(|| Some(format!("regions: {}", regions.join(", ")))),
                    ),
                );
            }
        }
        if let (Some(a), Some(b)) = (&peering.requester, &peering.accepter)
            && a == b
        {
            self.push(Finding::new(
                "spec.peering",
                format!("`{a}` cannot peer with itself"),
            ));
        }
    }

    fn verify(&mut self, verify: &VerifySpec) {
        let ids = crate::check_ids::CHECK_IDS;
        for (i, skip) in verify.skip.iter().enumerate() {
            let path = format!("spec.verify.skip[{i}]");
            if !crate::check_ids::is_check(&skip.id) {
                self.push(
                    Finding::new(
                        format!("{path}.id"),
                        format!("`{}` is not a check id", skip.id),
                    )
                    .maybe_hint(did_you_mean(&skip.id, ids.iter().copied()))
                    .hint_or(format!("check ids: {}", ids.join(", "))),
                );
            }
            if skip.reason.trim().is_empty() {
                self.push(
                    Finding::new(format!("{path}.reason"), "a skipped check needs a reason")
                        .hint("the reason appears in every report, for whoever reads it later"),
                );
            }
        }
        self.unique(
            verify.skip.iter().map(|s| s.id.as_str()),
            |i| format!("spec.verify.skip[{i}].id"),
            "skipped check",
        );
    }

    fn workloads(&mut self, workloads: &[WorkloadSpec], regions: &[&str]) {
        self.unique(
            workloads.iter().map(|w| w.name.as_str()),
            |k| format!("spec.workloads[{k}].name"),
            "workload name",
        );
        for (k, w) in workloads.iter().enumerate() {
            let path = format!("spec.workloads[{k}]");
            if !is_dns_label(&w.name, 40) {
                self.push(
                    Finding::new(
                        format!("{path}.name"),
                        format!("`{}` is not a valid workload name", w.name),
                    )
                    .hint("it names a Kubernetes namespace: lowercase letters, digits and hyphens"),
                );
            }
            if !regions.contains(&w.region.as_str()) {
                self.push(
                    Finding::new(
                        format!("{path}.region"),
                        format!("no region named `{}`", w.region),
                    )
                    .maybe_hint(did_you_mean(&w.region, regions.iter().copied())),
                );
            }
            if w.source.trim().is_empty() {
                self.push(Finding::new(
                    format!("{path}.source"),
                    "the manifests folder is empty",
                ));
            }
            if w.image.trim().is_empty() || w.image.contains(char::is_whitespace) {
                self.push(Finding::new(
                    format!("{path}.image"),
                    format!("`{}` is not an image reference", w.image),
                ));
            }
            if w.tag.is_empty()
                || w.tag == "latest"
                || !w
                    .tag
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
            {
                self.push(
                    Finding::new(
                        format!("{path}.tag"),
                        format!("`{}` is not a pinned image tag", w.tag),
                    )
                    .hint(
                        "pin a release such as 6.7.1, so that both clusters run what was reviewed",
                    ),
                );
            }
            if w.replicas == 0 {
                self.push(Finding::new(
                    format!("{path}.replicas"),
                    "at least 1 replica is needed",
                ));
            }
            let hpa = &w.autoscaling;
            if hpa.min == 0 || hpa.min > hpa.max {
                self.push(Finding::new(
                    format!("{path}.autoscaling"),
                    format!(
                        "autoscaling needs 1 <= min <= max, found min {} / max {}",
                        hpa.min, hpa.max
                    ),
                ));
            } else if !(hpa.min..=hpa.max).contains(&w.replicas) {
                self.push(Finding::new(
                    format!("{path}.replicas"),
                    format!(
                        "{} replicas is outside the autoscaling range {}-{}",
                        w.replicas, hpa.min, hpa.max
                    ),
                ));
            }
            if !(1..=100).contains(&hpa.cpu_percent) {
                self.push(Finding::new(
                    format!("{path}.autoscaling.cpuPercent"),
                    "a CPU target is 1 to 100 percent",
                ));
            }
            if let Some(delay) = &w.faults.delay
                && delay.min_ms > delay.max_ms
            {
                self.push(Finding::new(
                    format!("{path}.faults.delay"),
                    format!("minMs {} is above maxMs {}", delay.min_ms, delay.max_ms),
                ));
            }
        }
    }
}

fn is_role_arn(arn: &str) -> bool {
    iam_arn_resource(arn).is_some_and(|r| r.strip_prefix("role/").is_some_and(|n| !n.is_empty()))
}

fn is_principal_arn(arn: &str) -> bool {
    iam_arn_resource(arn).is_some_and(|r| {
        ["role/", "user/"]
            .iter()
            .any(|p| r.strip_prefix(p).is_some_and(|n| !n.is_empty()))
    })
}

/// The resource part of `arn:<partition>:iam::<account>:<resource>`.
fn iam_arn_resource(arn: &str) -> Option<&str> {
    let mut parts = arn.splitn(6, ':');
    let (arn_word, partition, service, region, account, resource) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    let ok = arn_word == "arn"
        && partition.starts_with("aws")
        && service == "iam"
        && region.is_empty()
        && account.len() == 12
        && account.bytes().all(|b| b.is_ascii_digit());
    ok.then_some(resource)
}

/// `[prefix/]name`, the name 1-63 alphanumerics with `-_.` inside.
fn is_label_key(key: &str) -> bool {
    let name = key.rsplit_once('/').map_or(key, |(prefix, name)| {
        if prefix.is_empty() || prefix.len() > 253 {
            ""
        } else {
            name
        }
    });
    !name.is_empty()
        && name.len() <= 63
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
}
