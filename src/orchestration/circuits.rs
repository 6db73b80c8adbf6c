//! Gateway accounts' circuits as routing and ops see them, on either engine.
//!
//! On SQLite (one process) the in-memory breakers (`breaker.rs`) are the whole story. On
//! Postgres several instances must agree, so the state lives in `gateway_circuits`: the instance
//! whose calls open a circuit (its own consecutive failures, or one throttled answer with
//! `Retry-After`) writes `open_until`, and every instance's routing reads it. Past `open_until`
//! the circuit is half-open: the one instance that claims the probe (by moving `open_until` on by
//! a cool-down) calls, and closes it on success; a failed probe leaves it open. Failure counting
//! stays per instance. Only create and the hosted page route, so verify and retrieve never read
//! the table; each create on Postgres reads it once, with the accounts it routes among (one query).

use super::breaker::{Change, OpenCircuit};
use super::Orchestrator;
use crate::error::AppResult;
use crate::providers::{FailureKind, GatewayFailure, Outcome};
use crate::store::{self, accounts::AccountRow, Db};
use chrono::{DateTime, Utc};
use std::collections::HashSet;

impl Orchestrator {
    /// The accounts whose circuit lets a call through now, in the same order. With `probe` (a
    /// call will follow) this instance claims the probe of half-open circuits it may use; without
    /// (the hosted page, showing choices) a half-open account is shown as available.
    pub(super) async fn up(
        &self,
        accounts: Vec<AccountRow>,
        probe: bool,
    ) -> AppResult<Vec<AccountRow>> {
        if matches!(self.db, Db::Sqlite(_)) {
            return self.up_among(accounts, Vec::new(), probe).await;
        }
        let ids: Vec<String> = accounts.iter().map(|a| a.id.clone()).collect();
        let mut conn = self.db.acquire().await?;
        let rows = store::shared_limits::circuits_of(&mut conn, &ids).await?;
        drop(conn);
        self.up_among(accounts, rows, probe).await
    }

    /// [`Orchestrator::up`] with the circuits already read (`circuits`: account id and
    /// `open_until`, Postgres only; rows of other accounts are ignored).
    pub(super) async fn up_among(
        &self,
        accounts: Vec<AccountRow>,
        circuits: Vec<(String, DateTime<Utc>)>,
        probe: bool,
    ) -> AppResult<Vec<AccountRow>> {
        let now = self.now();
        if matches!(self.db, Db::Sqlite(_)) {
            return Ok(accounts
                .into_iter()
                .filter(|a| self.breakers.allows(&a.id, now))
                .collect());
        }
        let rows: Vec<_> = circuits
            .into_iter()
            .filter(|(id, _)| accounts.iter().any(|a| a.id == *id))
            .collect();
        if rows.is_empty() {
            return Ok(accounts);
        }
        let (open, half_open): (Vec<_>, Vec<_>) = rows.into_iter().partition(|(_, u)| *u > now);
        let open: HashSet<String> = open.into_iter().map(|(id, _)| id).collect();
        let half_open: Vec<String> = half_open.into_iter().map(|(id, _)| id).collect();
        let mut closed_to_us: HashSet<String> = HashSet::new();
        if probe && !half_open.is_empty() {
            let until = now + self.breakers.cooldown();
            let mut conn = self.db.acquire().await?;
            let claimed =
                store::shared_limits::claim_probes(&mut conn, &half_open, now, until).await?;
            for id in &claimed {
                self.breakers.hold_probe(id, until);
            }
            closed_to_us = half_open
                .into_iter()
                .filter(|id| !claimed.contains(id))
                .collect();
        }
        Ok(accounts
            .into_iter()
            .filter(|a| !open.contains(&a.id) && !closed_to_us.contains(&a.id))
            .collect())
    }

    /// The merchant's enabled accounts, best priority first, and (Postgres) their circuits:
    /// one query there, so a create's routing is one round trip.
    pub(super) async fn enabled_accounts_and_circuits(
        &self,
        merchant_id: &str,
    ) -> AppResult<(Vec<AccountRow>, Vec<(String, DateTime<Utc>)>)> {
        if matches!(self.db, Db::Sqlite(_)) {
            return Ok((self.enabled_accounts(merchant_id).await?, Vec::new()));
        }
        let mut conn = self.db.acquire().await?;
        let rows = store::shared_limits::enabled_with_circuits(&mut conn, merchant_id).await?;
        let circuits = rows
            .iter()
            .filter_map(|(a, until)| until.map(|u| (a.id.clone(), u)))
            .collect();
        Ok((rows.into_iter().map(|(a, _)| a).collect(), circuits))
    }

