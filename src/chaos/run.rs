//! An experiment in the form chaos tools use: the steady state is checked, the fault goes in,
//! the service is watched until it recovers or the time is up, the fault is always taken out
//! again (also on error or a stop), and each phase's figures are reported.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde::Serialize;
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::probe::stats::Sample;
use crate::probe::{Load, Stats, Target};
use crate::stop::Stop;

/// What an experiment does to the world; implemented against Kubernetes and AWS, and by a
/// model in the tests.
#[async_trait]
pub trait Fault: Send + Sync {
    /// Whether the workload is whole: every replica available (and, for a fault that
    /// replaces something, the replaced thing gone). `Err` when it cannot be read.
    async fn healthy(&self) -> Result<bool, String>;
    /// Puts the fault in; says what it did.
    async fn inject(&self) -> Result<String, String>;
    /// Takes the fault out (a no-op for what the cluster repairs by itself); says what it did.
    async fn rollback(&self) -> Result<String, String>;
    /// How long a fault that stays until removed stays: `None` for one the cluster repairs.
    fn lasts(&self) -> Option<Duration>;
}

/// The experiment's time bounds.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    /// The probe's steady-state window before the fault.
    pub steady: Duration,
    /// From the injection, how long to wait for recovery before calling it failed.
    pub timeout: Duration,
    /// How often the workload is read.
    pub poll: Duration,
    /// After recovery, how long the probe keeps measuring.
    pub settle: Duration,
}

