//! What every fake call does: count itself, wait, maybe fail, then work on the locked state
//! under the name of its operation.

use std::collections::BTreeMap;
use std::sync::MutexGuard;
use std::time::Duration;

use tokio::time::Instant;

use super::{Behaviour, FakeRegion, Inner, Kept, Life, Living, Region, State, Tagged};
use crate::providers::{ErrorKind, ProviderError, Result, Tags};

impl Inner {
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere cannot leave the state half-written: every change is one assignment.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn behaviour(&self) -> Behaviour {
        self.behaviour.lock().map(|b| b.clone()).unwrap_or_default()
    }
}

impl FakeRegion {
    /// Every call: counted, delayed by the latency, maybe failed or throttled. Throttling is
    /// retried here up to three attempts with backoff, as the SDK's standard retry mode does
    /// for the real adapter, before the error reaches the engine. (The SDK also repeats 5xx
    /// answers and timeouts, but not for creates that must not be repeated blindly; a lost
    /// answer here reaches the engine as it does from those.)
    pub(crate) async fn call(&self, service: &str, operation: &'static str) -> Result<Op> {
        const SDK_ATTEMPTS: u32 = 3;
        self.world.stats.record(service, operation);
        let behaviour = self.world.behaviour();
        for attempt in 1..=SDK_ATTEMPTS {
            tokio::time::sleep(behaviour.latency).await;
            // The lock is held only inside this block, never across an await.
            let throttled = {
                let mut s = self.world.lock();
                if let Some(queue) = s.failures.get_mut(operation)
                    && let Some((kind, left)) = queue.first_mut()
                {
                    let kind = *kind;
                    *left -= 1;
                    if *left == 0 {
                        queue.remove(0);
                    }
                    return Err(ProviderError::new(kind, operation, "injected failure"));
                }
                // xorshift: deterministic, so a throttled test run is repeatable.
                s.rng ^= s.rng << 13;
                s.rng ^= s.rng >> 7;
                s.rng ^= s.rng << 17;
                ((s.rng % 10_000) as f64 / 10_000.0) < behaviour.throttle
            };
            if !throttled {
                return Ok(Op(operation));
            }
            (self.world.throttled).fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            if attempt < SDK_ATTEMPTS {
                tokio::time::sleep(Duration::from_millis(100 << attempt)).await;
            }
        }
        Err(ProviderError::new(
            ErrorKind::Throttled,
            operation,
            "Rate exceeded",
        ))
    }

    /// Runs `f` on the locked state with the current lag, once this region is known to it. A
    /// call whose answer is to be lost takes effect and then fails as a 500 does.
    pub(crate) fn with<R>(
        &self,
        op: Op,
        f: impl FnOnce(&mut State, Duration) -> Result<R>,
    ) -> Result<R> {
        let lag = self.world.behaviour().lag;
        let mut s = self.world.lock();
        if !s.regions.contains_key(&self.region) {
            return Err(op.refused(format!("unknown region {}", self.region)));
        }
        let answer = f(&mut s, lag)?;
        if let Some(left) = s.lost.get_mut(op.0).filter(|left| **left > 0) {
            *left -= 1;
            return Err(op.error(
                ErrorKind::Ambiguous,
                "InternalError: the answer was lost after the change was made",
            ));
        }
        Ok(answer)
    }

    /// What the first call with client `token` made, if there was one; else `make`'s new id,
    /// remembered under the token (as EC2 and EKS keep a token's answer).
    pub(crate) fn once(
        &self,
        token: &str,
        s: &mut State,
        make: impl FnOnce(&mut State) -> Result<String>,
    ) -> Result<String> {
        if let Some(id) = s.tokens.get(token) {
            return Ok(id.clone());
        }
        let id = make(s)?;
        s.tokens.insert(token.to_string(), id.clone());
        Ok(id)
    }

    /// Runs `f` on this region's resources with the current lag.
    pub(crate) fn in_region<R>(
        &self,
        op: Op,
        f: impl FnOnce(&mut Region, Duration) -> Result<R>,
    ) -> Result<R> {
        self.with(op, |s, lag| f(self.here(s), lag))
    }

