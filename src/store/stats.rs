//! The reconciler's lag for the console's overview. The window statistics themselves are read
//! from the hourly rollup (`stat_rollup.rs`).

use super::{on_conn, Conn};
use chrono::{DateTime, Utc};

/// The oldest recheck that is due and not yet done: how far the reconciler is behind (none
/// when it is keeping up). Uses the reconciler's own `payments_recheck_due` index.
pub async fn oldest_due_recheck(
    conn: &mut Conn,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<DateTime<Utc>>> {
    let row: (Option<DateTime<Utc>>,) = on_conn!(conn, c => sqlx::query_as(
        "SELECT min(next_recheck_at) FROM payments \
         WHERE (status IN ('pending', 'processing') \
                OR (status = 'needs_review' AND status_detail LIKE 'underpaid%')) \
           AND next_recheck_at <= $1",
    )
    .bind(now)
    .fetch_one(c)
    .await)?;
    Ok(row.0)
}
