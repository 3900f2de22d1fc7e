//! The real AWS adapters against moto in server mode on 127.0.0.1, both regions: `up`, `plan`
//! in sync, out-of-band changes made directly with the SDK, `plan` reporting each, `up`
//! repairing them, `down` leaving nothing tagged. moto is started here (install it with
//! `pip install 'moto[server]'`; `.ci/run` does) and reset before each test.

use aws_sdk_ec2::types::{AttributeBooleanValue, Filter, IpPermission, IpRange, Tag};

mod common;

use common::aws::{
    assert_nothing_left, fresh_moto, id_of_vpc, multiregion, runtime, sdk_config, tagged,
};

/// Out-of-band changes, made directly with the SDK as an operator would.
async fn drift(url: &str) {
    let east = aws_sdk_ec2::Client::new(&sdk_config(url, "us-east-1").await);
    let west = aws_sdk_ec2::Client::new(&sdk_config(url, "us-west-2").await);
    let waf = aws_sdk_wafv2::Client::new(&sdk_config(url, "us-east-1").await);
    let elb = aws_sdk_elasticloadbalancingv2::Client::new(&sdk_config(url, "us-east-1").await);

    let open = |port: i32| {
        IpPermission::builder()
            .ip_protocol("tcp")
            .from_port(port)
            .to_port(port)
            .ip_ranges(IpRange::builder().cidr_ip("0.0.0.0/0").build())
            .build()
    };
    let groups = west
        .describe_security_groups()
        .filters(tagged("c2/sg/lb"))
        .send()
        .await
        .unwrap();
    let c2_lb_group = groups.security_groups()[0].group_id().unwrap().to_string();
    west.authorize_security_group_ingress()
        .group_id(&c2_lb_group)
        .ip_permissions(open(22))
        .send()
        .await
        .unwrap();

    let tables = east
        .describe_route_tables()
        .filters(tagged("c1/rtb/private-1"))
        .send()
        .await
        .unwrap();
    let table = tables.route_tables()[0]
        .route_table_id()
        .unwrap()
        .to_string();
    east.delete_route()
        .route_table_id(&table)
        .destination_cidr_block("10.1.0.0/16")
        .send()
        .await
        .unwrap();

    let c2_vpc = id_of_vpc(&west, "c2/vpc").await;
    west.modify_vpc_attribute()
        .vpc_id(&c2_vpc)
        .enable_dns_support(AttributeBooleanValue::builder().value(false).build())
        .send()
        .await
        .unwrap();

    let subnets = east
        .describe_subnets()
        .filters(tagged("c1/subnet/private-2"))
        .send()
        .await
        .unwrap();
    let subnet = subnets.subnets()[0].subnet_id().unwrap().to_string();
    east.create_tags()
        .resources(&subnet)
        .tags(Tag::builder().key("team").value("someone-else").build())
        .send()
        .await
        .unwrap();

    let c1_vpc = id_of_vpc(&east, "c1/vpc").await;
    let defaults = east
        .describe_security_groups()
        .filters(Filter::builder().name("vpc-id").values(&c1_vpc).build())
        .filters(
            Filter::builder()
                .name("group-name")
                .values("default")
                .build(),
        )
        .send()
        .await
        .unwrap();
    let default_group = defaults.security_groups()[0]
        .group_id()
        .unwrap()
        .to_string();
    east.authorize_security_group_ingress()
        .group_id(&default_group)
        .ip_permissions(open(443))
        .send()
        .await
        .unwrap();

    let lbs = elb.describe_load_balancers().send().await.unwrap();
    let alb = lbs
        .load_balancers()
        .iter()
        .find(|l| l.load_balancer_name() == Some("petclinic-c1-lb"))
        .unwrap();
    waf.disassociate_web_acl()
        .resource_arn(alb.load_balancer_arn().unwrap())
        .send()
        .await
        .unwrap();

    // The web ACL loses its SQL-injection rule group.
    let acls = waf
        .list_web_acls()
        .scope(aws_sdk_wafv2::types::Scope::Regional)
        .send()
        .await
        .unwrap();
    let summary = &acls.web_acls()[0];
    let got = waf
        .get_web_acl()
        .scope(aws_sdk_wafv2::types::Scope::Regional)
        .name(summary.name().unwrap())
        .id(summary.id().unwrap())
        .send()
        .await
        .unwrap();
    let acl = got.web_acl().unwrap();
    let rules: Vec<_> = acl
        .rules()
        .iter()
        .filter(|r| !r.name().contains("SQLi"))
        .cloned()
        .collect();
    assert_eq!(rules.len() + 1, acl.rules().len(), "{:?}", acl.rules());
    waf.update_web_acl()
        .scope(aws_sdk_wafv2::types::Scope::Regional)
        .name(acl.name())
        .id(acl.id())
        .lock_token(got.lock_token().unwrap())
        .set_default_action(acl.default_action().cloned())
        .set_visibility_config(acl.visibility_config().cloned())
        .set_rules(Some(rules))
        .send()
        .await
        .unwrap();

    // The backend's listener moved to another port.
    let west_elb = aws_sdk_elasticloadbalancingv2::Client::new(&sdk_config(url, "us-west-2").await);
    let lbs = west_elb.describe_load_balancers().send().await.unwrap();
    let nlb = lbs.load_balancers()[0].load_balancer_arn().unwrap();
    let listeners = west_elb
        .describe_listeners()
        .load_balancer_arn(nlb)
        .send()
        .await
        .unwrap();
    west_elb
        .modify_listener()
        .listener_arn(listeners.listeners()[0].listener_arn().unwrap())
        .port(8080)
        .send()
        .await
        .unwrap();
}

