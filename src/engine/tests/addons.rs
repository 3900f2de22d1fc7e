//! EKS add-ons on the fake world: the five defaults (six while alarms read Container Insights)
//! made after the node groups, vpc-cni with
//! network policy enforcement; configuration changed by hand is drift put back; a pinned
//! version is an update in place, an add-on left out is deleted; `down` removes them before
//! the cluster.

use super::*;

fn with_addons(addons: &str) -> ValidStack {
    let text =
        String::from_utf8(include_bytes!("../../../stacks/two-region.yaml").to_vec()).unwrap();
    let at = "        name: petclinic-c1\n";
    assert!(text.contains(at));
    let text = text.replacen(at, &format!("{at}        addons: {addons}\n"), 1);
    parse("two-region.yaml", text.as_bytes()).expect("valid")
}

#[tokio::test(start_paused = true)]
async fn the_defaults_are_made_and_drift_in_configuration_is_put_back() {
    let (stack, world) = (reference(), world());
    converge(&stack, &world).await;
    let cni = world.addon("us-east-1", "petclinic-c1", "vpc-cni");
    assert_eq!(
        cni,
        Some((
            "v1.35.0-eksbuild.1".to_string(),
            r#"{"enableNetworkPolicy":"true"}"#.to_string()
        ))
    );
    for name in [
        "coredns",
        "kube-proxy",
        "eks-pod-identity-agent",
        "metrics-server",
    ] {
        let addon = world.addon("us-west-2", "petclinic-c2", name);
        assert_eq!(
            addon,
            Some(("v1.35.0-eksbuild.1".into(), String::new())),
            "{name}"
        );
    }

    // Network policies turned off by hand.
    world.set_addon_configuration("us-east-1", "petclinic-c1", "vpc-cni", "{}");
    let (_, changes) = engine(&stack, &world, &Silent).plan().await.unwrap();
    assert_eq!(ids(&changes), [(Action::Update, "c1/addon/vpc-cni")]);
    let field = &find(&changes, "c1/addon/vpc-cni").fields[0];
    assert_eq!(field.field, "configuration");
    converge(&stack, &world).await;
    let cni = world.addon("us-east-1", "petclinic-c1", "vpc-cni").unwrap();
    assert_eq!(cni.1, r#"{"enableNetworkPolicy":"true"}"#);
    let (_, changes) = engine(&stack, &world, &Silent).plan().await.unwrap();
    assert!(ids(&changes).is_empty(), "{:?}", ids(&changes));
}

#[tokio::test(start_paused = true)]
async fn a_pinned_version_is_an_update_and_an_add_on_left_out_is_deleted() {
    let world = world();
    converge(&reference(), &world).await;
    let edited = with_addons(
        r#"{coredns: {version: "v1.11.4-eksbuild.2"}, metrics-server: {enabled: false}, amazon-cloudwatch-observability: {enabled: false}}"#,
    );
    let (_, changes) = engine(&edited, &world, &Silent).plan().await.unwrap();
    let mut got = ids(&changes);
    got.sort();
    assert_eq!(
        got,
        [
            (Action::Update, "c1/addon/coredns"),
            (Action::Delete, "c1/addon/amazon-cloudwatch-observability"),
            (Action::Delete, "c1/addon/metrics-server"),
            // Its agent's association goes with it; c2 still runs it, and so keeps the role.
            (Action::Delete, "c1/pod-identity/cloudwatch-agent"),
        ]
    );
    let version = &find(&changes, "c1/addon/coredns").fields[0];
    // Pinned: the version it runs is shown, not `default`.
    assert_eq!(version.observed.as_deref(), Some("v1.35.0-eksbuild.1"));
    converge(&edited, &world).await;
    let coredns = world.addon("us-east-1", "petclinic-c1", "coredns").unwrap();
    assert_eq!(coredns.0, "v1.11.4-eksbuild.2");
    assert_eq!(
        world.addon("us-east-1", "petclinic-c1", "metrics-server"),
        None
    );
    let (_, changes) = engine(&edited, &world, &Silent).plan().await.unwrap();
    assert!(ids(&changes).is_empty(), "{:?}", ids(&changes));

    let (_, report) = engine(&edited, &world, &Silent).down().await.unwrap();
    assert_eq!(report.failed(), 0);
    assert_eq!(world.addon("us-east-1", "petclinic-c1", "coredns"), None);
}

#[tokio::test(start_paused = true)]
async fn alarms_on_container_insights_bring_the_observability_add_on_and_its_agent_role() {
    let (stack, world) = (reference(), world());
    converge(&stack, &world).await;
    for (region, cluster) in [("us-east-1", "petclinic-c1"), ("us-west-2", "petclinic-c2")] {
        let addon = world.addon(region, cluster, "amazon-cloudwatch-observability");
        assert!(addon.is_some(), "{region}");
        let agent = world
            .pod_identities(region)
            .into_iter()
            .find(|(account, _)| account == "amazon-cloudwatch/cloudwatch-agent");
        let (_, role) = agent.unwrap_or_else(|| panic!("{region}: the agent's association"));
        assert!(role.ends_with("/petclinic-cloudwatch-agent"), "{role}");
    }
    let (service, inline) = world
        .role("petclinic-cloudwatch-agent")
        .expect("the agent's role");
    assert_eq!(service, "pods.eks.amazonaws.com");
    assert!(inline.is_empty(), "a managed policy only: {inline:?}");

    // No alarm reads Container Insights any more: the add-on, associations and role go.
    let text = include_str!("../../../stacks/two-region.yaml");
    let mut off = text.to_string();
    for alarm in [
        "backendPods",
        "nodeCpu",
        "nodeMemory",
        "nodeNotReady",
        "podRestarts",
    ] {
        let at = off.find(&format!("      {alarm}: {{")).expect(alarm);
        let end = at + off[at..].find('}').unwrap() + 1;
        off.replace_range(at..end, &format!("      {alarm}: {{ enabled: false }}"));
    }
    let off = parse("two-region.yaml", off.as_bytes()).expect("valid");
    let (_, changes) = engine(&off, &world, &Silent).plan().await.unwrap();
    let mut got = ids(&changes);
    got.sort();
    let alarms_gone = got
        .iter()
        .filter(|(a, id)| *a == Action::Delete && id.contains("/alarm/"))
        .count();
    let rest: Vec<_> = got
        .into_iter()
        .filter(|(_, id)| !id.contains("/alarm/"))
        .collect();
    assert!(alarms_gone >= 8, "{alarms_gone}");
    assert_eq!(
        rest,
        [
            (Action::Delete, "c1/addon/amazon-cloudwatch-observability"),
            (Action::Delete, "c1/pod-identity/cloudwatch-agent"),
            (Action::Delete, "c2/addon/amazon-cloudwatch-observability"),
            (Action::Delete, "c2/pod-identity/cloudwatch-agent"),
            (Action::Delete, "iam/cloudwatch-agent-role"),
        ]
    );
}
