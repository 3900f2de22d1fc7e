//! A certificate the tool requests for the stack's domain, on the fake world (where, as in
//! ACM, it is issued only once its validation record is in a zone the domain is in): the
//! request, the record and the wait before the HTTPS listener takes it; a record deleted by
//! hand written again; a certificate ACM gave up on replaced; a domain outside the zone
//! refused before any listener; the domain pointed at the load balancer, but never over a
//! record someone else wrote; `down` removing the records and the certificate, but for a record
//! a certificate outside the stack is asked for too.

use super::*;

const DOMAIN: &str = "shop.example.com";

fn with_domain(zone: &str) -> ValidStack {
    let text = include_str!("../../../stacks/two-region.yaml");
    let commented =
        "# tls: { certificateArn: \"arn:aws:acm:us-east-1:<account>:certificate/<id>\" }";
    assert!(text.contains(commented));
    let tls = format!("tls: {{ domain: {DOMAIN}, hostedZoneId: {zone} }}");
    parse("two-region.yaml", text.replace(commented, &tls).as_bytes()).expect("valid")
}

async fn https_certificate(world: &FakeWorld) -> Option<String> {
    let lbs = world.clients("us-east-1").load_balancing;
    let snap = lbs.snapshot("petclinic").await.unwrap();
    let https = snap.listeners.into_iter().find(|l| l.port == 443);
    https.and_then(|l| l.certificate_arn)
}

#[tokio::test(start_paused = true)]
async fn a_requested_certificate_is_validated_in_the_zone_before_the_listener_takes_it() {
    let world = world();
    let zone = world.add_zone("example.com.");
    let stack = with_domain(&zone);
    converge(&stack, &world).await;

    let certificates = world.certificates("us-east-1");
    let [(arn, domain, status)] = certificates.as_slice() else {
        panic!("one certificate: {certificates:?}");
    };
    assert_eq!((domain.as_str(), status.as_str()), (DOMAIN, ISSUED));
    assert!(
        world.certificates("us-west-2").is_empty(),
        "the backend has no public entry"
    );
    let records = world.zone_records(&zone);
    assert_eq!(records.len(), 1, "{records:?}");
    assert!(records[0].ends_with(&format!(
        ".{DOMAIN}. CNAME {}",
        records[0].split(' ').nth(2).unwrap()
    )));
    assert_eq!(
        https_certificate(&world).await.as_deref(),
        Some(arn.as_str())
    );
    let Some(ARecord::Alias(alias)) = world.zone_a_record(&zone, "shop.example.com.") else {
        panic!("the domain is an alias to the load balancer");
    };
    assert_eq!(alias.target, "petclinic-c1-lb.us-east-1.elb.amazonaws.com");
    let (_, changes) = engine(&stack, &world, &Silent).plan().await.unwrap();
    assert!(ids(&changes).is_empty(), "{:?}", ids(&changes));

    // Someone deletes the record: planned as records missing, written again.
    world.remove_zone_records(&zone);
    let (_, changes) = engine(&stack, &world, &Silent).plan().await.unwrap();
    assert_eq!(
        ids(&changes),
        [(Action::Update, "c1/certificate-validation")]
    );
    let fields: Vec<&str> = find(&changes, "c1/certificate-validation")
        .fields
        .iter()
        .map(|f| f.field.as_str())
        .collect();
    assert_eq!(fields, ["records"]);
    converge(&stack, &world).await;
    assert_eq!(world.zone_records(&zone), records);

    let (_, report) = engine(&stack, &world, &Silent).down().await.unwrap();
    assert_eq!(report.failed(), 0);
    assert!(world.certificates("us-east-1").is_empty());
    assert!(
        world.zone_records(&zone).is_empty(),
        "the validation records are deleted"
    );
    assert_eq!(world.zone_a_record(&zone, "shop.example.com."), None);
}

