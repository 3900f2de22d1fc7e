//! The dependency-graph executor: every ready step runs at once, bounded per lane (region);
//! when a step fails, steps already running finish, its dependants are skipped, and every
//! failure is reported. Like a reconciler, a step returns an outcome rather than panicking.
//! Once a stop is requested, no step starts; the running ones finish.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use futures::stream::{FuturesUnordered, StreamExt};

use crate::progress::Progress;
use crate::stop::Stop;

pub struct Step<T> {
    /// What the step does, for progress and reports (`create c1/vpc`).
    pub label: String,
    /// Steps in one lane share its concurrency bound (one lane per region).
    pub lane: String,
    /// Indexes of steps that must succeed first.
    pub after: Vec<usize>,
    pub work: T,
}

/// How a step ended; `E` is the step's error, kept typed until a report prints it.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome<E = String> {
    /// Done, with what happened (`created vpc-0abc`).
    Done(String),
    Failed(E),
    /// Not run because a step it needs failed or was skipped.
    Skipped {
        because: String,
    },
    /// Not started because the run was asked to stop.
    NotStarted,
}

const STILL_RUNNING_EVERY: Duration = Duration::from_secs(20);

type Running<'a, E> = Pin<Box<dyn Future<Output = (usize, Result<String, E>, Duration)> + 'a>>;

/// Runs `steps`, at most `per_lane` at once in each lane, until done or `stop` is requested.
/// Returns one outcome per step.
#[cfg(test)]
pub async fn run<'a, T, E, F, Fut>(
    steps: &'a [Step<T>],
    per_lane: usize,
    progress: &'a dyn Progress,
    stop: &Stop,
    work: F,
) -> Vec<Outcome<E>>
where
    E: std::fmt::Display + 'a,
    F: Fn(&'a Step<T>) -> Fut,
    Fut: Future<Output = Result<String, E>> + 'a,
{
    let ran = run_timed(steps, per_lane, progress, stop, work).await;
    ran.into_iter().map(|(o, _)| o).collect()
}

/// `run`, with how long each step took (zero for those that did not run).
pub async fn run_timed<'a, T, E, F, Fut>(
    steps: &'a [Step<T>],
    per_lane: usize,
    progress: &'a dyn Progress,
    stop: &Stop,
    work: F,
) -> Vec<(Outcome<E>, Duration)>
where
    E: std::fmt::Display + 'a,
    F: Fn(&'a Step<T>) -> Fut,
    Fut: Future<Output = Result<String, E>> + 'a,
{
    let n = steps.len();
    let mut waiting: Vec<usize> = steps.iter().map(|s| s.after.len()).collect();
    let mut dependants: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, s) in steps.iter().enumerate() {
        for &d in &s.after {
            dependants[d].push(i);
        }
    }
    let mut outcomes: Vec<Option<Outcome<E>>> = (0..n).map(|_| None).collect();
    let mut took = vec![Duration::ZERO; n];
    let mut ready: Vec<usize> = (0..n).filter(|&i| waiting[i] == 0).collect();
    let mut busy: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    let mut running: FuturesUnordered<Running<'a, E>> = FuturesUnordered::new();
    let mut in_flight: std::collections::BTreeMap<usize, tokio::time::Instant> =
        std::collections::BTreeMap::new();
    progress.planned(n);
    loop {
        // Launch what is ready, in order, as long as its lane has room.
        let mut k = 0;
        while k < ready.len() && !stop.requested() {
            let i = ready[k];
            let lane = steps[i].lane.as_str();
            if busy.get(lane).copied().unwrap_or(0) < per_lane {
                ready.remove(k);
                *busy.entry(lane).or_default() += 1;
                progress.started(&steps[i].label);
                in_flight.insert(i, tokio::time::Instant::now());
                let fut = work(&steps[i]);
                running.push(Box::pin(async move {
                    let started = tokio::time::Instant::now();
                    let result = fut.await;
                    (i, result, started.elapsed())
                }));
            } else {
                k += 1;
            }
        }
        // Long steps (NAT gateways, load balancers) report every so often that they still run.
        let next = tokio::select! {
            next = running.next() => next,
            _ = tokio::time::sleep(STILL_RUNNING_EVERY) => {
                for (&i, started) in &in_flight {
                    progress.waiting(&steps[i].label, "still running", started.elapsed());
                }
                continue;
            }
        };
        let Some((i, result, elapsed)) = next else {
            break;
        };
        in_flight.remove(&i);
        took[i] = elapsed;
        *busy.entry(steps[i].lane.as_str()).or_default() -= 1;
        let said = match &result {
            Ok(what) => Ok(what.as_str()),
            Err(e) => Err(e.to_string()),
        };
        progress.finished(&steps[i].label, said.as_ref().map(|w| *w), elapsed);
        match result {
            Ok(what) => {
                outcomes[i] = Some(Outcome::Done(what));
                for &d in &dependants[i] {
                    waiting[d] -= 1;
                    if waiting[d] == 0 && outcomes[d].is_none() {
                        ready.push(d);
                    }
                }
            }
            Err(message) => {
                outcomes[i] = Some(Outcome::Failed(message));
                skip_dependants(i, steps, &dependants, &mut outcomes);
            }
        }
    }
    let stopped = stop.requested();
    outcomes
        .into_iter()
        .map(|o| match o {
            Some(o) => o,
            None if stopped => Outcome::NotStarted,
            None => Outcome::Skipped {
                because: "a dependency never finished".into(),
            },
        })
        .zip(took)
        .collect()
}

