//! The merchant-event outbox: claimed with a lease (`FOR UPDATE SKIP LOCKED` on Postgres; on
//! SQLite the claiming UPDATE runs under the single write lock), sent outside any transaction,
//! then marked delivered, rescheduled or stopped.

use super::{on_conn, Conn, ConnRef};
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OutboxRow {
    pub id: String,
    pub merchant_id: String,
    pub payment_id: String,
    #[sqlx(rename = "type")]
    pub kind: String,
    pub sequence: i32,
    pub payload: String,
    pub target_url: Option<String>,
    /// Attempts made, including the one just claimed.
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub stopped_at: Option<DateTime<Utc>>,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
}

const DUE: &str = "delivered_at IS NULL AND stopped_at IS NULL AND next_attempt_at <= $1
                   AND (lease_until IS NULL OR lease_until <= $1)";

/// Claims up to `limit` due events until `lease_until`, counting the attempt.
pub async fn claim_due(
    conn: &mut Conn,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: i64,
) -> sqlx::Result<Vec<OutboxRow>> {
    let pick = match conn.conn() {
        ConnRef::Pg(_) => format!("SELECT id FROM outbox_events WHERE {DUE} ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED"),
        ConnRef::Sqlite(_) => format!("SELECT id FROM outbox_events WHERE {DUE} ORDER BY next_attempt_at LIMIT $3"),
    };
    let sql = format!(
        "UPDATE outbox_events SET lease_until = $2, attempts = attempts + 1 WHERE id IN ({pick})
         RETURNING id, merchant_id, payment_id, type, sequence, payload, target_url, attempts, next_attempt_at,
                   delivered_at, stopped_at, last_status, last_error, created_at"
    );
    on_conn!(conn, c => sqlx::query_as(&sql).bind(now).bind(lease_until).bind(limit).fetch_all(c).await)
}

pub async fn mark_delivered(
    conn: &mut Conn,
    id: &str,
    now: DateTime<Utc>,
    status: i32,
) -> sqlx::Result<()> {
    on_conn!(conn, c => sqlx::query(
        "UPDATE outbox_events SET delivered_at = $2, lease_until = NULL, last_status = $3, last_error = NULL WHERE id = $1",
    )
    .bind(id)
    .bind(now)
    .bind(status)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn reschedule(
    conn: &mut Conn,
    id: &str,
    next_at: DateTime<Utc>,
    status: Option<i32>,
    error: Option<&str>,
) -> sqlx::Result<()> {
    on_conn!(conn, c => sqlx::query(
        "UPDATE outbox_events SET next_attempt_at = $2, lease_until = NULL, last_status = $3, last_error = $4 WHERE id = $1",
    )
    .bind(id)
    .bind(next_at)
    .bind(status)
    .bind(error)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn stop(
    conn: &mut Conn,
    id: &str,
    now: DateTime<Utc>,
    status: Option<i32>,
    error: &str,
) -> sqlx::Result<()> {
    on_conn!(conn, c => sqlx::query(
        "UPDATE outbox_events SET stopped_at = $2, lease_until = NULL, last_status = $3, last_error = $4 WHERE id = $1",
    )
    .bind(id)
    .bind(now)
    .bind(status)
    .bind(error)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Sends an event again from now (ops' redelivery): true when the event exists.
pub async fn redeliver(conn: &mut Conn, id: &str, now: DateTime<Utc>) -> sqlx::Result<bool> {
    let n = on_conn!(conn, c => sqlx::query(
        "UPDATE outbox_events SET delivered_at = NULL, stopped_at = NULL, lease_until = NULL, next_attempt_at = $2
         WHERE id = $1",
    )
    .bind(id)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// A payment's merchant events, oldest first (the console's deliveries).
pub async fn for_payment(conn: &mut Conn, payment_id: &str) -> sqlx::Result<Vec<OutboxRow>> {
    on_conn!(conn, c => sqlx::query_as(
        "SELECT id, merchant_id, payment_id, type, sequence, payload, target_url, attempts, next_attempt_at,
                delivered_at, stopped_at, last_status, last_error, created_at
         FROM outbox_events WHERE payment_id = $1 ORDER BY sequence, created_at",
    )
    .bind(payment_id)
    .fetch_all(c)
    .await)
}

/// Undelivered events and the creation time of the oldest (for metrics).
pub async fn backlog(conn: &mut Conn) -> sqlx::Result<(i64, Option<DateTime<Utc>>)> {
    on_conn!(conn, c => sqlx::query_as(
        "SELECT count(*), min(created_at) FROM outbox_events WHERE delivered_at IS NULL AND stopped_at IS NULL",
    )
    .fetch_one(c)
    .await)
}
