//! The stack's alerting on the fake world: each topic encrypted with its region's key, which
//! CloudWatch may use; an alarm changed by hand is put back whole, a webhook the stack no
//! longer lists is unsubscribed, and `down` leaves no topic, alarm or key.

use super::*;

fn with_webhooks(hooks: &[&str]) -> ValidStack {
    let text =
        String::from_utf8(include_bytes!("../../../stacks/two-region.yaml").to_vec()).unwrap();
    let list = hooks
        .iter()
        .map(|h| format!("\"{h}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let text = text.replacen("    webhooks: []", &format!("    webhooks: [{list}]"), 1);
    parse("two-region.yaml", text.as_bytes()).expect("valid")
}

fn alerts_key(keys: &[crate::providers::KeyInfo], region: &str) -> crate::providers::KeyInfo {
    let id = crate::model::ids::alerts_key(region);
    let found = keys
        .iter()
        .find(|k| k.tags.get(crate::model::TAG_ID) == Some(&id));
    found.cloned().expect("the alert topic's key")
}

#[tokio::test(start_paused = true)]
async fn each_topic_is_encrypted_with_its_regions_key_and_turning_either_off_is_drift() {
    let (stack, world) = (reference(), world());
    converge(&stack, &world).await;
    for (region, name) in REGIONS.iter().zip(["c1", "c2"]) {
        let clients = world.clients(region);
        let key = alerts_key(&clients.keys.snapshot("petclinic").await.unwrap(), name);
        assert!(key.enabled && key.rotation, "{key:#?}");
        assert_eq!(
            key.users,
            ["cloudwatch.amazonaws.com"],
            "only CloudWatch uses it"
        );
        let snap = clients.alerting.snapshot("petclinic").await.unwrap();
        assert_eq!(snap.topics[0].kms_key.as_deref(), Some(key.arn.as_str()));
    }

    // Encryption taken off the topic, and the key's policy rewritten without CloudWatch.
    let east = world.clients("us-east-1");
    let key = alerts_key(&east.keys.snapshot("petclinic").await.unwrap(), "c1");
    let topic = east.alerting.snapshot("petclinic").await.unwrap().topics[0].clone();
    let plain = crate::providers::TopicSettings {
        kms_key: String::new(),
        publisher: "cloudwatch.amazonaws.com".into(),
        signature_version: "2".into(),
    };
    east.alerting
        .set_topic_settings(&topic.arn, &plain)
        .await
        .unwrap();
    east.keys.put_policy(&key.arn, "{}").await.unwrap();
    let (_, changes) = engine(&stack, &world, &Silent).plan().await.unwrap();
    assert_eq!(
        ids(&changes),
        [
            (Action::Update, "c1/kms/alerts"),
            (Action::Update, "c1/alerts/topic")
        ]
    );
    let change = find(&changes, "c1/alerts/topic");
    assert_eq!(change.fields[0].field, "kmsKey");
    assert_eq!(change.fields[0].desired.as_deref(), Some("c1/kms/alerts"));

    converge(&stack, &world).await;
    let (_, changes) = engine(&stack, &world, &Silent).plan().await.unwrap();
    assert!(ids(&changes).is_empty(), "{:#?}", ids(&changes));
    let snap = east.alerting.snapshot("petclinic").await.unwrap();
    assert_eq!(snap.topics[0].kms_key.as_deref(), Some(key.arn.as_str()));
}

#[tokio::test(start_paused = true)]
async fn an_alarm_changed_by_hand_is_drift_and_up_puts_it_back() {
    let (stack, world) = (reference(), world());
    converge(&stack, &world).await;
    let east = world.clients("us-east-1");
    let snap = east.alerting.snapshot("petclinic").await.unwrap();
    let alarm = snap
        .alarms
        .iter()
        .find(|a| a.definition.name == "petclinic-c1-errorRate")
        .expect("the error-rate alarm exists");
    assert_eq!(alarm.definition.actions, [snap.topics[0].arn.clone()]);
    assert_eq!(alarm.definition.threshold, 40.0);
    // Loosened by hand, and its actions taken away.
    let mut loosened = alarm.definition.clone();
    loosened.threshold = 90.0;
    loosened.actions.clear();
    east.alerting
        .put_alarm(&loosened, &Tags::new())
        .await
        .unwrap();

    let (_, changes) = engine(&stack, &world, &Silent).plan().await.unwrap();
    assert_eq!(ids(&changes), [(Action::Update, "c1/alarm/errorRate")]);
    let change = find(&changes, "c1/alarm/errorRate");
    let fields: Vec<&str> = change.fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(fields, ["actions", "condition"]);
    assert_eq!(
        change.fields[1].observed.as_deref(),
        Some("GreaterThanThreshold 90, 1 x 60 s")
    );

    converge(&stack, &world).await;
    let (_, changes) = engine(&stack, &world, &Silent).plan().await.unwrap();
    assert!(ids(&changes).is_empty(), "{:#?}", ids(&changes));
    let snap = east.alerting.snapshot("petclinic").await.unwrap();
    let alarm = snap
        .alarms
        .iter()
        .find(|a| a.definition.name == "petclinic-c1-errorRate");
    assert_eq!(alarm.unwrap().definition.threshold, 40.0);
}

#[tokio::test(start_paused = true)]
async fn a_webhook_left_out_of_the_stack_is_unsubscribed() {
    let world = world();
    let two = with_webhooks(&["https://a.example.net/sns", "https://b.example.net/sns"]);
    converge(&two, &world).await;
    let east = world.clients("us-east-1");
    let endpoints = |snap: &AlertingSnapshot| {
        let mut e: Vec<String> = snap.topics[0]
            .subscriptions
            .iter()
            .map(|s| s.endpoint.clone())
            .collect();
        e.sort();
        e
    };
    let snap = east.alerting.snapshot("petclinic").await.unwrap();
    assert_eq!(
        endpoints(&snap),
        [
            "https://a.example.net/sns",
            "https://b.example.net/sns",
            "oncall@example.com"
        ]
    );

    let one = with_webhooks(&["https://a.example.net/sns"]);
    let (_, changes) = engine(&one, &world, &Silent).plan().await.unwrap();
    assert_eq!(
        ids(&changes),
        [
            (
                Action::Delete,
                "c1/alerts/unlisted~https://b.example.net/sns"
            ),
            (
                Action::Delete,
                "c2/alerts/unlisted~https://b.example.net/sns"
            ),
        ]
    );
    converge(&one, &world).await;
    let snap = east.alerting.snapshot("petclinic").await.unwrap();
    assert_eq!(
        endpoints(&snap),
        ["https://a.example.net/sns", "oncall@example.com"]
    );
}

#[tokio::test(start_paused = true)]
async fn down_removes_every_topic_and_alarm() {
    let (stack, world) = (reference(), world());
    converge(&stack, &world).await;
    let (_, report) = engine(&stack, &world, &Silent).down().await.unwrap();
    assert_eq!(report.failed(), 0, "{:#?}", report.steps);
    for region in REGIONS {
        let snap = world
            .clients(region)
            .alerting
            .snapshot("petclinic")
            .await
            .unwrap();
        assert!(
            snap.topics.is_empty() && snap.alarms.is_empty(),
            "{region}: {snap:?}"
        );
    }
    // The keys after the topics they encrypted: scheduled for deletion, none left live.
    let keys = world.clients("us-east-1").keys.snapshot("petclinic").await;
    assert!(keys.unwrap().is_empty());
    assert_eq!(world.keys_pending_deletion("us-east-1").len(), 2);
}
