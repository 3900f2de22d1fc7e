//! Signatures made with the test-only key of tests/data/sns/ and checked with its certificate.

use std::time::{Duration, SystemTime};

use base64::Engine as _;
use rustls_pki_types::PrivatePkcs8KeyDer;
use rustls_pki_types::pem::PemObject;

use super::*;

pub const TEST_CERT: &[u8] = include_bytes!("../../tests/data/sns/test-cert.pem");
const TEST_KEY: &[u8] = include_bytes!("../../tests/data/sns/test-key.pem");
pub const HOST: &str = "sns.us-east-1.amazonaws.com";
pub const CERT_URL: &str = "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-test.pem";

/// An SNS-shaped message of `kind`, signed with the test key over its string to sign.
pub fn signed(kind: &str, topic_arn: &str, message: &str, subject: Option<&str>) -> SnsMessage {
    // Each message its own id, as SNS gives them (the receiver tells a repeated one once).
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut value = serde_json::json!({
        "Type": kind, "MessageId": format!("0f5a1c2e-test-{n}"), "TopicArn": topic_arn,
        "Message": message, "Timestamp": crate::eks_token::rfc3339(SystemTime::now()),
        "SignatureVersion": "2", "Signature": "",
        "SigningCertURL": CERT_URL,
        "UnsubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&x=1",
    });
    if let Some(s) = subject {
        value["Subject"] = s.into();
    }
    if kind != super::super::message::NOTIFICATION {
        value["SubscribeURL"] =
            "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=tok".into();
        value["Token"] = "tok".into();
    }
    let mut m = SnsMessage::parse(value.to_string().as_bytes()).unwrap();
    sign(&mut m);
    m
}

pub fn sign(m: &mut SnsMessage) {
    use aws_lc_rs::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
    let key_der = PrivatePkcs8KeyDer::from_pem_slice(TEST_KEY).unwrap();
    let key = RsaKeyPair::from_pkcs8(key_der.secret_pkcs8_der()).unwrap();
    let mut sig = vec![0u8; key.public_modulus_len()];
    let rng = aws_lc_rs::rand::SystemRandom::new();
    let text = m.string_to_sign().unwrap();
    key.sign(&RSA_PKCS1_SHA256, &rng, text.as_bytes(), &mut sig)
        .unwrap();
    m.signature = Some(base64::engine::general_purpose::STANDARD.encode(sig));
}

const ARN: &str = "arn:aws:sns:us-east-1:123456789012:petclinic-c1-alerts";

fn cert() -> Vec<u8> {
    pem_to_der(TEST_CERT).unwrap()
}

#[test]
fn webhook_a_good_message_verifies_and_any_change_fails() {
    let now = SystemTime::now();
    let good = signed(
        "Notification",
        ARN,
        "{\"AlarmName\":\"a\"}",
        Some("ALARM: a"),
    );
    verify(&good, &cert(), now).unwrap();
    precheck(&good, HOST).unwrap();

    let mut changed = good.clone();
    changed.message.push(' ');
    assert!(verify(&changed, &cert(), now).is_err(), "Message");
    let mut changed = good.clone();
    changed.subject = Some("OK: a".into());
    assert!(verify(&changed, &cert(), now).is_err(), "Subject");
    let mut changed = good.clone();
    changed.subject = None;
    assert!(verify(&changed, &cert(), now).is_err(), "Subject removed");
    let mut changed = good.clone();
    changed.topic_arn = ARN.replace("c1", "c2");
    assert!(verify(&changed, &cert(), now).is_err(), "TopicArn");
    let mut changed = good.clone();
    changed.timestamp = "2026-12-02T10:00:01.000Z".into();
    let err = verify(&changed, &cert(), now).unwrap_err();
    assert!(err.contains("does not match"), "{err}");
    let mut changed = good.clone();
    changed.signature = Some("not base64!".into());
    assert!(verify(&changed, &cert(), now).is_err(), "Signature");
}

