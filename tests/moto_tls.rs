//! HTTPS on moto, read back with the AWS SDK: a certificate requested from moto's ACM, `up`
//! with `loadBalancer.tls` naming it makes the frontend's HTTPS listener (the certificate,
//! the TLS 1.2+ policy) and turns port 80 into a 301 to HTTPS:443; `output` says `https://`;
//! `verify` passes MR-LB-002; a policy weakened by hand is put back by the next `up`. And a
//! certificate the tool requests for `domain`: its DNS validation record written to the
//! Route 53 zone, the wait while moto holds it pending, the HTTPS listener on it, the
//! domain an alias to the load balancer; the records and the certificate gone after `down`,
//! but for a record a certificate outside the stack asks for too.

mod common;

use aws_sdk_elasticloadbalancingv2::types::ActionTypeEnum;
use common::aws::{fresh_moto, multiregion_with, runtime, sdk_config, stack_copy};

/// A certificate from moto's ACM in `region`, for a name the tool does not validate for it.
fn request_certificate(url: &str, region: &str) -> String {
    runtime().block_on(async {
        let acm = aws_sdk_acm::Client::new(&sdk_config(url, region).await);
        let requested = acm
            .request_certificate()
            .domain_name("shop.example.com")
            .validation_method(aws_sdk_acm::types::ValidationMethod::Dns)
            .send()
            .await
            .unwrap();
        requested.certificate_arn().expect("an ARN").to_string()
    })
}

/// The reference stack with `tls` set to `tls`, and MR-LB-002 no longer skipped.
fn with_tls(stack: &str, commented: &str, tls: &str) {
    let text = std::fs::read_to_string(stack).unwrap();
    assert!(text.contains(commented));
    // HTTPS on: the reference's skip of MR-LB-002 goes, as its comment says.
    let skip = "    skip:\n      - id: MR-LB-002\n";
    let reason = text[text.find(skip).unwrap() + skip.len()..]
        .lines()
        .next()
        .unwrap()
        .to_string();
    let text = text
        .replace(commented, tls)
        .replace(&format!("{skip}{reason}\n"), "    skip: []\n");
    std::fs::write(stack, text).unwrap();
}

