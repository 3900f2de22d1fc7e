//! The experiment's form on a model of a workload and its traffic, in virtual time: the
//! figures are bounds derived from what the model was told to do.

use std::sync::Arc;
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use tokio::time::Instant;

use super::run::{Fault, Timing, Traffic, Verdict, experiment};
use crate::probe::Target;
use crate::probe::stats::Answer;
use crate::stop::Stop;

/// A workload that is broken from the injection until `heals` after it (a fault the cluster
/// repairs) or after the rollback (a lasting one); its traffic fails while it is broken.
#[derive(Default)]
struct Model {
    state: Mutex<State>,
    heals: Duration,
    lasts: Option<Duration>,
    never_heals: bool,
    inject_fails: bool,
    unhealthy_before: bool,
}

#[derive(Default)]
struct State {
    injected: Option<Instant>,
    removed: Option<Instant>,
    rollbacks: u32,
}

impl Model {
    fn broken(&self) -> bool {
        let s = self.state.lock().unwrap();
        let Some(injected) = s.injected else {
            return self.unhealthy_before;
        };
        if self.never_heals {
            return true;
        }
        let from = if self.lasts.is_some() {
            match s.removed {
                Some(r) => r,
                None => return true,
            }
        } else {
            injected
        };
        Instant::now() < from + self.heals
    }

    fn rollbacks(&self) -> u32 {
        self.state.lock().unwrap().rollbacks
    }
}

#[async_trait]
impl Fault for Model {
    async fn healthy(&self) -> Result<bool, String> {
        Ok(!self.broken())
    }
    async fn inject(&self) -> Result<String, String> {
        self.state.lock().unwrap().injected = Some(Instant::now());
        if self.inject_fails {
            return Err("refused".into());
        }
        Ok("broke it".into())
    }
    async fn rollback(&self) -> Result<String, String> {
        let mut s = self.state.lock().unwrap();
        s.rollbacks += 1;
        s.removed = Some(Instant::now());
        Ok("mended it".into())
    }
    fn lasts(&self) -> Option<Duration> {
        self.lasts
    }
}

/// Traffic through the model: 10 ms answers, 503 while it is broken.
struct Through(Arc<Model>);

#[async_trait]
impl Target for Through {
    async fn send(&self) -> Answer {
        tokio::time::sleep(Duration::from_millis(10)).await;
        Answer::Status(if self.0.broken() { 503 } else { 200 })
    }
}

const TIMING: Timing = Timing {
    steady: Duration::from_secs(3),
    timeout: Duration::from_secs(60),
    poll: Duration::from_millis(500),
    settle: Duration::from_secs(3),
};

fn traffic(model: &Arc<Model>) -> Option<Traffic> {
    Some(Traffic {
        target: Arc::new(Through(model.clone())),
        rate: 20.0,
        concurrency: 4,
        min_success: 95.0,
    })
}

#[tokio::test(start_paused = true)]
async fn a_fault_the_cluster_repairs_is_timed_from_the_injection() {
    let model = Arc::new(Model {
        heals: Duration::from_secs(7),
        ..Model::default()
    });
    let outcome = experiment(model.as_ref(), traffic(&model), TIMING, &Stop::default()).await;
    assert_eq!(outcome.verdict, Verdict::Recovered, "{outcome:?}");
    let t = &outcome.timeline;
    let recovery = t.recovery_seconds.unwrap();
    // Healed 7 s after the injection; seen within a poll and the probe's 2 s window.
    assert!((7.0..=7.0 + 0.5 + 2.0 + 0.1).contains(&recovery), "{t:?}");
    assert!(t.degraded.unwrap() <= t.injected.unwrap() + 0.6, "{t:?}");
    // Nothing to take out, but the rollback step ran once.
    assert_eq!(model.rollbacks(), 1);
    let names: Vec<&str> = outcome.phases.iter().map(|p| p.name).collect();
    assert_eq!(names, ["steady", "fault", "after"]);
    let [steady, fault, after] = [0, 1, 2].map(|i| outcome.phases[i].probe.clone().unwrap());
    assert_eq!(steady.success_rate, 1.0);
    // 20 requests a second; 7 of the fault phase's 7–9.6 s broken.
    assert!(
        fault.success_rate < 0.95 && fault.errors.server >= 7 * 20 - 4,
        "{fault:?}"
    );
    assert!(
        after.success_rate == 1.0 && after.requests >= 3 * 20 - 4,
        "{after:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_lasting_fault_is_taken_out_after_its_time_and_timed_from_then() {
    let model = Arc::new(Model {
        heals: Duration::from_secs(2),
        lasts: Some(Duration::from_secs(10)),
        ..Model::default()
    });
    let outcome = experiment(model.as_ref(), traffic(&model), TIMING, &Stop::default()).await;
    assert_eq!(outcome.verdict, Verdict::Recovered, "{outcome:?}");
    let t = &outcome.timeline;
    let removed = t.rolled_back.unwrap() - t.injected.unwrap();
    assert!((10.0..=10.6).contains(&removed), "{t:?}");
    let recovery = t.recovery_seconds.unwrap();
    assert!((2.0..=2.0 + 0.5 + 2.0 + 0.1).contains(&recovery), "{t:?}");
    assert_eq!(model.rollbacks(), 1, "taken out once, not again at the end");
}

#[tokio::test(start_paused = true)]
async fn no_recovery_within_the_timeout_still_rolls_back() {
    let model = Arc::new(Model {
        never_heals: true,
        ..Model::default()
    });
    let timing = Timing {
        timeout: Duration::from_secs(5),
        ..TIMING
    };
    let outcome = experiment(model.as_ref(), traffic(&model), timing, &Stop::default()).await;
    assert_eq!(outcome.verdict, Verdict::NotRecovered);
    assert!(outcome.timeline.recovered.is_none());
    assert_eq!(model.rollbacks(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_stop_during_the_fault_rolls_back() {
    let model = Arc::new(Model {
        lasts: Some(Duration::from_secs(30)),
        ..Model::default()
    });
    let stop = Stop::default();
    let asker = stop.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(5)).await;
        asker.request();
    });
    let outcome = experiment(model.as_ref(), traffic(&model), TIMING, &stop).await;
    assert_eq!(outcome.verdict, Verdict::Interrupted);
    assert_eq!(model.rollbacks(), 1);
    assert!(outcome.timeline.rolled_back.unwrap() < 5.5);
}

#[tokio::test(start_paused = true)]
async fn a_missed_steady_state_puts_no_fault_in() {
    let model = Arc::new(Model {
        unhealthy_before: true,
        ..Model::default()
    });
    let outcome = experiment(model.as_ref(), None, TIMING, &Stop::default()).await;
    assert_eq!(outcome.verdict, Verdict::SteadyStateMissed);
    assert!(outcome.timeline.injected.is_none());
    assert_eq!(model.rollbacks(), 0);
}

#[tokio::test(start_paused = true)]
async fn a_failed_injection_is_rolled_back_too() {
    let model = Arc::new(Model {
        inject_fails: true,
        ..Model::default()
    });
    let outcome = experiment(model.as_ref(), None, TIMING, &Stop::default()).await;
    assert_eq!(outcome.verdict, Verdict::Failed);
    assert!(outcome.error.unwrap().contains("injection failed"));
    assert_eq!(model.rollbacks(), 1, "what it may have done is taken out");
}
