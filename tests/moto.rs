//! The real AWS adapters against moto in server mode on 127.0.0.1, both regions: `up`, `plan`
//! in sync, out-of-band changes made directly with the SDK, `plan` reporting each, `up`
//! repairing them, `down` leaving nothing tagged. moto is started here (install it with
//! `pip install 'moto[server]'`; `.ci/run` does) and reset before each test.

use std::path::Path;

use aws_sdk_ec2::types::{AttributeBooleanValue, Filter, IpPermission, IpRange, Tag};

mod common;

use common::aws::{Run, STACK, fresh_moto, multiregion_with, runtime, sdk_config};

/// Runs the tool against moto on the reference stack (workloads left out: see
/// [`common::aws::command`]).
fn multiregion(url: &str, args: &[&str]) -> Run {
    multiregion_with(url, STACK, args)
}

/// The reference stack edited by `edit`, in a temporary folder (kept while the guard lives),
/// its manifests found where they are.
fn stack_copy(edit: impl Fn(String) -> String) -> (tempfile::TempDir, String) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let manifests = root.join("manifests");
    let text = std::fs::read_to_string(root.join(STACK))
        .unwrap()
        .replace("../manifests", manifests.to_str().unwrap());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("stack.yaml");
    std::fs::write(&path, edit(text)).unwrap();
    let path = path.to_str().unwrap().to_string();
    (dir, path)
}

/// The action `plan --output json` gives the change of `id`, if any.
fn planned_action(plan: &serde_json::Value, id: &str) -> Option<String> {
    plan["changes"]
        .as_array()?
        .iter()
        .find(|c| c["id"] == id)
        .and_then(|c| c["action"].as_str())
        .map(str::to_string)
}

/// `multiregion` with another stack file.
fn tagged(id: &str) -> Filter {
    Filter::builder()
        .name("tag:multiregion:id")
        .values(id)
        .build()
}

async fn id_of_vpc(ec2: &aws_sdk_ec2::Client, id: &str) -> String {
    let out = ec2
        .describe_vpcs()
        .filters(tagged(id))
        .send()
        .await
        .unwrap();
    out.vpcs()[0].vpc_id().unwrap().to_string()
}

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
    // a listing per region (2).
    assert!(total <= 105, "{total} calls:\n{}", plan.stderr);

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