/// The probe that runs through the experiment, and the success rate the steady state needs.
pub struct Traffic {
    pub target: Arc<dyn Target>,
    pub rate: f64,
    pub concurrency: usize,
    /// Percent; the steady state and the recovery must reach it.
    pub min_success: f64,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Phase {
    pub name: &'static str,
    /// Seconds from the start of the experiment.
    pub from: f64,
    pub to: f64,
    /// The probe's figures in this phase (`None` without a probe).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub probe: Option<Stats>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Timeline {
    /// Seconds from the start of the experiment; `None` when it did not happen.
    pub injected: Option<f64>,
    pub degraded: Option<f64>,
    pub rolled_back: Option<f64>,
    pub recovered: Option<f64>,
    /// From the injection (a fault the cluster repairs) or from the rollback (a fault that
    /// stays until removed) to recovery.
    pub recovery_seconds: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Outcome {
    /// `recovered`, `notRecovered` (timed out), `steadyStateMissed` (no fault was put in),
    /// `interrupted`, `failed` (an error).
    pub verdict: Verdict,
    pub injection: Option<String>,
    pub rollback: Option<String>,
    /// What went wrong, when something did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub timeline: Timeline,
    pub phases: Vec<Phase>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Verdict {
    Recovered,
    NotRecovered,
    SteadyStateMissed,
    Interrupted,
    Failed,
}

/// Runs one experiment. The rollback runs on every path once the injection was tried.
pub async fn experiment(
    fault: &dyn Fault,
    traffic: Option<Traffic>,
    timing: Timing,
    stop: &Stop,
) -> Outcome {
    let start = Instant::now();
    let at = |t: Instant| round(t.duration_since(start).as_secs_f64());
    let probe_stop = Stop::default();
    let (tx, mut rx) = mpsc::unbounded_channel::<Sample>();
    let min_success = traffic.as_ref().map(|t| t.min_success);
    let probe = traffic.map(|t| {
        let load = Load {
            requests: u64::MAX,
            duration: None,
            rate: Some(t.rate),
            concurrency: t.concurrency,
        };
        let probe_stop = probe_stop.clone();
        tokio::spawn(
            async move { crate::probe::run::run(t.target, load, &probe_stop, Some(tx)).await },
        )
    });
    let mut samples: Vec<Sample> = Vec::new();
    let mut timeline = Timeline {
        injected: None,
        degraded: None,
        rolled_back: None,
        recovered: None,
        recovery_seconds: None,
    };
    let mut outcome = Outcome {
        verdict: Verdict::Failed,
        injection: None,
        rollback: None,
        error: None,
        timeline: timeline.clone(),
        phases: Vec::new(),
    };
    let mut marks: Vec<(&'static str, Instant)> = vec![("steady", start)];

    // Steady state: whole, and (with a probe) the success rate reached over the window.
    let steady = async {
        if probe.is_some() {
            tokio::time::sleep(timing.steady).await;
        }
        fault.healthy().await
    };
    let steady = tokio::select! {
        s = steady => Some(s),
        _ = stop.wait() => None,
    };
    drain(&mut rx, &mut samples);
    match steady {
        None => outcome.verdict = Verdict::Interrupted,
        Some(Err(e)) => outcome.error = Some(format!("reading the steady state: {e}")),
        Some(Ok(false)) => {
            outcome.verdict = Verdict::SteadyStateMissed;
            outcome.error = Some("the workload is not whole before the experiment".into());
        }
        Some(Ok(true)) => {
            let rate = Stats::of(&samples).success_rate * 100.0;
            match min_success {
                Some(min) if rate + 1e-9 < min => {
                    outcome.verdict = Verdict::SteadyStateMissed;
                    outcome.error = Some(format!(
                        "the probe's success rate before the fault is {rate:.1}%, below {min}%"
                    ));
                }
                _ => {
                    let injected = Instant::now();
                    marks.push(("fault", injected));
                    timeline.injected = Some(at(injected));
                    observe(
                        fault,
                        timing,
                        stop,
                        min_success,
                        &mut rx,
                        &mut samples,
                        &mut outcome,
                        &mut timeline,
                        &mut marks,
                        injected,
                    )
                    .await;
                }
            }
        }
    }
    // The rollback, whatever happened, once the injection was tried.
    if timeline.injected.is_some() && timeline.rolled_back.is_none() {
        match fault.rollback().await {
            Ok(done) => {
                outcome.rollback = Some(done);
                timeline.rolled_back = Some(at(Instant::now()));
            }
            Err(e) => {
                outcome.verdict = Verdict::Failed;
                outcome.error = Some(format!("the rollback failed: {e}"));
            }
        }
    }
    probe_stop.request();
    if let Some(probe) = probe {
        let _ = probe.await;
    }
    drain(&mut rx, &mut samples);
    let end = Instant::now();
    outcome.phases = phases(&marks, end, &samples, min_success.is_some(), at);
    outcome.timeline = timeline;
    outcome
}

/// From the injection: watch until recovered or the timeout, taking a lasting fault out when
/// its time is up, then let the probe settle.
#[allow(clippy::too_many_arguments)]
async fn observe(
    fault: &dyn Fault,
    timing: Timing,
    stop: &Stop,
    min_success: Option<f64>,
    rx: &mut mpsc::UnboundedReceiver<Sample>,
    samples: &mut Vec<Sample>,
    outcome: &mut Outcome,
    timeline: &mut Timeline,
    marks: &mut Vec<(&'static str, Instant)>,
    injected: Instant,
) {
    let start = marks[0].1;
    let at = |t: Instant| round(t.duration_since(start).as_secs_f64());
    match fault.inject().await {
        Ok(done) => outcome.injection = Some(done),
        Err(e) => {
            outcome.error = Some(format!("the injection failed: {e}"));
            return;
        }
    }
    let deadline = injected + timing.timeout;
    let mut removed_at: Option<Instant> = None;
    loop {
        tokio::select! {
            _ = tokio::time::sleep(timing.poll) => {}
            _ = stop.wait() => { outcome.verdict = Verdict::Interrupted; return; }
        }
        let now = Instant::now();
        drain(rx, samples);
        if let Some(lasts) = fault.lasts()
            && removed_at.is_none()
            && now >= injected + lasts
        {
            match fault.rollback().await {
                Ok(done) => outcome.rollback = Some(done),
                Err(e) => {
                    outcome.error = Some(format!("the rollback failed: {e}"));
                    return;
                }
            }
            removed_at = Some(Instant::now());
            timeline.rolled_back = Some(at(Instant::now()));
            marks.push(("recovery", Instant::now()));
        }
        let whole = match fault.healthy().await {
            Ok(whole) => whole,
            Err(e) => {
                outcome.error = Some(format!("reading the workload: {e}"));
                return;
            }
        };
        let traffic_ok = min_success.is_none_or(|min| recent_ok(samples, now, min));
        if (!whole || !traffic_ok) && timeline.degraded.is_none() {
            timeline.degraded = Some(at(now));
        }
        let may_recover = fault.lasts().is_none() || removed_at.is_some();
        if may_recover && whole && traffic_ok {
            timeline.recovered = Some(at(now));
            let from = removed_at.unwrap_or(injected);
            timeline.recovery_seconds = Some(round(now.duration_since(from).as_secs_f64()));
            outcome.verdict = Verdict::Recovered;
            marks.push(("after", now));
            break;
        }
        if now >= deadline {
            outcome.verdict = Verdict::NotRecovered;
            outcome.error = Some(format!(
                "not recovered {} s after the injection",
                timing.timeout.as_secs()
            ));
            return;
        }
    }
    if min_success.is_some() {
        tokio::select! {
            _ = tokio::time::sleep(timing.settle) => {}
            _ = stop.wait() => {}
        }
    }
}

/// The last two seconds of answers reach `min` percent (no answer yet counts as not ok).
fn recent_ok(samples: &[Sample], now: Instant, min: f64) -> bool {
    let window = Duration::from_secs(2);
    let recent: Vec<Sample> = samples
        .iter()
        .filter(|s| now.duration_since(s.sent) <= window)
        .copied()
        .collect();
    !recent.is_empty() && Stats::of(&recent).success_rate * 100.0 + 1e-9 >= min
}

fn drain(rx: &mut mpsc::UnboundedReceiver<Sample>, samples: &mut Vec<Sample>) {
    while let Ok(s) = rx.try_recv() {
        samples.push(s);
    }
}

fn phases(
    marks: &[(&'static str, Instant)],
    end: Instant,
    samples: &[Sample],
    probed: bool,
    at: impl Fn(Instant) -> f64,
) -> Vec<Phase> {
    marks
        .iter()
        .enumerate()
        .map(|(i, (name, from))| {
            let to = marks.get(i + 1).map_or(end, |m| m.1);
            let inside: Vec<Sample> = samples
                .iter()
                .filter(|s| s.sent >= *from && s.sent < to)
                .copied()
                .collect();
            Phase {
                name,
                from: at(*from),
                to: at(to),
                probe: probed.then(|| Stats::of(&inside)),
            }
        })
        .collect()
}

fn round(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}