#[tokio::test(start_paused = true)]
async fn a_name_someone_else_points_elsewhere_is_never_overwritten() {
    let world = world();
    let zone = world.add_zone("example.com.");
    world.put_a_record(&zone, "shop.example.com.", "198.51.100.7");
    let stack = with_domain(&zone);
    let (_, report) = engine(&stack, &world, &Silent).up(false).await.unwrap();
    let failed: Vec<_> = report
        .steps
        .iter()
        .filter(|s| s.outcome == StepOutcome::Failed)
        .collect();
    assert_eq!(failed.len(), 1, "{failed:#?}");
    assert_eq!(failed[0].id, "c1/dns-alias");
    let why = &failed[0].detail;
    assert!(
        why.contains("already has an A record") && why.contains("198.51.100.7"),
        "{why}"
    );
    let theirs = Some(ARecord::Addresses(vec!["198.51.100.7".to_string()]));
    assert_eq!(world.zone_a_record(&zone, "shop.example.com."), theirs);
    assert!(
        https_certificate(&world).await.is_some(),
        "HTTPS is served all the same"
    );
    // `down` leaves the other record alone too.
    let (_, report) = engine(&stack, &world, &Silent).down().await.unwrap();
    assert_eq!(report.failed(), 0);
    assert_eq!(world.zone_a_record(&zone, "shop.example.com."), theirs);
}

#[tokio::test(start_paused = true)]
async fn a_certificate_acm_gave_up_on_is_replaced_by_a_new_request() {
    let world = world();
    let zone = world.add_zone("example.com.");
    let stack = with_domain(&zone);
    converge(&stack, &world).await;
    let first = world.certificates("us-east-1")[0].0.clone();
    world.fail_certificate("us-east-1", &first, "REVOKED");

    let (_, changes) = engine(&stack, &world, &Silent).plan().await.unwrap();
    let replaced = find(&changes, "c1/certificate");
    assert_eq!(replaced.action, Action::Replace, "{:?}", ids(&changes));
    converge(&stack, &world).await;
    let now = world.certificates("us-east-1");
    assert_eq!(now.len(), 1, "the failed one is deleted: {now:?}");
    assert_ne!(now[0].0, first);
    assert_eq!(now[0].2, ISSUED);
    // ACM asks the new certificate for the old one's record: it is in the zone still.
    assert_eq!(
        world.zone_records(&zone).len(),
        1,
        "{:?}",
        world.zone_records(&zone)
    );
    assert_eq!(https_certificate(&world).await, Some(now[0].0.clone()));
}

#[tokio::test(start_paused = true)]
async fn a_domain_outside_the_zone_fails_its_validation_and_no_https_listener_is_made() {
    let world = world();
    let zone = world.add_zone("example.org.");
    let stack = with_domain(&zone);
    let (_, report) = engine(&stack, &world, &Silent).up(false).await.unwrap();
    let failed: Vec<_> = report
        .steps
        .iter()
        .filter(|s| s.outcome == StepOutcome::Failed)
        .collect();
    assert_eq!(failed.len(), 1, "{failed:#?}");
    assert_eq!(failed[0].id, "c1/certificate-validation");
    let why = &failed[0].detail;
    assert!(
        why.contains("is not in hosted zone") && why.contains("example.org."),
        "{why}"
    );
    assert!(
        world.zone_records(&zone).is_empty(),
        "nothing is written to a zone that cannot prove the domain"
    );
    assert_eq!(https_certificate(&world).await, None);
}

#[tokio::test(start_paused = true)]
async fn down_keeps_a_validation_record_a_certificate_outside_the_stack_needs_to_renew() {
    let world = world();
    let zone = world.add_zone("example.com.");
    let stack = with_domain(&zone);
    converge(&stack, &world).await;
    let records = world.zone_records(&zone);
    assert_eq!(records.len(), 1, "{records:?}");
    // Someone else's certificate for the same domain, in the backend's region: ACM asks it for
    // the same record.
    let theirs = world.request_certificate_elsewhere("us-west-2", DOMAIN);

    let (_, report) = engine(&stack, &world, &Silent).down().await.unwrap();
    assert_eq!(report.failed(), 0);
    let left: Vec<String> = world
        .certificates("us-west-2")
        .into_iter()
        .map(|c| c.0)
        .collect();
    assert_eq!(left, [theirs]);
    assert!(
        world.certificates("us-east-1").is_empty(),
        "ours is deleted"
    );
    assert_eq!(
        world.zone_records(&zone),
        records,
        "the record it needs stays"
    );

    // A certificate for another domain of the zone does not keep it.
    let world = super::world();
    let zone = world.add_zone("example.com.");
    converge(&with_domain(&zone), &world).await;
    world.request_certificate_elsewhere("us-east-1", "blog.example.com");
    let (_, report) = engine(&with_domain(&zone), &world, &Silent)
        .down()
        .await
        .unwrap();
    assert_eq!(report.failed(), 0);
    assert!(world.zone_records(&zone).is_empty());
}
