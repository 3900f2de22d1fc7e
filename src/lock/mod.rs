//! One writer at a time per stack. `up`, `down` (and later `chaos`) take the stack's run lock
//! before their first change and give it back at the end, also on error and Ctrl-C. The lock
//! is an SSM parameter, `/multiregion/<stack>/lock`, in the frontend region, made with
//! `Overwrite=false`: AWS makes it for one caller only, with no table to set up first. It
//! says who holds it, for what and since when, and a heartbeat the holder refreshes; a lock
//! whose heartbeat is older than [`STALE_AFTER`] is reported as stale, and only `unlock` takes
//! it away, never a run on its own.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime};

use aws_smithy_types::DateTime;
use aws_smithy_types::date_time::Format;
use serde::{Deserialize, Serialize};

use crate::model::TAG_STACK;
use crate::providers::{ErrorKind, Parameters, ProviderError, Tags};
use crate::retry;

/// How often the holder refreshes its heartbeat.
pub const HEARTBEAT: Duration = Duration::from_secs(30);
/// A heartbeat older than this is a lock whose holder died (killed, or its machine lost).
pub const STALE_AFTER: Duration = Duration::from_secs(5 * 60);
/// How often a waiting run looks whether the lock is free.
const POLL: Duration = Duration::from_secs(2);

/// Who holds the lock, as the parameter's JSON value says it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Holder {
    /// This hold, so that only its holder gives it back.
    pub id: String,
    /// The AWS principal (caller identity ARN), or the local user where it is unknown.
    pub principal: String,
    pub host: String,
    pub pid: u32,
    /// What it is doing: `up`, `down`.
    pub command: String,
    /// When it took the lock (RFC 3339).
    pub since: String,
    /// When it last said it is alive (RFC 3339).
    pub heartbeat: String,
}

impl Holder {
    /// This process, about to run `command` as `principal`.
    pub fn this_process(command: &str, principal: &str) -> Holder {
        let now = now_text();
        Holder {
            id: format!("{}-{}", std::process::id(), nanos()),
            principal: principal.to_string(),
            host: host_name(),
            pid: std::process::id(),
            command: command.to_string(),
            since: now.clone(),
            heartbeat: now,
        }
    }

    /// How long ago the heartbeat was, if it can be read.
    pub fn heartbeat_age(&self) -> Option<Duration> {
        let at = DateTime::from_str(&self.heartbeat, Format::DateTime).ok()?;
        let at = SystemTime::try_from(at).ok()?;
        Some(SystemTime::now().duration_since(at).unwrap_or_default())
    }

    /// Whether its holder has stopped refreshing it (an unreadable heartbeat counts as stale).
    pub fn is_stale(&self) -> bool {
        self.heartbeat_age().is_none_or(|age| age > STALE_AFTER)
    }

    /// `up by arn:… on host (pid 42) since …, heartbeat 12 s ago`.
    pub fn describe(&self) -> String {
        let age = match self.heartbeat_age() {
            Some(age) => format!("heartbeat {} s ago", age.as_secs()),
            None => "heartbeat unreadable".to_string(),
        };
        let stale = if self.is_stale() { " — STALE" } else { "" };
        format!(
            "`{}` by {} on {} (pid {}) since {}, {age}{stale}",
            self.command, self.principal, self.host, self.pid, self.since
        )
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("another run holds the stack's lock: {}{}", .holder.describe(), advice(.holder))]
    Held { holder: Box<Holder> },
    #[error("the stack's lock could not be read or taken: {0}")]
    Provider(#[from] ProviderError),
    #[error(
        "the stack's lock holds something unreadable ({0}); `multiregion unlock --force` removes it"
    )]
    Unreadable(String),
}

fn advice(holder: &Holder) -> String {
    if holder.is_stale() {
        format!(
            "; its heartbeat is older than {} min, so its holder probably died: check, then \
             run `multiregion unlock` to take it away",
            STALE_AFTER.as_secs() / 60
        )
    } else {
        "; wait for it (--lock-timeout) or run again later".to_string()
    }
}

/// The parameter that is the stack's lock.
pub fn lock_name(stack: &str) -> String {
    format!("/multiregion/{stack}/lock")
}

/// Who holds the stack's lock, as a discovery pass read it (the lock is a parameter under the
/// stack's path, so the listing has it): for `plan` and `verify`, which take no lock.
pub fn held_in(stack: &str, parameters: &[crate::providers::ParameterInfo]) -> Option<String> {
    let name = lock_name(stack);
    let p = parameters.iter().find(|p| p.name == name)?;
    Some(match parse(&p.value) {
        Ok(holder) => holder.describe(),
        Err(e) => e.to_string(),
    })
}

/// Who holds the stack's lock now, if anyone.
#[cfg(test)]
pub async fn holder(params: &dyn Parameters, stack: &str) -> Result<Option<Holder>, LockError> {
    holder_of(params, &lock_name(stack)).await
}

