//! `webhook serve` as a process: it says where it listens, takes a test notification posted
//! to it on 127.0.0.1 and prints it, and refuses to skip signatures without an emulator.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use super::{REFERENCE, assert_refused, multiregion, multiregion_std};

/// The server started with `extra` arguments, and the address of its `listening on` line.
fn start(extra: &[&str]) -> (Child, String) {
    let mut child = multiregion_std()
        .args([
            "webhook",
            "serve",
            "--stack",
            REFERENCE,
            "--port",
            "0",
            "--max-events",
            "1",
        ])
        .args([
            "--insecure-skip-signature",
            "--account",
            "123456789012",
            "--endpoint-url",
            "http://127.0.0.1:1",
        ])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(address) = line.strip_prefix("listening on http://") {
                let _ = tx.send(address.to_string());
            }
        }
    });
    let address = rx
        .recv_timeout(Duration::from_secs(20))
        .expect("a `listening on` line");
    (child, address)
}

fn post(address: &str, body: &str) -> String {
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    write!(
        stream,
        "POST / HTTP/1.1\r\nHost: {address}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer
}

fn test_notification(nonce: &str) -> String {
    let message = serde_json::json!({"multiregionTest": true, "stack": "petclinic",
        "region": "c2", "nonce": nonce, "sentAt": "2026-12-02T10:00:00Z"});
    serde_json::json!({
        "Type": "Notification", "MessageId": "m-1", "Message": message.to_string(),
        "TopicArn": "arn:aws:sns:us-west-2:123456789012:petclinic-c2-alerts",
        "Timestamp": "2026-12-02T10:00:00.000Z",
    })
    .to_string()
}

/// The process's exit code and stdout, once it ends by itself (killed after 20 s).
fn finish(mut child: Child) -> (i32, String) {
    for _ in 0..200 {
        if let Some(status) = child.try_wait().unwrap() {
            let mut stdout = String::new();
            child
                .stdout
                .take()
                .unwrap()
                .read_to_string(&mut stdout)
                .unwrap();
            return (status.code().unwrap_or(-1), stdout);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    child.kill().unwrap();
    panic!("webhook serve did not stop after --max-events 1");
}

#[test]
fn webhook_serve_prints_a_posted_test_notification_and_stops() {
    let (child, address) = start(&[]);
    assert!(
        address.starts_with("127.0.0.1:") && !address.ends_with(":0"),
        "{address}"
    );
    // Another topic is refused and is not an event.
    let other = test_notification("n").replace("petclinic-c2-alerts", "other-alerts");
    assert!(post(&address, &other).starts_with("HTTP/1.1 403"));
    let answer = post(&address, &test_notification("nonce-cli-1"));
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let (code, stdout) = finish(child);
    assert_eq!(code, 0, "{stdout}");
    assert_eq!(
        stdout,
        "petclinic c2 test notification nonce-cli-1 \
         (signature NOT verified: --insecure-skip-signature)\n"
    );
}

#[test]
fn webhook_serve_json_is_one_line_per_event() {
    let (child, address) = start(&["--output", "json"]);
    assert!(post(&address, &test_notification("nonce-cli-2")).starts_with("HTTP/1.1 200"));
    let (code, stdout) = finish(child);
    assert_eq!(code, 0);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    let event: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(event["kind"], "test");
    assert_eq!(event["region"], "c2");
    assert_eq!(event["nonce"], "nonce-cli-2");
    assert_eq!(event["verified"], false);
}

#[test]
fn webhook_serve_refuses_to_skip_signatures_without_an_emulator() {
    let out = multiregion()
        .args([
            "webhook",
            "serve",
            "--stack",
            REFERENCE,
            "--port",
            "0",
            "--account",
            "123456789012",
        ])
        .arg("--insecure-skip-signature")
        .env_remove("AWS_ENDPOINT_URL")
        .output()
        .unwrap();
    let r = super::Run {
        code: out.status.code().unwrap(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert_refused(&r, "--insecure-skip-signature needs --endpoint-url");
}

#[test]
fn webhook_serve_stops_on_ctrl_c_with_130() {
    let (child, _address) = start(&[]);
    let sent = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let (code, stdout) = finish(child);
    assert_eq!(code, 130, "{stdout}");
    assert!(stdout.is_empty(), "{stdout}");
}
