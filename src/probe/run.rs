//! Sending the probe's requests: a number of them or for a duration, at a rate or as fast as
//! the concurrency allows, never more than `concurrency` in flight, stopping early on request.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinSet;
use tokio::time::Instant;

use super::stats::{Answer, Sample};
use crate::stop::Stop;

/// One request to the target, however it is sent (HTTP in the product, a model in tests).
#[async_trait]
pub trait Target: Send + Sync {
    async fn send(&self) -> Answer;
}

/// How many requests, how fast.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Load {
    /// Send at most this many requests.
    pub requests: u64,
    /// Start no request after this long.
    pub duration: Option<Duration>,
    /// Requests started per second; `None`: as fast as `concurrency` allows.
    pub rate: Option<f64>,
    pub concurrency: usize,
}

/// What a run measured, and whether it was cut short.
#[derive(Debug, Clone)]
pub struct Measured {
    pub samples: Vec<Sample>,
    pub elapsed: Duration,
    pub interrupted: bool,
}

/// Sends `load` to `target`. Each finished request goes to `tee` as well (when given), as it
/// finishes, for a watcher such as a chaos experiment. When `stop` is requested no request is
/// started, those in flight are abandoned, and what finished is returned.
pub async fn run(
    target: Arc<dyn Target>,
    load: Load,
    stop: &Stop,
    tee: Option<mpsc::UnboundedSender<Sample>>,
) -> Measured {
    let start = Instant::now();
    let slots = Arc::new(Semaphore::new(load.concurrency.max(1)));
    let (done_tx, mut done_rx) = mpsc::unbounded_channel::<Sample>();
    let mut flying = JoinSet::new();
    let mut samples = Vec::new();
    let mut interrupted = false;
    let deadline = load.duration.map(|d| start + d);
    let mut sent = 0u64;
    while sent < load.requests {
        if let Some(rate) = load.rate {
            let due = start + Duration::from_secs_f64(sent as f64 / rate);
            if deadline.is_some_and(|d| due >= d) {
                break;
            }
            tokio::select! {
                _ = tokio::time::sleep_until(due) => {}
                _ = stop.wait() => { interrupted = true; break; }
            }
        }
        if deadline.is_some_and(|d| Instant::now() >= d) {
            break;
        }
        let permit = tokio::select! {
            permit = slots.clone().acquire_owned() => permit.expect("the semaphore is never closed"),
            _ = stop.wait() => { interrupted = true; break; }
        };
        let (target, done) = (target.clone(), done_tx.clone());
        flying.spawn(async move {
            let at = Instant::now();
            let answer = target.send().await;
            let _ = done.send(Sample {
                sent: at,
                latency: at.elapsed(),
                answer,
            });
            drop(permit);
        });
        sent += 1;
        while let Ok(sample) = done_rx.try_recv() {
            keep(sample, &mut samples, tee.as_ref());
        }
        // Reap finished tasks so the set stays as small as what is in flight.
        while flying.try_join_next().is_some() {}
    }
    drop(done_tx);
    if !interrupted {
        tokio::select! {
            _ = async { while flying.join_next().await.is_some() {} } => {}
            _ = stop.wait() => interrupted = true,
        }
    }
    flying.abort_all();
    while let Ok(sample) = done_rx.try_recv() {
        keep(sample, &mut samples, tee.as_ref());
    }
    Measured {
        samples,
        elapsed: start.elapsed(),
        interrupted,
    }
}

fn keep(sample: Sample, samples: &mut Vec<Sample>, tee: Option<&mpsc::UnboundedSender<Sample>>) {
    if let Some(tee) = tee {
        let _ = tee.send(sample);
    }
    samples.push(sample);
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// Answers after `delay`, counting how many requests are in flight at once.
    struct Slow {
        delay: Duration,
        now: AtomicUsize,
        most: AtomicUsize,
    }

    #[async_trait]
    impl Target for Slow {
        async fn send(&self) -> Answer {
            let now = self.now.fetch_add(1, Ordering::SeqCst) + 1;
            self.most.fetch_max(now, Ordering::SeqCst);
            tokio::time::sleep(self.delay).await;
            self.now.fetch_sub(1, Ordering::SeqCst);
            Answer::Status(200)
        }
    }

    fn slow(ms: u64) -> Arc<Slow> {
        Arc::new(Slow {
            delay: Duration::from_millis(ms),
            now: AtomicUsize::new(0),
            most: AtomicUsize::new(0),
        })
    }

    #[tokio::test(start_paused = true)]
    async fn concurrency_is_bounded_and_every_request_is_measured() {
        let target = slow(100);
        let load = Load {
            requests: 50,
            duration: None,
            rate: None,
            concurrency: 5,
        };
        let measured = run(target.clone(), load, &Stop::default(), None).await;
        assert_eq!(measured.samples.len(), 50);
        assert_eq!(target.most.load(Ordering::SeqCst), 5);
        // 50 requests of 100 ms, 5 at a time: 10 rounds.
        assert!(measured.elapsed >= Duration::from_millis(1000));
        assert!(measured.elapsed < Duration::from_millis(1100));
        assert!(!measured.interrupted);
    }

    #[tokio::test(start_paused = true)]
    async fn a_rate_for_a_duration_sends_rate_times_duration() {
        let target = slow(10);
        let load = Load {
            requests: u64::MAX,
            duration: Some(Duration::from_secs(3)),
            rate: Some(20.0),
            concurrency: 10,
        };
        let (tx, mut rx) = mpsc::unbounded_channel();
        let measured = run(target, load, &Stop::default(), Some(tx)).await;
        assert_eq!(measured.samples.len(), 60);
        let mut teed = 0;
        while rx.try_recv().is_ok() {
            teed += 1;
        }
        assert_eq!(teed, 60);
    }

    #[tokio::test(start_paused = true)]
    async fn a_stop_returns_what_was_measured_so_far() {
        let target = slow(50);
        let load = Load {
            requests: 1000,
            duration: None,
            rate: Some(10.0),
            concurrency: 4,
        };
        let stop = Stop::default();
        let asker = stop.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(1020)).await;
            asker.request();
        });
        let measured = run(target, load, &stop, None).await;
        assert!(measured.interrupted);
        // About 10 requests a second for one second.
        assert!(
            (9..=11).contains(&measured.samples.len()),
            "{}",
            measured.samples.len()
        );
        assert!(measured.elapsed < Duration::from_millis(1100));
    }
}
