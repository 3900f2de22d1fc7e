//! Drift made behind the tool's back, found by plan and repaired by up, in place or by consented replacement.

use super::*;

#[tokio::test(start_paused = true)]
async fn every_kind_of_drift_is_detected_and_repaired() {
    let (stack, world) = (reference(), world());
    converge(&stack, &world).await;
    let (east, west) = (world.clients("us-east-1"), world.clients("us-west-2"));

    // An ingress rule added out of band to the backend's load balancer group.
    let c2_lb_sg = lookup(&world, "us-west-2", "c2/sg/lb").await;
    let ssh = RuleSpec {
        egress: false,
        protocol: "tcp".into(),
        from_port: Some(22),
        to_port: Some(22),
        peer: RulePeerId::Cidr("0.0.0.0/0".into()),
        description: None,
    };
    west.network
        .authorize(&c2_lb_sg, &ssh, &Tags::new())
        .await
        .unwrap();
    // A route to the peer removed.
    let c1_private = lookup(&world, "us-east-1", "c1/rtb/private-1").await;
    east.network
        .delete_route(&c1_private, "10.1.0.0/16")
        .await
        .unwrap();
    // DNS support turned off.
    let c2_vpc = lookup(&world, "us-west-2", "c2/vpc").await;
    west.network
        .set_vpc_dns(&c2_vpc, VpcDnsAttribute::Support, false)
        .await
        .unwrap();
    // The backend's listener changed.
    let nlb = lookup(&world, "us-west-2", "c2/lb").await;
    let listener = west
        .load_balancing
        .snapshot("petclinic")
        .await
        .unwrap()
        .listeners
        .into_iter()
        .find(|l| l.load_balancer_arn == nlb)
        .unwrap();
    let tg = listener.target_group_arn.clone().unwrap();
    west.load_balancing
        .modify_listener(
            &listener.arn,
            &NewListener {
                protocol: "TLS",
                port: 80,
                action: ListenerAction::Forward(&tg),
                tls: None,
            },
        )
        .await
        .unwrap();
    // The WAF ACL's rules changed, and the ACL taken off the ALB.
    let acl = east.waf.snapshot("petclinic").await.unwrap().remove(0);
    let weaker = WebAclRules {
        managed_rule_groups: vec!["AWSManagedRulesCommonRuleSet".into()],
        rate_limit: Some(100_000),
    };
    east.waf.update_web_acl(&acl, &weaker).await.unwrap();
    let alb = lookup(&world, "us-east-1", "c1/lb").await;
    east.waf.disassociate(&alb).await.unwrap();
    // Tags changed, and the default group opened.
    let subnet = lookup(&world, "us-east-1", "c1/subnet/private-2").await;
    east.network
        .set_tags(
            &subnet,
            &Tags::from([("team".into(), "someone-else".into())]),
            &[],
        )
        .await
        .unwrap();
    let c1_vpc = lookup(&world, "us-east-1", "c1/vpc").await;
    let default_group = east.network.default_security_group(&c1_vpc).await.unwrap();
    let https = RuleSpec {
        egress: false,
        protocol: "tcp".into(),
        from_port: Some(443),
        to_port: Some(443),
        peer: RulePeerId::Cidr("0.0.0.0/0".into()),
        description: None,
    };
    east.network
        .authorize(&default_group.id, &https, &Tags::new())
        .await
        .unwrap();
    // The backend VPC's main route table sent to the internet, which would make any subnet
    // without a table of its own public.
    let main_table = west.network.main_route_table(&c2_vpc).await.unwrap();
    let igw = west
        .network
        .snapshot("petclinic")
        .await
        .unwrap()
        .internet_gateways[0]
        .id
        .clone();
    west.network
        .create_route(&main_table.id, "0.0.0.0/0", &RouteTargetId::Gateway(igw))
        .await
        .unwrap();

    let (_, changes) = engine(&stack, &world, &Silent).plan().await.unwrap();
    let extra = changes
        .iter()
        .find(|c| c.kind == "SecurityGroupRule" && c.action == Action::Delete)
        .expect("the extra rule");
    assert!(
        extra.id.starts_with("c2/sg/lb/extra/in-tcp-22-0.0.0.0/0"),
        "{}",
        extra.id
    );
    assert_eq!(
        find(&changes, "c1/route/private-1/peer").action,
        Action::Create
    );
    let vpc = find(&changes, "c2/vpc");
    assert_eq!(
        (vpc.action, vpc.fields[0].field.as_str()),
        (Action::Update, "dnsSupport")
    );
    let l = find(&changes, "c2/listener/80");
    assert_eq!(
        (
            l.action,
            l.fields[0].field.as_str(),
            l.fields[0].observed.as_deref()
        ),
        (Action::Update, "protocol", Some("TLS"))
    );
    let w = find(&changes, "c1/waf/edge");
    assert_eq!(w.action, Action::Update);
    assert_eq!(
        w.fields
            .iter()
            .map(|f| f.field.as_str())
            .collect::<Vec<_>>(),
        ["managedRuleGroups", "rateLimit"]
    );
    assert_eq!(find(&changes, "c1/waf-assoc").action, Action::Create);
    let t = find(&changes, "c1/subnet/private-2");
    assert_eq!(
        (t.fields[0].field.as_str(), t.fields[0].observed.as_deref()),
        ("tags", Some("team=someone-else"))
    );
    assert_eq!(
        find(&changes, "c1/default-sg").fields[0]
            .observed
            .as_deref(),
        Some("in tcp 443 0.0.0.0/0")
    );
    assert_eq!(
        find(&changes, "c2/main-rt/extra-route/0.0.0.0/0").action,
        Action::Delete
    );
    assert_eq!(ids(&changes).len(), 9, "{:#?}", ids(&changes));

    converge(&stack, &world).await;
    let (_, changes) = engine(&stack, &world, &Silent).plan().await.unwrap();
    assert!(changes.is_empty(), "repaired: {:#?}", ids(&changes));
}

