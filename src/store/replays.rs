//! Signatures of signed state-changing requests seen inside the timestamp window (replay refusal).

use super::{on_conn, Conn};
use chrono::{DateTime, Utc};

/// Whether a signature was new, or where it was first used.
#[derive(Debug, PartialEq, Eq)]
pub enum Seen {
    First,
    Before {
        method: Option<String>,
        path: Option<String>,
    },
}

/// Records the signature with the method and path it came with, unless it is already there.
pub async fn remember(
    conn: &mut Conn,
    merchant_id: &str,
    signature: &str,
    method: &str,
    path: &str,
    expires_at: DateTime<Utc>,
) -> sqlx::Result<Seen> {
    let inserted = on_conn!(conn, c => sqlx::query(
        "INSERT INTO request_replays (merchant_id, signature, expires_at, method, path)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
    )
    .bind(merchant_id)
    .bind(signature)
    .bind(expires_at)
    .bind(method)
    .bind(path)
    .execute(c)
    .await.map(|r| r.rows_affected()))?;
    if inserted == 1 {
        return Ok(Seen::First);
    }
    let first: Option<(Option<String>, Option<String>)> = on_conn!(conn, c => sqlx::query_as(
        "SELECT method, path FROM request_replays WHERE merchant_id = $1 AND signature = $2",
    )
    .bind(merchant_id)
    .bind(signature)
    .fetch_optional(c)
    .await)?;
    let (method, path) = first.unwrap_or_default();
    Ok(Seen::Before { method, path })
}

pub async fn delete_expired(conn: &mut Conn, now: DateTime<Utc>) -> sqlx::Result<u64> {
    Ok(
        on_conn!(conn, c => sqlx::query("DELETE FROM request_replays WHERE expires_at <= $1")
            .bind(now)
            .execute(c)
            .await.map(|r| r.rows_affected()))?,
    )
}
