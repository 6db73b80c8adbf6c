//! Charges that took money after another charge had settled their attempt (the customer paid
//! twice on one gateway order): recorded once each, settled by ops.

use super::{on_conn, Conn};
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DuplicateChargeRow {
    pub attempt_id: String,
    pub charge_id: String,
    pub payment_id: String,
    pub provider_status: Option<String>,
    pub created_at: DateTime<Utc>,
    pub settled_at: Option<DateTime<Utc>>,
}

/// Records a duplicate charge; true when it was not known before (so it is flagged once).
pub async fn record(
    conn: &mut Conn,
    attempt_id: &str,
    charge_id: &str,
    payment_id: &str,
    provider_status: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let inserted = on_conn!(conn, c => sqlx::query(
        "INSERT INTO duplicate_charges (attempt_id, charge_id, payment_id, provider_status, created_at)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (attempt_id, charge_id) DO NOTHING",
    )
    .bind(attempt_id)
    .bind(charge_id)
    .bind(payment_id)
    .bind(provider_status)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(inserted == 1)
}

pub async fn for_payment(
    conn: &mut Conn,
    payment_id: &str,
) -> sqlx::Result<Vec<DuplicateChargeRow>> {
    on_conn!(conn, c => sqlx::query_as(
        "SELECT * FROM duplicate_charges WHERE payment_id = $1 ORDER BY created_at, charge_id",
    )
    .bind(payment_id)
    .fetch_all(c)
    .await)
}

/// Marks every unsettled duplicate of a payment settled (ops settled its review).
pub async fn settle_all(
    conn: &mut Conn,
    payment_id: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<u64> {
    on_conn!(conn, c => sqlx::query(
        "UPDATE duplicate_charges SET settled_at = $2 WHERE payment_id = $1 AND settled_at IS NULL",
    )
    .bind(payment_id)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
}