#[tokio::test(start_paused = true)]
async fn a_deleted_or_unaccepted_peering_is_drift_and_is_rebuilt() {
    let (stack, world) = (reference(), world());
    converge(&stack, &world).await;
    let east = world.clients("us-east-1");
    let pcx = lookup(&world, "us-east-1", "c1/peering").await;
    east.network.delete_peering(&pcx).await.unwrap();

    let (_, changes) = engine(&stack, &world, &Silent).plan().await.unwrap();
    assert_eq!(find(&changes, "c1/peering").action, Action::Create);
    assert_eq!(find(&changes, "c2/peering-accept").action, Action::Create);
    let route = find(&changes, "c2/route/private-1/peer");
    assert_eq!(
        route.action,
        Action::Update,
        "the route still points at the dead peering"
    );

    // The new request is made but acceptance fails: the plan says the peering waits for it.
    world.fail("AcceptVpcPeeringConnection", ErrorKind::Other, 1);
    let (_, report) = engine(&stack, &world, &Silent).up(false).await.unwrap();
    assert_eq!(report.failed(), 1);
    let (_, changes) = engine(&stack, &world, &Silent).plan().await.unwrap();
    let accept = find(&changes, "c2/peering-accept");
    assert_eq!(
        (accept.action, accept.reason.as_deref()),
        (Action::Create, Some("the peering is pending-acceptance"))
    );

    converge(&stack, &world).await;
    let (_, changes) = engine(&stack, &world, &Silent).plan().await.unwrap();
    assert!(changes.is_empty(), "{:#?}", ids(&changes));
    assert_eq!(world.tagged("petclinic")["VpcPeering"], 1);
}

