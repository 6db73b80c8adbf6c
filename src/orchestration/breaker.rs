//! A circuit breaker per gateway account: after `threshold` consecutive calls that never reached
//! the gateway (or timed out) it opens, and routing skips the account until the cool-down has
//! passed; then one call is let through (half-open) and its result closes or reopens it.
//!
//! A gateway that throttles (HTTP 429) with `Retry-After` opens its account's circuit at once,
//! for that long (at most [`MAX_RETRY_AFTER`]): the gateway said when to come back.
//!
//! This is the in-memory half: the consecutive-failure count of this instance's calls, and on
//! SQLite (one process) the circuit's state too. On Postgres the state lives in the database so
//! that every instance sees an opening, a throttle and the half-open probe
//! (`orchestration/circuits.rs`); the counting stays here, which costs at most `threshold`
//! failed calls per instance before the first opens the circuit for all.

use crate::providers::{FailureKind, Outcome};
use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;
use std::sync::Mutex;

#[derive(Debug)]
struct State {
    provider: String,
    failures: u32,
    open_until: Option<DateTime<Utc>>,
    /// Until when the gateway asked (429 with `Retry-After`) not to be called at all.
    throttled_until: Option<DateTime<Utc>>,
}

/// The longest a gateway's `Retry-After` may hold an account's circuit open.
pub const MAX_RETRY_AFTER: Duration = Duration::hours(1);

/// What one call's outcome did to the circuit.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// Nothing to share: the count moved, or a failure while already open.
    Unchanged,
    /// The circuit opened (or a throttle pushed it further) until then, for `reason`
    /// (`outage` or `rate_limited`).
    Opened {
        until: DateTime<Utc>,
        reason: &'static str,
    },
    /// The call succeeded: the circuit is closed.
    Closed,
}

/// How long a throttle asks to wait, if the outcome is one that says.
pub(super) fn throttle<T>(outcome: &Outcome<T>) -> Option<Duration> {
    match outcome {
        Outcome::NotSent(f) | Outcome::Unknown(f) if f.kind == FailureKind::RateLimited => f
            .retry_after
            .and_then(|d| Duration::from_std(d).ok())
            .map(|d| d.min(MAX_RETRY_AFTER)),
        _ => None,
    }
}

#[derive(Debug)]
pub struct Breakers {
    accounts: Mutex<HashMap<String, State>>,
    /// Half-open probes this instance claimed in the shared state, and the `open_until` each
    /// claim wrote (Postgres only: `circuits.rs`).
    probes: Mutex<HashMap<String, DateTime<Utc>>>,
    threshold: u32,
    cooldown: Duration,
}

/// An open circuit, for `/readyz` and the metrics.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct OpenCircuit {
    pub account_id: String,
    pub provider: String,
    pub until: DateTime<Utc>,
}

