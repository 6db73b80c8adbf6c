//! Deletes idempotency keys past their retention (24 h by default), replay-guard signatures
//! past the timestamp window, and the gateway-webhook journal past its retention (30 days).
//! Batched deletes, safe with any number of instances (a row deleted twice is simply not there
//! the second time).

use crate::orchestration::Orchestrator;
use crate::store;

#[derive(Debug, Default, PartialEq, Eq)]
pub struct CleanupReport {
    pub idempotency_keys: u64,
    pub replay_signatures: u64,
    /// Gateway-webhook journal entries and dedupe keys past `workers.journal_retention_days`.
    pub webhook_records: u64,
}

const BATCH: i64 = 1000;

pub async fn run_once(orch: &Orchestrator) -> Result<CleanupReport, sqlx::Error> {
    let now = orch.now();
    let mut conn = orch.db.acquire().await?;
    let mut report = CleanupReport::default();
    loop {
        let n = store::idempotency::delete_expired(&mut conn, now, BATCH).await?;
        report.idempotency_keys += n;
        if n < BATCH as u64 {
            break;
        }
    }
    report.replay_signatures = store::replays::delete_expired(&mut conn, now).await?;
    let cutoff = now - chrono::Duration::days(orch.settings.workers.journal_retention_days);
    loop {
        let n = store::webhooks::delete_older_than(&mut conn, cutoff, BATCH).await?;
        report.webhook_records += n;
        if n < BATCH as u64 {
            break;
        }
    }
    Ok(report)
}