/// An independent look at both regions: nothing of the stack's is left, in any service.
async fn assert_nothing_left(url: &str) {
    let stack = Filter::builder()
        .name("tag:multiregion:stack")
        .values("petclinic")
        .build();
    for region in ["us-east-1", "us-west-2"] {
        let config = sdk_config(url, region).await;
        let ec2 = aws_sdk_ec2::Client::new(&config);
        let vpcs = ec2
            .describe_vpcs()
            .filters(stack.clone())
            .send()
            .await
            .unwrap();
        assert!(vpcs.vpcs().is_empty(), "{region}: VPCs left");
        let subnets = ec2
            .describe_subnets()
            .filters(stack.clone())
            .send()
            .await
            .unwrap();
        assert!(subnets.subnets().is_empty(), "{region}: subnets left");
        let igws = ec2
            .describe_internet_gateways()
            .filters(stack.clone())
            .send()
            .await
            .unwrap();
        assert!(
            igws.internet_gateways().is_empty(),
            "{region}: internet gateways left"
        );
        let eips = ec2
            .describe_addresses()
            .filters(stack.clone())
            .send()
            .await
            .unwrap();
        assert!(eips.addresses().is_empty(), "{region}: Elastic IPs left");
        let groups = ec2
            .describe_security_groups()
            .filters(stack.clone())
            .send()
            .await
            .unwrap();
        assert!(
            groups.security_groups().is_empty(),
            "{region}: security groups left"
        );
        let tables = ec2
            .describe_route_tables()
            .filters(stack.clone())
            .send()
            .await
            .unwrap();
        assert!(
            tables.route_tables().is_empty(),
            "{region}: route tables left"
        );
        // NAT gateways and peerings stay listed for a while in state `deleted`, as on AWS.
        let nats = ec2.describe_nat_gateways().send().await.unwrap();
        for n in nats.nat_gateways() {
            let ours = n
                .tags()
                .iter()
                .any(|t| t.key() == Some("multiregion:stack") && t.value() == Some("petclinic"));
            let state = n.state().map(|s| s.as_str()).unwrap_or_default();
            assert!(
                !ours || state == "deleted",
                "{region}: NAT gateway {:?} is {state}",
                n.nat_gateway_id()
            );
        }
        let pcx = ec2.describe_vpc_peering_connections().send().await.unwrap();
        for p in pcx.vpc_peering_connections() {
            let code = p
                .status()
                .and_then(|s| s.code())
                .map(|c| c.as_str())
                .unwrap_or_default();
            assert_eq!(
                code,
                "deleted",
                "{region}: peering {:?}",
                p.vpc_peering_connection_id()
            );
        }
        let elb = aws_sdk_elasticloadbalancingv2::Client::new(&config);
        let lbs = elb.describe_load_balancers().send().await.unwrap();
        assert!(
            lbs.load_balancers().is_empty(),
            "{region}: load balancers left"
        );
        let tgs = elb.describe_target_groups().send().await.unwrap();
        assert!(
            tgs.target_groups().is_empty(),
            "{region}: target groups left"
        );
        let eks = aws_sdk_eks::Client::new(&config);
        let clusters = eks.list_clusters().send().await.unwrap();
        assert!(
            clusters.clusters().is_empty(),
            "{region}: clusters left: {:?}",
            clusters.clusters()
        );
        let waf = aws_sdk_wafv2::Client::new(&config);
        let acls = waf
            .list_web_acls()
            .scope(aws_sdk_wafv2::types::Scope::Regional)
            .send()
            .await
            .unwrap();
        assert!(acls.web_acls().is_empty(), "{region}: web ACLs left");
        let flow_logs = ec2.describe_flow_logs().send().await.unwrap();
        assert!(flow_logs.flow_logs().is_empty(), "{region}: flow logs left");
        let logs = aws_sdk_cloudwatchlogs::Client::new(&config);
        let groups = logs
            .describe_log_groups()
            .log_group_name_prefix("/multiregion/petclinic/")
            .send()
            .await
            .unwrap();
        assert!(groups.log_groups().is_empty(), "{region}: log groups left");
    }
}

