//! HTTPS on the fake world: the stack's certificate on an HTTPS listener with a TLS 1.2+
//! policy, the plain port only redirecting; a weaker policy or a forward put back by hand is
//! drift repaired in place; turning TLS on for a running stack changes the plain listener in
//! place and adds the HTTPS one and its security group rule.

use super::*;

const CERT: &str = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d";

fn with_tls() -> ValidStack {
    let text = include_str!("../../../stacks/two-region.yaml");
    let commented =
        "# tls: { certificateArn: \"arn:aws:acm:us-east-1:<account>:certificate/<id>\" }";
    assert!(text.contains(commented));
    let tls = format!("tls: {{ certificateArn: \"{CERT}\" }}");
    parse("two-region.yaml", text.replace(commented, &tls).as_bytes()).expect("valid")
}

/// The frontend ALB's listeners by port.
async fn listeners(world: &FakeWorld) -> BTreeMap<u16, ListenerInfo> {
    let snap = world
        .clients("us-east-1")
        .load_balancing
        .snapshot("petclinic")
        .await
        .unwrap();
    snap.listeners.into_iter().map(|l| (l.port, l)).collect()
}

#[tokio::test(start_paused = true)]
async fn https_serves_with_the_certificate_and_plain_http_only_redirects() {
    let (stack, world) = (with_tls(), world());
    converge(&stack, &world).await;
    let found = listeners(&world).await;
    assert_eq!(found.keys().copied().collect::<Vec<_>>(), [80, 443]);
    let https = &found[&443];
    assert_eq!(https.protocol, "HTTPS");
    assert_eq!(https.certificate_arn.as_deref(), Some(CERT));
    assert_eq!(
        https.ssl_policy.as_deref(),
        Some("ELBSecurityPolicy-TLS13-1-2-2021-06")
    );
    let tg = https.target_group_arn.clone().expect("HTTPS forwards");
    let plain = &found[&80];
    assert_eq!(plain.redirect.as_deref(), Some("HTTPS:443"));
    assert_eq!(plain.target_group_arn, None, "a redirect forwards nowhere");

    // By hand: a policy that takes TLS 1.0, and port 80 forwarding plain HTTP again.
    let lbs = world.clients("us-east-1").load_balancing;
    let weaker = NewListener {
        protocol: "HTTPS",
        port: 443,
        action: ListenerAction::Forward(&tg),
        tls: Some((CERT, "ELBSecurityPolicy-2016-08")),
    };
    lbs.modify_listener(&https.arn, &weaker).await.unwrap();
    let forward = NewListener {
        protocol: "HTTP",
        port: 80,
        action: ListenerAction::Forward(&tg),
        tls: None,
    };
    lbs.modify_listener(&plain.arn, &forward).await.unwrap();
    let (_, changes) = engine(&stack, &world, &Silent).plan().await.unwrap();
    let mut got = ids(&changes);
    got.sort();
    assert_eq!(
        got,
        [
            (Action::Update, "c1/listener/443"),
            (Action::Update, "c1/listener/80"),
        ]
    );
    let fields = |id| -> Vec<String> {
        let change = find(&changes, id);
        change.fields.iter().map(|f| f.field.clone()).collect()
    };
    assert_eq!(fields("c1/listener/443"), ["sslPolicy"]);
    assert_eq!(fields("c1/listener/80"), ["redirect", "targetGroup"]);

    converge(&stack, &world).await;
    let found = listeners(&world).await;
    assert_eq!(
        found[&443].ssl_policy.as_deref(),
        Some("ELBSecurityPolicy-TLS13-1-2-2021-06")
    );
    assert_eq!(found[&80].redirect.as_deref(), Some("HTTPS:443"));
    let (_, changes) = engine(&stack, &world, &Silent).plan().await.unwrap();
    assert!(ids(&changes).is_empty(), "{:?}", ids(&changes));
}

#[tokio::test(start_paused = true)]
async fn turning_tls_on_changes_the_plain_listener_in_place_and_adds_https() {
    let world = world();
    converge(&reference(), &world).await;
    let stack = with_tls();
    let (_, changes) = engine(&stack, &world, &Silent).plan().await.unwrap();
    let mut got = ids(&changes);
    got.sort();
    assert_eq!(
        got,
        [
            (Action::Create, "c1/listener/443"),
            (Action::Create, "c1/sg/lb/in-443-from-internet"),
            (Action::Update, "c1/listener/80"),
        ]
    );
    converge(&stack, &world).await;
    let (_, changes) = engine(&stack, &world, &Silent).plan().await.unwrap();
    assert!(ids(&changes).is_empty(), "{:?}", ids(&changes));
    let (_, report) = engine(&stack, &world, &Silent).down().await.unwrap();
    assert_eq!(report.failed(), 0);
    assert!(listeners(&world).await.is_empty());
}
