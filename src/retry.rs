//! The one retry policy above the SDK's own, keyed by the error's kind and by what the call
//! does. AWS is eventually consistent: a resource made a moment ago may be "not found" by the
//! next call, a delete may meet a dependency that is still going away, a state may pass (a WAF
//! lock token that moved, a peering still provisioning), and throttling that exhausted the SDK's
//! attempts can still be tried later.

use std::future::Future;
use std::time::Duration;

use crate::providers::{ErrorKind, ProviderError};

/// What a call does, which decides what its errors mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    /// Discovery's reads: only throttling is waited out; anything else is an answer.
    Discover,
    /// A create, update or read while changing things: what was just made may not be visible
    /// yet, and a state may still pass.
    Change,
    /// A wait for a state: lag is waited out; a state the call refuses is final (a NAT gateway
    /// that failed, a peering rejected).
    Wait,
    /// A delete: not there means done, a dependency still going away and a passing state are
    /// waited out.
    Delete,
    /// A create that may not be repeated blindly: an ambiguous failure or "already exists" is
    /// for [`create`] to settle by reading the world.
    Create,
}

/// How long one kind of transient error may be waited out; `None` where it is final.
fn patience(call: Call, kind: ErrorKind) -> Option<Duration> {
    use Call::*;
    use ErrorKind::*;
    match (kind, call) {
        (Throttled, _) => Some(DEPENDENCY_MAX),
        // Waits, deletes and changes that set a value can be repeated safely. Discovery's
        // reads are not waited for: the SDK has retried them, and an endpoint that does not
        // answer should fail the run soon.
        (Ambiguous, Change | Wait | Delete) => Some(AMBIGUOUS_MAX),
        (NotFound, Change | Wait | Create) => Some(LAG_MAX),
        (DependencyViolation, Delete) => Some(DEPENDENCY_MAX),
        (InvalidState, Change | Delete) => Some(STATE_MAX),
        // Credentials AWS refuses and calls the policies deny get the same answer every time:
        // said at once, with what to do.
        (Credentials | AccessDenied, _) => None,
        _ => None,
    }
}

const THROTTLE_ATTEMPTS: u32 = 12;
const LAG_MAX: Duration = Duration::from_secs(90);
const DEPENDENCY_MAX: Duration = Duration::from_secs(15 * 60);
const STATE_MAX: Duration = Duration::from_secs(5 * 60);
const AMBIGUOUS_MAX: Duration = Duration::from_secs(2 * 60);
/// How many times a create is tried again after its answers were lost and what it would have
/// made was not found.
const LOST_ATTEMPTS: u32 = 3;
/// Waits before each read for what a lost create may have made: a new resource can take a
/// moment to be listed.
const SETTLE: [Duration; 2] = [Duration::from_secs(1), Duration::from_secs(4)];

/// Calls `f` until it succeeds, fails for good, or its transient error outlasts its patience.
pub async fn call<T, F, Fut>(what: Call, mut f: F) -> Result<T, ProviderError>
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
        if error.kind == ErrorKind::Throttled {
            throttled += 1;
            if throttled >= THROTTLE_ATTEMPTS {
                return Err(error);
            }
        }
        let Some(limit) = patience(what, error.kind) else {
            return Err(error);
        };
        if started.elapsed() + delay > limit {
            return Err(error);
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(20));
    }
}

/// A read of discovery.
pub async fn discover<T, F, Fut>(f: F) -> Result<T, ProviderError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, ProviderError>>,
{
    call(Call::Discover, f).await
}

/// A create, update or read while changing things.
pub async fn change<T, F, Fut>(f: F) -> Result<T, ProviderError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, ProviderError>>,
{
    call(Call::Change, f).await
}

/// A create AWS takes no client token for (`CreateVpc`, `CreateSubnet`, …): repeating it after
/// a lost answer would make a second resource. So after an ambiguous failure, or "already
/// exists", `find` reads the world for what the call would have made, and only if it is not
/// there is the create tried again (an "already exists" with nothing to find is final).
pub async fn create<T, F, Fut, G, GFut>(make: F, find: G) -> Result<T, ProviderError>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<T, ProviderError>>,
    G: Fn() -> GFut,
    GFut: Future<Output = Result<Option<T>, ProviderError>>,
{
    let mut lost = 0;
    loop {
        let error = match call(Call::Create, &make).await {
            Ok(v) => return Ok(v),
            Err(e) if matches!(e.kind, ErrorKind::Ambiguous | ErrorKind::AlreadyExists) => e,
            Err(e) => return Err(e),
        };
        for settle in SETTLE {
            tokio::time::sleep(settle).await;
            if let Some(made) = find().await? {
                return Ok(made);
            }
        }
        lost += 1;
        if error.kind == ErrorKind::AlreadyExists || lost >= LOST_ATTEMPTS {
            return Err(error);
        }
    }
}

