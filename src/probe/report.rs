//! The probe's report: its figures against the thresholds the user gave, as text with a
//! histogram for a terminal, or as one JSON document.

use serde::Serialize;

use super::stats::{Latency, Stats};

/// The gate: what the run must show for exit code 0.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Thresholds {
    /// Lowest acceptable success rate, percent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_success: Option<f64>,
    /// Highest acceptable p99 latency, milliseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_p99_ms: Option<f64>,
}

impl Thresholds {
    /// The thresholds `stats` misses, each said with the figure that missed it.
    pub fn missed(&self, stats: &Stats) -> Vec<String> {
        let mut missed = Vec::new();
        if let Some(min) = self.min_success {
            let got = stats.success_rate * 100.0;
            if got + 1e-9 < min {
                missed.push(format!(
                    "success rate {got:.1}% is below --min-success {min}%"
                ));
            }
        }
        if let Some(max) = self.max_p99_ms {
            match &stats.latency_ms {
                Some(latency) if latency.p99 > max => {
                    missed.push(format!(
                        "p99 {} ms is above --max-p99 {max} ms",
                        latency.p99
                    ));
                }
                None => missed.push("no request got an answer, so there is no p99".to_string()),
                _ => {}
            }
        }
        missed
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProbeReport {
    pub url: String,
    /// Where the URL came from: `--url`, or the stack's outputs.
    pub source: String,
    pub seconds: f64,
    /// Stopped by Ctrl-C before the planned load was sent.
    pub interrupted: bool,
    #[serde(flatten)]
    pub stats: Stats,
    pub thresholds: Thresholds,
    pub passed: bool,
    pub missed: Vec<String>,
}

impl ProbeReport {
    pub fn to_text(&self) -> String {
        let s = &self.stats;
        let mut out = format!("probe {} ({})\n", self.url, self.source);
        out.push_str(&format!(
            "  requests   {} in {:.1}s{}\n",
            s.requests,
            self.seconds,
            if self.interrupted {
                " (interrupted: what was measured so far)"
            } else {
                ""
            }
        ));
        out.push_str(&format!(
            "  success    {:.1}% ({} of {})\n",
            s.success_rate * 100.0,
            s.succeeded,
            s.requests
        ));
        let statuses: Vec<String> = s
            .statuses
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect();
        if !statuses.is_empty() {
            out.push_str(&format!("  statuses   {}\n", statuses.join(", ")));
        }
        let e = &s.errors;
        let errors: Vec<String> = [
            ("5xx", e.server),
            ("4xx", e.client),
            ("timeout", e.timeout),
            ("refused", e.refused),
            ("connect", e.connect),
            ("backend unreachable", e.backend),
            ("other", e.other),
        ]
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(k, n)| format!("{k}: {n}"))
        .collect();
        if !errors.is_empty() {
            out.push_str(&format!("  errors     {}\n", errors.join(", ")));
        }
        match &s.latency_ms {
            Some(l) => {
                out.push_str(&latency_line(l));
                out.push_str(&histogram(s));
            }
            None => out.push_str("  latency    no request got an answer\n"),
        }
        if self.passed {
            if self.thresholds != Thresholds::default() {
                out.push_str("  gate       passed\n");
            }
        } else {
            for m in &self.missed {
                out.push_str(&format!("  FAILED     {m}\n"));
            }
        }
        out
    }
}

fn latency_line(l: &Latency) -> String {
    format!(
        "  latency    min {} · p50 {} · p90 {} · p95 {} · p99 {} · max {} ms (mean {})\n",
        l.min, l.p50, l.p90, l.p95, l.p99, l.max, l.mean
    )
}

/// Bars as wide as their share of the largest bucket, at most this many characters.
const BAR: u64 = 40;

fn histogram(s: &Stats) -> String {
    let most = s
        .histogram
        .iter()
        .map(|b| b.count)
        .max()
        .unwrap_or(0)
        .max(1);
    let mut out = String::new();
    for b in &s.histogram {
        let width = (b.count * BAR).div_ceil(most) as usize;
        out.push_str(&format!(
            "  {:>9.1} – {:>9.1} ms │{:<bar$} {}\n",
            b.from_ms,
            b.to_ms,
            "█".repeat(width),
            b.count,
            bar = BAR as usize
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::probe::stats::{Answer, Sample};

    fn stats(ok: u64, failed: u64, ms: u64) -> Stats {
        let sample = |answer| Sample {
            sent: tokio::time::Instant::now(),
            latency: Duration::from_millis(ms),
            answer,
        };
        let mut samples = vec![sample(Answer::Status(200)); ok as usize];
        samples.extend(vec![sample(Answer::Status(503)); failed as usize]);
        Stats::of(&samples)
    }

    #[test]
    fn thresholds_say_what_missed() {
        let gate = Thresholds {
            min_success: Some(99.0),
            max_p99_ms: Some(100.0),
        };
        assert!(gate.missed(&stats(100, 0, 50)).is_empty());
        let missed = gate.missed(&stats(90, 10, 150));
        assert_eq!(missed.len(), 2, "{missed:?}");
        assert!(missed[0].contains("90.0%") && missed[1].contains("150 ms"));
        // Exactly at the threshold passes.
        let edge = Thresholds {
            min_success: Some(90.0),
            max_p99_ms: Some(150.0),
        };
        assert!(edge.missed(&stats(90, 10, 150)).is_empty());
        assert_eq!(
            Thresholds::default().missed(&stats(0, 10, 1)),
            Vec::<String>::new()
        );
    }

    #[test]
    fn the_text_has_the_figures_and_a_histogram() {
        let report = ProbeReport {
            url: "http://x/api/echo".into(),
            source: "--url".into(),
            seconds: 1.0,
            interrupted: false,
            stats: stats(9, 1, 20),
            thresholds: Thresholds::default(),
            passed: true,
            missed: vec![],
        };
        let text = report.to_text();
        assert!(text.contains("success    90.0% (9 of 10)"), "{text}");
        assert!(text.contains("statuses   200: 9, 503: 1"), "{text}");
        assert!(text.contains("errors     5xx: 1"), "{text}");
        assert!(text.contains("│████"), "{text}");
    }
}
