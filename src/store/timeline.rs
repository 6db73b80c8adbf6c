//! The payment timeline and the merchant-event outbox, both written inside the change's
//! transaction.

use super::{on_conn, Conn};
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TimelineRow {
    pub id: String,
    pub payment_id: String,
    #[sqlx(rename = "type")]
    pub kind: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub source: String,
    pub detail: Option<String>,
    pub created_at: DateTime<Utc>,
    /// The merchant event (outbox `sequence`) this entry announced; `None` for notes.
    pub sequence: Option<i32>,
}

pub struct NewEntry<'a> {
    pub id: &'a str,
    pub payment_id: &'a str,
    pub kind: &'a str,
    pub from_status: Option<&'a str>,
    pub to_status: Option<&'a str>,
    pub source: &'a str,
    pub detail: Option<&'a str>,
    pub at: DateTime<Utc>,
    /// The outbox `sequence` of the merchant event this entry announces, if any.
    pub sequence: Option<i32>,
}

pub async fn insert(conn: &mut Conn, e: &NewEntry<'_>) -> sqlx::Result<()> {
    on_conn!(conn, c => sqlx::query(
        "INSERT INTO payment_events (id, payment_id, type, from_status, to_status, source, detail, created_at, sequence)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(e.id)
    .bind(e.payment_id)
    .bind(e.kind)
    .bind(e.from_status)
    .bind(e.to_status)
    .bind(e.source)
    .bind(e.detail)
    .bind(e.at)
    .bind(e.sequence)
    .execute(c)
    .await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn for_payment(conn: &mut Conn, payment_id: &str) -> sqlx::Result<Vec<TimelineRow>> {
    on_conn!(conn, c => sqlx::query_as("SELECT * FROM payment_events WHERE payment_id = $1 ORDER BY created_at, id")
        .bind(payment_id)
        .fetch_all(c)
        .await)
}

pub struct NewOutboxEvent<'a> {
    pub id: &'a str,
    pub merchant_id: &'a str,
    pub payment_id: &'a str,
    pub kind: &'a str,
    pub sequence: i32,
    pub payload: &'a str,
    pub target_url: Option<&'a str>,
    pub at: DateTime<Utc>,
}

pub async fn enqueue(conn: &mut Conn, e: &NewOutboxEvent<'_>) -> sqlx::Result<()> {
    on_conn!(conn, c => sqlx::query(
        "INSERT INTO outbox_events (id, merchant_id, payment_id, type, sequence, payload, target_url, next_attempt_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
    )
    .bind(e.id)
    .bind(e.merchant_id)
    .bind(e.payment_id)
    .bind(e.kind)
    .bind(e.sequence)
    .bind(e.payload)
    .bind(e.target_url)
    .bind(e.at)
    .execute(c)
    .await.map(|r| r.rows_affected()))?;
    Ok(())
}