#[test]
fn the_entry_serves_https_with_the_certificate_and_port_80_only_redirects() {
    let (_guard, url) = fresh_moto();
    let certificate = request_certificate(url, "us-east-1");
    let (_dir, stack) = stack_copy();
    let commented =
        "# tls: { certificateArn: \"arn:aws:acm:us-east-1:<account>:certificate/<id>\" }";
    let tls = format!("tls: {{ certificateArn: \"{certificate}\" }}");
    with_tls(&stack, commented, &tls);

    let up = multiregion_with(url, &stack, &["up"]);
    assert_eq!(up.code, 0, "{}", up.stderr);
    let elb = runtime().block_on(async {
        aws_sdk_elasticloadbalancingv2::Client::new(&sdk_config(url, "us-east-1").await)
    });
    let listeners = || {
        runtime().block_on(async {
            let lbs = elb.describe_load_balancers().send().await.unwrap();
            let alb = lbs.load_balancers()[0]
                .load_balancer_arn()
                .unwrap()
                .to_string();
            let found = elb
                .describe_listeners()
                .load_balancer_arn(alb)
                .send()
                .await
                .unwrap();
            found.listeners().to_vec()
        })
    };
    let found = listeners();
    assert_eq!(found.len(), 2, "{found:#?}");
    let https = found.iter().find(|l| l.port() == Some(443)).unwrap();
    assert_eq!(https.protocol().unwrap().as_str(), "HTTPS");
    assert_eq!(
        https.ssl_policy(),
        Some("ELBSecurityPolicy-TLS13-1-2-2021-06")
    );
    let certs: Vec<&str> = https
        .certificates()
        .iter()
        .filter_map(|c| c.certificate_arn())
        .collect();
    assert_eq!(certs, [certificate.as_str()]);
    let plain = found.iter().find(|l| l.port() == Some(80)).unwrap();
    let action = &plain.default_actions()[0];
    assert_eq!(action.r#type(), Some(&ActionTypeEnum::Redirect));
    let redirect = action.redirect_config().unwrap();
    assert_eq!(
        (redirect.protocol(), redirect.port()),
        (Some("HTTPS"), Some("443"))
    );
    assert_eq!(redirect.status_code().unwrap().as_str(), "HTTP_301");

    let url_out = multiregion_with(url, &stack, &["output", "frontendUrl"]);
    assert!(
        url_out.stdout.trim().starts_with("https://"),
        "{}",
        url_out.stdout
    );
    let verify = multiregion_with(
        url,
        &stack,
        &[
            "verify",
            "--skip",
            "MR-K8S-001",
            "--skip",
            "MR-K8S-002",
            "--skip",
            "MR-EKS-006",
        ],
    );
    assert!(
        verify.stdout.contains("MR-LB-002   high     pass"),
        "{}",
        verify.stdout
    );

    // A policy that still takes TLS 1.0, set by hand: drift, put back.
    runtime().block_on(async {
        elb.modify_listener()
            .listener_arn(https.listener_arn().unwrap())
            .ssl_policy("ELBSecurityPolicy-2016-08")
            .send()
            .await
            .unwrap();
    });
    let plan = multiregion_with(url, &stack, &["plan"]);
    assert_eq!(plan.code, 2, "{}", plan.stderr);
    assert!(plan.stdout.contains("sslPolicy:"), "{}", plan.stdout);
    assert_eq!(multiregion_with(url, &stack, &["up"]).code, 0);
    let again = listeners();
    let https = again.iter().find(|l| l.port() == Some(443)).unwrap();
    assert_eq!(
        https.ssl_policy(),
        Some("ELBSecurityPolicy-TLS13-1-2-2021-06")
    );
    assert_eq!(multiregion_with(url, &stack, &["plan"]).code, 0);
    let down = multiregion_with(url, &stack, &["down", "--yes"]);
    assert_eq!(down.code, 0, "{}", down.stderr);
}

/// A hosted zone `example.com` in moto's Route 53; its id.
async fn example_zone(route53: &aws_sdk_route53::Client) -> String {
    let made = route53
        .create_hosted_zone()
        .name("example.com")
        .caller_reference(format!("moto-tls-{}", std::process::id()))
        .send()
        .await
        .unwrap();
    let id = made.hosted_zone().unwrap().id();
    id.trim_start_matches("/hostedzone/").to_string()
}

/// The stack at `stack` asking for a certificate for `shop.example.com`, validated in `zone`.
fn with_domain(stack: &str, zone: &str) {
    let commented = "# tls: { domain: shop.example.com, hostedZoneId: Z0123456789ABCDEFGHIJ }";
    let tls = format!("tls: {{ domain: shop.example.com, hostedZoneId: {zone} }}");
    with_tls(stack, commented, &tls);
}

/// The zone's records of `kind`, as `name value`.
async fn records(route53: &aws_sdk_route53::Client, zone: &str, kind: &str) -> Vec<String> {
    let listed = route53
        .list_resource_record_sets()
        .hosted_zone_id(zone)
        .send()
        .await
        .unwrap();
    let sets = listed.resource_record_sets().iter();
    sets.filter(|r| r.r#type().as_str() == kind)
        .flat_map(|r| {
            let values = r.resource_records().iter();
            values
                .map(|v| format!("{} {}", r.name(), v.value()))
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn a_requested_certificate_is_validated_in_the_zone_and_waited_for_before_https() {
    let (_guard, url) = fresh_moto();
    let (route53, acm) = runtime().block_on(async {
        let config = sdk_config(url, "us-east-1").await;
        (
            aws_sdk_route53::Client::new(&config),
            aws_sdk_acm::Client::new(&config),
        )
    });
    let zone = runtime().block_on(example_zone(&route53));
    let (_dir, stack) = stack_copy();
    with_domain(&stack, &zone);

    let up = multiregion_with(url, &stack, &["up"]);
    assert_eq!(up.code, 0, "{}", up.stderr);
    assert!(
        up.stderr.contains("created c1/certificate-validation"),
        "{}",
        up.stderr
    );
    let certificates = runtime().block_on(async {
        let listed = acm.list_certificates().send().await.unwrap();
        let arns = listed.certificate_summary_list().iter();
        let arns: Vec<String> = arns
            .filter_map(|c| c.certificate_arn())
            .map(str::to_string)
            .collect();
        let mut described = Vec::new();
        for arn in arns {
            let d = acm
                .describe_certificate()
                .certificate_arn(&arn)
                .send()
                .await
                .unwrap();
            let tags = acm
                .list_tags_for_certificate()
                .certificate_arn(&arn)
                .send()
                .await
                .unwrap();
            let zone_tag = tags
                .tags()
                .iter()
                .find(|t| t.key() == "multiregion:hosted-zone");
            let c = d.certificate().unwrap();
            described.push((
                arn,
                c.domain_name().unwrap().to_string(),
                c.status().unwrap().as_str().to_string(),
                zone_tag.and_then(|t| t.value()).map(str::to_string),
            ));
        }
        described
    });
    let [(arn, domain, status, zone_tag)] = certificates.as_slice() else {
        panic!("one certificate: {certificates:#?}");
    };
    assert_eq!(
        (domain.as_str(), status.as_str()),
        ("shop.example.com", "ISSUED")
    );
    assert_eq!(zone_tag.as_deref(), Some(zone.as_str()));
    let cnames = runtime().block_on(records(&route53, &zone, "CNAME"));
    assert_eq!(cnames.len(), 1, "{cnames:?}");
    assert!(
        cnames[0].contains(".shop.example.com. ") && cnames[0].contains("acm-validations.aws"),
        "{cnames:?}"
    );

    let elb = runtime().block_on(async {
        aws_sdk_elasticloadbalancingv2::Client::new(&sdk_config(url, "us-east-1").await)
    });
    let served = runtime().block_on(async {
        let lbs = elb.describe_load_balancers().send().await.unwrap();
        let alb = lbs.load_balancers()[0]
            .load_balancer_arn()
            .unwrap()
            .to_string();
        let found = elb
            .describe_listeners()
            .load_balancer_arn(alb)
            .send()
            .await
            .unwrap();
        let https = found
            .listeners()
            .iter()
            .find(|l| l.port() == Some(443))
            .cloned()
            .unwrap();
        let certs = https.certificates().iter();
        certs
            .filter_map(|c| c.certificate_arn())
            .map(str::to_string)
            .collect::<Vec<_>>()
    });
    assert_eq!(served, std::slice::from_ref(arn));
    let url_out = multiregion_with(url, &stack, &["output", "frontendUrl"]);
    assert_eq!(url_out.stdout.trim(), "https://shop.example.com");
    let frontend_dns = multiregion_with(url, &stack, &["output", "frontendDns"]);
    let alias = runtime().block_on(alias_target(&route53, &zone, "shop.example.com."));
    assert_eq!(
        alias.as_deref().map(|a| a.trim_end_matches('.')),
        Some(frontend_dns.stdout.trim()),
        "the domain is an alias to the load balancer"
    );
    let plan = multiregion_with(url, &stack, &["plan"]);
    assert_eq!(
        plan.code, 0,
        "nothing left to do:\n{}{}",
        plan.stdout, plan.stderr
    );

    let down = multiregion_with(url, &stack, &["down", "--yes"]);
    assert_eq!(down.code, 0, "{}", down.stderr);
    let left = runtime().block_on(async {
        let listed = acm.list_certificates().send().await.unwrap();
        listed.certificate_summary_list().len()
    });
    assert_eq!(left, 0, "the certificate is deleted");
    let cnames = runtime().block_on(records(&route53, &zone, "CNAME"));
    assert!(
        cnames.is_empty(),
        "the validation record is deleted: {cnames:?}"
    );
    let alias = runtime().block_on(alias_target(&route53, &zone, "shop.example.com."));
    assert_eq!(alias, None, "the alias record is deleted");
}

/// The DNS name the `A` alias record at `name` resolves as.
async fn alias_target(route53: &aws_sdk_route53::Client, zone: &str, name: &str) -> Option<String> {
    let listed = route53
        .list_resource_record_sets()
        .hosted_zone_id(zone)
        .send()
        .await
        .unwrap();
    let sets = listed.resource_record_sets().iter();
    let mut a = sets.filter(|r| r.name() == name && r.r#type().as_str() == "A");
    a.next()
        .and_then(|r| r.alias_target())
        .map(|t| t.dns_name().to_string())
}

#[test]
fn down_keeps_the_validation_record_a_certificate_outside_the_stack_asks_for() {
    let (_guard, url) = fresh_moto();
    let (route53, west) = runtime().block_on(async {
        (
            aws_sdk_route53::Client::new(&sdk_config(url, "us-east-1").await),
            aws_sdk_acm::Client::new(&sdk_config(url, "us-west-2").await),
        )
    });
    let zone = runtime().block_on(example_zone(&route53));
    let (_dir, stack) = stack_copy();
    with_domain(&stack, &zone);
    // Only the certificate and its validation: what this test is about.
    let up = multiregion_with(
        url,
        &stack,
        &["up", "--target", "c1/certificate-validation"],
    );
    assert_eq!(up.code, 0, "{}", up.stderr);
    let cnames = runtime().block_on(records(&route53, &zone, "CNAME"));
    assert_eq!(cnames.len(), 1, "{cnames:?}");

    // Someone else's certificate for the same domain, in the stack's other region: ACM (and
    // moto) asks it for the same record.
    let theirs = request_certificate(url, "us-west-2");
    let down = multiregion_with(url, &stack, &["down", "--yes"]);
    assert_eq!(down.code, 0, "{}", down.stderr);
    assert_eq!(
        runtime().block_on(records(&route53, &zone, "CNAME")),
        cnames,
        "the record their certificate needs stays"
    );
    let left = runtime().block_on(async {
        let listed = west.list_certificates().send().await.unwrap();
        let arns = listed.certificate_summary_list().iter();
        arns.filter_map(|c| c.certificate_arn())
            .map(str::to_string)
            .collect::<Vec<_>>()
    });
    assert_eq!(left, [theirs], "theirs is left alone");
}
