//! The incoming-webhook journal and the dedupe set of applied webhooks.

use super::{on_conn, Conn};
use chrono::Utc;

/// One delivery as journalled; the caller bounds every field (`orchestration::webhook_journal`).
pub struct NewJournalEntry<'a> {
    pub provider: &'a str,
    /// Always a known account: deliveries to unknown ones are not journalled.
    pub account_id: &'a str,
    pub headers: &'a str,
    /// What is kept of the body: all of it, or its first `limits::JOURNAL_BODY` bytes.
    pub body: &'a [u8],
    /// The length of the body as received.
    pub body_length: i32,
    pub body_truncated: bool,
    pub verified: bool,
    pub verification: &'a str,
    pub dedupe_key: Option<&'a str>,
}

pub async fn journal(conn: &mut Conn, e: &NewJournalEntry<'_>) -> sqlx::Result<i64> {
    on_conn!(conn, c => sqlx::query_scalar(
        "INSERT INTO webhook_journal (provider, account_id, headers, body, body_length, body_truncated,
                                      verified, verification, dedupe_key, received_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(e.provider)
    .bind(e.account_id)
    .bind(e.headers)
    .bind(e.body)
    .bind(e.body_length)
    .bind(e.body_truncated)
    .bind(e.verified)
    .bind(e.verification)
    .bind(e.dedupe_key)
    .bind(Utc::now())
    .fetch_one(c)
    .await)
}

pub async fn set_result(
    conn: &mut Conn,
    id: i64,
    result: &str,
    payment_id: Option<&str>,
) -> sqlx::Result<()> {
    on_conn!(conn, c => sqlx::query("UPDATE webhook_journal SET result = $2, payment_id = $3 WHERE id = $1")
        .bind(id)
        .bind(result)
        .bind(payment_id)
        .execute(c)
        .await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Claims the dedupe key inside the applying transaction; false when it was applied before.
pub async fn claim_dedupe(
    conn: &mut Conn,
    provider: &str,
    account_id: &str,
    key: &str,
) -> sqlx::Result<bool> {
    let inserted = on_conn!(conn, c => sqlx::query(
        "INSERT INTO webhook_dedupe (provider, account_id, dedupe_key, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT DO NOTHING",
    )
    .bind(provider)
    .bind(account_id)
    .bind(key)
    .bind(Utc::now())
    .execute(c)
    .await.map(|r| r.rows_affected()))?;
    Ok(inserted == 1)
}

/// Whether a verified webhook with this key was applied already (a cheap check before asking the
/// gateway to confirm it; the claim in the applying transaction stays the guarantee).
pub async fn already_applied(
    conn: &mut Conn,
    provider: &str,
    account_id: &str,
    key: &str,
) -> sqlx::Result<bool> {
    let n: i64 = on_conn!(conn, c => sqlx::query_scalar(
        "SELECT count(*) FROM webhook_dedupe WHERE provider = $1 AND account_id = $2 AND dedupe_key = $3",
    )
    .bind(provider)
    .bind(account_id)
    .bind(key)
    .fetch_one(c)
    .await)?;
    Ok(n > 0)
}

/// Journal entries and dedupe keys older than `cutoff`, at most `batch` of each per call.
pub async fn delete_older_than(
    conn: &mut Conn,
    cutoff: chrono::DateTime<Utc>,
    batch: i64,
) -> sqlx::Result<u64> {
    let journal = on_conn!(conn, c => sqlx::query(
        "DELETE FROM webhook_journal WHERE id IN (SELECT id FROM webhook_journal WHERE received_at < $1 LIMIT $2)",
    )
    .bind(cutoff)
    .bind(batch)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    let dedupe = on_conn!(conn, c => sqlx::query(
        "DELETE FROM webhook_dedupe WHERE (provider, account_id, dedupe_key) IN
            (SELECT provider, account_id, dedupe_key FROM webhook_dedupe WHERE created_at < $1 LIMIT $2)",
    )
    .bind(cutoff)
    .bind(batch)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(journal + dedupe)
}
