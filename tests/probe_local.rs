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
