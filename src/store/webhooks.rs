//! The incoming-webhook journal and the dedupe set of applied webhooks.

use super::Conn;

pub struct NewJournalEntry<'a> {
    pub provider: &'a str,
    pub account_id: Option<&'a str>,
    pub headers: &'a str,
    pub body: &'a [u8],
    pub verified: bool,
    pub verification: &'a str,
    pub dedupe_key: Option<&'a str>,
}

pub async fn journal(conn: &mut Conn, e: &NewJournalEntry<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO webhook_journal (provider, account_id, headers, body, verified, verification, dedupe_key)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(e.provider)
    .bind(e.account_id)
    .bind(e.headers)
    .bind(e.body)
    .bind(e.verified)
    .bind(e.verification)
    .bind(e.dedupe_key)
    .fetch_one(conn)
    .await
}

pub async fn set_result(
    conn: &mut Conn,
    id: i64,
    result: &str,
    payment_id: Option<&str>,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE webhook_journal SET result = $2, payment_id = $3 WHERE id = $1")
        .bind(id)
        .bind(result)
        .bind(payment_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Claims the dedupe key inside the applying transaction; false when it was applied before.
pub async fn claim_dedupe(
    conn: &mut Conn,
    provider: &str,
    account_id: &str,
    key: &str,
) -> sqlx::Result<bool> {
    let inserted = sqlx::query(
        "INSERT INTO webhook_dedupe (provider, account_id, dedupe_key) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
    )
    .bind(provider)
    .bind(account_id)
    .bind(key)
    .execute(conn)
    .await?
    .rows_affected();
    Ok(inserted == 1)
}
