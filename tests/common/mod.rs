//! What the whole-process test suites share: the moto emulator on 127.0.0.1, started once per
//! test process and stopped with it.

pub mod aws;
pub mod podinfo;

use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// How long moto keeps a requested certificate pending validation.
pub const ACM_VALIDATION_WAIT_SECS: u64 = 3;

pub struct Moto {
    pub url: String,
    _process: Child,
}

pub fn moto() -> &'static Moto {
    static MOTO: OnceLock<Moto> = OnceLock::new();
    MOTO.get_or_init(|| {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        // Statics are never dropped, so a watchdog stops moto once this test process is gone.
        let script = format!(
            "command -v moto_server >/dev/null || exit 127; moto_server -H 127.0.0.1 -p {port} & m=$!; \
             while kill -0 {} 2>/dev/null && kill -0 $m 2>/dev/null; do sleep 1; done; kill $m 2>/dev/null",
            std::process::id()
        );
        let process = Command::new("sh")
            .args(["-c", &script])
            .env("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
            // moto issues a requested certificate once it is this old, whatever the DNS
            // records (60 s by default): long enough that `up` is seen to wait for it.
            .env("MOTO_ACM_VALIDATION_WAIT", ACM_VALIDATION_WAIT_SECS.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("cannot run sh to start moto_server");
        let mut process = process;
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = process.try_wait() {
                panic!("moto_server is not installed or failed to start ({status}): pip install 'moto[server]' (see .ci/run)");
            }
            assert!(started.elapsed() < Duration::from_secs(30), "moto_server did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        Moto { url: format!("http://127.0.0.1:{port}"), _process: process }
    })
}
