//! What a set of probe requests measured: success rate, counts per status and per error kind,
//! latency percentiles and a histogram. Pure arithmetic on samples, so it is tested against
//! distributions made on purpose.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;

/// How one request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// An HTTP answer with this status, body read to the end.
    Status(u16),
    /// No (complete) answer.
    Failed(Failure),
}

/// Why a request got no answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Failure {
    /// No answer within the per-request timeout.
    Timeout,
    /// The connection was refused (nothing listens there).
    Refused,
    /// Any other failure to connect (name resolution, TLS, unreachable).
    Connect,
    /// The frontend answered, but its call to the backend got no answer.
    Backend,
    /// The connection broke, or the answer could not be read.
    Other,
}

/// One request: when it was sent, how long it took, how it ended.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    pub sent: tokio::time::Instant,
    pub latency: Duration,
    pub answer: Answer,
}

/// The counts per kind of failure the documents and the issue speak of.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ErrorCounts {
    pub timeout: u64,
    pub refused: u64,
    pub connect: u64,
    /// The frontend could not reach the backend.
    pub backend: u64,
    pub other: u64,
    /// Answers with a 5xx status.
    #[serde(rename = "5xx")]
    pub server: u64,
    /// Answers with a 4xx status.
    #[serde(rename = "4xx")]
    pub client: u64,
}

/// Latency of the requests that got an answer (any status), in milliseconds.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Latency {
    pub min: f64,
    pub mean: f64,
    pub p50: f64,
    pub p90: f64,
    pub p95: f64,
    pub p99: f64,
    pub max: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Bucket {
    pub from_ms: f64,
    pub to_ms: f64,
    pub count: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Stats {
    pub requests: u64,
    pub succeeded: u64,
    /// Share of requests answered 2xx, 0 to 1 (0 when no request was made).
    pub success_rate: f64,
    /// Answers per HTTP status.
    pub statuses: BTreeMap<u16, u64>,
    pub errors: ErrorCounts,
    /// `None` when no request got an answer.
    pub latency_ms: Option<Latency>,
    pub histogram: Vec<Bucket>,
}

/// Buckets of the histogram: few enough to read on a terminal.
const BUCKETS: usize = 10;

impl Stats {
    pub fn of(samples: &[Sample]) -> Stats {
        let mut stats = Stats {
            requests: samples.len() as u64,
            ..Stats::default()
        };
        let mut answered: Vec<f64> = Vec::new();
        for s in samples {
            match s.answer {
                Answer::Status(status) => {
                    *stats.statuses.entry(status).or_default() += 1;
                    match status {
                        200..=299 => stats.succeeded += 1,
                        400..=499 => stats.errors.client += 1,
                        500..=599 => stats.errors.server += 1,
                        _ => {}
                    }
                    answered.push(s.latency.as_secs_f64() * 1000.0);
                }
                Answer::Failed(Failure::Timeout) => stats.errors.timeout += 1,
                Answer::Failed(Failure::Refused) => stats.errors.refused += 1,
                Answer::Failed(Failure::Connect) => stats.errors.connect += 1,
                Answer::Failed(Failure::Backend) => stats.errors.backend += 1,
                Answer::Failed(Failure::Other) => stats.errors.other += 1,
            }
        }
        if stats.requests > 0 {
            stats.success_rate = stats.succeeded as f64 / stats.requests as f64;
        }
        answered.sort_by(f64::total_cmp);
        if !answered.is_empty() {
            stats.latency_ms = Some(latency(&answered));
            stats.histogram = histogram(&answered);
        }
        stats
    }
}

/// The nearest-rank percentile of sorted values: the smallest value at or above `p` percent of
/// them.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn latency(sorted: &[f64]) -> Latency {
    let round = |v: f64| (v * 100.0).round() / 100.0;
    let mean = sorted.iter().sum::<f64>() / sorted.len() as f64;
    Latency {
        min: round(sorted[0]),
        mean: round(mean),
        p50: round(percentile(sorted, 50.0)),
        p90: round(percentile(sorted, 90.0)),
        p95: round(percentile(sorted, 95.0)),
        p99: round(percentile(sorted, 99.0)),
        max: round(sorted[sorted.len() - 1]),
    }
}

