//! Ops-console sessions, known by the SHA-256 of their id (the cookie's value is never stored).
//! A row is the whole session: deleting it signs the browser out on every instance.

use super::{on_conn, Conn};
use chrono::{DateTime, Utc};

pub async fn insert(
    conn: &mut Conn,
    id_hash: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> sqlx::Result<()> {
    on_conn!(conn, c => sqlx::query(
        "INSERT INTO console_sessions (id_hash, created_at, expires_at) VALUES ($1, $2, $3)",
    )
    .bind(id_hash)
    .bind(now)
    .bind(expires_at)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// When the session ends, if it exists and has not ended yet.
pub async fn live_until(
    conn: &mut Conn,
    id_hash: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<DateTime<Utc>>> {
    on_conn!(conn, c => sqlx::query_scalar(
        "SELECT expires_at FROM console_sessions WHERE id_hash = $1 AND expires_at > $2",
    )
    .bind(id_hash)
    .bind(now)
    .fetch_optional(c)
    .await)
}

pub async fn delete(conn: &mut Conn, id_hash: &str) -> sqlx::Result<u64> {
    on_conn!(conn, c => sqlx::query("DELETE FROM console_sessions WHERE id_hash = $1")
        .bind(id_hash)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
}

/// Deletes every session that has ended (few rows: one per sign-in, hours apart).
pub async fn delete_expired(conn: &mut Conn, now: DateTime<Utc>) -> sqlx::Result<u64> {
    on_conn!(conn, c => sqlx::query("DELETE FROM console_sessions WHERE expires_at <= $1")
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
}
