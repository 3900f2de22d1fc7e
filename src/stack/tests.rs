//! Validation behaviour, one rule per test, on variations of the minimal stack.

use super::parse;

const MINIMAL: &str = include_str!("../../stacks/minimal.yaml");
const REFERENCE: &str = include_str!("../../stacks/two-region.yaml");

/// The minimal stack with `from` replaced by `to` (which must occur exactly once).
fn variant(from: &str, to: &str) -> String {
    assert_eq!(
        MINIMAL.matches(from).count(),
        1,
        "`{from}` must occur once in minimal.yaml"
    );
    MINIMAL.replace(from, to)
}

/// Every diagnostic as `line:col path: message [hint]`.
fn problems(text: &str) -> Vec<String> {
    match parse("s.yaml", text.as_bytes()) {
        Ok(_) => Vec::new(),
        Err(diagnostics) => diagnostics
            .iter()
            .map(|d| {
                let hint = d
                    .hint
                    .as_deref()
                    .map(|h| format!(" [{h}]"))
                    .unwrap_or_default();
                format!("{}:{} {}: {}{hint}", d.line, d.column, d.path, d.message)
            })
            .collect(),
    }
}

fn assert_one_problem(text: &str, expected: &str) {
    let found = problems(text);
    assert_eq!(
        found.len(),
        1,
        "expected exactly one problem, got {found:#?}"
    );
    assert!(
        found[0].contains(expected),
        "`{}` lacks `{expected}`",
        found[0]
    );
}

#[test]
fn shipped_stacks_are_valid() {
    assert_eq!(problems(MINIMAL), Vec::<String>::new());
    assert_eq!(problems(REFERENCE), Vec::<String>::new());
}

#[test]
fn defaults_fill_a_minimal_stack() {
    let valid = parse("s.yaml", MINIMAL.as_bytes()).unwrap();
    let c1 = &valid.stack.spec.regions[0];
    assert_eq!(c1.network.azs, 2);
    assert_eq!(c1.cluster.version, "1.35");
    assert_eq!(c1.cluster.logging.len(), 5);
    assert_eq!(c1.cluster.node_groups[0].instance_types, ["t3.medium"]);
    assert_eq!(c1.load_balancer.listeners, [80]);
    assert_eq!(valid.networks[0].private[1].to_string(), "10.10.144.0/20");
    assert_eq!(valid.stack.spec.waf_acls[0].rate_limit, 2000);
    assert_eq!(valid.peering_ends(), (0, 1));
}

#[test]
fn unknown_field_suggests_the_right_key() {
    assert_one_problem(
        &variant(
            "cluster: { name: mini-c1 }",
            "cluster: { name: mini-c1, verison: \"1.30\" }",
        ),
        "15:33 spec.regions[0].cluster.verison: unknown field `verison` [did you mean `version`?]",
    );
}

#[test]
fn unknown_field_without_a_close_match_lists_the_allowed_ones() {
    let found = problems(&variant("  name: mini\n", "  name: mini\n  colour: red\n"));
    assert_eq!(found.len(), 1);
    assert!(
        found[0].contains("unknown field `colour` [allowed here: name, description]"),
        "{}",
        found[0]
    );
}

#[test]
fn wrong_types_are_named_with_what_was_expected() {
    assert_one_problem(
        &variant("{ cidr: 10.10.0.0/16 }", "{ cidr: 10.10.0.0/16, azs: two }"),
        "expected a whole number from 0 to 255, found a string",
    );
    assert_one_problem(
        &variant(
            "{ cidr: 10.10.0.0/16 }",
            "{ cidr: 10.10.0.0/16, azs: \"3\" }",
        ),
        "[remove the quotes]",
    );
    assert_one_problem(
        &variant(
            "{ cidr: 10.10.0.0/16 }",
            "{ cidr: 10.10.0.0/16, flowLogs: yes }",
        ),
        "found the string `yes`",
    );
    assert_one_problem(
        &variant("allow: [peer]", "allow: peer"),
        "expected a list, found a string",
    );
    assert_one_problem(
        &variant("role: backend", "role: backnd"),
        "`backnd` is not one of `frontend`, `backend` [did you mean `backend`?]",
    );
}

#[test]
fn unquoted_version_keeps_its_text() {
    let valid = parse(
        "s.yaml",
        variant(
            "cluster: { name: mini-c1 }",
            "cluster: { name: mini-c1, version: 1.30 }",
        )
        .as_bytes(),
    )
    .unwrap();
    assert_eq!(valid.stack.spec.regions[0].cluster.version, "1.30");
}

#[test]
fn missing_required_field() {
    assert_one_problem(
        &variant("      cluster: { name: mini-c2 }\n", ""),
        "spec.regions[1].cluster: missing required field `cluster`",
    );
}

