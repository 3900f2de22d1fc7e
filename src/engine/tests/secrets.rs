//! Secrets envelope encryption on the fake world: each cluster is made with its region's key,
//! a key whose rotation was turned off is drift, a cluster made without encryption gets it in
//! place, a different key is refused, a key policy someone edited is written again, a keyArn naming
//! the stack's own key refused before any change, and `down` schedules the keys' deletion.

use super::*;

fn stack_with(replace: &str, with: &str) -> ValidStack {
    let text =
        String::from_utf8(include_bytes!("../../../stacks/two-region.yaml").to_vec()).unwrap();
    assert!(text.contains(replace), "{replace}");
    let text = text.replace(replace, with);
    parse("two-region.yaml", text.as_bytes()).expect("valid")
}

/// The reference stack with encryption off in every cluster.
fn unencrypted() -> ValidStack {
    let text =
        String::from_utf8(include_bytes!("../../../stacks/two-region.yaml").to_vec()).unwrap();
    let text = text.replace(
        "      cluster:\n",
        "      cluster:\n        secretsEncryption: {enabled: false}\n",
    );
    parse("two-region.yaml", text.as_bytes()).expect("valid")
}

/// The region's secrets keys, not its alert topic's.
async fn secrets_keys(clients: &crate::providers::RegionClients) -> Vec<crate::providers::KeyInfo> {
    let keys = clients.keys.snapshot("petclinic").await.unwrap();
    let secrets = |k: &crate::providers::KeyInfo| {
        crate::kinds::tag_id(&k.tags).is_some_and(|id| !crate::model::ids::is_alerts_key(&id))
    };
    keys.into_iter().filter(secrets).collect()
}

async fn cluster_key(world: &FakeWorld, region: &str, name: &str) -> Option<String> {
    let eks = world.clients(region).eks;
    let snap = eks.snapshot("petclinic", name, false).await.unwrap();
    snap.clusters
        .into_iter()
        .find(|c| c.name == name)
        .and_then(|c| c.secrets_key)
}

#[tokio::test(start_paused = true)]
async fn each_cluster_is_made_with_its_regions_key_and_down_schedules_the_keys_deletion() {
    let (stack, world) = (reference(), world());
    converge(&stack, &world).await;
    let east = world.clients("us-east-1");
    let keys = secrets_keys(&east).await;
    assert_eq!(keys.len(), 1, "{keys:#?}");
    let key = &keys[0];
    assert!(key.enabled && key.rotation, "{key:#?}");
    assert_eq!(
        key.users,
        ["arn:aws:iam::123456789012:role/multiregion/petclinic/petclinic-eks-cluster"],
        "the cluster role may use it"
    );
    assert_eq!(
        key.tags.get(crate::model::TAG_ID).map(String::as_str),
        Some("c1/kms/secrets")
    );
    let cluster = &stack.stack.spec.regions[0].cluster.name;
    assert_eq!(
        cluster_key(&world, "us-east-1", cluster).await,
        Some(key.arn.clone())
    );

    let (_, report) = engine(&stack, &world, &Silent).down().await.unwrap();
    assert_eq!(report.failed(), 0);
    let pending = world.keys_pending_deletion("us-east-1");
    assert!(pending.contains(&key.arn), "{pending:?}");
    assert_eq!(pending.len(), 2, "the alert topic's key too: {pending:?}");
    assert!(secrets_keys(&east).await.is_empty());
    // A new up makes a new key: the old one is on its way out.
    converge(&stack, &world).await;
    let again = secrets_keys(&east).await;
    assert_eq!(again.len(), 1);
    assert_ne!(again[0].arn, key.arn);
}

#[tokio::test(start_paused = true)]
async fn rotation_turned_off_is_drift_and_up_turns_it_back_on() {
    let (stack, world) = (reference(), world());
    converge(&stack, &world).await;
    let east = world.clients("us-east-1");
    let arn = secrets_keys(&east).await[0].arn.clone();
    world.stop_key_rotation("us-east-1", &arn);

    let (_, changes) = engine(&stack, &world, &Silent).plan().await.unwrap();
    assert_eq!(ids(&changes), [(Action::Update, "c1/kms/secrets")]);
    let change = find(&changes, "c1/kms/secrets");
    assert_eq!(change.fields[0].field, "rotation");
    converge(&stack, &world).await;
    assert!(secrets_keys(&east).await[0].rotation);
}

