//! Signatures of signed non-GET requests seen inside the timestamp window (replay refusal).

use super::{on_conn, Conn};
use chrono::{DateTime, Utc};

/// Records the signature; false when it was already there (a replay).
pub async fn remember(
    conn: &mut Conn,
    merchant_id: &str,
    signature: &str,
    expires_at: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let inserted = on_conn!(conn, c => sqlx::query(
        "INSERT INTO request_replays (merchant_id, signature, expires_at) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING",
    )
    .bind(merchant_id)
    .bind(signature)
    .bind(expires_at)
    .execute(c)
    .await.map(|r| r.rows_affected()))?;
    Ok(inserted == 1)
}

pub async fn delete_expired(conn: &mut Conn, now: DateTime<Utc>) -> sqlx::Result<u64> {
    Ok(
        on_conn!(conn, c => sqlx::query("DELETE FROM request_replays WHERE expires_at <= $1")
            .bind(now)
            .execute(c)
            .await.map(|r| r.rows_affected()))?,
    )
}