#[test]
fn bad_cidrs() {
    assert_one_problem(
        &variant("10.10.0.0/16", "10.10.0/16"),
        "`10.10.0/16` is not an IPv4 CIDR block",
    );
    assert_one_problem(
        &variant("10.10.0.0/16", "10.10.1.0/16"),
        "has host bits set [did you mean `10.10.0.0/16`?]",
    );
    assert_one_problem(
        &variant("10.10.0.0/16", "10.0.0.0/8"),
        "a VPC block is /16 to /28, found /8",
    );
    assert_one_problem(
        &variant("10.10.0.0/16", "10.10.0.0/26"),
        "cannot derive 2 public and 2 private subnets",
    );
}

#[test]
fn overlapping_vpcs() {
    assert_one_problem(
        &variant("10.11.0.0/16", "10.10.128.0/17"),
        "spec.regions[1].network.cidr: 10.10.128.0/17 overlaps 10.10.0.0/16 of spec.regions[0]; VPC peering needs disjoint blocks",
    );
}

#[test]
fn explicit_subnets_outside_or_overlapping() {
    let subnets = "{ cidr: 10.10.0.0/16, subnets: { public: [10.10.0.0/24, 10.20.0.0/24], private: [10.10.0.128/25, 10.10.3.0/24] } }";
    let found = problems(&variant("{ cidr: 10.10.0.0/16 }", subnets));
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(found[0].contains("public[1]: 10.20.0.0/24 is outside the VPC block 10.10.0.0/16"));
    assert!(found[1].contains("private[0]: 10.10.0.128/25 overlaps 10.10.0.0/24 at spec.regions[0].network.subnets.public[0]"));
    let one_short = "{ cidr: 10.10.0.0/16, subnets: { public: [10.10.0.0/24], private: [10.10.1.0/24, 10.10.2.0/24] } }";
    assert_one_problem(
        &variant("{ cidr: 10.10.0.0/16 }", one_short),
        "1 public subnets given for 2 availability zones",
    );
}

#[test]
fn availability_zones() {
    assert_one_problem(
        &variant("{ cidr: 10.11.0.0/16 }", "{ cidr: 10.11.0.0/16, azs: 5 }"),
        "us-west-2 has 4 availability zones, the stack asks for 5",
    );
    assert_one_problem(
        &variant("{ cidr: 10.11.0.0/16 }", "{ cidr: 10.11.0.0/16, azs: 1 }"),
        "EKS needs subnets in at least 2 availability zones",
    );
}

#[test]
fn unknown_region_suggests() {
    assert_one_problem(
        &variant("us-west-2", "us-wset-2"),
        "`us-wset-2` is not an AWS region this tool knows [did you mean `us-west-2`?]",
    );
}

#[test]
fn duplicate_names_and_regions() {
    assert_one_problem(
        &variant("- name: c2", "- name: c1"),
        "spec.regions[1].name: duplicate region name `c1` (also at spec.regions[0].name)",
    );
    assert_one_problem(
        &variant("us-west-2", "us-east-1"),
        "duplicate AWS region `us-east-1`",
    );
    assert_one_problem(
        &variant("name: mini-c2", "name: mini-c1"),
        "duplicate cluster name `mini-c1`",
    );
}

#[test]
fn roles_exactly_once() {
    let found = problems(&variant("role: backend", "role: frontend"));
    assert!(
        found
            .iter()
            .any(|f| f.contains("spec.regions[1].role: role `frontend` is already taken")),
        "{found:#?}"
    );
    assert!(
        found
            .iter()
            .any(|f| f.contains("no region has `role: backend`")),
        "{found:#?}"
    );
}

#[test]
fn exactly_two_regions() {
    let third = "  wafAcls:";
    let text = variant(
        third,
        "    - name: c3\n      region: eu-west-1\n      role: backend\n      network: { cidr: 10.12.0.0/16 }\n      cluster: { name: mini-c3 }\n      loadBalancer: { type: network, scheme: internal, allow: [peer] }\n  wafAcls:",
    );
    // Said once, at the list; the third region is not read at all.
    assert_one_problem(
        &text,
        "11:5 spec.regions: 3 items, more than the 2 allowed here [Exactly two regions",
    );
    let one = MINIMAL.split("    - name: c2").next().unwrap().to_string()
        + "  wafAcls:\n    - name: edge\n";
    let found = problems(&one);
    assert!(
        found
            .iter()
            .any(|f| f.contains("a stack has exactly two regions, found 1")),
        "{found:#?}"
    );
}

