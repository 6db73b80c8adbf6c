//! The aggregate reads behind the console's overview and `GET /v1/admin/stats`: payments and
//! refunds counted and summed over a `created_at` window, grouped by one column and always by
//! currency (amounts in different currencies are never added together), plus the reconciler's
//! lag. Each window scan is answered by `payments_by_created` / `refunds_by_created`.

use super::{on_conn, Conn};
use chrono::{DateTime, Utc};

/// The statuses in which the money was received (`PaymentStatus::is_paid`).
const PAID: &str = "status IN ('completed', 'partially_refunded', 'refunded')";

/// A column payments can be grouped by. The SQL names are fixed here, never taken from input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Column {
    Provider,
    Method,
    Merchant,
    Currency,
}

impl Column {
    fn sql(self) -> &'static str {
        match self {
            Column::Provider => "provider",
            Column::Method => "method",
            Column::Merchant => "merchant_id",
            Column::Currency => "currency",
        }
    }
}

/// One (group, currency) cell: payments created, how many were paid, and their amounts.
#[derive(Debug, sqlx::FromRow)]
pub struct GroupRow {
    pub group_key: Option<String>,
    pub currency: String,
    pub created: i64,
    pub completed: i64,
    pub amount_minor: i64,
    pub completed_minor: i64,
}

/// Payments created in `[from, to)`, grouped by `by` and currency.
pub async fn payment_groups(
    conn: &mut Conn,
    by: Column,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> sqlx::Result<Vec<GroupRow>> {
    let col = by.sql();
    let sql = format!(
        "SELECT {col} AS group_key, currency, CAST(count(*) AS BIGINT) AS created, \
         CAST(sum(CASE WHEN {PAID} THEN 1 ELSE 0 END) AS BIGINT) AS completed, \
         CAST(sum(amount_minor) AS BIGINT) AS amount_minor, \
         CAST(sum(CASE WHEN {PAID} THEN amount_minor ELSE 0 END) AS BIGINT) AS completed_minor \
         FROM payments WHERE created_at >= $1 AND created_at < $2 \
         GROUP BY {col}, currency ORDER BY {col}, currency"
    );
    on_conn!(conn, c => sqlx::query_as(&sql).bind(from).bind(to).fetch_all(c).await)
}

/// Hosted-checkout payments created in `[from, to)`, and how many of them were paid.
pub async fn hosted_conversion(
    conn: &mut Conn,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> sqlx::Result<(i64, i64)> {
    let sql = format!(
        "SELECT CAST(count(*) AS BIGINT), \
         CAST(COALESCE(sum(CASE WHEN {PAID} THEN 1 ELSE 0 END), 0) AS BIGINT) \
         FROM payments WHERE created_at >= $1 AND created_at < $2 AND hosted"
    );
    on_conn!(conn, c => sqlx::query_as(&sql).bind(from).bind(to).fetch_one(c).await)
}

/// Completed refunds created in `[from, to)` per currency: (currency, count, amount).
pub async fn refund_totals(
    conn: &mut Conn,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> sqlx::Result<Vec<(String, i64, i64)>> {
    on_conn!(conn, c => sqlx::query_as(
        "SELECT currency, CAST(count(*) AS BIGINT), CAST(sum(amount_minor) AS BIGINT) \
         FROM refunds WHERE created_at >= $1 AND created_at < $2 AND status = 'completed' \
         GROUP BY currency ORDER BY currency",
    )
    .bind(from)
    .bind(to)
    .fetch_all(c)
    .await)
}

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
