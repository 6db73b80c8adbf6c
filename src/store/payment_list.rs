//! The merchant's and the admin's payment list: newest first, keyset-paginated, with only the
//! filters given in the SQL.

use super::payments::PaymentRow;
use super::{on_conn, Conn};
use chrono::{DateTime, Utc};

#[derive(Debug, Default, Clone)]
pub struct ListFilter {
    /// The console's exact-id search (a payment id).
    pub id: Option<String>,
    pub external_id: Option<String>,
    pub method: Option<String>,
    pub status: Option<String>,
    pub provider: Option<String>,
    pub order_id: Option<String>,
    pub created_after: Option<DateTime<Utc>>,
    pub created_before: Option<DateTime<Utc>>,
    /// Keyset cursor: rows strictly older than this (created_at, id).
    pub after: Option<(DateTime<Utc>, String)>,
}

/// Newest first; fetches `limit + 1` so the caller knows whether there is more. The SQL is
/// built with only the filters given, so the planner sees plain predicates and uses the index
/// that starts with them.
pub async fn list(
    conn: &mut Conn,
    merchant_id: Option<&str>,
    f: &ListFilter,
    limit: i64,
) -> sqlx::Result<Vec<PaymentRow>> {
    on_conn!(conn, c => {
    let mut q = sqlx::QueryBuilder::new("SELECT * FROM payments WHERE true");
    if let Some(m) = merchant_id {
        q.push(" AND merchant_id = ").push_bind(m);
    }
    if let Some(v) = &f.id {
        q.push(" AND id = ").push_bind(v);
    }
    if let Some(v) = &f.external_id {
        q.push(" AND external_id = ").push_bind(v);
    }
    if let Some(v) = &f.method {
        q.push(" AND method = ").push_bind(v);
    }
    if let Some(v) = &f.status {
        q.push(" AND status = ").push_bind(v);
    }
    if let Some(v) = &f.provider {
        q.push(" AND provider = ").push_bind(v);
    }
    if let Some(v) = &f.order_id {
        q.push(" AND order_id = ").push_bind(v);
    }
    if let Some(v) = f.created_after {
        q.push(" AND created_at >= ").push_bind(v);
    }
    if let Some(v) = f.created_before {
        q.push(" AND created_at < ").push_bind(v);
    }
    if let Some((ts, id)) = &f.after {
        q.push(" AND (created_at, id) < (")
            .push_bind(*ts)
            .push(", ")
            .push_bind(id)
            .push(")");
    }
    q.push(" ORDER BY created_at DESC, id DESC LIMIT ")
        .push_bind(limit + 1);
    q.build_query_as().fetch_all(c).await
    })
}

/// Payments in `status`, oldest first (the console's review queue), at most `limit`.
pub async fn oldest_with_status(
    conn: &mut Conn,
    status: &str,
    limit: i64,
) -> sqlx::Result<Vec<PaymentRow>> {
    on_conn!(conn, c => sqlx::query_as(
        "SELECT * FROM payments WHERE status = $1 ORDER BY created_at, id LIMIT $2",
    )
    .bind(status)
    .bind(limit)
    .fetch_all(c)
    .await)
}