    /// Feeds a gateway call's outcome to the breakers; on Postgres an opening, a throttle, or a
    /// successful probe is written for every instance. A failure to write is logged, never the
    /// caller's problem: the call's own outcome matters more.
    pub(super) async fn record_call<T>(&self, account: &AccountRow, outcome: &Outcome<T>) {
        let now = self.now();
        let change = self
            .breakers
            .observe(&account.id, &account.provider, outcome, now);
        if matches!(self.db, Db::Sqlite(_)) {
            return;
        }
        let probe = self.breakers.take_probe(&account.id);
        let written = match (&change, probe) {
            (Change::Opened { until, reason }, _) => {
                tracing::warn!(account_id = %account.id, provider = %account.provider, %until, reason, "gateway circuit opened for every instance");
                self.share_opening(account, *until, reason).await
            }
            (Change::Closed, Some(probe_until)) => {
                self.share_closing(&account.id, probe_until).await
            }
            _ => Ok(()),
        };
        if let Err(err) = written {
            tracing::warn!(account_id = %account.id, error = %err, "could not share the circuit's state");
        }
    }

    async fn share_opening(
        &self,
        account: &AccountRow,
        until: chrono::DateTime<chrono::Utc>,
        reason: &str,
    ) -> sqlx::Result<()> {
        let mut conn = self.db.acquire().await?;
        store::shared_limits::open_circuit(&mut conn, &account.id, &account.provider, until, reason)
            .await
    }

    async fn share_closing(
        &self,
        account_id: &str,
        probe_until: chrono::DateTime<chrono::Utc>,
    ) -> sqlx::Result<()> {
        let mut conn = self.db.acquire().await?;
        store::shared_limits::close_circuit(&mut conn, account_id, probe_until).await
    }

    /// A call that is not routed (a recheck's query or confirm) still learns from and honours a
    /// throttle: `Some(until)` when the gateway asked every instance not to call this account yet.
    pub(super) async fn throttled_until(
        &self,
        account_id: &str,
    ) -> AppResult<Option<chrono::DateTime<chrono::Utc>>> {
        let now = self.now();
        if matches!(self.db, Db::Sqlite(_)) {
            return Ok(self.breakers.throttled_until(account_id, now));
        }
        let mut conn = self.db.acquire().await?;
        Ok(store::shared_limits::throttled_until(&mut conn, account_id, now).await?)
    }

    /// The answer for a call not made because the account is throttled ([`Self::throttled_until`]),
    /// or `None` when the call may go ahead.
    pub(super) async fn held_off<T>(&self, account_id: &str) -> AppResult<Option<Outcome<T>>> {
        Ok(self.throttled_until(account_id).await?.map(|until| {
            Outcome::NotSent(GatewayFailure::new(
                FailureKind::RateLimited,
                format!("the gateway asked not to be called before {until}"),
            ))
        }))
    }

    /// Feeds a query's outcome to the breakers when it is a throttle with `Retry-After` (other
    /// query failures do not count: only routed calls judge an outage).
    pub(super) async fn record_throttle<T>(&self, account: &AccountRow, outcome: &Outcome<T>) {
        if super::breaker::throttle(outcome).is_some() {
            self.record_call(account, outcome).await;
        }
    }

    /// Circuits open now, for `/readyz` and the metrics: the same on every instance on Postgres.
    pub async fn open_circuits(&self) -> sqlx::Result<Vec<OpenCircuit>> {
        let now = self.now();
        if matches!(self.db, Db::Sqlite(_)) {
            return Ok(self.breakers.open_circuits(now));
        }
        let mut conn = self.db.acquire().await?;
        let rows = store::shared_limits::open_circuits(&mut conn, now).await?;
        Ok(rows
            .into_iter()
            .map(|(account_id, provider, until)| OpenCircuit {
                account_id,
                provider,
                until,
            })
            .collect())
    }
}