#[tokio::test(start_paused = true)]
async fn a_grant_added_to_the_key_policy_is_drift_and_up_writes_the_policy_again() {
    let (stack, world) = (reference(), world());
    converge(&stack, &world).await;
    let arn = secrets_keys(&world.clients("us-east-1")).await[0]
        .arn
        .clone();
    let mut written = String::new();
    world.edit_key_policy("us-east-1", &arn, |policy| {
        written = policy.to_string();
        let mut doc: serde_json::Value = serde_json::from_str(policy).unwrap();
        let grant = serde_json::json!({
            "Sid": "SomeoneElse", "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::210987654321:root"},
            "Action": "kms:Decrypt", "Resource": "*"
        });
        doc["Statement"].as_array_mut().unwrap().push(grant);
        doc.to_string()
    });

    let (_, changes) = engine(&stack, &world, &Silent).plan().await.unwrap();
    assert_eq!(ids(&changes), [(Action::Update, "c1/kms/secrets")]);
    let change = &find(&changes, "c1/kms/secrets").fields[0];
    assert_eq!(change.field, "users");
    let observed = change.observed.as_deref().unwrap_or_default();
    assert!(
        observed.contains(crate::providers::POLICY_EDITED),
        "{change:?}"
    );
    converge(&stack, &world).await;
    let mut now = String::new();
    world.edit_key_policy("us-east-1", &arn, |policy| {
        now = policy.to_string();
        now.clone()
    });
    assert_eq!(now, written, "the stack's policy, and only it");
}

#[tokio::test(start_paused = true)]
async fn a_cluster_made_without_encryption_is_encrypted_in_place_and_a_new_key_is_refused() {
    let world = world();
    converge(&unencrypted(), &world).await;
    let (stack, name) = (reference(), "petclinic-c1");
    assert_eq!(stack.stack.spec.regions[0].cluster.name, name);
    assert_eq!(cluster_key(&world, "us-east-1", name).await, None);

    let (_, changes) = engine(&stack, &world, &Silent).plan().await.unwrap();
    let east: Vec<_> = ids(&changes)
        .into_iter()
        .filter(|(_, id)| id.starts_with("c1/"))
        .collect();
    assert_eq!(
        east,
        [
            (Action::Create, "c1/kms/secrets"),
            (Action::Update, "c1/eks")
        ],
        "made in place, not replaced"
    );
    let before = world.stats().per_operation();
    converge(&stack, &world).await;
    let calls = mutating_calls(&before, &world);
    assert_eq!(
        calls.get("EKS:AssociateEncryptionConfig"),
        Some(&2),
        "{calls:#?}"
    );
    let key = secrets_keys(&world.clients("us-east-1")).await;
    assert_eq!(
        cluster_key(&world, "us-east-1", name).await,
        Some(key[0].arn.clone())
    );

    // Another key for a cluster that has one: EKS cannot, and the run says so.
    let other = "arn:aws:kms:us-east-1:210987654321:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    let moved = stack_with(
        "      cluster:\n        name: petclinic-c1\n",
        &format!(
            "      cluster:\n        name: petclinic-c1\n        secretsEncryption: {{keyArn: \"{other}\"}}\n"
        ),
    );
    let (_, report) = engine(&moved, &world, &Silent).up(false).await.unwrap();
    let failed: Vec<String> = report
        .steps
        .iter()
        .filter(|s| s.outcome == StepOutcome::Failed)
        .map(|s| format!("{}: {}", s.id, s.detail))
        .collect();
    assert_eq!(failed.len(), 2, "{failed:#?}");
    assert!(failed[0].contains("cannot change that key"), "{failed:#?}");
    // The key the stack no longer asks for stays while its cluster uses it.
    assert!(
        failed[1].starts_with("c1/kms/secrets: c1/eks encrypts its secrets with this key"),
        "{failed:#?}"
    );
    assert!(world.keys_pending_deletion("us-east-1").is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_key_arn_naming_the_stacks_own_key_is_refused_before_any_change() {
    let (stack, world) = (reference(), world());
    converge(&stack, &world).await;
    let own = secrets_keys(&world.clients("us-east-1")).await[0]
        .arn
        .clone();
    let named = stack_with(
        "      cluster:\n        name: petclinic-c1\n",
        &format!(
            "      cluster:\n        name: petclinic-c1\n        secretsEncryption: {{keyArn: \"{own}\"}}\n"
        ),
    );
    let before = world.stats().per_operation();
    for refused in [
        engine(&named, &world, &Silent).plan().await.map(|_| ()),
        engine(&named, &world, &Silent).up(false).await.map(|_| ()),
    ] {
        let Err(e) = refused else {
            panic!("a run that can never settle went ahead")
        };
        assert!(matches!(e, EngineError::OwnKeyNamedByArn { .. }), "{e}");
        let said = e.to_string();
        assert!(
            said.contains("region c1") && said.contains(&own) && said.contains("c1/kms/secrets"),
            "{said}"
        );
    }
    assert!(mutating_calls(&before, &world).is_empty());
    assert!(world.keys_pending_deletion("us-east-1").is_empty());

    // A run targeted at the other region is not held up by it; status reads on.
    let e = engine(&named, &world, &Silent);
    let (_, observed, changes) = e.plan_reading().await.expect("read as it is");
    let desired = e.desired();
    assert!(e.refuse_conflicts(&desired, &observed, &changes).is_err());
    let elsewhere: Vec<_> = changes
        .into_iter()
        .filter(|c| c.id.starts_with("c2/"))
        .collect();
    assert!(e.refuse_conflicts(&desired, &observed, &elsewhere).is_ok());
}
