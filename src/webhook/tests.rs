//! The receiver on 127.0.0.1 (port 0), certificates from a fake fetcher: what it refuses, what
//! it accepts, the delivery query, confirmations and forwarding.

use std::sync::Mutex;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::signature::tests::{CERT_URL, TEST_CERT, signed};
use super::*;

const C1: &str = "arn:aws:sns:us-east-1:123456789012:petclinic-c1-alerts";

fn topics() -> Vec<Topic> {
    [("c1", "us-east-1"), ("c2", "us-west-2")]
        .iter()
        .map(|(name, region)| Topic {
            region_name: name.to_string(),
            aws_region: region.to_string(),
            name: crate::alerts::topic_name("petclinic", name),
        })
        .collect()
}

fn config(endpoint_url: Option<String>) -> Config {
    Config {
        stack: "petclinic".into(),
        topics: topics(),
        verify: true,
        endpoint_url,
        account: "123456789012".into(),
    }
}

/// Certificates from memory; anything else (a confirmation) really fetched, from 127.0.0.1.
#[derive(Default)]
struct FakeFetch {
    calls: Mutex<Vec<String>>,
}

#[async_trait::async_trait]
impl Fetch for FakeFetch {
    async fn get(&self, url: &str, limit: usize) -> Result<Vec<u8>, String> {
        self.calls.lock().unwrap().push(url.to_string());
        if url.ends_with(".pem") {
            return Ok(TEST_CERT.to_vec());
        }
        assert!(url.starts_with("http://127.0.0.1:"), "only loopback: {url}");
        HttpFetch::new()?.get(url, limit).await
    }
}

struct Running {
    address: std::net::SocketAddr,
    state: Arc<State>,
    fetch: Arc<FakeFetch>,
    events: mpsc::UnboundedReceiver<Event>,
}

async fn start(config: Config) -> Running {
    let fetch = Arc::new(FakeFetch::default());
    let (state, events) = State::new(config, fetch.clone());
    let state = Arc::new(state);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(server::serve(listener, state.clone()));
    Running {
        address,
        state,
        fetch,
        events,
    }
}

/// Raw bytes in, (status, body) out.
async fn send(address: std::net::SocketAddr, bytes: &[u8]) -> (u16, String) {
    let mut stream = TcpStream::connect(address).await.unwrap();
    let _ = stream.write_all(bytes).await;
    let _ = stream.shutdown().await;
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let status = answer.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    assert!(answer.contains("Connection: close"), "{answer}");
    (status, body)
}

