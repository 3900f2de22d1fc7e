//! Replays. SNS makes a delivery again when it did not see the answer to the first: the same
//! MessageId is acknowledged once more and not told twice. A signed message older than SNS's
//! longest retry window, or from the future, is someone replaying a captured one: refused.

use std::collections::{HashSet, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use aws_smithy_types::DateTime;
use aws_smithy_types::date_time::Format;

/// SNS retries an HTTP(S) delivery for at most an hour (its longest delivery policy).
pub const MAX_AGE: Duration = Duration::from_secs(60 * 60);
/// How far ahead of this machine's clock SNS's may be.
pub const MAX_SKEW: Duration = Duration::from_secs(5 * 60);
/// How many MessageIds are remembered: far more than an hour of alarms.
const SEEN_KEPT: usize = 10_000;

/// The MessageIds already handled, the oldest forgotten first.
#[derive(Default)]
pub struct Seen(Mutex<(VecDeque<String>, HashSet<String>)>);

impl Seen {
    #[cfg(test)]
    pub fn contains(&self, id: &str) -> bool {
        self.0.lock().is_ok_and(|g| g.1.contains(id))
    }

    /// Claims `id` for the delivery being handled: `false` when it was claimed before (a
    /// repeat, or the same delivery still being handled).
    pub fn claim(&self, id: &str) -> bool {
        let Ok(mut guard) = self.0.lock() else {
            return true;
        };
        let (order, ids) = &mut *guard;
        if !ids.insert(id.to_string()) {
            return false;
        }
        order.push_back(id.to_string());
        while order.len() > SEEN_KEPT {
            if let Some(old) = order.pop_front() {
                ids.remove(&old);
            }
        }
        true
    }

    /// Gives up the claim of a delivery that failed, which SNS may make again.
    pub fn release(&self, id: &str) {
        if let Ok(mut guard) = self.0.lock() {
            let (order, ids) = &mut *guard;
            ids.remove(id);
            order.retain(|o| o != id);
        }
    }
}

/// Whether a message stamped `timestamp` (SNS's ISO 8601, UTC) may still be a delivery.
pub fn fresh(timestamp: &str, now: SystemTime) -> Result<(), String> {
    let at = DateTime::from_str(timestamp, Format::DateTime)
        .ok()
        .and_then(|t| SystemTime::try_from(t).ok())
        .ok_or_else(|| format!("Timestamp {timestamp:?} is not an ISO 8601 time"))?;
    match now.duration_since(at) {
        // This machine's clock may run ahead of SNS's as well as behind.
        Ok(age) if age > MAX_AGE + MAX_SKEW => Err(format!(
            "the message is from {timestamp}, {} min ago, longer than SNS retries a delivery: a replay",
            age.as_secs() / 60
        )),
        Ok(_) => Ok(()),
        Err(ahead) if ahead.duration() > MAX_SKEW => Err(format!(
            "the message is from {timestamp}, ahead of this machine's clock by {} s",
            ahead.duration().as_secs()
        )),
        Err(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webhook_a_message_id_is_claimed_once_until_ten_thousand_newer_ones() {
        let seen = Seen::default();
        assert!(seen.claim("m-1"));
        assert!(!seen.claim("m-1"), "claimed once");
        assert!(seen.contains("m-1") && !seen.contains("m-2"));
        assert!(seen.claim("m-2"));
        seen.release("m-2");
        assert!(seen.claim("m-2"), "a failed delivery may come again");
        for n in 0..SEEN_KEPT {
            seen.claim(&format!("x-{n}"));
        }
        assert!(!seen.contains("m-1"), "the oldest are forgotten");
        assert!(seen.contains("x-1"));
    }

    #[test]
    fn webhook_messages_older_than_an_hour_or_from_the_future_are_refused() {
        let at = |s: &str| {
            SystemTime::try_from(DateTime::from_str(s, Format::DateTime).unwrap()).unwrap()
        };
        let now = at("2026-12-03T12:00:00Z");
        assert!(fresh("2026-12-03T11:59:59.123Z", now).is_ok());
        assert!(fresh("2026-12-03T11:00:01Z", now).is_ok());
        assert!(
            fresh("2026-12-03T10:56:00Z", now).is_ok(),
            "an hour and the clocks' skew"
        );
        let old = fresh("2026-12-03T10:54:00Z", now).unwrap_err();
        assert!(
            old.contains("66 min ago") && old.contains("a replay"),
            "{old}"
        );
        assert!(
            fresh("2026-12-03T12:04:00Z", now).is_ok(),
            "within the skew"
        );
        assert!(
            fresh("2026-12-03T12:06:00Z", now)
                .unwrap_err()
                .contains("ahead")
        );
        assert!(
            fresh("yesterday", now)
                .unwrap_err()
                .contains("not an ISO 8601")
        );
    }
}
