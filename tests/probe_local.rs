//! The probe's local stand-ins: podinfo as backend and frontend on 127.0.0.1.

// The moto half of `common` is not used here.
#[allow(dead_code)]
mod common;

use common::podinfo::{self, Podinfo};

#[test]
fn frontend_echo_reaches_the_backend() {
    if podinfo::binary().is_none() {
        eprintln!("{}", podinfo::SKIP);
        return;
    }
    let backend = Podinfo::backend(false, None);
    let frontend = Podinfo::frontend(&format!("{}/api/echo", backend.url()));
    let (status, body) = podinfo::request(frontend.port(), "POST", "/api/echo", "ping").unwrap();
    assert_eq!(status, 200, "frontend /api/echo answered: {body}");
    assert!(
        body.contains("\"ping\""),
        "the backend's echo is not in the answer: {body}"
    );
}

fn probe(frontend: &Podinfo, args: &[&str]) -> (i32, serde_json::Value) {
    let out = assert_cmd::Command::cargo_bin("multiregion")
        .unwrap()
        .args(["probe", "--url", &frontend.url(), "--output", "json"])
        .args(args)
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .unwrap();
    let doc = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), doc)
}

/// A backend answering at once through a healthy frontend: every request succeeds across.
#[test]
fn a_healthy_backend_passes_the_gate() {
    if podinfo::binary().is_none() {
        eprintln!("{}", podinfo::SKIP);
        return;
    }
    let backend = Podinfo::backend(false, None);
    let frontend = Podinfo::frontend(&format!("{}/api/echo", backend.url()));
    let (code, doc) = probe(&frontend, &["-n", "100", "--min-success", "100"]);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(doc["succeeded"], 100);
    assert_eq!(doc["statuses"]["200"], 100);
}

/// The backend fails a third of its requests (podinfo's `--random-error`: 500, 400 or 409,
/// a ninth each) after a delay drawn from 20..60 ms. 600 requests: the success count is
/// binomial (n = 600, p = 2/3, sd 11.5), so 400 ± 60 (over 5 sd) holds; every latency is at
/// least the 20 ms minimum, the median of a uniform 20..60 ms is 40 ms (plus the local hops),
/// and p99 stays under the 60 ms maximum plus a generous allowance for a loaded machine.
#[test]
fn the_measured_share_and_percentiles_agree_with_what_was_injected() {
    if podinfo::binary().is_none() {
        eprintln!("{}", podinfo::SKIP);
        return;
    }
    let backend = Podinfo::backend(true, Some((20, 60)));
    let frontend = Podinfo::frontend(&format!("{}/api/echo", backend.url()));
    let (code, doc) = probe(
        &frontend,
        &["-n", "600", "--concurrency", "20", "--min-success", "99"],
    );
    assert_eq!(code, 3, "the gate fails on the injected errors: {doc}");
    let ok = doc["succeeded"].as_u64().unwrap();
    assert!((340..=460).contains(&ok), "succeeded {ok} of 600: {doc}");
    let statuses = doc["statuses"].as_object().unwrap();
    for (status, n) in statuses {
        assert!(
            ["200", "400", "409", "500"].contains(&status.as_str()),
            "{status}: {doc}"
        );
        if status != "200" {
            // A ninth of 600 is 67, sd 7.7.
            let n = n.as_u64().unwrap();
            assert!((30..=105).contains(&n), "{status}: {n}: {doc}");
        }
    }
    assert_eq!(doc["errors"]["5xx"], statuses["500"]);
    let l = &doc["latencyMs"];
    let [min, p50, p99] = ["min", "p50", "p99"].map(|k| l[k].as_f64().unwrap());
    eprintln!(
        "measured: through podinfo with a 20..60 ms delay: min {min}, p50 {p50}, p99 {p99} ms"
    );
    assert!(min >= 20.0, "{l}");
    assert!((35.0..=65.0).contains(&p50), "{l}");
    assert!(p99 < 60.0 + 150.0, "{l}");
}
