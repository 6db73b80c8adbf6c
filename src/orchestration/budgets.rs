//! The live-recheck budgets: a token bucket per merchant for rechecks it asks for, and one per
//! payment for the rechecks customers' returns trigger (`PAYRAIL__RECHECK__…`).
//!
//! Each recheck is a gateway call, so the budget must hold for the deployment, not per process:
//! on Postgres each check is one statement on the key's `rate_buckets` row
//! (`store::shared_limits::take_token`), so N instances answer exactly the budget between them.
//! The embedded SQLite store serves one process, which keeps the buckets in memory. Only these
//! two use cases spend a budget: verify and retrieve never touch the table.

use super::Orchestrator;
use crate::error::{AppError, AppResult};
use crate::store::{self, Db};
use governor::{DefaultKeyedRateLimiter, Quota};
use std::num::NonZeroU32;

/// A budget: `per_minute` tokens a minute, at most `burst` saved up (each at least 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    pub per_minute: u32,
    pub burst: u32,
}

impl Budget {
    pub fn new(per_minute: u32, burst: u32) -> Self {
        Self {
            per_minute: per_minute.max(1),
            burst: burst.max(1),
        }
    }

    /// A keyed in-memory bucket of this budget (one process).
    pub fn limiter(self) -> DefaultKeyedRateLimiter<String> {
        let per_minute = NonZeroU32::new(self.per_minute).expect("at least 1");
        let burst = NonZeroU32::new(self.burst).expect("at least 1");
        DefaultKeyedRateLimiter::keyed(Quota::per_minute(per_minute).allow_burst(burst))
    }
}

/// The two recheck budgets, with their in-memory buckets (used on SQLite only).
pub struct Budgets {
    recheck: (Budget, DefaultKeyedRateLimiter<String>),
    returns: (Budget, DefaultKeyedRateLimiter<String>),
}

impl Budgets {
    pub fn new(settings: &crate::config::RecheckSettings) -> Self {
        let recheck = Budget::new(settings.per_minute, settings.burst);
        let returns = Budget::new(settings.returns_per_minute, settings.returns_burst);
        Self {
            recheck: (recheck, recheck.limiter()),
            returns: (returns, returns.limiter()),
        }
    }
}

/// Seconds until a refused key may try again, rounded up (for `Retry-After`).
pub fn retry_after_secs(wait: &governor::NotUntil<governor::clock::QuantaInstant>) -> u64 {
    use governor::clock::{Clock, DefaultClock};
    wait.wait_time_from(DefaultClock::default().now()).as_secs() + 1
}

impl Orchestrator {
    /// Spends one token of `key`'s bucket: `Err(seconds to wait)` when it is empty.
    async fn spend(
        &self,
        key: String,
        (budget, local): &(Budget, DefaultKeyedRateLimiter<String>),
    ) -> AppResult<Result<(), u64>> {
        if matches!(self.db, Db::Sqlite(_)) {
            if local.len() > 100_000 {
                local.retain_recent();
            }
            return Ok(local.check_key(&key).map_err(|w| retry_after_secs(&w)));
        }
        let mut conn = self.db.acquire().await?;
        let per_second = f64::from(budget.per_minute) / 60.0;
        let wait = store::shared_limits::take_token(
            &mut conn,
            &key,
            self.now(),
            f64::from(budget.burst),
            per_second,
        )
        .await?;
        Ok(match wait {
            None => Ok(()),
            Some(secs) => Err(secs.ceil().max(1.0) as u64),
        })
    }

    /// A merchant's live recheck: 429 `rate_limited` past its budget.
    pub async fn take_recheck_budget(&self, merchant_id: &str) -> AppResult<()> {
        let key = format!("recheck:{merchant_id}");
        self.spend(key, &self.budgets.recheck)
            .await?
            .map_err(|retry_after_secs| AppError::RateLimited { retry_after_secs })
    }

    /// Whether a customer's return may recheck the payment live. A database problem answers no:
    /// the customer is sent on with the stored status, and the reconciler follows up.
    pub async fn may_recheck_on_return(&self, payment_id: &str) -> bool {
        let key = format!("return:{payment_id}");
        match self.spend(key, &self.budgets.returns).await {
            Ok(verdict) => verdict.is_ok(),
            Err(err) => {
                tracing::warn!(payment_id, error = %err, "return budget unreadable; no live recheck");
                false
            }
        }
    }
}