#[test]
fn clusters_node_groups_and_roles_are_made_repaired_and_removed() {
    let (_guard, url) = fresh_moto();
    let up = multiregion(url, &["up"]);
    assert_eq!(up.code, 0, "{}", up.stderr);
    runtime().block_on(async {
        let config = sdk_config(url, "us-west-2").await;
        let eks = aws_sdk_eks::Client::new(&config);
        let cluster = eks
            .describe_cluster()
            .name("petclinic-c2")
            .send()
            .await
            .unwrap();
        let cluster = cluster.cluster().unwrap();
        assert_eq!(cluster.version(), Some("1.35"));
        let vpc = cluster.resources_vpc_config().unwrap();
        assert_eq!(vpc.subnet_ids().len(), 2, "the private subnets");
        assert!(vpc.endpoint_private_access());
        let group = eks
            .describe_nodegroup()
            .cluster_name("petclinic-c2")
            .nodegroup_name("default")
            .send()
            .await
            .unwrap();
        let group = group.nodegroup().unwrap();
        let scaling = group.scaling_config().unwrap();
        assert_eq!(
            (
                scaling.min_size(),
                scaling.desired_size(),
                scaling.max_size()
            ),
            (Some(2), Some(2), Some(5))
        );
        assert_eq!(
            group
                .labels()
                .and_then(|l| l.get("multiregion.dev/role"))
                .map(String::as_str),
            Some("backend")
        );
        // Out of band: a policy taken off the node role.
        let iam = aws_sdk_iam::Client::new(&sdk_config(url, "us-east-1").await);
        iam.detach_role_policy()
            .role_name("petclinic-eks-node")
            .policy_arn("arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy")
            .send()
            .await
            .unwrap();
    });
    let plan = multiregion(url, &["plan"]);
    assert_eq!(plan.code, 2, "{}", plan.stderr);
    assert!(plan.stdout.contains("~   iam/node-role"), "{}", plan.stdout);
    assert!(plan.stdout.contains("managedPolicies:"), "{}", plan.stdout);
    assert_eq!(multiregion(url, &["up"]).code, 0);
    assert_eq!(multiregion(url, &["plan"]).code, 0);

    // The stack asks for a bigger backend node group (a higher floor: the autoscaler's size,
    // which is no drift, is moved inside it) and fewer log types: updated in place.
    let (_dir, edited) = stack_copy(|text| {
        text.replacen("min: 2", "min: 2 # unchanged", 1)
            .replacen(
                "min: 2\n            desired: 2\n",
                "min: 3\n            desired: 3\n",
                1,
            )
            .replacen("# logging:", "logging: [api, audit] #", 1)
    });
    let plan = multiregion_with(url, &edited, &["plan"]);
    assert_eq!(plan.code, 2, "{}", plan.stderr);
    assert!(plan.stdout.contains("min: 2 -> 3"), "{}", plan.stdout);
    assert!(plan.stdout.contains("-> api,audit"), "{}", plan.stdout);
    assert!(
        !plan.stdout.contains("-/+"),
        "no replacement: {}",
        plan.stdout
    );
    let update = multiregion_with(url, &edited, &["up"]);
    assert_eq!(update.code, 0, "{}", update.stderr);
    assert_eq!(multiregion_with(url, &edited, &["plan"]).code, 0);
    runtime().block_on(async {
        let eks = aws_sdk_eks::Client::new(&sdk_config(url, "us-west-2").await);
        let group = eks
            .describe_nodegroup()
            .cluster_name("petclinic-c2")
            .nodegroup_name("default")
            .send()
            .await
            .unwrap();
        let scaling = group.nodegroup().unwrap().scaling_config().unwrap();
        assert_eq!(scaling.desired_size(), Some(3));
    });

    let down = multiregion(url, &["down", "--yes"]);
    assert_eq!(down.code, 0, "{}", down.stderr);
    runtime().block_on(async {
        let iam = aws_sdk_iam::Client::new(&sdk_config(url, "us-east-1").await);
        let roles = iam
            .list_roles()
            .path_prefix("/multiregion/petclinic/")
            .send()
            .await
            .unwrap();
        assert!(roles.roles().is_empty(), "roles left: {:?}", roles.roles());
    });
    runtime().block_on(assert_nothing_left(url));
}

#[test]
fn kubeconfig_gets_one_context_per_cluster_once_they_exist() {
    let (_guard, url) = fresh_moto();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("config");
    let path = file.to_str().unwrap();
    let early = multiregion(url, &["kubeconfig", "--kubeconfig", path]);
    assert_eq!(early.code, 1);
    assert!(
        early.stderr.contains("yet; run `multiregion up` first"),
        "{}",
        early.stderr
    );
    assert!(!file.exists(), "nothing written on error");

    let up = multiregion(url, &["up"]);
    assert_eq!(up.code, 0, "{}", up.stderr);
    std::fs::write(&file, "apiVersion: v1\nkind: Config\ncurrent-context: mine\nclusters:\n- name: mine\n  cluster: {server: https://127.0.0.1:6443}\n").unwrap();
    let written = multiregion(url, &["kubeconfig", "--kubeconfig", path]);
    assert_eq!(written.code, 0, "{}", written.stderr);
    let text = std::fs::read_to_string(&file).unwrap();
    for expected in [
        "name: mine",
        "name: petclinic-c1",
        "name: petclinic-c2",
        "name: multiregion-petclinic-c2",
        "- token",
        "- us-west-2",
        "current-context: mine",
    ] {
        assert!(text.contains(expected), "{expected} missing from:\n{text}");
    }
}

