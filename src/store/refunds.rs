//! Refunds. The sum of a payment's pending and completed refunds is read under the payment's
//! lock, in the transaction that inserts the next one, so it can never exceed the payment.

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
}

pub const PENDING: &str = "pending";
pub const COMPLETED: &str = "completed";
pub const FAILED: &str = "failed";

pub async fn insert(conn: &mut Conn, r: &RefundRow) -> sqlx::Result<()> {
    on_conn!(conn, c => sqlx::query(
        "INSERT INTO refunds (id, payment_id, merchant_id, attempt_id, amount_minor, currency, status, reason,
            reference, external_id, provider_status, last_error, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
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
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn save(conn: &mut Conn, r: &RefundRow) -> sqlx::Result<()> {
    on_conn!(conn, c => sqlx::query(
        "UPDATE refunds SET status = $2, external_id = $3, provider_status = $4, last_error = $5, updated_at = $6
         WHERE id = $1",
    )
    .bind(&r.id)
    .bind(&r.status)
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

/// Minor units already promised back: pending and completed refunds.
pub async fn reserved_minor(conn: &mut Conn, payment_id: &str) -> sqlx::Result<i64> {
    let total: Option<i64> = on_conn!(conn, c => sqlx::query_scalar(
        "SELECT CAST(SUM(amount_minor) AS BIGINT) FROM refunds WHERE payment_id = $1 AND status IN ('pending', 'completed')",
    )
    .bind(payment_id)
    .fetch_one(c)
    .await)?;
    Ok(total.unwrap_or(0))
}