async fn post(address: std::net::SocketAddr, body: &str) -> (u16, String) {
    let request = format!(
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    send(address, request.as_bytes()).await
}

fn json_of(m: &SnsMessage) -> String {
    let mut v = serde_json::json!({
        "Type": m.kind, "MessageId": m.message_id, "TopicArn": m.topic_arn,
        "Message": m.message, "Timestamp": m.timestamp,
        "SignatureVersion": m.signature_version, "Signature": m.signature,
        "SigningCertURL": m.signing_cert_url,
    });
    if let Some(s) = &m.subject {
        v["Subject"] = s.clone().into();
    }
    if let (Some(url), Some(token)) = (&m.subscribe_url, &m.token) {
        v["SubscribeURL"] = url.clone().into();
        v["Token"] = token.clone().into();
    }
    v.to_string()
}

fn test_message(nonce: &str) -> String {
    serde_json::json!({"multiregionTest": true, "stack": "petclinic", "region": "c1",
        "nonce": nonce, "sentAt": "2026-12-02T10:00:00Z"})
    .to_string()
}

#[tokio::test]
async fn webhook_server_survives_garbage_and_keeps_serving() {
    let run = start(config(None)).await;
    let a = run.address;
    assert_eq!(send(a, b"\x00\xff\xfe garbage with no end").await.0, 400);
    assert_eq!(send(a, b"\xff\xfe\r\n\r\n").await.0, 400);
    assert_eq!(send(a, b"NONSENSE\r\n\r\n").await.0, 400);
    assert_eq!(send(a, b"GET / HTTP/1.1\r\n\r\n").await.0, 405);
    assert_eq!(
        send(a, b"PUT / HTTP/1.1\r\nContent-Length: 0\r\n\r\n")
            .await
            .0,
        405
    );
    assert_eq!(send(a, b"POST / HTTP/1.1\r\n\r\n{}").await.0, 411);
    assert_eq!(
        send(a, b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n")
            .await
            .0,
        411
    );
    assert_eq!(
        send(a, b"POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n")
            .await
            .0,
        400
    );
    assert_eq!(
        send(a, b"POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nshort")
            .await
            .0,
        400
    );
    let huge = format!("GET / HTTP/1.1\r\nX: {}\r\n\r\n", "a".repeat(20_000));
    assert_eq!(send(a, huge.as_bytes()).await.0, 431);
    assert_eq!(post(a, "not json").await.0, 400);
    assert_eq!(post(a, "{\"Type\": 1}").await.0, 400);
    let m = signed("Notification", C1, &test_message("n-1"), None);
    assert_eq!(post(a, &json_of(&m)).await, (200, "ok".into()));
}

#[tokio::test]
async fn webhook_a_body_over_300_kib_is_413() {
    let run = start(config(None)).await;
    let head = format!(
        "POST / HTTP/1.1\r\nContent-Length: {}\r\n\r\n",
        300 * 1024 + 1
    );
    let (status, body) = send(run.address, head.as_bytes()).await;
    assert_eq!(status, 413, "{body}");
    let exactly = format!("{{\"x\":\"{}\"}}", "a".repeat(300 * 1024 - 8));
    assert_eq!(
        post(run.address, &exactly).await.0,
        400,
        "at the bound: read, then refused as JSON"
    );
}

#[tokio::test(start_paused = true)]
async fn webhook_a_request_that_never_arrives_times_out() {
    let (state, _events) = State::new(config(None), Arc::new(FakeFetch::default()));
    let (mut client, mut server_side) = tokio::io::duplex(64);
    client.write_all(b"POST / HTTP/1.1\r\n").await.unwrap();
    let (status, _) = server::answer(&state, &mut server_side).await;
    assert_eq!(status, 408);
}

#[tokio::test]
async fn webhook_other_topics_and_bad_cert_urls_are_403_before_any_fetch() {
    let run = start(config(None)).await;
    for arn in [
        "arn:aws:sns:us-east-1:123456789012:other-topic",
        "arn:aws:sns:us-west-2:123456789012:petclinic-c1-alerts",
        "arn:aws:sns:us-east-1:1234:petclinic-c1-alerts",
        "arn:aws:sqs:us-east-1:123456789012:petclinic-c1-alerts",
    ] {
        let m = signed("Notification", arn, "hi", None);
        let (status, body) = post(run.address, &json_of(&m)).await;
        assert_eq!(status, 403, "{arn}: {body}");
    }
    let mut m = signed("Notification", C1, "hi", None);
    m.signing_cert_url = Some("https://sns.us-east-1.amazonaws.com.evil.example/x.pem".into());
    let (status, body) = post(run.address, &json_of(&m)).await;
    assert_eq!(status, 403);
    assert!(
        body.contains("is not on sns.us-east-1.amazonaws.com"),
        "{body}"
    );
    m.signature_version = Some("1".into());
    assert!(post(run.address, &json_of(&m)).await.1.contains("SHA256"));
    assert!(
        run.fetch.calls.lock().unwrap().is_empty(),
        "nothing fetched"
    );
}

#[tokio::test]
async fn webhook_a_signed_test_notification_is_an_event_and_a_delivery() {
    let mut run = start(config(None)).await;
    let m = signed("Notification", C1, &test_message("nonce-7"), None);
    assert_eq!(post(run.address, &json_of(&m)).await.0, 200);
    let event = run.events.recv().await.unwrap();
    assert_eq!(event.kind, Kind::Test);
    assert!(event.verified);
    assert_eq!(
        event.to_text(),
        "petclinic c1 test notification nonce-7 (signature verified)"
    );
    let (status, body) = send(
        run.address,
        b"GET /.multiregion/deliveries/nonce-7 HTTP/1.1\r\n\r\n",
    )
    .await;
    assert_eq!(status, 200);
    let d: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (d["verified"].clone(), d["topicArn"].clone()),
        (true.into(), C1.into())
    );
    let query = b"GET /.multiregion/deliveries/unseen?x=1 HTTP/1.1\r\n\r\n";
    assert_eq!(send(run.address, query).await.0, 404);
    // A tampered copy is refused; the certificate was fetched once, then cached.
    let mut forged = m.clone();
    forged.message = test_message("nonce-8");
    assert_eq!(post(run.address, &json_of(&forged)).await.0, 403);
    assert_eq!(*run.fetch.calls.lock().unwrap(), [CERT_URL]);
    assert!(run.state.deliveries.get("nonce-8").is_none());
}

#[tokio::test]
async fn webhook_a_delivery_made_again_is_told_once_and_an_old_one_replayed_is_refused() {
    let mut run = start(config(None)).await;
    let m = signed("Notification", C1, &test_message("nonce-9"), None);
    assert_eq!(post(run.address, &json_of(&m)).await.0, 200);
    assert_eq!(
        run.events.recv().await.unwrap().nonce.as_deref(),
        Some("nonce-9")
    );
    // SNS lost the answer and delivers the same message again: acknowledged, not told.
    assert_eq!(post(run.address, &json_of(&m)).await.0, 200);
    // A message signed two hours ago, captured and sent again.
    let mut old = signed("Notification", C1, &test_message("nonce-10"), None);
    let two_hours_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
    old.timestamp = crate::eks_token::rfc3339(two_hours_ago);
    super::signature::tests::sign(&mut old);
    let (status, why) = post(run.address, &json_of(&old)).await;
    assert_eq!(status, 403, "{why}");
    assert!(why.contains("a replay"), "{why}");
    // The next new one is the next event: the repeat told nothing.
    let next = signed("Notification", C1, &test_message("nonce-11"), None);
    assert_eq!(post(run.address, &json_of(&next)).await.0, 200);
    assert_eq!(
        run.events.recv().await.unwrap().nonce.as_deref(),
        Some("nonce-11")
    );
}

#[tokio::test]
async fn webhook_a_confirmation_gets_the_subscribe_url_on_the_endpoint() {
    let endpoint = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint_url = format!("http://{}", endpoint.local_addr().unwrap());
    let seen = tokio::spawn(async move {
        let (mut stream, _) = endpoint.accept().await.unwrap();
        let mut buf = vec![0u8; 4096];
        let n = stream.read(&mut buf).await.unwrap();
        stream
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
            .await
            .unwrap();
        String::from_utf8_lossy(&buf[..n])
            .lines()
            .next()
            .unwrap_or_default()
            .to_string()
    });
    let mut run = start(config(Some(endpoint_url))).await;
    // Another topic's confirmation is refused and never fetched.
    let other = signed(
        "SubscriptionConfirmation",
        &C1.replace("c1-", "c9-"),
        "x",
        None,
    );
    assert_eq!(post(run.address, &json_of(&other)).await.0, 403);
    let m = signed("SubscriptionConfirmation", C1, "confirm", None);
    let (status, body) = post(run.address, &json_of(&m)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        seen.await.unwrap(),
        "GET /?Action=ConfirmSubscription&Token=tok HTTP/1.1"
    );
    let event = run.events.recv().await.unwrap();
    assert_eq!(event.to_text(), format!("confirmed subscription to {C1}"));
    let calls = run.fetch.calls.lock().unwrap().clone();
    assert_eq!(
        calls.len(),
        2,
        "the certificate, then the confirmation: {calls:?}"
    );
    assert!(
        calls[0].ends_with("/SimpleNotificationService-test.pem"),
        "{calls:?}"
    );
}

#[tokio::test]
async fn webhook_a_topic_of_the_same_name_in_another_account_is_refused() {
    let mut config = config(None);
    config.verify = false;
    let run = start(config).await;
    let foreign = C1.replace("123456789012", "210987654321");
    let mut m = signed("Notification", &foreign, "{}", None);
    m.signature = None;
    let (status, body) = post(run.address, &json_of(&m)).await;
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("account 210987654321"), "{body}");
}