#[test]
fn up_plan_drift_repair_down_on_moto() {
    let (_guard, url) = fresh_moto();

    let up = multiregion(url, &["up"]);
    assert_eq!(up.code, 0, "up: {}", up.stderr);
    runtime().block_on(assert_groups_and_rules_tagged(url));

    // A second up right after reads and changes nothing: no mutating call at all.
    let again = multiregion(url, &["up", "-vv"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    let operations: Vec<&str> = again
        .stderr
        .lines()
        .filter_map(|l| l.trim_start().split_once(": ").map(|(op, _)| op))
        .filter_map(|op| op.rsplit_once(':').map(|(_, name)| name))
        .collect();
    assert!(
        operations.contains(&"DescribeVpcs"),
        "-vv lists operations: {}",
        again.stderr
    );
    // Beside the run lock, taken (PutParameter) and given back (DeleteParameter), nothing.
    let mutating: Vec<&&str> = operations
        .iter()
        .filter(|op| {
            !(op.starts_with("Describe") || op.starts_with("List") || op.starts_with("Get"))
        })
        .collect();
    assert_eq!(
        mutating,
        [&"DeleteParameter", &"PutParameter"],
        "a second up called {mutating:?}"
    );

    let plan = multiregion(url, &["plan", "-vv"]);
    assert_eq!(
        plan.code, 0,
        "in sync after up: {}{}",
        plan.stdout, plan.stderr
    );
    assert!(plan.stdout.contains("is in sync"));
    let total: u64 = plan
        .stderr
        .lines()
        .find_map(|l| l.strip_prefix("AWS API calls: "))
        .and_then(|l| l.split(' ').next())
        .and_then(|n| n.parse().ok())
        .expect("-v prints the call count");
    // `  Service:Operation: n` lines; the networks, load balancers and WAF take at most 40
    // (flow logs, their log groups and the nodes' load balancer targets came later).
    let network: u64 = plan
        .stderr
        .lines()
        .filter_map(|l| l.strip_prefix("  ")?.rsplit_once(": "))
        .filter(|(op, _)| {
            !(op.starts_with("EKS")
                || op.starts_with("IAM")
                || op.contains("LaunchTemplate")
                || op.contains("FlowLogs")
                || op.starts_with("CloudWatch Logs")
                || op.ends_with("DescribeInstances")
                || op.ends_with("DescribeTargetHealth")
                || op.starts_with("Auto Scaling")
                || op.starts_with("SSM")
                || op.starts_with("SNS")
                || op.starts_with("KMS")
                || op.starts_with("ACM")
                || op.starts_with("CloudWatch"))
        })
        .filter_map(|(_, n)| n.parse::<u64>().ok())
        .sum();
    assert!(
        network <= 35,
        "the networks took {network} calls of {total}"
    );
    // The whole plan, SSM's record included, within the budget it had before the record
    // (69), and the alerting's reads: per region the topics, the topic's attributes, tags and
    // subscriptions, the alarms and each alarm's tags (21 for both regions); the secrets keys:
    // per region the key listing, and the key's tags, description, rotation and policy (10);
    // the Cluster Autoscaler's role: its description, policies and tags (3); the certificates:
    // a listing per region (2); the CloudWatch agent's role (3); the alert topics' keys: each
    // key's tags, description, rotation and policy (8).
    assert!(total <= 116, "{total} calls:\n{}", plan.stderr);

    runtime().block_on(drift(url));
    let plan = multiregion(url, &["plan", "--output", "json"]);
    assert_eq!(plan.code, 2, "drift: exit 2\n{}", plan.stderr);
    let json: serde_json::Value = serde_json::from_str(&plan.stdout).unwrap();
    let changes: Vec<(String, String)> = json["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["action"].as_str().unwrap().to_string(),
                c["id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let has = |action: &str, id: &str| {
        changes
            .iter()
            .any(|(a, i)| a == action && i.starts_with(id))
    };
    assert!(
        has("delete", "c2/sg/lb/extra/in-tcp-22-0.0.0.0/0"),
        "{changes:?}"
    );
    assert!(has("create", "c1/route/private-1/peer"), "{changes:?}");
    assert!(has("update", "c2/vpc"), "{changes:?}");
    assert!(has("update", "c1/subnet/private-2"), "{changes:?}");
    assert!(has("update", "c1/default-sg"), "{changes:?}");
    assert!(has("create", "c1/waf-assoc"), "{changes:?}");
    assert!(has("update", "c1/waf/edge"), "{changes:?}");
    assert!(has("create", "c2/listener/80"), "{changes:?}");
    assert!(has("delete", "c2/lb/extra-listener/8080"), "{changes:?}");
    // Both regions drifted, so each region's run record goes with the repairs.
    assert!(has("update", "c1/last-up"), "{changes:?}");
    assert!(has("update", "c2/last-up"), "{changes:?}");
    assert_eq!(changes.len(), 11, "{changes:?}");

    let repair = multiregion(url, &["up"]);
    assert_eq!(repair.code, 0, "{}", repair.stderr);
    let plan = multiregion(url, &["plan"]);
    assert_eq!(plan.code, 0, "repaired: {}", plan.stdout);

    let down = multiregion(url, &["down", "--yes"]);
    assert_eq!(down.code, 0, "{}", down.stderr);
    assert!(
        down.stderr
            .contains("nothing tagged multiregion:stack=petclinic remains"),
        "{}",
        down.stderr
    );
    runtime().block_on(assert_nothing_left(url));

    let again = multiregion(url, &["down", "--yes"]);
    assert_eq!(again.code, 0, "down twice is fine: {}", again.stderr);
}

/// An independent look at the stack's VPCs: every route table and security group in them (the
/// adopted main table and default group too) and every rule of those groups carries the
/// stack's tags.
async fn assert_groups_and_rules_tagged(url: &str) {
    let ours = |tags: &[aws_sdk_ec2::types::Tag]| {
        tags.iter()
            .any(|t| t.key() == Some("multiregion:stack") && t.value() == Some("petclinic"))
    };
    for (region, vpc) in [("us-east-1", "c1/vpc"), ("us-west-2", "c2/vpc")] {
        let ec2 = aws_sdk_ec2::Client::new(&sdk_config(url, region).await);
        let vpc = id_of_vpc(&ec2, vpc).await;
        let in_vpc = Filter::builder().name("vpc-id").values(&vpc).build();
        let tables = ec2
            .describe_route_tables()
            .filters(in_vpc.clone())
            .send()
            .await
            .unwrap();
        // Public, two private (one NAT gateway per AZ) and the main one.
        assert_eq!(tables.route_tables().len(), 4, "{region}");
        for t in tables.route_tables() {
            assert!(ours(t.tags()), "{region}: route table {t:?} is not tagged");
        }
        let groups = ec2
            .describe_security_groups()
            .filters(in_vpc)
            .send()
            .await
            .unwrap();
        let groups = groups.security_groups();
        assert_eq!(
            groups.len(),
            3,
            "{region}: two of the stack's and the default"
        );
        for g in groups {
            assert!(ours(g.tags()), "{region}: group {g:?} is not tagged");
        }
        let ids = groups.iter().filter_map(|g| g.group_id());
        let rules = ec2
            .describe_security_group_rules()
            .filters(
                Filter::builder()
                    .name("group-id")
                    .set_values(Some(ids.map(String::from).collect()))
                    .build(),
            )
            .send()
            .await
            .unwrap();
        assert!(!rules.security_group_rules().is_empty());
        for r in rules.security_group_rules() {
            assert!(ours(r.tags()), "{region}: rule {r:?} is not tagged");
        }
    }
}