fn skip_dependants<T, E>(
    failed: usize,
    steps: &[Step<T>],
    dependants: &[Vec<usize>],
    outcomes: &mut [Option<Outcome<E>>],
) {
    let mut stack = vec![failed];
    while let Some(i) = stack.pop() {
        for &d in &dependants[i] {
            if outcomes[d].is_none() {
                outcomes[d] = Some(Outcome::Skipped {
                    because: steps[failed].label.clone(),
                });
                stack.push(d);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;
    use crate::progress::Silent;

    fn step(label: &str, lane: &str, after: &[usize]) -> Step<u64> {
        Step {
            label: label.into(),
            lane: lane.into(),
            after: after.to_vec(),
            work: 10,
        }
    }

    #[tokio::test(start_paused = true)]
    async fn runs_lanes_side_by_side_and_respects_order() {
        let steps = vec![
            step("a1", "a", &[]),
            step("b1", "b", &[]),
            step("a2", "a", &[0]),
            step("b2", "b", &[1]),
        ];
        let log = Mutex::new(Vec::new());
        let start = tokio::time::Instant::now();
        let out = run(&steps, 4, &Silent, &Stop::default(), |s| {
            let log = &log;
            async move {
                tokio::time::sleep(Duration::from_secs(s.work)).await;
                log.lock()
                    .unwrap()
                    .push((s.label.clone(), start.elapsed().as_secs()));
                Ok::<_, String>(String::new())
            }
        })
        .await;
        assert!(out.iter().all(|o| matches!(o, Outcome::Done(_))));
        let log = log.into_inner().unwrap();
        assert!(
            log.contains(&("a2".to_string(), 20)) && log.contains(&("b2".to_string(), 20)),
            "{log:?}"
        );
        assert_eq!(
            start.elapsed(),
            Duration::from_secs(20),
            "two lanes overlap"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_failure_skips_dependants_but_siblings_finish() {
        let steps = vec![
            step("root", "a", &[]),
            step("bad", "a", &[0]),
            step("sibling", "a", &[0]),
            step("child", "a", &[1]),
            step("grandchild", "a", &[3]),
        ];
        let out = run(&steps, 4, &Silent, &Stop::default(), |s| async move {
            tokio::time::sleep(Duration::from_secs(1)).await;
            if s.label == "bad" {
                Err("boom".to_string())
            } else {
                Ok::<_, String>(String::new())
            }
        })
        .await;
        assert_eq!(out[1], Outcome::Failed("boom".into()));
        assert!(matches!(out[2], Outcome::Done(_)));
        assert_eq!(
            out[3],
            Outcome::Skipped {
                because: "bad".into()
            }
        );
        assert_eq!(
            out[4],
            Outcome::Skipped {
                because: "bad".into()
            }
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_stop_lets_running_steps_finish_and_starts_no_more() {
        let steps = vec![
            step("first", "a", &[]),
            step("second", "a", &[0]),
            step("beside", "b", &[]),
        ];
        let stop = Stop::default();
        let out = run(&steps, 4, &Silent, &stop, |s| {
            let stop = stop.clone();
            async move {
                if s.label == "first" {
                    stop.request();
                }
                tokio::time::sleep(Duration::from_secs(5)).await;
                Ok::<_, String>(String::new())
            }
        })
        .await;
        assert!(matches!(out[0], Outcome::Done(_)), "running steps finish");
        assert!(matches!(out[2], Outcome::Done(_)), "running steps finish");
        assert_eq!(out[1], Outcome::NotStarted);
    }

    #[tokio::test(start_paused = true)]
    async fn lanes_are_bounded() {
        let steps: Vec<Step<u64>> = (0..6).map(|i| step(&format!("s{i}"), "a", &[])).collect();
        let start = tokio::time::Instant::now();
        run(&steps, 2, &Silent, &Stop::default(), |_| async {
            tokio::time::sleep(Duration::from_secs(10)).await;
            Ok::<_, String>(String::new())
        })
        .await;
        assert_eq!(
            start.elapsed(),
            Duration::from_secs(30),
            "6 steps, 2 at a time"
        );
    }
}