#[tokio::test(start_paused = true)]
async fn a_changed_scheme_is_a_replacement_that_needs_consent() {
    let (stack, world) = (reference(), world());
    converge(&stack, &world).await;
    // Someone rebuilt the frontend's load balancer as internal, same name and tags.
    let east = world.clients("us-east-1");
    let lbs = east.load_balancing.snapshot("petclinic").await.unwrap();
    let alb = lbs
        .load_balancers
        .iter()
        .find(|l| l.lb_type == "application")
        .unwrap()
        .clone();
    for l in lbs
        .listeners
        .iter()
        .filter(|l| l.load_balancer_arn == alb.arn)
    {
        east.load_balancing.delete_listener(&l.arn).await.unwrap();
    }
    east.load_balancing
        .delete_load_balancer(&alb.arn)
        .await
        .unwrap();
    let rebuilt = NewLoadBalancer {
        name: &alb.name,
        lb_type: "application",
        scheme: "internal",
        subnets: &alb.subnets,
        security_groups: &alb.security_groups,
        tags: &alb.tags,
    };
    east.load_balancing
        .create_load_balancer(&rebuilt)
        .await
        .unwrap();

    let (_, changes) = engine(&stack, &world, &Silent).plan().await.unwrap();
    let lb = find(&changes, "c1/lb");
    assert_eq!(lb.action, Action::Replace);
    assert_eq!(
        (
            lb.fields[0].field.as_str(),
            lb.fields[0].observed.as_deref(),
            lb.fields[0].desired.as_deref()
        ),
        ("scheme", Some("internal"), Some("internet-facing"))
    );

    let before = world.stats().per_operation();
    let refused = engine(&stack, &world, &Silent).up(false).await;
    // The error-rate alarm names the load balancer, so it is replaced with it.
    let together = ["c1/lb".to_string(), "c1/alarm/errorRate".to_string()];
    assert!(
        matches!(refused, Err(EngineError::ReplacementsNeedConsent(ref ids)) if *ids == together),
        "{:?}",
        refused.as_ref().err()
    );
    assert!(
        mutating_calls(&before, &world).is_empty(),
        "nothing changed without consent"
    );

    let (_, report) = engine(&stack, &world, &Silent).up(true).await.unwrap();
    assert_eq!(report.failed(), 0, "{:#?}", report.steps);
    let (_, changes) = engine(&stack, &world, &Silent).plan().await.unwrap();
    assert!(changes.is_empty(), "{:#?}", ids(&changes));
}

#[tokio::test(start_paused = true)]
async fn cluster_and_node_group_drift_is_updated_in_place() {
    let (stack, world) = (reference(), world());
    converge(&stack, &world).await;
    let east = world.clients("us-east-1");
    // Out of band: logging cut down, the public endpoint opened wide, the node group scaled and
    // relabelled, and a tag changed.
    east.eks
        .update_cluster(
            "petclinic-c1",
            &ClusterUpdate::Logging {
                enabled: vec!["api".into()],
                disabled: vec![],
            },
            Duration::from_secs(600),
        )
        .await
        .unwrap();
    let open = ClusterUpdate::Endpoint {
        private: true,
        public: true,
        public_cidrs: vec!["0.0.0.0/0".into()],
    };
    east.eks
        .update_cluster("petclinic-c1", &open, Duration::from_secs(600))
        .await
        .unwrap();
    let scale = NodeGroupUpdate {
        scaling: Some((1, 1, 3)),
        add_labels: Tags::from([("extra".into(), "yes".into())]),
        remove_labels: vec![],
    };
    east.eks
        .update_node_group("petclinic-c1", "default", &scale, Duration::from_secs(600))
        .await
        .unwrap();

    let (_, changes) = engine(&stack, &world, &Silent).plan().await.unwrap();
    let cluster = find(&changes, "c1/eks");
    assert_eq!(cluster.action, Action::Update, "{cluster:#?}");
    let fields: Vec<&str> = cluster.fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(fields, ["logTypes", "publicCidrs"]);
    let group = find(&changes, "c1/nodegroup/default");
    assert_eq!(group.action, Action::Update);
    let fields: Vec<&str> = group.fields.iter().map(|f| f.field.as_str()).collect();
    // The desired size is the autoscaler's (max is above min): no drift of its own, and the
    // new bounds move it back inside them.
    assert_eq!(fields, ["labels", "max", "min"]);
    assert_eq!(ids(&changes).len(), 2, "{:#?}", ids(&changes));

    converge(&stack, &world).await;
    let (_, changes) = engine(&stack, &world, &Silent).plan().await.unwrap();
    assert!(changes.is_empty(), "{:#?}", ids(&changes));
    assert_eq!(
        world.tagged("petclinic")["EksCluster"],
        2,
        "updated, not replaced"
    );
}

