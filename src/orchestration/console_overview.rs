//! What the console's overview (`/console`) reads: the stats of the last 24 hours and 7 days
//! (the same numbers as `GET /v1/admin/stats`, from `stats.rs`), by gateway and by method, and
//! the state of the background machinery: the outbox backlog, open circuits, the reconciler's
//! lag. The audit is not here: it can take minutes on a big store, so the page runs it only when
//! asked (`housekeeping.rs`, `audit_report`).

use super::breaker::OpenCircuit;
use super::stats::{groups, Group, GroupBy, Stats};
use super::Orchestrator;
use crate::error::AppResult;
use chrono::{DateTime, Duration, Utc};

/// One window of the overview.
pub struct OverviewWindow {
    pub label: &'static str,
    /// Grouped by gateway, with hosted conversion and refunds.
    pub stats: Stats,
    pub by_method: Vec<Group>,
}

pub struct Overview {
    pub now: DateTime<Utc>,
    pub windows: Vec<OverviewWindow>,
    /// Merchant events waiting, and when the oldest was written.
    pub backlog: (i64, Option<DateTime<Utc>>),
    pub circuits: Vec<OpenCircuit>,
    /// The oldest due recheck not yet done, and how overdue it is.
    pub reconciler_lag: Option<(DateTime<Utc>, Duration)>,
}

/// The overview's windows: (label, length).
pub const WINDOWS: [(&str, i64); 2] = [("Last 24 hours", 1), ("Last 7 days", 7)];

impl Orchestrator {
    pub async fn console_overview(&self) -> AppResult<Overview> {
        let now = self.now();
        let mut windows = Vec::with_capacity(WINDOWS.len());
        for (label, days) in WINDOWS {
            let from = now - Duration::days(days);
            let cells = self.stat_cells(from, now).await?;
            windows.push(OverviewWindow {
                label,
                stats: Stats::from_cells(&cells, GroupBy::Provider, from, now),
                by_method: groups(&cells, GroupBy::Method),
            });
        }
        Ok(Overview {
            now,
            windows,
            backlog: self.outbox_backlog().await?,
            circuits: self.open_circuits().await?,
            reconciler_lag: self.reconciler_lag().await?,
        })
    }
}