#[test]
fn node_group_sizes() {
    assert_one_problem(
        &variant(
            "cluster: { name: mini-c2 }",
            "cluster: { name: mini-c2, nodeGroups: [{ name: ng, min: 3, desired: 2, max: 5 }] }",
        ),
        "spec.regions[1].cluster.nodeGroups[0]: node group sizes must satisfy min <= desired <= max, found min 3 / desired 2 / max 5",
    );
}

#[test]
fn waf_on_a_network_load_balancer_is_explained() {
    assert_one_problem(
        &variant(
            "scheme: internal, allow: [peer] }",
            "scheme: internal, allow: [peer], waf: edge }",
        ),
        "AWS WAF cannot be attached to a Network Load Balancer (only to Application Load Balancers, API Gateway, CloudFront, AppSync, Cognito, App Runner and Verified Access) [use `type: application`",
    );
}

#[test]
fn waf_reference_must_exist() {
    assert_one_problem(
        &variant("waf: edge", "waf: egde"),
        "no WAF ACL named `egde` [did you mean `edge`?]",
    );
}

#[test]
fn peering_naming_an_unknown_region() {
    assert_one_problem(
        &format!("{MINIMAL}  peering: {{ requester: c1, accepter: c9 }}\n"),
        "spec.peering.accepter: no region named `c9`",
    );
    assert_one_problem(
        &format!("{MINIMAL}  peering: {{ requester: c1, accepter: c1 }}\n"),
        "`c1` cannot peer with itself",
    );
}

#[test]
fn load_balancer_reachability() {
    assert_one_problem(
        &variant("allow: [peer]", "allow: [internet]"),
        "an internal load balancer cannot be reached from the internet",
    );
    assert_one_problem(
        &variant("allow: [peer]", "allow: [pear]"),
        "`pear` is not `internet`, `peer` or a CIDR block [did you mean `peer`?]",
    );
    assert_one_problem(
        &variant("allow: [peer]", "allow: [10.0.0.0/33]"),
        "`10.0.0.0/33` is not an IPv4 CIDR block",
    );
    assert_one_problem(
        &variant("allow: [peer]", "allow: [peer], targetPort: 8080"),
        "8080 is outside the Kubernetes NodePort range",
    );
    assert_one_problem(
        &variant("allow: [peer]", "allow: [peer], listeners: [80, 80]"),
        "duplicate listener port `80`",
    );
}

#[test]
fn endpoint_rules() {
    assert_one_problem(
        &variant(
            "cluster: { name: mini-c1 }",
            "cluster: { name: mini-c1, endpoint: { public: true } }",
        ),
        "the public endpoint is on but no CIDRs are given; EKS would open it to 0.0.0.0/0",
    );
    assert_one_problem(
        &variant(
            "cluster: { name: mini-c1 }",
            "cluster: { name: mini-c1, endpoint: { private: false } }",
        ),
        "both the private and the public endpoint are off",
    );
}

#[test]
fn names_tags_and_arns() {
    assert_one_problem(
        &variant("name: mini\n", "name: Mini_Stack\n"),
        "`Mini_Stack` is not a valid stack name",
    );
    assert_one_problem(
        &format!("{MINIMAL}  tags: {{ \"aws:owner\": me }}\n"),
        "tag key `aws:owner` uses a reserved prefix",
    );
    assert_one_problem(
        &format!("{MINIMAL}  iam: {{ nodeRoleArn: arn:aws:iam::123:role/x }}\n"),
        "is not an IAM role ARN",
    );
    assert!(
        problems(&format!(
            "{MINIMAL}  iam: {{ nodeRoleArn: arn:aws:iam::123456789012:role/eks-node }}\n"
        ))
        .is_empty()
    );
}

#[test]
fn workload_rules() {
    let base = "  workloads:\n    - { name: backend, region: c2, source: m, tag: 6.7.1";
    assert!(problems(&format!("{MINIMAL}{base} }}\n")).is_empty());
    assert_one_problem(
        &format!("{MINIMAL}{base}, region: c7 }}\n"),
        "duplicate key `region`",
    );
    assert_one_problem(
        &format!(
            "{MINIMAL}  workloads:\n    - {{ name: backend, region: c7, source: m, tag: 6.7.1 }}\n"
        ),
        "no region named `c7`",
    );
    assert_one_problem(
        &format!(
            "{MINIMAL}  workloads:\n    - {{ name: backend, region: c2, source: m, tag: latest }}\n"
        ),
        "`latest` is not a pinned image tag",
    );
    assert_one_problem(
        &format!("{MINIMAL}{base}, replicas: 20 }}\n"),
        "20 replicas is outside the autoscaling range 2-10",
    );
    assert_one_problem(
        &format!("{MINIMAL}{base}, faults: {{ delay: {{ minMs: 9, maxMs: 1 }} }} }}\n"),
        "minMs 9 is above maxMs 1",
    );
}

