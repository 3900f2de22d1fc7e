//! Progress reporting: the engine and the workloads report through this trait; only the binary
//! draws — a live view on a terminal, one line per finished step otherwise.

use std::collections::HashMap;
use std::io::Write;
use std::sync::Mutex;
use std::time::Duration;

use crate::paint::{Paint, Tone};

pub trait Progress: Sync {
    /// How many steps the run has, before the first starts.
    fn planned(&self, _steps: usize) {}
    fn started(&self, label: &str);
    /// `result` is what happened, or the error.
    fn finished(&self, label: &str, result: Result<&str, &String>, elapsed: Duration);
    /// A long wait's state, such as `c1/nat/1: pending, 45s`.
    fn waiting(&self, label: &str, state: &str, elapsed: Duration);
}

/// Says nothing: tests, `-q`, and read-only commands without a terminal.
pub struct Silent;

impl Progress for Silent {
    fn started(&self, _: &str) {}
    fn finished(&self, _: &str, _: Result<&str, &String>, _: Duration) {}
    fn waiting(&self, _: &str, _: &str, _: Duration) {}
}

/// `create c1/vpc` finished as `created c1/vpc vpc-0abc (0.4s)`; a failure as
/// `failed: create c1/vpc: …`.
pub fn finished_line(
    label: &str,
    result: Result<&str, &String>,
    elapsed: Duration,
    paint: Paint,
) -> String {
    let (verb, id) = label.split_once(' ').unwrap_or((label, ""));
    match result {
        Ok(what) => {
            let past = past_tense(verb);
            let tone = match verb {
                "create" => Tone::Add,
                "delete" => Tone::Remove,
                "update" | "recreate" => Tone::Change,
                _ => Tone::Plain,
            };
            let what = match what {
                "" => String::new(),
                w => format!(" {w}"),
            };
            let secs = elapsed.as_secs_f64();
            format!("{} {id}{what} ({secs:.1}s)", paint.tone(tone, &past))
        }
        Err(e) => format!("{} {label}: {e}", paint.tone(Tone::Error, "failed:")),
    }
}

fn past_tense(verb: &str) -> String {
    match verb {
        "sweep" => "swept".into(),
        "apply" => "applied".into(),
        v if v.ends_with('e') => format!("{v}d"),
        v => format!("{v}ed"),
    }
}

/// One line per finished step and per wait update on stderr: what CI logs keep.
pub struct Lines {
    paint: Paint,
}

impl Lines {
    pub fn new(paint: Paint) -> Self {
        Lines { paint }
    }

    fn say(&self, text: &str) {
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "{text}");
    }
}

impl Progress for Lines {
    fn started(&self, _: &str) {}

    fn finished(&self, label: &str, result: Result<&str, &String>, elapsed: Duration) {
        self.say(&finished_line(label, result, elapsed, self.paint));
    }

    fn waiting(&self, label: &str, state: &str, elapsed: Duration) {
        self.say(&format!("{label}: {state}, waited {}s", elapsed.as_secs()));
    }
}

/// The live view on a terminal: finished steps scroll above a counter (`[12/87]`) and one
/// spinner per running step, with what it waits for and for how long.
pub struct Live {
    bars: indicatif::MultiProgress,
    counter: indicatif::ProgressBar,
    running: Mutex<HashMap<String, indicatif::ProgressBar>>,
    paint: Paint,
}

impl Live {
    pub fn new(paint: Paint) -> Self {
        let bars = indicatif::MultiProgress::new();
        let counter = bars.add(indicatif::ProgressBar::new(0));
        counter.set_style(
            indicatif::ProgressStyle::with_template("[{pos}/{len}] {elapsed} {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        counter.enable_steady_tick(Duration::from_millis(250));
        Live {
            bars,
            counter,
            running: Mutex::new(HashMap::new()),
            paint,
        }
    }

    fn spinner(&self, label: &str) -> indicatif::ProgressBar {
        let bar = self.bars.add(indicatif::ProgressBar::new_spinner());
        bar.set_style(
            indicatif::ProgressStyle::with_template("  {spinner} {msg} ({elapsed})")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        bar.set_message(label.to_string());
        bar.enable_steady_tick(Duration::from_millis(120));
        bar
    }
}

impl Progress for Live {
    fn planned(&self, steps: usize) {
        self.counter.set_position(0);
        self.counter.set_length(steps as u64);
        self.counter.set_message("steps");
    }

    fn started(&self, label: &str) {
        let bar = self.spinner(label);
        if let Ok(mut running) = self.running.lock() {
            running.insert(label.to_string(), bar);
        }
    }

    fn finished(&self, label: &str, result: Result<&str, &String>, elapsed: Duration) {
        if let Some(bar) = self.running.lock().ok().and_then(|mut r| r.remove(label)) {
            bar.finish_and_clear();
            self.bars.remove(&bar);
        }
        self.counter.inc(1);
        let _ = self
            .bars
            .println(finished_line(label, result, elapsed, self.paint));
    }

    fn waiting(&self, label: &str, state: &str, elapsed: Duration) {
        let running = self.running.lock().ok();
        match running.as_ref().and_then(|r| r.get(label)) {
            Some(bar) => bar.set_message(format!("{label}: {state}")),
            None => {
                let _ = self
                    .bars
                    .println(format!("  {label}: {state}, waited {}s", elapsed.as_secs()));
            }
        }
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        self.counter.finish_and_clear();
        let _ = self.bars.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_finished_step_says_what_happened_in_the_past_tense() {
        let plain = Paint::none();
        let secs = Duration::from_millis(420);
        assert_eq!(
            finished_line("create c1/vpc", Ok("vpc-0abc"), secs, plain),
            "created c1/vpc vpc-0abc (0.4s)"
        );
        assert_eq!(
            finished_line("sweep us-east-1", Ok(""), secs, plain),
            "swept us-east-1 (0.4s)"
        );
        assert_eq!(
            finished_line("apply c1/workloads", Ok("in sync"), secs, plain),
            "applied c1/workloads in sync (0.4s)"
        );
        assert_eq!(
            finished_line("delete c1/vpc", Err(&"boom".to_string()), secs, plain),
            "failed: delete c1/vpc: boom"
        );
        let coloured = finished_line("create c1/vpc", Ok(""), secs, Paint::ansi());
        assert!(coloured.contains("\u{1b}["), "{coloured:?}");
    }
}