#[test]
fn down_on_an_empty_account_and_a_plan_of_it() {
    let (_guard, url) = fresh_moto();
    let down = multiregion(url, &["down", "--yes"]);
    assert_eq!(down.code, 0, "{}", down.stderr);
    let plan = multiregion(url, &["plan", "--output", "json"]);
    assert_eq!(plan.code, 2);
    let json: serde_json::Value = serde_json::from_str(&plan.stdout).unwrap();
    assert_eq!(json["inSync"], false);
    assert!(
        json["changes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["action"] == "create")
    );
    // Everything the stack implies is built: the plan of an empty account has it all.
    assert!(json.get("notBuiltYet").is_none());
    let kinds: Vec<&str> = json["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["kind"].as_str())
        .collect();
    for kind in ["FlowLog", "LogGroup", "TargetGroupAttachment", "EksCluster"] {
        assert!(kinds.contains(&kind), "{kind} planned: {kinds:?}");
    }
}

#[test]
fn a_peering_deleted_behind_the_tools_back_is_rebuilt_and_routes_follow() {
    let (_guard, url) = fresh_moto();
    let up = multiregion(url, &["up"]);
    assert_eq!(up.code, 0, "{}", up.stderr);
    let old = runtime().block_on(async {
        let east = aws_sdk_ec2::Client::new(&sdk_config(url, "us-east-1").await);
        let pcx = east
            .describe_vpc_peering_connections()
            .filters(tagged("c1/peering"))
            .send()
            .await
            .unwrap();
        let id = pcx.vpc_peering_connections()[0]
            .vpc_peering_connection_id()
            .unwrap()
            .to_string();
        east.delete_vpc_peering_connection()
            .vpc_peering_connection_id(&id)
            .send()
            .await
            .unwrap();
        id
    });

    let plan = multiregion(url, &["plan", "--output", "json"]);
    assert_eq!(plan.code, 2, "{}", plan.stderr);
    let json: serde_json::Value = serde_json::from_str(&plan.stdout).unwrap();
    let action_of = |id: &str| planned_action(&json, id);
    assert_eq!(action_of("c1/peering").as_deref(), Some("create"));
    assert_eq!(action_of("c2/peering-accept").as_deref(), Some("create"));
    assert_eq!(
        action_of("c1/route/private-1/peer").as_deref(),
        Some("update"),
        "the route points at the dead peering"
    );

    let repair = multiregion(url, &["up"]);
    assert_eq!(repair.code, 0, "{}", repair.stderr);
    assert_eq!(multiregion(url, &["plan"]).code, 0);
    runtime().block_on(async {
        let east = aws_sdk_ec2::Client::new(&sdk_config(url, "us-east-1").await);
        let tables = east
            .describe_route_tables()
            .filters(tagged("c1/rtb/private-1"))
            .send()
            .await
            .unwrap();
        let route = tables.route_tables()[0]
            .routes()
            .iter()
            .find(|r| r.destination_cidr_block() == Some("10.1.0.0/16"))
            .expect("a route to the peer");
        let now = route.vpc_peering_connection_id().unwrap();
        assert_ne!(now, old, "the route follows the new peering");
        let pcx = east
            .describe_vpc_peering_connections()
            .vpc_peering_connection_ids(now)
            .send()
            .await
            .unwrap();
        let status = pcx.vpc_peering_connections()[0]
            .status()
            .and_then(|s| s.code())
            .map(|c| c.as_str().to_string());
        assert_eq!(status.as_deref(), Some("active"));
    });
}

#[test]
fn verify_reads_the_account_once_and_catches_an_opened_backend() {
    let (_guard, url) = fresh_moto();
    assert_eq!(multiregion(url, &["up"]).code, 0);
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("verify.xml");
    let sarif = dir.path().join("verify.sarif");
    // moto's clusters have no Kubernetes API: the checks that read the clusters' objects are
    // skipped, saying so.
    let skip_kubernetes = [
        "--skip",
        "MR-K8S-001",
        "--skip",
        "MR-K8S-002",
        "--skip",
        "MR-EKS-006",
    ];
    let mut args = vec!["verify", "--stats", "--junit", junit.to_str().unwrap()];
    args.extend(["--sarif", sarif.to_str().unwrap()]);
    args.extend(skip_kubernetes);
    let clean = multiregion(url, &args);
    assert_eq!(clean.code, 0, "{}{}", clean.stdout, clean.stderr);
    assert_eq!(
        clean.stdout.matches(" pass ").count(),
        18,
        "{}",
        clean.stdout
    );
    assert!(
        clean
            .stdout
            .contains("18 passed, 0 failed (0 at or above high)"),
        "{}",
        clean.stdout
    );
    assert!(clean.stderr.contains("AWS API calls: "), "{}", clean.stderr);
    assert!(
        std::fs::read_to_string(&junit)
            .unwrap()
            .contains("<testsuites ")
    );

    // Someone opens SSH on the backend's nodes to the world.
    runtime().block_on(async {
        let config = sdk_config(url, "us-west-2").await;
        let ec2 = aws_sdk_ec2::Client::new(&config);
        let groups = ec2
            .describe_security_groups()
            .filters(tagged("c2/sg/nodes"))
            .send()
            .await
            .unwrap();
        let group = groups.security_groups()[0].group_id().unwrap().to_string();
        ec2.authorize_security_group_ingress()
            .group_id(group)
            .ip_protocol("tcp")
            .from_port(22)
            .to_port(22)
            .cidr_ip("0.0.0.0/0")
            .send()
            .await
            .unwrap();
    });
    let broken = multiregion(url, &args);
    assert_eq!(broken.code, 3, "{}{}", broken.stdout, broken.stderr);
    assert!(
        broken.stdout.contains("MR-NET-001  critical FAIL"),
        "{}",
        broken.stdout
    );
    assert!(
        broken.stdout.contains("admits tcp/22 from 0.0.0.0/0"),
        "{}",
        broken.stdout
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    let failed: Vec<&serde_json::Value> = report["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["kind"] == "fail")
        .collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["ruleId"], "MR-NET-001");
}

#[test]
fn a_new_vpc_block_is_a_replacement_carried_out_only_when_allowed() {
    let (_guard, url) = fresh_moto();
    let up = multiregion(url, &["up"]);
    assert_eq!(up.code, 0, "{}", up.stderr);

    // The same stack with the backend moved from 10.1.0.0/16 to 10.2.0.0/16.
    let (_dir, moved) = stack_copy(|text| text.replace("10.1.", "10.2."));
    let moved = moved.as_str();

    let plan = multiregion_with(url, moved, &["plan", "--output", "json"]);
    assert_eq!(plan.code, 2, "{}", plan.stderr);
    let json: serde_json::Value = serde_json::from_str(&plan.stdout).unwrap();
    let action_of = |id: &str| planned_action(&json, id);
    for id in [
        "c2/vpc",
        "c2/subnet/private-1",
        "c2/nat/1",
        "c2/eks",
        "c1/peering",
    ] {
        assert_eq!(action_of(id).as_deref(), Some("replace"), "{id}");
    }

    let refused = multiregion_with(url, moved, &["up"]);
    assert_eq!(refused.code, 1, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("--allow-replace"),
        "{}",
        refused.stderr
    );
    let unchanged = multiregion(url, &["plan"]);
    assert_eq!(
        unchanged.code, 0,
        "nothing was touched: {}",
        unchanged.stdout
    );

    let replaced = multiregion_with(url, moved, &["up", "--allow-replace"]);
    assert_eq!(replaced.code, 0, "{}", replaced.stderr);
    let plan = multiregion_with(url, moved, &["plan"]);
    assert_eq!(plan.code, 0, "in sync: {}", plan.stdout);

    // One VPC of the stack's in the backend region, on the new block; the old one is gone.
    runtime().block_on(async {
        let west = aws_sdk_ec2::Client::new(&sdk_config(url, "us-west-2").await);
        let vpcs = west
            .describe_vpcs()
            .filters(tagged("c2/vpc"))
            .send()
            .await
            .unwrap();
        let blocks: Vec<&str> = vpcs.vpcs().iter().filter_map(|v| v.cidr_block()).collect();
        assert_eq!(blocks, ["10.2.0.0/16"]);
    });

    let down = multiregion_with(url, moved, &["down", "--yes"]);
    assert_eq!(down.code, 0, "{}", down.stderr);
    runtime().block_on(assert_nothing_left(url));
}
