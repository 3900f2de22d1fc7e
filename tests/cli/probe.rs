//! `probe` against a small HTTP server of the test's own on 127.0.0.1, whose answers are
//! known: counts, thresholds and exit codes, JSON, and input errors.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::run;

/// Answers every request, on its own thread per connection: `500` for each `fail_every`-th
/// request (0: never), `200` otherwise.
fn server(fail_every: u64) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let count = Arc::new(AtomicU64::new(0));
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let count = count.clone();
            std::thread::spawn(move || {
                let mut stream = stream;
                let mut buf = [0u8; 4096];
                // One request per connection is enough here: answer, then close.
                let _ = stream.read(&mut buf);
                let n = count.fetch_add(1, Ordering::SeqCst) + 1;
                let status = match fail_every {
                    0 => "200 OK",
                    k if n.is_multiple_of(k) => "500 Internal Server Error",
                    _ => "200 OK",
                };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok"
                );
            });
        }
    });
    url
}

#[test]
fn every_answer_counted_and_the_gate_passes() {
    let url = server(0);
    let r = run(&[
        "probe",
        "--url",
        &url,
        "-n",
        "40",
        "--min-success",
        "100",
        "--max-p99",
        "5000",
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("success    100.0% (40 of 40)"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("statuses   200: 40"), "{}", r.stdout);
    assert!(r.stdout.contains("gate       passed"), "{}", r.stdout);
    assert!(
        r.stdout.contains("/api/echo"),
        "the echo endpoint: {}",
        r.stdout
    );
}

#[test]
fn a_missed_threshold_is_exit_3_and_the_json_says_why() {
    // Every 4th answer is a 500: 75 % success.
    let url = server(4);
    let r = run(&[
        "probe",
        "--url",
        &url,
        "-n",
        "100",
        "--concurrency",
        "1",
        "--min-success",
        "90",
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 3, "{}{}", r.stdout, r.stderr);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    crate::json::assert_matches("probe", &doc);
    assert_eq!(doc["requests"], 100);
    assert_eq!(doc["succeeded"], 75);
    assert_eq!(doc["statuses"]["500"], 25);
    assert_eq!(doc["errors"]["5xx"], 25);
    assert_eq!(doc["passed"], false);
    assert!(
        doc["missed"][0].as_str().unwrap().contains("75.0%"),
        "{doc}"
    );
    for key in ["min", "p50", "p90", "p95", "p99", "max"] {
        assert!(doc["latencyMs"][key].is_number(), "{key}: {doc}");
    }
}

#[test]
fn nothing_listening_is_counted_as_refused() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let r = run(&[
        "probe",
        "--url",
        &url,
        "-n",
        "5",
        "--min-success",
        "50",
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 3, "{}{}", r.stdout, r.stderr);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    crate::json::assert_matches("probe", &doc);
    assert_eq!(doc["errors"]["refused"], 5);
    assert!(doc["latencyMs"].is_null());
}

#[test]
fn bad_input_is_refused_before_any_request() {
    for (args, says) in [
        (vec!["--url", "ftp://x"], "http or https"),
        (vec!["--url", "not a url"], "not a URL"),
        (vec!["--url", "http://127.0.0.1:1", "--rate", "0"], "rate"),
        (
            vec!["--url", "http://127.0.0.1:1", "--min-success", "101"],
            "percentage",
        ),
        (vec!["--url", "http://127.0.0.1:1", "-n", "0"], "0"),
    ] {
        let mut all = vec!["probe"];
        all.extend(&args);
        let r = run(&all);
        assert_eq!(r.code, 1, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(says), "{args:?}: {}", r.stderr);
    }
}

#[test]
fn ctrl_c_prints_what_was_measured_so_far() {
    let url = server(0);
    let child = super::multiregion_std()
        .args([
            "probe",
            "--url",
            &url,
            "--duration",
            "60s",
            "--rate",
            "20",
            "--output",
            "json",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let sent = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["interrupted"], true);
    // 20 a second for about 1.5 s (the process's start included): some, far from 1200.
    let n = doc["requests"].as_u64().unwrap();
    assert!((5..=40).contains(&n), "{n}: {doc}");
    assert!(doc["seconds"].as_f64().unwrap() < 5.0, "{doc}");
}
