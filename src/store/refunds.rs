//! Refunds. The sum of a payment's reserved refunds (pending, completed, in review) is read under
//! the payment's lock, in the transaction that inserts the next one, so Payrail never promises
//! back more than was paid. Refunds made at the gateway are rows too (`origin = gateway`), so a
//! payment's `refunded_minor` is always the sum of its completed rows.

use super::{on_conn, Conn};
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RefundRow {
    pub id: String,
    pub payment_id: String,
    pub merchant_id: String,
    pub attempt_id: String,
    pub amount_minor: i64,
    pub currency: String,
    pub status: String,
    pub reason: Option<String>,
    pub reference: String,
    pub external_id: Option<String>,
    pub provider_status: Option<String>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// `api` (made through Payrail) or `gateway` (made at the gateway, learnt from its news).
    pub origin: String,
    /// Why the refund failed or waits for ops.
    pub status_detail: Option<String>,
}

/// Made through Payrail's API.
pub const ORIGIN_API: &str = "api";
/// Made at the gateway (its dashboard), outside Payrail.
pub const ORIGIN_GATEWAY: &str = "gateway";

/// The reconciler first asks about a pending refund this long after it was made.
pub const FIRST_RECHECK_SECS: i64 = 60;

pub async fn insert(conn: &mut Conn, r: &RefundRow) -> sqlx::Result<()> {
    on_conn!(conn, c => sqlx::query(
        "INSERT INTO refunds (id, payment_id, merchant_id, attempt_id, amount_minor, currency, status, reason,
            reference, external_id, provider_status, last_error, created_at, updated_at, origin, status_detail,
            next_recheck_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
            CASE WHEN $7 = 'pending' THEN $17 END)",
    )
    .bind(&r.id)
    .bind(&r.payment_id)
    .bind(&r.merchant_id)
    .bind(&r.attempt_id)
    .bind(r.amount_minor)
    .bind(&r.currency)
    .bind(&r.status)
    .bind(&r.reason)
    .bind(&r.reference)
    .bind(&r.external_id)
    .bind(&r.provider_status)
    .bind(&r.last_error)
    .bind(r.created_at)
    .bind(r.updated_at)
    .bind(&r.origin)
    .bind(&r.status_detail)
    .bind(r.created_at + chrono::Duration::seconds(FIRST_RECHECK_SECS))
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn save(conn: &mut Conn, r: &RefundRow) -> sqlx::Result<()> {
    on_conn!(conn, c => sqlx::query(
        "UPDATE refunds SET status = $2, external_id = $3, provider_status = $4, last_error = $5, updated_at = $6,
            status_detail = $7
         WHERE id = $1",
    )
    .bind(&r.id)
    .bind(&r.status)
    .bind(&r.external_id)
    .bind(&r.provider_status)
    .bind(&r.last_error)
    .bind(r.updated_at)
    .bind(&r.status_detail)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn get(conn: &mut Conn, id: &str) -> sqlx::Result<Option<RefundRow>> {
    on_conn!(conn, c => sqlx::query_as("SELECT * FROM refunds WHERE id = $1").bind(id).fetch_optional(c).await)
}

pub async fn get_for_merchant(
    conn: &mut Conn,
    merchant_id: &str,
    id: &str,
) -> sqlx::Result<Option<RefundRow>> {
    on_conn!(conn, c => sqlx::query_as("SELECT * FROM refunds WHERE id = $1 AND merchant_id = $2")
        .bind(id)
        .bind(merchant_id)
        .fetch_optional(c)
        .await)
}

pub async fn by_reference(conn: &mut Conn, reference: &str) -> sqlx::Result<Option<RefundRow>> {
    on_conn!(conn, c => sqlx::query_as("SELECT * FROM refunds WHERE reference = $1").bind(reference).fetch_optional(c).await)
}

pub async fn for_payment(conn: &mut Conn, payment_id: &str) -> sqlx::Result<Vec<RefundRow>> {
    on_conn!(conn, c => sqlx::query_as("SELECT * FROM refunds WHERE payment_id = $1 ORDER BY created_at, id")
        .bind(payment_id)
        .fetch_all(c)
        .await)
}

/// Minor units already promised back: pending, completed and in-review refunds.
pub async fn reserved_minor(conn: &mut Conn, payment_id: &str) -> sqlx::Result<i64> {
    let total: Option<i64> = on_conn!(conn, c => sqlx::query_scalar(
        "SELECT CAST(SUM(amount_minor) AS BIGINT) FROM refunds WHERE payment_id = $1 AND status IN ('pending', 'completed', 'needs_review')",
    )
    .bind(payment_id)
    .fetch_one(c)
    .await)?;
    Ok(total.unwrap_or(0))
}

/// The refund of `attempt_id` the gateway knows by `external_id`, if Payrail holds it.
pub async fn by_external_id(
    conn: &mut Conn,
    attempt_id: &str,
    external_id: &str,
) -> sqlx::Result<Option<RefundRow>> {
    on_conn!(conn, c => sqlx::query_as("SELECT * FROM refunds WHERE attempt_id = $1 AND external_id = $2")
        .bind(attempt_id)
        .bind(external_id)
        .fetch_optional(c)
        .await)
}

/// Refunds of a payment that may still be settled (pending, or in review), oldest first.
pub async fn unsettled_for_payment(
    conn: &mut Conn,
    payment_id: &str,
) -> sqlx::Result<Vec<RefundRow>> {
    on_conn!(conn, c => sqlx::query_as(
        "SELECT * FROM refunds WHERE payment_id = $1 AND status IN ('pending', 'needs_review') ORDER BY created_at, id",
    )
    .bind(payment_id)
    .fetch_all(c)
    .await)
}

/// Claims pending refunds whose recheck is due, with a lease until `lease_until`; returns
/// their payments' ids (one recheck of a payment settles all its refunds).
pub async fn claim_rechecks(
    conn: &mut Conn,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: i64,
) -> sqlx::Result<Vec<RefundRow>> {
    let due = "status = 'pending' AND next_recheck_at <= $1
               AND (recheck_lease_until IS NULL OR recheck_lease_until <= $1)";
    let pick = match conn.conn() {
        super::ConnRef::Pg(_) => format!("SELECT id FROM refunds WHERE {due} ORDER BY next_recheck_at LIMIT $3 FOR UPDATE SKIP LOCKED"),
        super::ConnRef::Sqlite(_) => format!("SELECT id FROM refunds WHERE {due} ORDER BY next_recheck_at LIMIT $3"),
    };
    let sql =
        format!("UPDATE refunds SET recheck_lease_until = $2 WHERE id IN ({pick}) RETURNING *");
    on_conn!(conn, c => sqlx::query_as(&sql).bind(now).bind(lease_until).bind(limit).fetch_all(c).await)
}

/// Ends a refund's recheck: the next one (or none) and the lease released.
pub async fn set_next_recheck(
    conn: &mut Conn,
    id: &str,
    next: Option<DateTime<Utc>>,
) -> sqlx::Result<()> {
    on_conn!(conn, c => sqlx::query("UPDATE refunds SET next_recheck_at = $2, recheck_lease_until = NULL WHERE id = $1")
        .bind(id)
        .bind(next)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}