#[test]
fn webhook_a_message_without_subject_and_a_confirmation_verify() {
    let now = SystemTime::now();
    verify(&signed("Notification", ARN, "hi", None), &cert(), now).unwrap();
    let confirmation = signed("SubscriptionConfirmation", ARN, "confirm", None);
    verify(&confirmation, &cert(), now).unwrap();
    let mut changed = confirmation.clone();
    changed.token = Some("other".into());
    assert!(verify(&changed, &cert(), now).is_err(), "Token");
}

#[test]
fn webhook_the_certificate_must_be_valid_now() {
    let good = signed("Notification", ARN, "hi", None);
    let past = SystemTime::UNIX_EPOCH + Duration::from_secs(86_400);
    let err = verify(&good, &cert(), past).unwrap_err();
    assert!(err.contains("not valid now"), "{err}");
    // The test certificate ends in 2126: well after it, it has expired.
    let later = SystemTime::UNIX_EPOCH + Duration::from_secs(200 * 365 * 86_400);
    assert!(
        verify(&good, &cert(), later)
            .unwrap_err()
            .contains("not valid now")
    );
    let (before, after) = validity(&cert()).unwrap();
    assert!(before < SystemTime::now() && SystemTime::now() < after);
}

#[test]
fn webhook_cert_urls_off_sns_in_the_topics_region_are_refused() {
    let mut m = signed("Notification", ARN, "hi", None);
    for (url, says) in [
        (
            "https://sns.us-east-1.amazonaws.com.evil.example/x.pem",
            "is not on",
        ),
        ("http://sns.us-east-1.amazonaws.com/x.pem", "is not https"),
        ("https://sns.us-west-2.amazonaws.com/x.pem", "is not on"),
        (
            "https://evil.example@sns.us-east-1.amazonaws.com/x.pem",
            "is not on",
        ),
        (
            "https://sns.us-east-1.amazonaws.com:8443/x.pem",
            "is not on",
        ),
        (
            "https://sns.us-east-1.amazonaws.com/x.txt",
            "does not end in .pem",
        ),
        ("sns.us-east-1.amazonaws.com/x.pem", "is not a URL"),
    ] {
        m.signing_cert_url = Some(url.into());
        let err = precheck(&m, HOST).unwrap_err();
        assert!(err.contains(says), "{url}: {err}");
    }
    assert_eq!(
        sns_host("aws-cn", "cn-north-1"),
        "sns.cn-north-1.amazonaws.com.cn"
    );
    assert_eq!(
        sns_host("aws-us-gov", "us-gov-west-1"),
        "sns.us-gov-west-1.amazonaws.com"
    );
}

#[test]
fn webhook_signature_version_1_is_refused_naming_sha256() {
    let mut m = signed("Notification", ARN, "hi", None);
    m.signature_version = Some("1".into());
    let err = precheck(&m, HOST).unwrap_err();
    assert!(err.contains("SHA256"), "{err}");
    m.signature_version = None;
    assert!(precheck(&m, HOST).is_err());
}

#[test]
fn webhook_an_emulator_serves_the_same_path_and_query() {
    let url = Url::parse("https://sns.us-east-1.amazonaws.com/?Action=Confirm&T=1").unwrap();
    assert_eq!(fetch_target(&url, None), url.to_string());
    assert_eq!(
        fetch_target(&url, Some("http://127.0.0.1:5000/")),
        "http://127.0.0.1:5000/?Action=Confirm&T=1"
    );
    let pem = Url::parse(CERT_URL).unwrap();
    assert_eq!(
        fetch_target(&pem, Some("http://127.0.0.1:5000")),
        "http://127.0.0.1:5000/SimpleNotificationService-test.pem"
    );
}

#[test]
fn webhook_garbage_certificates_are_errors_not_panics() {
    assert!(pem_to_der(b"not a pem").is_err());
    let m = signed("Notification", ARN, "hi", None);
    for der in [&b""[..], b"\x30\x84\xff\xff\xff\xff", b"\x30\x03\x30\x01"] {
        assert!(verify(&m, der, SystemTime::now()).is_err());
        assert!(validity(der).is_none());
    }
}