fn parse(value: &str) -> Result<Holder, LockError> {
    serde_json::from_str(value).map_err(|_| {
        let shown: String = value.chars().take(80).collect();
        LockError::Unreadable(shown)
    })
}

/// The stack's lock, held by this run until [`RunLock::release`].
pub struct RunLock {
    params: Arc<dyn Parameters>,
    name: String,
    holder: Holder,
    heartbeat: tokio::task::JoinHandle<()>,
    /// Set when the heartbeat found the lock gone or someone else's (taken away by `unlock`).
    lost: Arc<AtomicBool>,
}

impl RunLock {
    /// Takes the stack's lock for `holder`, waiting up to `wait` while another run holds it.
    pub async fn acquire(
        params: Arc<dyn Parameters>,
        stack: &str,
        holder: Holder,
        wait: Duration,
    ) -> Result<RunLock, LockError> {
        let name = lock_name(stack);
        let value =
            serde_json::to_string(&holder).map_err(|e| LockError::Unreadable(e.to_string()))?;
        let tags = Tags::from([(TAG_STACK.to_string(), stack.to_string())]);
        let started = tokio::time::Instant::now();
        loop {
            // Made for one caller only. Whatever the answer (made, "already exists", lost, or
            // throttled), reading who holds it now settles it.
            match params.create_parameter(&name, &value, &tags).await {
                Err(e)
                    if !matches!(
                        e.kind,
                        ErrorKind::AlreadyExists | ErrorKind::Ambiguous | ErrorKind::Throttled
                    ) =>
                {
                    return Err(e.into());
                }
                _ => {}
            }
            match holder_of(params.as_ref(), &name).await? {
                Some(h) if h.id == holder.id => return Ok(Self::held(params, name, holder)),
                Some(h) if started.elapsed() + POLL > wait => {
                    return Err(LockError::Held {
                        holder: Box::new(h),
                    });
                }
                _ => tokio::time::sleep(POLL).await,
            }
        }
    }

    fn held(params: Arc<dyn Parameters>, name: String, holder: Holder) -> RunLock {
        let lost = Arc::new(AtomicBool::new(false));
        let heartbeat = tokio::spawn(beat(
            params.clone(),
            name.clone(),
            holder.clone(),
            lost.clone(),
        ));
        RunLock {
            params,
            name,
            holder,
            heartbeat,
            lost,
        }
    }

    /// Gives the lock back, if it is still this run's. Says whether it was taken away from
    /// the run while it held it.
    pub async fn release(self) -> Result<bool, LockError> {
        self.heartbeat.abort();
        let taken_away = self.lost.load(Ordering::SeqCst);
        match holder_of(self.params.as_ref(), &self.name).await? {
            Some(h) if h.id == self.holder.id => {
                retry::delete(|| self.params.delete_parameter(&self.name)).await?;
                Ok(taken_away)
            }
            _ => Ok(true),
        }
    }
}

async fn holder_of(params: &dyn Parameters, name: &str) -> Result<Option<Holder>, LockError> {
    let value = retry::discover(|| params.parameter(name)).await?;
    value.map(|v| parse(&v)).transpose()
}

/// Refreshes the heartbeat while the lock is this run's; stops, marking it lost, when it is not.
async fn beat(
    params: Arc<dyn Parameters>,
    name: String,
    mut holder: Holder,
    lost: Arc<AtomicBool>,
) {
    loop {
        tokio::time::sleep(HEARTBEAT).await;
        match holder_of(params.as_ref(), &name).await {
            Ok(Some(h)) if h.id == holder.id => {}
            Ok(_) => {
                lost.store(true, Ordering::SeqCst);
                return;
            }
            // A read that failed: try again at the next beat.
            Err(_) => continue,
        }
        holder.heartbeat = now_text();
        if let Ok(value) = serde_json::to_string(&holder) {
            let _ = retry::change(|| params.set_parameter(&name, &value)).await;
        }
    }
}

/// Takes the stack's lock away: a stale one always, a live one only with `force`. Who held it.
pub async fn unlock(
    params: &dyn Parameters,
    stack: &str,
    force: bool,
) -> Result<Option<Holder>, LockError> {
    let name = lock_name(stack);
    let value = retry::discover(|| params.parameter(&name)).await?;
    let Some(value) = value else {
        return Ok(None);
    };
    let holder = match parse(&value) {
        Ok(h) => h,
        Err(e) if !force => return Err(e),
        Err(_) => Holder::this_process("(unreadable)", "(unknown)"),
    };
    if !force && !holder.is_stale() {
        return Err(LockError::Held {
            holder: Box::new(holder),
        });
    }
    retry::delete(|| params.delete_parameter(&name)).await?;
    Ok(Some(holder))
}

pub fn now_text() -> String {
    DateTime::from(SystemTime::now())
        .fmt(Format::DateTime)
        .unwrap_or_default()
}

fn nanos() -> u128 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos()
}

pub fn host_name() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/proc/sys/kernel/hostname").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "unknown-host".to_string())
}

#[cfg(test)]
mod tests;
