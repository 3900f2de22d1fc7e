//! `probe`: traffic through the public entry to the frontend's echo endpoint, which calls the
//! backend across the peering — success rate, statuses, error kinds, latency percentiles and a
//! histogram, gated on thresholds so CI can rely on the exit code.

pub mod http;
pub mod report;
pub mod run;
pub mod stats;

use std::sync::Arc;

pub use report::{ProbeReport, Thresholds};
pub use run::{Load, Measured, Target};
pub use stats::Stats;

use crate::stop::Stop;

/// Sends `load` and judges what it measured against `thresholds`.
pub async fn probe(
    target: Arc<dyn Target>,
    load: Load,
    thresholds: Thresholds,
    stop: &Stop,
    url: String,
    source: String,
) -> ProbeReport {
    let measured = run::run(target, load, stop, None).await;
    judge(&measured, thresholds, url, source)
}

pub fn judge(
    measured: &Measured,
    thresholds: Thresholds,
    url: String,
    source: String,
) -> ProbeReport {
    let stats = Stats::of(&measured.samples);
    let missed = thresholds.missed(&stats);
    ProbeReport {
        url,
        source,
        seconds: (measured.elapsed.as_secs_f64() * 100.0).round() / 100.0,
        interrupted: measured.interrupted,
        passed: missed.is_empty(),
        missed,
        stats,
        thresholds,
    }
}
