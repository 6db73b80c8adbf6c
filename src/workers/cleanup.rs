//! Deletes idempotency keys past their retention (24 h by default) and replay-guard signatures
//! past the timestamp window. Batched deletes, safe with any number of instances (a row deleted
//! twice is simply not there the second time).

use crate::orchestration::Orchestrator;
use crate::store;

#[derive(Debug, Default, PartialEq, Eq)]
pub struct CleanupReport {
    pub idempotency_keys: u64,
    pub replay_signatures: u64,
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
    Ok(report)
}
