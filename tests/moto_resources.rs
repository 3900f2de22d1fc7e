//! More of the real AWS adapters against moto: clusters, node groups and roles made, repaired
//! and removed; kubeconfig contexts; `down` and `plan` of an empty account; a peering deleted
//! behind the tool's back rebuilt; `verify` reading the account once; a new VPC block as a
//! replacement carried out only when allowed.

mod common;

use common::aws::{
    assert_nothing_left, edited_stack, fresh_moto, multiregion, multiregion_with, planned_action,
    runtime, sdk_config, tagged,
};

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
    let (_dir, edited) = edited_stack(|text| {
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
    let (_dir, moved) = edited_stack(|text| text.replace("10.1.", "10.2."));
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