#[tokio::test(start_paused = true)]
async fn a_newer_version_is_reached_one_minor_at_a_time_and_an_older_one_is_a_replacement() {
    let (stack, world) = (reference(), world());
    converge(&stack, &world).await;
    let newer = include_str!("../../../stacks/two-region.yaml").replacen(
        "version: \"1.35\"",
        "version: \"1.37\"\n        autoscaler: { image: \"example.com/ca:v1.37.0\" }",
        1,
    );
    let newer = parse("newer.yaml", newer.as_bytes()).unwrap();
    let before = world.stats().per_operation();
    let (changes, report) = engine(&newer, &world, &Silent).up(false).await.unwrap();
    assert_eq!(report.failed(), 0, "{:#?}", report.steps);
    assert_eq!(ids(&changes), [(Action::Update, "c1/eks")]);
    // 1.35 -> 1.36 -> 1.37: two updates (the fake refuses a jump of two).
    assert_eq!(
        calls_since(&before, &world).get("EKS:UpdateClusterVersion"),
        Some(&2)
    );

    let (_, changes) = engine(&stack, &world, &Silent).plan().await.unwrap();
    let back = find(&changes, "c1/eks");
    assert_eq!(back.action, Action::Replace, "EKS cannot go back to 1.35");
    assert!(
        changes
            .iter()
            .any(|c| c.id == "c1/nodegroup/default" && c.action == Action::Replace),
        "its node group goes with it"
    );
}

#[tokio::test(start_paused = true)]
async fn node_groups_auto_scaling_groups_are_attached_to_the_target_group_and_kept_so() {
    let (stack, world) = (reference(), world());
    converge(&stack, &world).await;
    let c1 = world.clients("us-east-1");
    let tg = lookup(&world, "us-east-1", "c1/tg").await;
    let asgs = c1.scaling.node_group_asgs("petclinic-c1").await.unwrap();
    assert_eq!(asgs.len(), 1);
    assert_eq!(
        asgs[0].target_groups,
        std::slice::from_ref(&tg),
        "every node, now and later, is a target"
    );

    // Someone detaches it.
    c1.scaling
        .detach_target_group(&asgs[0].name, &tg)
        .await
        .unwrap();
    let (_, changes) = engine(&stack, &world, &Silent).plan().await.unwrap();
    assert_eq!(ids(&changes), [(Action::Update, "c1/tg-attach/default")]);
    let field = &find(&changes, "c1/tg-attach/default").fields[0];
    assert_eq!(
        (field.field.as_str(), field.observed.as_deref()),
        ("unregistered", Some(asgs[0].name.as_str()))
    );
    converge(&stack, &world).await;
    let asgs = c1.scaling.node_group_asgs("petclinic-c1").await.unwrap();
    assert_eq!(asgs[0].target_groups, [tg]);

    // `down` detaches it along with everything else.
    let (_, report) = engine(&stack, &world, &Silent).down().await.unwrap();
    assert_eq!(report.failed(), 0);
    assert!(world.tagged("petclinic").is_empty());
}

#[tokio::test(start_paused = true)]
async fn without_auto_scaling_groups_the_nodes_are_registered_and_a_missing_one_is_drift() {
    let (stack, world) = (reference(), world());
    // As on an emulator: node groups name Auto Scaling groups that do not exist.
    world.set_behaviour(|b| b.node_groups_without_asgs = true);
    converge(&stack, &world).await;
    let c1 = world.clients("us-east-1");
    let tg = lookup(&world, "us-east-1", "c1/tg").await;
    let nodes: Vec<String> = c1
        .network
        .node_instances("petclinic-c1")
        .await
        .unwrap()
        .into_iter()
        .map(|n| n.id)
        .collect();
    assert_eq!(nodes.len(), 2, "the node group's desired size");
    let mut registered = c1.load_balancing.registered_targets(&tg).await.unwrap();
    registered.sort();
    assert_eq!(registered, nodes);

    // A node leaves the target group (replaced, or deregistered by hand).
    c1.load_balancing
        .deregister_targets(&tg, &nodes[..1])
        .await
        .unwrap();
    let (_, changes) = engine(&stack, &world, &Silent).plan().await.unwrap();
    assert_eq!(ids(&changes), [(Action::Update, "c1/tg-attach/default")]);
    let field = &find(&changes, "c1/tg-attach/default").fields[0];
    assert_eq!(field.field, "unregistered");
    assert_eq!(field.observed.as_deref(), Some(nodes[0].as_str()));

    converge(&stack, &world).await;
    assert_eq!(
        c1.load_balancing
            .registered_targets(&tg)
            .await
            .unwrap()
            .len(),
        2
    );
    let (_, changes) = engine(&stack, &world, &Silent).plan().await.unwrap();
    assert!(changes.is_empty(), "{:?}", ids(&changes));
}
