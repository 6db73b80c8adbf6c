//! Idempotency records (docs/api.md, "Idempotency"). The primary key (merchant, key) is the lock:
//! one request wins the insert and runs; the others read the row and replay, wait, or are refused.

use super::{on_conn, Conn};
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct IdempotencyRow {
    pub merchant_id: String,
    pub key: String,
    pub fingerprint: String,
    pub state: String,
    pub locked_until: Option<DateTime<Utc>>,
    pub payment_id: Option<String>,
    /// The refund a keyed refund request created (`None` once it is known never sent).
    pub refund_id: Option<String>,
    pub response_status: Option<i32>,
    pub response_body: Option<Vec<u8>>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

pub const IN_FLIGHT: &str = "in_flight";
pub const DONE: &str = "done";

/// Takes the key for this request: true when the row was inserted, or replaced because the old
/// one had passed its retention (an expired key is new again even before the clean-up job ran).
pub async fn try_begin(
    conn: &mut Conn,
    merchant_id: &str,
    key: &str,
    fingerprint: &str,
    now: DateTime<Utc>,
    locked_until: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let row: Option<bool> = on_conn!(conn, c => sqlx::query_scalar(
        "INSERT INTO idempotency_keys (merchant_id, key, fingerprint, state, locked_until, created_at, expires_at)
         VALUES ($1, $2, $3, 'in_flight', $5, $4, $6)
         ON CONFLICT (merchant_id, key) DO UPDATE SET
            fingerprint = EXCLUDED.fingerprint, state = 'in_flight', locked_until = EXCLUDED.locked_until,
            payment_id = NULL, response_status = NULL, response_body = NULL,
            created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
         WHERE idempotency_keys.expires_at <= $4
         RETURNING true",
    )
    .bind(merchant_id)
    .bind(key)
    .bind(fingerprint)
    .bind(now)
    .bind(locked_until)
    .bind(expires_at)
    .fetch_optional(c)
    .await)?;
    Ok(row.is_some())
}

pub async fn get(
    conn: &mut Conn,
    merchant_id: &str,
    key: &str,
) -> sqlx::Result<Option<IdempotencyRow>> {
    on_conn!(conn, c => sqlx::query_as("SELECT * FROM idempotency_keys WHERE merchant_id = $1 AND key = $2")
        .bind(merchant_id)
        .bind(key)
        .fetch_optional(c)
        .await)
}

/// Resumes a key whose previous holder released it (unknown outcome) or died: only one of many
/// concurrent retries wins this update.
pub async fn try_resume(
    conn: &mut Conn,
    merchant_id: &str,
    key: &str,
    fingerprint: &str,
    now: DateTime<Utc>,
    locked_until: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let updated = on_conn!(conn, c => sqlx::query(
        "UPDATE idempotency_keys SET locked_until = $5
         WHERE merchant_id = $1 AND key = $2 AND fingerprint = $3 AND state = 'in_flight'
           AND (locked_until IS NULL OR locked_until <= $4)",
    )
    .bind(merchant_id)
    .bind(key)
    .bind(fingerprint)
    .bind(now)
    .bind(locked_until)
    .execute(c)
    .await.map(|r| r.rows_affected()))?;
    Ok(updated == 1)
}

/// The recovery point: the payment this key created, so a retry continues the same one.
pub async fn set_payment(
    conn: &mut Conn,
    merchant_id: &str,
    key: &str,
    payment_id: &str,
) -> sqlx::Result<()> {
    on_conn!(conn, c => sqlx::query("UPDATE idempotency_keys SET payment_id = $3 WHERE merchant_id = $1 AND key = $2")
        .bind(merchant_id)
        .bind(key)
        .bind(payment_id)
        .execute(c)
        .await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The refund this key created (or `None`: it was never sent), in the refund's own transaction.
pub async fn set_refund(
    conn: &mut Conn,
    merchant_id: &str,
    key: &str,
    refund_id: Option<&str>,
) -> sqlx::Result<()> {
    on_conn!(conn, c => sqlx::query("UPDATE idempotency_keys SET refund_id = $3 WHERE merchant_id = $1 AND key = $2")
        .bind(merchant_id)
        .bind(key)
        .bind(refund_id)
        .execute(c)
        .await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Forgets the key if its request created nothing (no payment, no refund); true when it did.
pub async fn forget_if_untouched(
    conn: &mut Conn,
    merchant_id: &str,
    key: &str,
) -> sqlx::Result<bool> {
    let deleted = on_conn!(conn, c => sqlx::query(
        "DELETE FROM idempotency_keys WHERE merchant_id = $1 AND key = $2 AND state = 'in_flight'
           AND payment_id IS NULL AND refund_id IS NULL",
    )
    .bind(merchant_id)
    .bind(key)
    .execute(c)
    .await.map(|r| r.rows_affected()))?;
    Ok(deleted == 1)
}

/// Stores the final answer, replayed byte for byte from now on.
pub async fn finish(
    conn: &mut Conn,
    merchant_id: &str,
    key: &str,
    status: u16,
    body: &[u8],
) -> sqlx::Result<()> {
    on_conn!(conn, c => sqlx::query(
        "UPDATE idempotency_keys SET state = 'done', locked_until = NULL, response_status = $3, response_body = $4
         WHERE merchant_id = $1 AND key = $2",
    )
    .bind(merchant_id)
    .bind(key)
    .bind(i32::from(status))
    .bind(body)
    .execute(c)
    .await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Leaves the key resumable at once (the outcome is unknown, or nothing happened).
pub async fn release(conn: &mut Conn, merchant_id: &str, key: &str) -> sqlx::Result<()> {
    on_conn!(conn, c => sqlx::query("UPDATE idempotency_keys SET locked_until = NULL WHERE merchant_id = $1 AND key = $2 AND state = 'in_flight'")
        .bind(merchant_id)
        .bind(key)
        .execute(c)
        .await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Forgets the key entirely (the request failed before anything happened).
pub async fn forget(conn: &mut Conn, merchant_id: &str, key: &str) -> sqlx::Result<()> {
    on_conn!(conn, c => sqlx::query(
        "DELETE FROM idempotency_keys WHERE merchant_id = $1 AND key = $2 AND state = 'in_flight'",
    )
    .bind(merchant_id)
    .bind(key)
    .execute(c)
    .await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Deletes keys past retention, at most `batch` at a time (the clean-up job loops).
pub async fn delete_expired(conn: &mut Conn, now: DateTime<Utc>, batch: i64) -> sqlx::Result<u64> {
    Ok(on_conn!(conn, c => sqlx::query(
        "DELETE FROM idempotency_keys WHERE (merchant_id, key) IN
            (SELECT merchant_id, key FROM idempotency_keys WHERE expires_at <= $1 LIMIT $2)",
    )
    .bind(now)
    .bind(batch)
    .execute(c)
    .await.map(|r| r.rows_affected()))?)
}
