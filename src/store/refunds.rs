//! Refunds. The sum of a payment's reserved refunds (pending, completed, in review) is read under
//! the payment's lock, in the transaction that inserts the next one, so Payrail never promises
//! back more than was paid. Refunds made at the gateway are rows too (`origin = gateway`), so a
//! payment's `refunded_minor` is always the sum of its completed rows.
//!
//! A refund is written `pending`; its status is private to the row and written only with the
//! transition module's [`StatusPermit`] ([`write_status`]); the gateway's other news about it is
//! written by [`set_provider_fields`].

use super::{on_conn, Conn};
use crate::domain::refund_status::RefundStatus;
use crate::orchestration::transition::StatusPermit;
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RefundRow {
    pub id: String,
    pub payment_id: String,
    pub merchant_id: String,
    pub attempt_id: String,
    pub amount_minor: i64,
    pub currency: String,
    /// Read through [`RefundRow::status`]; changed only with a [`StatusPermit`].
    status: String,
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

impl RefundRow {
    /// The refund's status; `None` for a value the store does not know (the audit reports it).
    pub fn status(&self) -> Option<RefundStatus> {
        RefundStatus::parse(&self.status)
    }

    /// The status as stored, for the answers that render it.
    pub fn status_str(&self) -> &str {
        &self.status
    }

    /// Moves the row (in memory) to `to`; only the transition module holds a permit.
    pub fn set_status(&mut self, to: RefundStatus, _: &StatusPermit) {
        to.as_str().clone_into(&mut self.status);
    }
}

/// A refund as it is first written: `pending`, before the gateway is asked (or, for one made at
/// the gateway, before its completion is applied).
pub struct NewRefund {
    pub id: String,
    pub payment_id: String,
    pub merchant_id: String,
    pub attempt_id: String,
    pub amount_minor: i64,
    pub currency: String,
    pub reason: Option<String>,
    pub reference: String,
    pub external_id: Option<String>,
    pub provider_status: Option<String>,
    pub created_at: DateTime<Utc>,
    pub origin: String,
}

/// Writes the new refund as `pending`, its first recheck due in [`FIRST_RECHECK_SECS`].
pub async fn insert(conn: &mut Conn, n: NewRefund) -> sqlx::Result<RefundRow> {
    let r = RefundRow {
        id: n.id,
        payment_id: n.payment_id,
        merchant_id: n.merchant_id,
        attempt_id: n.attempt_id,
        amount_minor: n.amount_minor,
        currency: n.currency,
        status: RefundStatus::Pending.as_str().to_owned(),
        reason: n.reason,
        reference: n.reference,
        external_id: n.external_id,
        provider_status: n.provider_status,
        last_error: None,
        created_at: n.created_at,
        updated_at: n.created_at,
        origin: n.origin,
        status_detail: None,
    };
    on_conn!(conn, c => sqlx::query(
        "INSERT INTO refunds (id, payment_id, merchant_id, attempt_id, amount_minor, currency, status, reason,
            reference, external_id, provider_status, last_error, created_at, updated_at, origin, status_detail,
            next_recheck_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
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
    Ok(r)
}

/// Writes a status change and its detail (only the transition module can call it).
pub async fn write_status(conn: &mut Conn, r: &RefundRow, _: &StatusPermit) -> sqlx::Result<()> {
    on_conn!(conn, c => sqlx::query(
        "UPDATE refunds SET status = $2, status_detail = $3, updated_at = $4 WHERE id = $1",
    )
    .bind(&r.id)
    .bind(&r.status)
    .bind(&r.status_detail)
    .bind(r.updated_at)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// What the gateway told about the refund (its id, its status word) and the last error
/// Payrail met calling it.
pub async fn set_provider_fields(conn: &mut Conn, r: &RefundRow) -> sqlx::Result<()> {
    on_conn!(conn, c => sqlx::query(
        "UPDATE refunds SET external_id = $2, provider_status = $3, last_error = $4, updated_at = $5
         WHERE id = $1",
    )
    .bind(&r.id)
    .bind(&r.external_id)
    .bind(&r.provider_status)
    .bind(&r.last_error)
    .bind(r.updated_at)
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
