//! Retries above the SDK's own: AWS is eventually consistent, so a resource made a moment ago
//! may be "not found" by the next call, a delete may meet a dependency that is still going
//! away, and a throttled call that exhausted the SDK's attempts can still be tried later.

use std::future::Future;
use std::time::Duration;

use crate::providers::{ErrorKind, ProviderError};

/// Which transient errors a call may wait out, besides throttling (always).
#[derive(Debug, Clone, Copy, Default)]
pub struct Tolerate {
    /// Read-after-write lag: something just made is not visible yet.
    pub not_found: bool,
    /// A delete blocked by something still going away (ENIs, attachments).
    pub dependency: bool,
    /// A state that passes (a WAF lock token that moved, a peering still provisioning).
    pub invalid_state: bool,
}

pub const LAG: Tolerate = Tolerate {
    not_found: true,
    dependency: false,
    invalid_state: false,
};
pub const DELETE: Tolerate = Tolerate {
    not_found: false,
    dependency: true,
    invalid_state: true,
};
pub const STATE: Tolerate = Tolerate {
    not_found: true,
    dependency: false,
    invalid_state: true,
};

const THROTTLE_ATTEMPTS: u32 = 12;
const LAG_MAX: Duration = Duration::from_secs(90);
const DEPENDENCY_MAX: Duration = Duration::from_secs(15 * 60);
const STATE_MAX: Duration = Duration::from_secs(5 * 60);

/// Calls `f` until it succeeds, fails for good, or its transient error outlasts its maximum.
pub async fn call<T, F, Fut>(tolerate: Tolerate, mut f: F) -> Result<T, ProviderError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, ProviderError>>,
{
    let started = tokio::time::Instant::now();
    let mut throttled = 0;
    let mut delay = Duration::from_millis(500);
    loop {
        let error = match f().await {
            Ok(v) => return Ok(v),
            Err(e) => e,
        };
        let limit = match error.kind {
            ErrorKind::Throttled => {
                throttled += 1;
                if throttled >= THROTTLE_ATTEMPTS {
                    return Err(error);
                }
                DEPENDENCY_MAX
            }
            ErrorKind::NotFound if tolerate.not_found => LAG_MAX,
            ErrorKind::DependencyViolation if tolerate.dependency => DEPENDENCY_MAX,
            ErrorKind::InvalidState if tolerate.invalid_state => STATE_MAX,
            _ => return Err(error),
        };
        if started.elapsed() + delay > limit {
            return Err(error);
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(20));
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;

    fn err(kind: ErrorKind) -> ProviderError {
        ProviderError::new(kind, "Op", "x")
    }

    #[tokio::test(start_paused = true)]
    async fn waits_out_lag_and_throttling_but_not_real_errors() {
        let n = Cell::new(0);
        let r = call(LAG, || {
            n.set(n.get() + 1);
            let k = n.get();
            async move {
                match k {
                    1 => Err(err(ErrorKind::Throttled)),
                    2 => Err(err(ErrorKind::NotFound)),
                    _ => Ok(k),
                }
            }
        })
        .await;
        assert_eq!(r.unwrap(), 3);
        let r: Result<(), _> = call(LAG, || async { Err(err(ErrorKind::Other)) }).await;
        assert_eq!(r.unwrap_err().kind, ErrorKind::Other);
        let r: Result<(), _> = call(Tolerate::default(), || async {
            Err(err(ErrorKind::NotFound))
        })
        .await;
        assert_eq!(
            r.unwrap_err().kind,
            ErrorKind::NotFound,
            "not tolerated: no retry"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn gives_up_after_the_maximum() {
        let start = tokio::time::Instant::now();
        let r: Result<(), _> = call(LAG, || async { Err(err(ErrorKind::NotFound)) }).await;
        assert!(r.is_err());
        assert!(start.elapsed() <= LAG_MAX);
        assert!(start.elapsed() >= Duration::from_secs(30));
    }
}
