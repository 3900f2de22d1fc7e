//! HTTPS on moto, read back with the AWS SDK: a certificate requested from moto's ACM, `up`
//! with `loadBalancer.tls` naming it makes the frontend's HTTPS listener (the certificate,
//! the TLS 1.2+ policy) and turns port 80 into a 301 to HTTPS:443; `output` says `https://`;
//! `verify` passes MR-LB-002; a policy weakened by hand is put back by the next `up`.

mod common;

use aws_sdk_elasticloadbalancingv2::types::ActionTypeEnum;
use common::aws::{fresh_moto, multiregion_with, runtime, sdk_config, stack_copy};

/// A certificate from moto's ACM in us-east-1 (the SDK has no ACM client among this crate's
/// dependencies; ACM's JSON protocol is one POST).
fn request_certificate(url: &str) -> String {
    let body = r#"{"DomainName": "shop.example.com", "ValidationMethod": "DNS"}"#;
    let answer = runtime().block_on(async {
        reqwest::Client::new()
            .post(url)
            .header("X-Amz-Target", "CertificateManager.RequestCertificate")
            .header("Content-Type", "application/x-amz-json-1.1")
            .header(
                "Authorization",
                "AWS4-HMAC-SHA256 Credential=testing/20261203/us-east-1/acm/aws4_request, SignedHeaders=host, Signature=0",
            )
            .body(body)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    });
    let answer: serde_json::Value = serde_json::from_str(&answer).unwrap();
    answer["CertificateArn"]
        .as_str()
        .expect("an ARN")
        .to_string()
}

#[test]
fn the_entry_serves_https_with_the_certificate_and_port_80_only_redirects() {
    let (_guard, url) = fresh_moto();
    let certificate = request_certificate(url);
    let (_dir, stack) = stack_copy();
    let text = std::fs::read_to_string(&stack).unwrap();
    let commented =
        "# tls: { certificateArn: \"arn:aws:acm:us-east-1:<account>:certificate/<id>\" }";
    assert!(text.contains(commented));
    let tls = format!("tls: {{ certificateArn: \"{certificate}\" }}");
    // HTTPS on: the reference's skip of MR-LB-002 goes, as its comment says.
    let skip = "    skip:\n      - id: MR-LB-002\n";
    let reason = text[text.find(skip).unwrap() + skip.len()..]
        .lines()
        .next()
        .unwrap()
        .to_string();
    let text = text
        .replace(commented, &tls)
        .replace(&format!("{skip}{reason}\n"), "    skip: []\n");
    std::fs::write(&stack, text).unwrap();

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