#[test]
fn every_error_is_reported_not_just_the_first() {
    let text = variant("us-west-2", "us-wset-2")
        .replace("role: backend", "role: backnd")
        .replace("10.11.0.0/16", "10.10.0.0/16");
    let found = problems(&text);
    assert_eq!(found.len(), 3, "{found:#?}");
    let lines: Vec<&str> = found.iter().map(|f| f.split(' ').next().unwrap()).collect();
    let mut sorted = lines.clone();
    sorted.sort_by_key(|l| {
        l.split(':')
            .map(|n| n.parse::<usize>().unwrap())
            .collect::<Vec<_>>()
    });
    assert_eq!(lines, sorted, "diagnostics come in file order");
}

#[test]
fn a_bad_value_does_not_cause_follow_up_noise() {
    // `min` is bad, so the size rule (which would see the placeholder 0) must stay silent.
    let text = variant(
        "cluster: { name: mini-c2 }",
        "cluster: { name: mini-c2, nodeGroups: [{ name: ng, min: lots, desired: 1, max: 1 }] }",
    );
    assert_one_problem(&text, "nodeGroups[0].min: expected a whole number");
}

#[test]
fn blocks_with_leading_zeros_are_refused_wherever_a_block_is_written() {
    assert_one_problem(
        &variant("cidr: 10.10.0.0/16", "cidr: 10.00.0.0/16"),
        "14:24 spec.regions[0].network.cidr: `10.00.0.0/16` has a number with a leading zero (`00`), which some tools read as octal [write it without leading zeros: `10.0.0.0/16`]",
    );
    assert_one_problem(
        &variant("allow: [internet]", "allow: [internet, 010.0.0.0/16]"),
        "16:85 spec.regions[0].loadBalancer.allow[1]: `010.0.0.0/16` has a number with a leading zero (`010`)",
    );
}

#[test]
fn images_follow_the_oci_reference_grammar_at_the_stack_line() {
    let workload = |fields: &str| {
        format!(
            "{MINIMAL}  workloads:\n    - {{ name: backend, region: c2, source: m, {fields} }}\n"
        )
    };
    let digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    for image in [
        "ghcr.io/stefanprodan/podinfo",
        "localhost:5000/team/app",
        "nginx",
        &format!("ghcr.io/stefanprodan/podinfo@{digest}"),
    ] {
        assert_eq!(
            problems(&workload(&format!("image: \"{image}\", tag: 6.7.1"))),
            Vec::<String>::new(),
            "{image}"
        );
    }
    assert_one_problem(
        &workload("image: ghcr.io/StefanProdan/podinfo, tag: 6.7.1"),
        "26:54 spec.workloads[0].image: `ghcr.io/StefanProdan/podinfo` is not an image reference (character 9: repository paths are lowercase)",
    );
    assert_one_problem(
        &workload("image: \"ghcr.io/stefan\\u200Bprodan/podinfo\", tag: 6.7.1"),
        "spec.workloads[0].image: `ghcr.io/stefan\\u{200b}prodan/podinfo` has U+200B (zero width space) at character 15, which cannot be seen",
    );
    assert_one_problem(
        &workload("image: \"ghcr.io/stefanprodan/podinfo:6.7.1\", tag: 6.7.1"),
        "names a tag; the stack keeps it in `tag` [remove `:6.7.1` here and write `tag: 6.7.1`]",
    );
    assert_one_problem(
        &workload("image: \"ghcr.io/podinfo@sha256:abc\", tag: 6.7.1"),
        "(character 17: a sha256 digest has 64 hexadecimal digits)",
    );
    assert_one_problem(
        &workload("tag: \"6.7.1+build\""),
        "26:52 spec.workloads[0].tag: `6.7.1+build` is not an image tag (character 6: a tag holds letters, digits, `_`, `.` and `-` only)",
    );
    assert_one_problem(
        &workload("tag: .hidden"),
        "(character 1: a tag starts with a letter, a digit or `_`)",
    );
}

#[test]
fn workload_names_are_dns_1123_labels_at_the_stack_line() {
    for name in ["Frontend", "front_end", "-web", "web-", "1web", "wéb"] {
        let text = format!(
            "{MINIMAL}  workloads:\n    - {{ name: \"{name}\", region: c2, source: m, tag: 6.7.1 }}\n"
        );
        assert_one_problem(&text, "spec.workloads[0].name: ");
        assert_one_problem(
            &text,
            "is not a valid workload name [it names a Kubernetes namespace, a DNS-1123 label",
        );
    }
    let long = "w".repeat(41);
    assert_one_problem(
        &format!(
            "{MINIMAL}  workloads:\n    - {{ name: {long}, region: c2, source: m, tag: 6.7.1 }}\n"
        ),
        "is longer than the 40 characters allowed here",
    );
}
