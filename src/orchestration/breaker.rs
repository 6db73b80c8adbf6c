//! A circuit breaker per gateway account: after `threshold` consecutive calls that never reached
//! the gateway (or timed out) it opens, and routing skips the account until the cool-down has
//! passed; then one call is let through (half-open) and its result closes or reopens it.
//!
//! Kept in memory per instance: each instance learns on its own that a gateway is down, which
//! costs at most `threshold` failed calls per instance.

use crate::providers::{FailureKind, Outcome};
use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;
use std::sync::Mutex;

#[derive(Debug)]
struct State {
    provider: String,
    failures: u32,
    open_until: Option<DateTime<Utc>>,
}

#[derive(Debug)]
pub struct Breakers {
    accounts: Mutex<HashMap<String, State>>,
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
            threshold: threshold.max(1),
            cooldown,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, State>> {
        self.accounts.lock().unwrap_or_else(|p| p.into_inner())
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
        let down = match outcome {
            Outcome::NotSent(_) => true,
            Outcome::Unknown(failure) => failure.kind == FailureKind::Timeout,
            _ => false,
        };
        let mut accounts = self.lock();
        let state = accounts
            .entry(account_id.to_owned())
            .or_insert_with(|| State {
                provider: provider.to_owned(),
                failures: 0,
                open_until: None,
            });
        if down {
            state.failures += 1;
            if state.failures >= self.threshold {
                state.open_until = Some(now + self.cooldown);
            }
        } else {
            state.failures = 0;
            state.open_until = None;
        }
        state.open_until.is_some()
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
    fn the_kind_decides_never_the_text() {
        let b = Breakers::new(1, Duration::seconds(30));
        let t0 = Utc::now();
        // A gateway's own message that happens to say "timed out" is not a timeout.
        let quoted = GatewayFailure::refused("upstream timed out (HTTP 502 from HitPay)");
        assert!(!b.record::<()>("a", "hitpay", &Outcome::Unknown(quoted), t0));
    }
}