#[tokio::test]
async fn webhook_an_alarm_unsigned_is_accepted_only_when_told() {
    let mut config = config(None);
    config.verify = false;
    let mut run = start(config).await;
    let alarm = serde_json::json!({"AlarmName": "petclinic-c1-5xx", "NewStateValue": "ALARM",
        "OldStateValue": "OK", "NewStateReason": "Threshold Crossed: 1 datapoint",
        "StateChangeTime": "2026-12-02T10:00:00.000+0000", "Region": "US East (N. Virginia)"});
    let mut m = signed(
        "Notification",
        C1,
        &alarm.to_string(),
        Some("ALARM: petclinic-c1-5xx"),
    );
    m.signature = None;
    assert_eq!(post(run.address, &json_of(&m)).await.0, 200);
    let event = run.events.recv().await.unwrap();
    assert_eq!(
        event.to_text(),
        "petclinic c1 petclinic-c1-5xx: OK -> ALARM (Threshold Crossed: 1 datapoint)"
    );
    let json: serde_json::Value = serde_json::from_str(&event.to_json_line()).unwrap();
    assert_eq!(
        (json["kind"].clone(), json["verified"].clone()),
        ("alarm".into(), false.into())
    );
    assert_eq!(json["newState"], "ALARM");
    m.message = "plain words\nacross lines".into();
    m.subject = None;
    m.message_id = "another message".into();
    post(run.address, &json_of(&m)).await;
    let event = run.events.recv().await.unwrap();
    assert_eq!(
        event.to_text(),
        "petclinic c1 notification: plain words across lines"
    );
}