    /// This region in the state (which [`FakeRegion::with`] has checked).
    pub(crate) fn here<'s>(&self, s: &'s mut State) -> &'s mut Region {
        s.regions.get_mut(&self.region).expect("checked by `with`")
    }

    /// A new resource of this region: `make` checks what it needs and builds it from its new id
    /// (`<prefix>-…`), a life that is ready after `ready_after`, and the lag. Its id.
    pub(crate) fn create<V: Kept>(
        &self,
        op: Op,
        prefix: &str,
        ready_after: Duration,
        make: impl FnOnce(&mut Region, &str, Life, Duration) -> Result<V>,
    ) -> Result<String> {
        self.with(op, |s, lag| {
            let id = self.new_id(s, prefix);
            let life = self.life(ready_after);
            let r = self.here(s);
            let resource = make(r, &id, life, lag)?;
            V::kept(r).insert(id.clone(), resource);
            Ok(id)
        })
    }

    pub(crate) fn life(&self, ready_after: Duration) -> Life {
        let now = Instant::now();
        Life {
            created: now,
            ready: now + ready_after,
        }
    }

    pub(crate) fn new_id(&self, s: &mut State, prefix: &str) -> String {
        s.next_id += 1;
        format!("{prefix}-{:08x}", s.next_id)
    }

    pub(crate) fn arn(&self, s: &mut State, service: &str, kind: &str) -> String {
        s.next_id += 1;
        format!(
            "arn:aws:{service}:{}:123456789012:{kind}/{:08x}",
            self.region, s.next_id
        )
    }
}

/// Whether a resource is visible yet (read-after-write lag).
pub(crate) fn visible(life: &Life, lag: Duration) -> bool {
    Instant::now() >= life.created + lag
}

/// The operation a call plays, as [`FakeRegion::call`] answers it: what names the errors of
/// that call, so that each method names its operation once.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Op(pub &'static str);

impl Op {
    pub(crate) fn error(self, kind: ErrorKind, message: impl Into<String>) -> ProviderError {
        ProviderError::new(kind, self.0, message)
    }

    pub(crate) fn not_found(self, what: &str) -> ProviderError {
        self.error(ErrorKind::NotFound, format!("{what} does not exist"))
    }

    /// Something still depends on the resource.
    pub(crate) fn in_use(self, why: impl Into<String>) -> ProviderError {
        self.error(ErrorKind::DependencyViolation, why)
    }

    pub(crate) fn exists(self, why: impl Into<String>) -> ProviderError {
        self.error(ErrorKind::AlreadyExists, why)
    }

    pub(crate) fn invalid_state(self, why: impl Into<String>) -> ProviderError {
        self.error(ErrorKind::InvalidState, why)
    }

    pub(crate) fn refused(self, why: impl Into<String>) -> ProviderError {
        self.error(ErrorKind::Other, why)
    }

    /// The resource `id` of `resources`, or NotFound.
    pub(crate) fn get<'m, V>(self, resources: &'m BTreeMap<String, V>, id: &str) -> Result<&'m V> {
        resources.get(id).ok_or_else(|| self.not_found(id))
    }

    pub(crate) fn get_mut<'m, V>(
        self,
        resources: &'m mut BTreeMap<String, V>,
        id: &str,
    ) -> Result<&'m mut V> {
        resources.get_mut(id).ok_or_else(|| self.not_found(id))
    }

    pub(crate) fn remove<V>(self, resources: &mut BTreeMap<String, V>, id: &str) -> Result<V> {
        resources.remove(id).ok_or_else(|| self.not_found(id))
    }

    /// The resource `id` of `resources` once the lag lets it be seen, or NotFound.
    pub(crate) fn seen<'m, V: Living>(
        self,
        resources: &'m BTreeMap<String, V>,
        id: &str,
        lag: Duration,
    ) -> Result<&'m V> {
        resources
            .get(id)
            .filter(|v| visible(v.life(), lag))
            .ok_or_else(|| self.not_found(id))
    }

    pub(crate) fn seen_mut<'m, V: Living>(
        self,
        resources: &'m mut BTreeMap<String, V>,
        id: &str,
        lag: Duration,
    ) -> Result<&'m mut V> {
        resources
            .get_mut(id)
            .filter(|v| visible(v.life(), lag))
            .ok_or_else(|| self.not_found(id))
    }
}

/// The tags of the resource `id` of `resources`, if it is one of them.
pub(crate) fn tags_of<'m, V: Tagged>(
    resources: &'m mut BTreeMap<String, V>,
    id: &str,
) -> Option<&'m mut Tags> {
    resources.get_mut(id).map(Tagged::tags_mut)
}

/// Changes tags as the services' untag and tag calls do: the keys to remove, then the tags to
/// add.
pub(crate) fn retag(tags: &mut Tags, add: &Tags, remove: &[String]) {
    for k in remove {
        tags.remove(k);
    }
    tags.extend(add.iter().map(|(k, v)| (k.clone(), v.clone())));
}

pub(crate) fn owned(tags: &Tags, stack: &str) -> bool {
    tags.get(crate::model::TAG_STACK).map(String::as_str) == Some(stack)
}

/// Polls `ready` once a second (virtual time under test) until it says yes, at most `max`.
pub(crate) async fn poll(
    operation: &'static str,
    max: Duration,
    mut ready: impl FnMut() -> Result<bool>,
) -> Result<()> {
    let started = Instant::now();
    loop {
        if ready()? {
            return Ok(());
        }
        if started.elapsed() >= max {
            return Err(ProviderError::new(
                ErrorKind::Other,
                operation,
                format!("not ready after {}s", max.as_secs()),
            ));
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}