/// A change whose effect can be read back (an accept, an authorize): when it fails in a way
/// that may mean it is done already — its answer lost, "already accepted", "already exists" —
/// `done` reads the world and decides; otherwise the change policy goes on.
pub async fn checked<F, Fut, G, GFut>(act: F, done: G) -> Result<(), ProviderError>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<(), ProviderError>>,
    G: Fn() -> GFut,
    GFut: Future<Output = Result<bool, ProviderError>>,
{
    use ErrorKind::*;
    change(|| async {
        match act().await {
            Err(e) if matches!(e.kind, Ambiguous | AlreadyExists | InvalidState) => {
                if done().await? { Ok(()) } else { Err(e) }
            }
            other => other,
        }
    })
    .await
}

/// A wait for a state.
pub async fn wait<T, F, Fut>(f: F) -> Result<T, ProviderError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, ProviderError>>,
{
    call(Call::Wait, f).await
}

/// A delete, or a wait for one: what is not there has been deleted (`down` twice, half-built
/// stacks).
pub async fn delete<F, Fut>(f: F) -> Result<(), ProviderError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<(), ProviderError>>,
{
    match call(Call::Delete, f).await {
        Err(e) if e.kind == ErrorKind::NotFound => Ok(()),
        other => other,
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
        let r = change(|| {
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
        let r: Result<(), _> = change(|| async { Err(err(ErrorKind::Other)) }).await;
        assert_eq!(r.unwrap_err().kind, ErrorKind::Other);
        let r: Result<(), _> = discover(|| async { Err(err(ErrorKind::NotFound)) }).await;
        assert_eq!(
            r.unwrap_err().kind,
            ErrorKind::NotFound,
            "discovery does not wait for what is not there"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn each_kind_of_error_means_what_the_call_makes_of_it() {
        let calls = Cell::new(0);
        let counting = |kind: ErrorKind| {
            calls.set(0);
            let calls = &calls;
            move || {
                calls.set(calls.get() + 1);
                async move { Err::<(), _>(err(kind)) }
            }
        };
        // A delete of what is gone is done, at once.
        assert!(delete(counting(ErrorKind::NotFound)).await.is_ok());
        assert_eq!(calls.get(), 1);
        // A wait that meets a final state ends at once; a change waits for the state to pass.
        assert!(wait(counting(ErrorKind::InvalidState)).await.is_err());
        assert_eq!(calls.get(), 1);
        assert!(change(counting(ErrorKind::InvalidState)).await.is_err());
        assert!(calls.get() > 1);
        // A dependency holds up a delete, but is final for anything else.
        assert!(
            change(counting(ErrorKind::DependencyViolation))
                .await
                .is_err()
        );
        assert_eq!(calls.get(), 1);
        assert!(
            delete(counting(ErrorKind::DependencyViolation))
                .await
                .is_err()
        );
        assert!(calls.get() > 1);
        // Refused credentials and denied calls are final, whatever the call.
        for kind in [ErrorKind::Credentials, ErrorKind::AccessDenied] {
            assert!(change(counting(kind)).await.is_err());
            assert!(delete(counting(kind)).await.is_err());
            assert_eq!(calls.get(), 1, "{kind:?}");
        }
        // Throttling is retried a bounded number of times, whatever the call.
        assert!(discover(counting(ErrorKind::Throttled)).await.is_err());
        assert_eq!(calls.get(), THROTTLE_ATTEMPTS as usize);
    }

    #[tokio::test(start_paused = true)]
    async fn gives_up_after_the_maximum() {
        let start = tokio::time::Instant::now();
        let r: Result<(), _> = change(|| async { Err(err(ErrorKind::NotFound)) }).await;
        assert!(r.is_err());
        assert!(start.elapsed() <= LAG_MAX);
        assert!(start.elapsed() >= Duration::from_secs(30));
    }
}
