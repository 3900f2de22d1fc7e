//! The Cluster Autoscaler's AWS side on the fake world: one role only Pod Identity can hand
//! out, resizing only the stack's own clusters' groups; an association per region; the size
//! the autoscaler sets is no drift, and new bounds keep it; `down` removes the associations.

use super::*;

fn with_sizes(min: u32, max: u32) -> ValidStack {
    let text =
        String::from_utf8(include_bytes!("../../../stacks/two-region.yaml").to_vec()).unwrap();
    let sizes = "            min: 2\n            desired: 2\n            max: 5\n";
    assert_eq!(text.matches(sizes).count(), 2);
    let ours = format!("            min: {min}\n            desired: 2\n            max: {max}\n");
    parse("two-region.yaml", text.replace(sizes, &ours).as_bytes()).expect("valid")
}

#[tokio::test(start_paused = true)]
async fn the_autoscaler_gets_a_narrow_role_through_pod_identity() {
    let (stack, world) = (reference(), world());
    converge(&stack, &world).await;
    let (service, inline) = world
        .role("petclinic-cluster-autoscaler")
        .expect("the role is made");
    assert_eq!(service, "pods.eks.amazonaws.com");
    let policy: serde_json::Value =
        serde_json::from_str(inline.values().next().expect("an inline policy")).unwrap();
    let statements = policy["Statement"].as_array().unwrap();
    let resizing: Vec<&serde_json::Value> = statements
        .iter()
        .filter(|s| s["Action"].to_string().contains("SetDesiredCapacity"))
        .collect();
    assert_eq!(resizing.len(), 2, "one per region: {policy:#}");
    for (s, (region, cluster)) in resizing
        .iter()
        .zip([("us-east-1", "petclinic-c1"), ("us-west-2", "petclinic-c2")])
    {
        let resource = s["Resource"].as_str().unwrap();
        assert!(resource.starts_with(&format!("arn:aws:autoscaling:{region}:")));
        let tag = format!("aws:ResourceTag/k8s.io/cluster-autoscaler/{cluster}");
        assert_eq!(s["Condition"]["StringEquals"][&tag], "owned", "{s:#}");
    }
    // Nothing else may change anything.
    for s in statements.iter().filter(|s| s["Resource"] == "*") {
        for action in s["Action"].as_array().unwrap() {
            let name = action.as_str().unwrap().split(':').nth(1).unwrap();
            assert!(
                name.starts_with("Describe") || name.starts_with("Get"),
                "{action}"
            );
        }
    }
    for region in REGIONS {
        let identities = world.pod_identities(region);
        let ours: Vec<_> = identities
            .iter()
            .filter(|(account, _)| account.starts_with("cluster-autoscaler/"))
            .collect();
        assert_eq!(ours.len(), 1, "{region}: {identities:?}");
        assert_eq!(ours[0].0, "cluster-autoscaler/cluster-autoscaler");
        assert!(ours[0].1.ends_with("/petclinic-cluster-autoscaler"));
    }

    let (_, report) = engine(&stack, &world, &Silent).down().await.unwrap();
    assert_eq!(report.failed(), 0);
    for region in REGIONS {
        assert!(world.pod_identities(region).is_empty(), "{region}");
    }
    assert_eq!(world.role("petclinic-cluster-autoscaler"), None);
}

#[tokio::test(start_paused = true)]
async fn the_size_the_autoscaler_sets_is_no_drift_and_new_bounds_keep_it() {
    let (stack, world) = (reference(), world());
    converge(&stack, &world).await;
    world.scale_node_group("us-east-1", "petclinic-c1", "default", 4);
    let (_, changes) = engine(&stack, &world, &Silent).plan().await.unwrap();
    assert!(ids(&changes).is_empty(), "{:?}", ids(&changes));

    // A lower max brings the group inside it; the other region's group, at 2, stays.
    let lower = with_sizes(2, 3);
    let (_, changes) = engine(&lower, &world, &Silent).plan().await.unwrap();
    let mut got = ids(&changes);
    got.sort();
    assert_eq!(
        got,
        [
            (Action::Update, "c1/nodegroup/default"),
            (Action::Update, "c2/nodegroup/default"),
        ]
    );
    converge(&lower, &world).await;
    let c1 = world.node_group_sizes("us-east-1", "petclinic-c1", "default");
    let c2 = world.node_group_sizes("us-west-2", "petclinic-c2", "default");
    assert_eq!(c1, Some((2, 3, 3)));
    assert_eq!(c2, Some((2, 2, 3)));
}

#[tokio::test(start_paused = true)]
async fn groups_that_cannot_grow_get_no_autoscaler_and_their_size_is_drift_again() {
    let (fixed, world) = (with_sizes(2, 2), world());
    converge(&fixed, &world).await;
    assert_eq!(world.role("petclinic-cluster-autoscaler"), None);
    let identities = world.pod_identities("us-east-1");
    assert!(
        identities
            .iter()
            .all(|(account, _)| !account.starts_with("cluster-autoscaler/")),
        "{identities:?}"
    );
    world.scale_node_group("us-east-1", "petclinic-c1", "default", 1);
    let (_, changes) = engine(&fixed, &world, &Silent).plan().await.unwrap();
    assert_eq!(ids(&changes), [(Action::Update, "c1/nodegroup/default")]);
    assert_eq!(
        find(&changes, "c1/nodegroup/default").fields[0].field,
        "desired"
    );
}
