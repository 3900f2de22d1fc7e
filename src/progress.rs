//! Progress reporting: the engine and the workloads report through this trait; only the binary
//! draws.

use std::io::Write;
use std::time::Duration;

pub trait Progress: Sync {
    fn started(&self, label: &str);
    /// `result` is what happened, or the error.
    fn finished(&self, label: &str, result: Result<&str, &String>, elapsed: Duration);
    /// A long wait's state, such as `c1/nat/1: pending, 45s`.
    fn waiting(&self, label: &str, state: &str, elapsed: Duration);
}

/// Says nothing: tests, `-q`, and stderr that is not a terminal.
pub struct Silent;

impl Progress for Silent {
    fn started(&self, _: &str) {}
    fn finished(&self, _: &str, _: Result<&str, &String>, _: Duration) {}
    fn waiting(&self, _: &str, _: &str, _: Duration) {}
}

/// One line per finished step and per wait update on stderr, with the time since the start.
pub struct Lines {
    start: std::time::Instant,
}

impl Lines {
    pub fn new() -> Self {
        Lines {
            start: std::time::Instant::now(),
        }
    }

    fn say(&self, text: &str) {
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "[{:>6.1}s] {text}", self.start.elapsed().as_secs_f64());
    }
}

impl Progress for Lines {
    fn started(&self, _: &str) {}

    fn finished(&self, label: &str, result: Result<&str, &String>, elapsed: Duration) {
        match result {
            Ok("") => self.say(&format!("{label} ({:.1}s)", elapsed.as_secs_f64())),
            Ok(what) => self.say(&format!("{label}: {what} ({:.1}s)", elapsed.as_secs_f64())),
            Err(e) => self.say(&format!("{label} FAILED: {e}")),
        }
    }

    fn waiting(&self, label: &str, state: &str, elapsed: Duration) {
        self.say(&format!("{label}: {state}, waited {}s", elapsed.as_secs()));
    }
}
