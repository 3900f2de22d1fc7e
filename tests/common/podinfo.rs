//! podinfo (the program of the ghcr.io/stefanprodan/podinfo image, built by `scripts/podinfo`)
//! as local processes standing in for the frontend and backend pods: every port on 127.0.0.1,
//! each process killed with its guard.
#![allow(dead_code, reason = "each test binary uses its part")]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The podinfo binary from `MULTIREGION_PODINFO` (exported by scripts/test), or None: the test
/// then skips, saying why.
pub fn binary() -> Option<PathBuf> {
    let path = PathBuf::from(std::env::var_os("MULTIREGION_PODINFO")?);
    assert!(
        path.is_file(),
        "MULTIREGION_PODINFO={} is not a file: run bash scripts/podinfo build",
        path.display()
    );
    Some(path)
}

/// The reason a test skips without podinfo.
pub const SKIP: &str = "MULTIREGION_PODINFO is not set (bash scripts/test sets it): skipped";

/// A running podinfo, killed when dropped.
pub struct Podinfo {
    port: u16,
    process: Child,
}

impl Podinfo {
    /// A backend: `/api/echo` answers 202 with the request body. With `errors`, a third of
    /// all requests on every route (readiness included) answer 500, 400 or 409 with no body;
    /// with `delay` = (min, max) in ms, every request first waits a whole number of ms drawn
    /// uniformly from min..max (max excluded, so max must exceed min).
    pub fn backend(errors: bool, delay: Option<(u64, u64)>) -> Podinfo {
        let mut args: Vec<String> = Vec::new();
        if errors {
            args.push("--random-error".into());
        }
        if let Some((min, max)) = delay {
            assert!(
                max > min,
                "podinfo draws its delay from min..max and panics if max <= min"
            );
            args.extend([
                "--random-delay".into(),
                "--random-delay-unit=ms".into(),
                format!("--random-delay-min={min}"),
                format!("--random-delay-max={max}"),
            ]);
        }
        Podinfo::start(&args)
    }

    /// A frontend: `POST /api/echo` forwards the body to `backend_url` (POST) and answers 200
    /// with a JSON array of one string: the backend's body, or what went wrong with it.
    pub fn frontend(backend_url: &str) -> Podinfo {
        Podinfo::start(&[format!("--backend-url={backend_url}")])
    }

    fn start(extra: &[String]) -> Podinfo {
        let binary = binary().expect(SKIP);
        // podinfo cannot be given port 0 (that turns its HTTP server off): take a free one.
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut command = Command::new(&binary);
        // Only the HTTP server, on 127.0.0.1: gRPC, HTTPS and the metrics port stay off (0),
        // as their listeners would bind every interface.
        command
            .args(["--host=127.0.0.1", &format!("--port={port}")])
            .args([
                "--grpc-port=0",
                "--secure-port=0",
                "--port-metrics=0",
                "--level=fatal", // the frontend logs every failed call across at error level
            ])
            .args(extra)
            .current_dir(std::env::temp_dir())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        // podinfo also reads PODINFO_* variables (viper): none may leak in from outside.
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("PODINFO_") {
                command.env_remove(key);
            }
        }
        let process = command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run podinfo ({}): {e}", binary.display()));
        let mut podinfo = Podinfo { port, process };
        podinfo.wait_ready(Duration::from_secs(20));
        podinfo
    }

    fn wait_ready(&mut self, limit: Duration) {
        let started = Instant::now();
        loop {
            if let Ok(Some(status)) = self.process.try_wait() {
                panic!(
                    "podinfo on port {} exited before it was ready ({status})",
                    self.port
                );
            }
            // With --random-error, a third of the answers are errors: poll until one is 200.
            if let Ok((200, _)) = request(self.port, "GET", "/readyz", "") {
                return;
            }
            assert!(
                started.elapsed() < limit,
                "podinfo on port {} did not answer 200 on /readyz within {limit:?}",
                self.port
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Podinfo {
    fn drop(&mut self) {
        // SIGKILL: on SIGTERM podinfo goes on serving through its graceful shutdown.
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// One HTTP/1.1 request to 127.0.0.1:`port`, connection closed after it: (status, body).
/// Test-only: no chunked decoding (podinfo's answers here are small, with Content-Length).
pub fn request(port: u16, method: &str, path: &str, body: &str) -> std::io::Result<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(30)))?;
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: text/plain\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut answer = String::new();
    s.read_to_string(&mut answer)?;
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("not an HTTP answer: {answer:?}")))?;
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Ok((status, body))
}
