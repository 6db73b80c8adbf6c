//! Attempts: one try of one payment at one gateway account.

use super::{on_conn, Conn};
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AttemptRow {
    pub id: String,
    pub payment_id: String,
    pub account_id: String,
    pub provider: String,
    pub reference: String,
    pub state: String,
    pub external_id: Option<String>,
    pub checkout_url: Option<String>,
    pub provider_status: Option<String>,
    pub last_error: Option<String>,
    pub charge_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The attempt is being created at the gateway, or its outcome is unknown (resumable).
pub const CREATING: &str = "creating";
/// The gateway has it.
pub const OPEN: &str = "open";
/// It never reached the gateway.
pub const NOT_SENT: &str = "not_sent";
/// The gateway refused it.
pub const DECLINED: &str = "declined";
/// The gateway reported it failed, cancelled or expired while its hosted payment stayed open
/// for the customer's next pick.
pub const CLOSED: &str = "closed";
/// It took money after another attempt of its payment had (the customer paid twice): flagged
/// once, for a refund at its gateway.
pub const DOUBLE_PAID: &str = "double_paid";
/// A double-paid attempt whose duplicate ops have dealt with (refunded it at the gateway, or
/// decided to keep it) when they settled the payment's review.
pub const DUPLICATE_SETTLED: &str = "duplicate_settled";

/// States in which the gateway may still take money on this attempt.
pub fn is_live(state: &str) -> bool {
    state == CREATING || state == OPEN
}

/// States in which the gateway holds (or may hold) the attempt's order, and so may have taken
/// money on it: the live ones, and one it reported closed, since money can still land on a
/// closed order (a late transfer).
pub fn may_hold_money(state: &str) -> bool {
    is_live(state) || state == CLOSED
}

pub async fn insert(
    conn: &mut Conn,
    id: &str,
    payment_id: &str,
    account_id: &str,
    provider: &str,
    reference: &str,
) -> sqlx::Result<AttemptRow> {
    on_conn!(conn, c => sqlx::query_as(
        "INSERT INTO attempts (id, payment_id, account_id, provider, reference, state, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, 'creating', $6, $6) RETURNING *",
    )
    .bind(id)
    .bind(payment_id)
    .bind(account_id)
    .bind(provider)
    .bind(reference)
    .bind(Utc::now())
    .fetch_one(c)
    .await)
}

pub async fn get(conn: &mut Conn, id: &str) -> sqlx::Result<Option<AttemptRow>> {
    on_conn!(conn, c => sqlx::query_as("SELECT * FROM attempts WHERE id = $1")
        .bind(id)
        .fetch_optional(c)
        .await)
}

pub async fn latest_for_payment(
    conn: &mut Conn,
    payment_id: &str,
) -> sqlx::Result<Option<AttemptRow>> {
    on_conn!(conn, c => sqlx::query_as(
        "SELECT * FROM attempts WHERE payment_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1",
    )
    .bind(payment_id)
    .fetch_optional(c)
    .await)
}

/// Every attempt of a payment, newest first (a hosted payment may have several).
pub async fn for_payment(conn: &mut Conn, payment_id: &str) -> sqlx::Result<Vec<AttemptRow>> {
    on_conn!(conn, c => sqlx::query_as(
        "SELECT * FROM attempts WHERE payment_id = $1 ORDER BY created_at DESC, id DESC",
    )
    .bind(payment_id)
    .fetch_all(c)
    .await)
}

/// Finds the attempt a gateway names by our reference (webhooks).
pub async fn by_reference(
    conn: &mut Conn,
    account_id: &str,
    reference: &str,
) -> sqlx::Result<Option<AttemptRow>> {
    on_conn!(conn, c => sqlx::query_as("SELECT * FROM attempts WHERE account_id = $1 AND reference = $2")
        .bind(account_id)
        .bind(reference)
        .fetch_optional(c)
        .await)
}

/// Finds the attempt by the gateway's own id (webhooks that do not echo our reference).
pub async fn by_external_id(
    conn: &mut Conn,
    account_id: &str,
    external_id: &str,
) -> sqlx::Result<Option<AttemptRow>> {
    on_conn!(conn, c => sqlx::query_as("SELECT * FROM attempts WHERE account_id = $1 AND external_id = $2")
        .bind(account_id)
        .bind(external_id)
        .fetch_optional(c)
        .await)
}

pub async fn save(conn: &mut Conn, a: &AttemptRow) -> sqlx::Result<()> {
    on_conn!(conn, c => sqlx::query(
        "UPDATE attempts SET state = $2, external_id = $3, checkout_url = $4, provider_status = $5,
            last_error = $6, updated_at = $7, charge_id = $8 WHERE id = $1",
    )
    .bind(&a.id)
    .bind(&a.state)
    .bind(&a.external_id)
    .bind(&a.checkout_url)
    .bind(&a.provider_status)
    .bind(&a.last_error)
    .bind(Utc::now())
    .bind(&a.charge_id)
    .execute(c)
    .await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The attempt of this account that already holds a gateway charge id, if any.
pub async fn by_charge_id(
    conn: &mut Conn,
    account_id: &str,
    charge_id: &str,
) -> sqlx::Result<Option<AttemptRow>> {
    on_conn!(conn, c => sqlx::query_as("SELECT * FROM attempts WHERE account_id = $1 AND charge_id = $2")
        .bind(account_id)
        .bind(charge_id)
        .fetch_optional(c)
        .await)
}

/// Marks a payment's double-paid attempts settled (ops settled its review); how many.
pub async fn settle_double_paid(conn: &mut Conn, payment_id: &str) -> sqlx::Result<u64> {
    on_conn!(conn, c => sqlx::query(
        "UPDATE attempts SET state = 'duplicate_settled', updated_at = $2 WHERE payment_id = $1 AND state = 'double_paid'",
    )
    .bind(payment_id)
    .bind(Utc::now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
}