/// Equal-width buckets from the fastest to the slowest answer (one bucket when all took the
/// same time).
fn histogram(sorted: &[f64]) -> Vec<Bucket> {
    let (low, high) = (sorted[0], sorted[sorted.len() - 1]);
    let buckets = if high > low { BUCKETS } else { 1 };
    let width = ((high - low) / buckets as f64).max(f64::MIN_POSITIVE);
    let mut counts = vec![0u64; buckets];
    for v in sorted {
        let i = (((v - low) / width) as usize).min(buckets - 1);
        counts[i] += 1;
    }
    let round = |v: f64| (v * 100.0).round() / 100.0;
    counts
        .into_iter()
        .enumerate()
        .map(|(i, count)| Bucket {
            from_ms: round(low + width * i as f64),
            to_ms: round(if i + 1 == buckets {
                high
            } else {
                low + width * (i + 1) as f64
            }),
            count,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(ms: u64, answer: Answer) -> Sample {
        Sample {
            sent: tokio::time::Instant::now(),
            latency: Duration::from_millis(ms),
            answer,
        }
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let values: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&values, 50.0), 50.0);
        assert_eq!(percentile(&values, 99.0), 99.0);
        assert_eq!(percentile(&values, 100.0), 100.0);
        assert_eq!(percentile(&[7.0], 99.0), 7.0);
    }

    #[test]
    fn counts_split_by_status_and_failure() {
        let samples = [
            sample(10, Answer::Status(200)),
            sample(20, Answer::Status(200)),
            sample(30, Answer::Status(500)),
            sample(40, Answer::Status(404)),
            sample(5000, Answer::Failed(Failure::Timeout)),
            sample(1, Answer::Failed(Failure::Refused)),
        ];
        let stats = Stats::of(&samples);
        assert_eq!(stats.requests, 6);
        assert_eq!(stats.succeeded, 2);
        assert!((stats.success_rate - 2.0 / 6.0).abs() < 1e-9);
        assert_eq!(
            stats.statuses,
            BTreeMap::from([(200, 2), (404, 1), (500, 1)])
        );
        assert_eq!(stats.errors.server, 1);
        assert_eq!(stats.errors.client, 1);
        assert_eq!(stats.errors.timeout, 1);
        assert_eq!(stats.errors.refused, 1);
        // Latency is of the answered requests only: the timeout's 5 s is not in it.
        let latency = stats.latency_ms.unwrap();
        assert_eq!((latency.min, latency.max), (10.0, 40.0));
        assert_eq!(stats.histogram.iter().map(|b| b.count).sum::<u64>(), 4);
    }

    #[test]
    fn a_uniform_spread_gives_its_quantiles_and_an_even_histogram() {
        // 50..=150 ms, 10 samples of each: percentiles where a uniform spread puts them.
        let samples: Vec<Sample> = (50..=150)
            .flat_map(|ms| std::iter::repeat_n(sample(ms, Answer::Status(200)), 10))
            .collect();
        let stats = Stats::of(&samples);
        let latency = stats.latency_ms.unwrap();
        assert_eq!(latency.p50, 100.0);
        assert!((148.0..=150.0).contains(&latency.p99), "{latency:?}");
        assert_eq!(stats.histogram.len(), BUCKETS);
        for bucket in &stats.histogram {
            assert!((90..=120).contains(&bucket.count), "{bucket:?}");
        }
    }

    #[test]
    fn nothing_measured_is_no_latency() {
        let stats = Stats::of(&[]);
        assert_eq!(stats.success_rate, 0.0);
        assert!(stats.latency_ms.is_none() && stats.histogram.is_empty());
        let same = Stats::of(&[sample(5, Answer::Status(200)); 3]);
        assert_eq!(same.histogram.len(), 1);
        assert_eq!(same.histogram[0].count, 3);
    }
}