#[test]
fn webhook_topic_arns_are_matched_by_partition_region_account_and_name() {
    let t = topics();
    assert_eq!(match_topic(C1, &t).unwrap().1.region_name, "c1");
    let c2 = "arn:aws-us-gov:sns:us-west-2:000000000000:petclinic-c2-alerts";
    assert_eq!(match_topic(c2, &t).unwrap().0, "aws-us-gov");
    for bad in [
        "",
        "arn:aws:sns:us-east-1:123456789012",
        "arn:aws-xx:sns:us-east-1:123456789012:petclinic-c1-alerts",
        "arn:aws:sns:us-east-1:12345678901a:petclinic-c1-alerts",
        "arn:aws:sns:us-east-1:123456789012:petclinic-c1-alerts:x",
    ] {
        assert!(match_topic(bad, &t).is_err(), "{bad}");
    }
}

#[test]
fn webhook_deliveries_keep_the_last_thousand() {
    let d = Deliveries::default();
    for i in 0..1001 {
        d.record(Delivery {
            nonce: format!("n{i}"),
            verified: true,
            topic_arn: C1.into(),
            received_at: "t".into(),
        });
    }
    assert!(d.get("n0").is_none());
    assert!(d.get("n1").is_some() && d.get("n1000").is_some());
}

#[tokio::test]
async fn webhook_events_are_forwarded_to_a_file_and_a_command() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("events.jsonl");
    let piped = dir.path().join("piped.jsonl");
    let command = format!("cat >> '{}'", piped.display());
    let mut forward = event::Forward::open(Some(&file), Some(command)).unwrap();
    let m = signed("Notification", C1, &test_message("n-f"), None);
    let event = Event::of("petclinic", "c1", &m, true, Kind::Notification);
    assert!(forward.send(&event).await.is_empty());
    assert!(forward.send(&event).await.is_empty());
    for path in [&file, &piped] {
        let text = std::fs::read_to_string(path).unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert_eq!(lines[0]["kind"], "test");
        assert_eq!(lines[0]["nonce"], "n-f");
        assert_eq!(lines[0]["alarm"], serde_json::Value::Null);
    }
    let mut failing = event::Forward::open(None, Some("exit 3".into())).unwrap();
    let problems = failing.send(&event).await;
    assert!(problems[0].contains("exit status: 3"), "{problems:?}");
}