impl Breakers {
    pub fn new(threshold: u32, cooldown: Duration) -> Self {
        Self {
            accounts: Mutex::new(HashMap::new()),
            probes: Mutex::new(HashMap::new()),
            threshold: threshold.max(1),
            cooldown,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, State>> {
        self.accounts.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// How long an opened circuit stays open (and a claimed probe holds a shared one).
    pub fn cooldown(&self) -> Duration {
        self.cooldown
    }

    /// Remembers that this instance claimed `account_id`'s probe, moving it to `until`.
    pub fn hold_probe(&self, account_id: &str, until: DateTime<Utc>) {
        let mut probes = self.probes.lock().unwrap_or_else(|p| p.into_inner());
        probes.insert(account_id.to_owned(), until);
    }

    /// The probe this instance holds on `account_id`, if any, now spent.
    pub fn take_probe(&self, account_id: &str) -> Option<DateTime<Utc>> {
        let mut probes = self.probes.lock().unwrap_or_else(|p| p.into_inner());
        probes.remove(account_id)
    }

    /// Whether routing may use the account now (closed, or open past its cool-down).
    pub fn allows(&self, account_id: &str, now: DateTime<Utc>) -> bool {
        self.lock()
            .get(account_id)
            .and_then(|s| s.open_until)
            .is_none_or(|until| now >= until)
    }

    /// Counts a call's outcome; answers whether the circuit is open afterwards.
    pub fn record<T>(
        &self,
        account_id: &str,
        provider: &str,
        outcome: &Outcome<T>,
        now: DateTime<Utc>,
    ) -> bool {
        self.observe(account_id, provider, outcome, now);
        !self.allows(account_id, now)
    }

    /// Counts a call's outcome and says what it changed (what the shared state must learn).
    pub fn observe<T>(
        &self,
        account_id: &str,
        provider: &str,
        outcome: &Outcome<T>,
        now: DateTime<Utc>,
    ) -> Change {
        let down = match outcome {
            Outcome::NotSent(_) => true,
            Outcome::Unknown(failure) => {
                matches!(
                    failure.kind,
                    FailureKind::Timeout | FailureKind::RateLimited
                )
            }
            _ => false,
        };
        let mut accounts = self.lock();
        let state = accounts
            .entry(account_id.to_owned())
            .or_insert_with(|| State {
                provider: provider.to_owned(),
                failures: 0,
                open_until: None,
                throttled_until: None,
            });
        if !down {
            state.failures = 0;
            state.open_until = None;
            state.throttled_until = None;
            return Change::Closed;
        }
        state.failures += 1;
        let (until, reason) = match throttle(outcome) {
            Some(wait) => {
                state.throttled_until = Some(now + wait);
                (now + wait, "rate_limited")
            }
            None if state.failures >= self.threshold => (now + self.cooldown, "outage"),
            None => return Change::Unchanged,
        };
        let until = state.open_until.map_or(until, |u| u.max(until));
        state.open_until = Some(until);
        Change::Opened { until, reason }
    }

    /// Until when the gateway asked not to be called at all (a throttle), if that is still ahead.
    pub fn throttled_until(&self, account_id: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.lock()
            .get(account_id)
            .and_then(|s| s.throttled_until)
            .filter(|u| *u > now)
    }

    pub fn open_circuits(&self, now: DateTime<Utc>) -> Vec<OpenCircuit> {
        let mut open: Vec<OpenCircuit> = self
            .lock()
            .iter()
            .filter_map(|(id, s)| {
                s.open_until.filter(|u| *u > now).map(|until| OpenCircuit {
                    account_id: id.clone(),
                    provider: s.provider.clone(),
                    until,
                })
            })
            .collect();
        open.sort_by(|a, b| a.account_id.cmp(&b.account_id));
        open
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::GatewayFailure;

    #[test]
    fn opens_after_consecutive_failures_and_half_opens_after_the_cool_down() {
        let b = Breakers::new(3, Duration::seconds(30));
        let t0 = Utc::now();
        let down: Outcome<()> =
            Outcome::NotSent(GatewayFailure::new(FailureKind::Connect, "refused"));
        assert!(!b.record("acc", "paystablecoin", &down, t0));
        assert!(!b.record("acc", "paystablecoin", &down, t0));
        assert!(b.allows("acc", t0));
        assert!(b.record("acc", "paystablecoin", &down, t0));
        assert!(!b.allows("acc", t0 + Duration::seconds(29)));
        assert_eq!(b.open_circuits(t0).len(), 1);
        // Half-open: one call goes through; success closes the circuit.
        assert!(b.allows("acc", t0 + Duration::seconds(30)));
        assert!(!b.record(
            "acc",
            "paystablecoin",
            &Outcome::Succeeded(()),
            t0 + Duration::seconds(30)
        ));
        assert!(b.open_circuits(t0).is_empty());
    }

    #[test]
    fn declines_and_unknown_answers_are_not_outages_but_timeouts_are() {
        let b = Breakers::new(1, Duration::seconds(30));
        let t0 = Utc::now();
        let unknown =
            |kind, reason: &str| Outcome::<()>::Unknown(GatewayFailure::new(kind, reason));
        assert!(!b.record::<()>("a", "hitpay", &Outcome::Declined("no".into()), t0));
        assert!(!b.record(
            "a",
            "hitpay",
            &unknown(FailureKind::Refused, "HTTP 500"),
            t0
        ));
        assert!(!b.record(
            "a",
            "hitpay",
            &unknown(FailureKind::BadAnswer, "unreadable"),
            t0
        ));
        assert!(b.record(
            "a",
            "hitpay",
            &unknown(FailureKind::Timeout, "no answer"),
            t0
        ));
    }

    #[test]
    fn a_throttle_with_retry_after_opens_at_once_for_that_long_capped() {
        let b = Breakers::new(3, Duration::seconds(30));
        let t0 = Utc::now();
        let throttled = |secs| {
            Outcome::<()>::NotSent(
                GatewayFailure::status(429, "HTTP 429")
                    .throttled_for(Some(std::time::Duration::from_secs(secs))),
            )
        };
        assert_eq!(
            b.observe("a", "hitpay", &throttled(120), t0),
            Change::Opened {
                until: t0 + Duration::seconds(120),
                reason: "rate_limited"
            }
        );
        assert!(!b.allows("a", t0 + Duration::seconds(119)));
        assert!(b.allows("a", t0 + Duration::seconds(120)));
        // A gateway cannot park an account for a day.
        let Change::Opened { until, .. } = b.observe("b", "hitpay", &throttled(86_400), t0) else {
            panic!("a throttle opens the circuit");
        };
        assert_eq!(until, t0 + MAX_RETRY_AFTER);
        // A 429 without Retry-After only counts, like an outage.
        let bare = Outcome::<()>::NotSent(GatewayFailure::status(429, "HTTP 429"));
        assert_eq!(b.observe("c", "hitpay", &bare, t0), Change::Unchanged);
    }

    #[test]
    fn the_kind_decides_never_the_text() {
        let b = Breakers::new(1, Duration::seconds(30));
        let t0 = Utc::now();
        // A gateway's own message that happens to say "timed out" is not a timeout.
        let quoted = GatewayFailure::refused("upstream timed out (HTTP 502 from HitPay)");
        assert!(!b.record::<()>("a", "hitpay", &Outcome::Unknown(quoted), t0));
    }
}
