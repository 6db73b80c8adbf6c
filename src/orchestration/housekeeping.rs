//! Housekeeping and what ops read about the store itself: deleting what has outlived its
//! retention, readiness, the outbox backlog, the audit report. The cleanup worker and the ops
//! endpoints call these; neither holds the database handle.
//!
//! Cleanup deletes idempotency keys past their retention (24 h by default), replay-guard
//! signatures past the timestamp window, ops-console sessions past their end, the
//! gateway-webhook journal past its retention (30 days), and the shared limits' rows that say
//! nothing a missing row would not (full token buckets, circuits an hour past their
//! `open_until`), so those tables stay bounded by the merchants, payments and accounts in recent
//! use. Batched deletes, safe with any number of instances (a row deleted twice is simply
//! not there the second time).
//!
//! It also folds the stats deltas the triggers append into the hourly rollup
//! (`store::stat_rollup`), so the overview reads a short delta table.

use super::Orchestrator;
use crate::audit::{AuditOptions, AuditReport};
use crate::store;
use chrono::{DateTime, Utc};

#[derive(Debug, Default, PartialEq, Eq)]
pub struct CleanupReport {
    pub idempotency_keys: u64,
    pub replay_signatures: u64,
    /// Gateway-webhook journal entries and dedupe keys past `workers.journal_retention_days`.
    pub webhook_records: u64,
    /// Shared token buckets that are full again, and circuits long past their `open_until`.
    pub shared_limits: u64,
    /// Ops-console sessions past their end.
    pub console_sessions: u64,
    /// Stats deltas folded into the hourly rollup (not expired: moved).
    pub stat_deltas: u64,
}

/// How long past its `open_until` an unclaimed circuit row is kept (a half-open circuit nobody
/// probed: deleting it closes it).
const STALE_CIRCUIT: chrono::Duration = chrono::Duration::hours(1);

/// Where the schema stands: the engine's name, the newest embedded migration and the newest
/// one applied (none on an empty database).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SchemaState {
    pub engine: &'static str,
    pub expected: i64,
    pub applied: Option<i64>,
}

const BATCH: i64 = 1000;

/// Stats deltas folded per transaction.
const FOLD_BATCH: i64 = 10_000;

impl Orchestrator {
    /// One cleanup pass over every table with a retention.
    pub async fn clean_up_expired(&self) -> sqlx::Result<CleanupReport> {
        let now = self.now();
        let mut conn = self.db.acquire().await?;
        let mut report = CleanupReport::default();
        loop {
            let n = store::idempotency::delete_expired(&mut conn, now, BATCH).await?;
            report.idempotency_keys += n;
            if n < BATCH as u64 {
                break;
            }
        }
        report.replay_signatures = store::replays::delete_expired(&mut conn, now).await?;
        report.console_sessions = store::console_sessions::delete_expired(&mut conn, now).await?;
        let cutoff = now - chrono::Duration::days(self.settings.workers.journal_retention_days);
        loop {
            let n = store::webhooks::delete_older_than(&mut conn, cutoff, BATCH).await?;
            report.webhook_records += n;
            if n < BATCH as u64 {
                break;
            }
        }
        report.shared_limits =
            store::shared_limits::delete_expired(&mut conn, now, now - STALE_CIRCUIT).await?;
        drop(conn);
        report.stat_deltas = self.fold_stat_deltas().await?;
        Ok(report)
    }

    /// Folds every stats delta written so far into the hourly rollup, a batch per transaction.
    pub async fn fold_stat_deltas(&self) -> sqlx::Result<u64> {
        let mut folded = 0;
        loop {
            let mut tx = self.db.begin().await?;
            let n = store::stat_rollup::fold_deltas(&mut tx, FOLD_BATCH).await?;
            tx.commit().await?;
            folded += n;
            if n < FOLD_BATCH as u64 {
                return Ok(folded);
            }
        }
    }

    /// Readiness: the database answers, and how far its migrations are.
    pub async fn schema_state(&self) -> sqlx::Result<SchemaState> {
        let (expected, applied) = self.db.schema_versions().await?;
        Ok(SchemaState {
            engine: self.db.engine(),
            expected,
            applied,
        })
    }

    /// Merchant events not yet delivered nor stopped, and when the oldest was written.
    pub async fn outbox_backlog(&self) -> sqlx::Result<(i64, Option<DateTime<Utc>>)> {
        let mut conn = self.db.acquire().await?;
        store::outbox::backlog(&mut conn).await
    }

    /// The invariant audit over the whole store, keeping the first `limit` findings.
    pub async fn audit_report(&self, limit: usize) -> sqlx::Result<AuditReport> {
        crate::audit::report(&self.db, &AuditOptions::default(), limit).await
    }
}
