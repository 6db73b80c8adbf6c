//! Payments: insert, read, lock, field-specific updates (the keyset-paginated list is in
//! `payment_list`, re-exported here).
//!
//! There is no "save the whole row": each update writes the columns one use case changes. The
//! status is private to the row and written only by [`write_status`], which takes the
//! transition module's [`StatusPermit`]: only `orchestration::transition` can change a
//! payment's status (see its module docs for the compile-time proof).

pub use super::payment_list::{
    list, list_view, oldest_with_status, ListFilter, ListedPayment, StoredTime, Text,
    FOUR_DIGIT_YEARS, VIEW_BY_IDS,
};
use super::{on_conn, Conn, ConnRef};
use crate::domain::status::PaymentStatus;
use crate::orchestration::transition::StatusPermit;
use chrono::{DateTime, Utc};
use sqlx::query::QueryAs;
use sqlx::{Database, Encode, Type};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PaymentRow {
    pub id: String,
    pub merchant_id: String,
    /// Read through [`PaymentRow::status`]; changed only with a [`StatusPermit`].
    status: String,
    pub amount_minor: i64,
    pub currency: String,
    pub refunded_minor: i64,
    pub order_id: String,
    pub provider: Option<String>,
    pub method: Option<String>,
    pub account_id: Option<String>,
    pub external_id: Option<String>,
    pub checkout_url: Option<String>,
    pub callback_url: Option<String>,
    pub return_url: Option<String>,
    pub cancel_url: Option<String>,
    pub customer: Option<String>,
    pub description: Option<String>,
    pub metadata: Option<String>,
    pub status_detail: Option<String>,
    pub provider_status: Option<String>,
    pub return_token: String,
    pub event_sequence: i32,
    pub expires_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    /// The customer picks the method on Payrail's hosted page (no `provider`, no `method`).
    pub hosted: bool,
    /// The attempt whose money settled the payment; a second one paying is a double payment.
    pub paid_attempt_id: Option<String>,
    /// What the gateway took, as the settling attempt's latest report says (`None`: not
    /// recorded); refunds are bounded by it (`orchestration::refund_cap`).
    pub received_minor: Option<i64>,
}

impl PaymentRow {
    /// The payment's status (a value the store does not know reads as `pending`, as it always
    /// has; the audit reports such a row through its own read).
    pub fn status(&self) -> PaymentStatus {
        PaymentStatus::parse(&self.status).unwrap_or(PaymentStatus::Pending)
    }

    /// The status as stored, for the answers that render it.
    pub fn status_str(&self) -> &str {
        &self.status
    }

    /// Moves the row (in memory) to `to`; only the transition module holds a permit.
    pub fn set_status(&mut self, to: PaymentStatus, _: &StatusPermit) {
        to.as_str().clone_into(&mut self.status);
    }
}

/// A completed payment with every field set, for the views' rendering tests. The status is
/// private to this module, so a row literal can only be written here or in a child module.
#[cfg(test)]
#[path = "payment_sample.rs"]
mod sample;
#[cfg(test)]
pub(crate) use sample::sample_row_for_tests;

/// The reconciler first asks about a new payment this long after it was created.
pub const FIRST_RECHECK_SECS: i64 = 60;

pub struct NewPayment<'a> {
    pub id: &'a str,
    pub merchant_id: &'a str,
    pub amount_minor: i64,
    pub currency: &'a str,
    pub order_id: &'a str,
    /// `None` for a hosted payment until the customer picks a method.
    pub provider: Option<&'a str>,
    pub method: Option<&'a str>,
    pub account_id: Option<&'a str>,
    pub hosted: bool,
    /// Known at creation for a hosted payment (Payrail's own page).
    pub checkout_url: Option<&'a str>,
    pub callback_url: Option<&'a str>,
    pub return_url: Option<&'a str>,
    pub cancel_url: Option<&'a str>,
    pub customer: Option<&'a str>,
    pub description: Option<&'a str>,
    pub metadata: Option<&'a str>,
    pub return_token: &'a str,
    pub expires_at: DateTime<Utc>,
    pub now: DateTime<Utc>,
}

pub async fn insert(conn: &mut Conn, p: &NewPayment<'_>) -> sqlx::Result<PaymentRow> {
    on_conn!(conn, c => bind_new(sqlx::query_as(
        "INSERT INTO payments (id, merchant_id, status, amount_minor, currency, order_id, provider, method,
            account_id, callback_url, return_url, cancel_url, customer, description, metadata, return_token,
            expires_at, created_at, updated_at, next_recheck_at, hosted, checkout_url)
         VALUES ($1, $2, 'pending', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17, $18, $19, $20)
         RETURNING *",
        ),
        p,
    )
    .fetch_one(c)
    .await)
}

/// Binds a new payment's values as `$1` to `$20`, in the order of [`insert`]'s column list
/// (which `create_rows` shares), so each query that inserts a payment binds them one way.
pub(super) fn bind_new<'q, DB, O>(
    q: QueryAs<'q, DB, O, <DB as Database>::Arguments<'q>>,
    p: &NewPayment<'q>,
) -> QueryAs<'q, DB, O, <DB as Database>::Arguments<'q>>
where
    DB: Database,
    &'q str: Encode<'q, DB> + Type<DB>,
    Option<&'q str>: Encode<'q, DB> + Type<DB>,
    i64: Encode<'q, DB> + Type<DB>,
    bool: Encode<'q, DB> + Type<DB>,
    DateTime<Utc>: Encode<'q, DB> + Type<DB>,
{
    q.bind(p.id)
        .bind(p.merchant_id)
        .bind(p.amount_minor)
        .bind(p.currency)
        .bind(p.order_id)
        .bind(p.provider)
        .bind(p.method)
        .bind(p.account_id)
        .bind(p.callback_url)
        .bind(p.return_url)
        .bind(p.cancel_url)
        .bind(p.customer)
        .bind(p.description)
        .bind(p.metadata)
        .bind(p.return_token)
        .bind(p.expires_at)
        .bind(p.now)
        .bind(p.now + chrono::Duration::seconds(FIRST_RECHECK_SECS))
        .bind(p.hosted)
        .bind(p.checkout_url)
}

/// A merchant's own payment; another merchant's id reads as absent.
pub async fn get_for_merchant(
    conn: &mut Conn,
    merchant_id: &str,
    id: &str,
) -> sqlx::Result<Option<PaymentRow>> {
    on_conn!(conn, c => sqlx::query_as("SELECT * FROM payments WHERE id = $1 AND merchant_id = $2")
        .bind(id)
        .bind(merchant_id)
        .fetch_optional(c)
        .await)
}

/// What `verify` answers: three columns instead of the whole row (verify is the hottest read).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PaymentStatusRow {
    pub id: String,
    /// Whose it is: a coalesced batch hands a row only to its own merchant's lookups.
    pub merchant_id: String,
    pub status: String,
    pub external_id: Option<String>,
}

/// A merchant's own payment's status; another merchant's id reads as absent.
pub async fn status_for_merchant(
    conn: &mut Conn,
    merchant_id: &str,
    id: &str,
) -> sqlx::Result<Option<PaymentStatusRow>> {
    on_conn!(conn, c => sqlx::query_as("SELECT id, merchant_id, status, external_id FROM payments WHERE id = $1 AND merchant_id = $2")
        .bind(id)
        .bind(merchant_id)
        .fetch_optional(c)
        .await)
}

pub async fn get(conn: &mut Conn, id: &str) -> sqlx::Result<Option<PaymentRow>> {
    on_conn!(conn, c => sqlx::query_as("SELECT * FROM payments WHERE id = $1")
        .bind(id)
        .fetch_optional(c)
        .await)
}

/// The per-payment lock: every state change holds it for its transaction. (On SQLite the
/// transaction already holds the database's single write lock: see `Db::begin`.)
pub async fn lock(conn: &mut Conn, id: &str) -> sqlx::Result<Option<PaymentRow>> {
    match conn.conn() {
        ConnRef::Pg(c) => {
            sqlx::query_as("SELECT * FROM payments WHERE id = $1 FOR UPDATE")
                .bind(id)
                .fetch_optional(c)
                .await
        }
        ConnRef::Sqlite(c) => {
            sqlx::query_as("SELECT * FROM payments WHERE id = $1")
                .bind(id)
                .fetch_optional(c)
                .await
        }
    }
}

/// Writes a status change of a locked row: the status and what changes with it (its detail,
/// the completion time, the event sequence). Only the transition module can call it.
pub async fn write_status(conn: &mut Conn, p: &PaymentRow, _: &StatusPermit) -> sqlx::Result<()> {
    on_conn!(conn, c => sqlx::query(
        "UPDATE payments SET status = $2, status_detail = $3, completed_at = $4, event_sequence = $5,
            updated_at = $6
         WHERE id = $1",
    )
    .bind(&p.id)
    .bind(&p.status)
    .bind(&p.status_detail)
    .bind(p.completed_at)
    .bind(p.event_sequence)
    .bind(p.updated_at)
    .execute(c)
    .await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// What the gateway told about its order: its id, its checkout page, its own status word.
pub async fn set_provider_fields(conn: &mut Conn, p: &PaymentRow) -> sqlx::Result<()> {
    on_conn!(conn, c => sqlx::query(
        "UPDATE payments SET external_id = $2, checkout_url = $3, provider_status = $4, updated_at = $5
         WHERE id = $1",
    )
    .bind(&p.id)
    .bind(&p.external_id)
    .bind(&p.checkout_url)
    .bind(&p.provider_status)
    .bind(p.updated_at)
    .execute(c)
    .await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The attempt whose money settled the payment, and the account refunds and rechecks use.
pub async fn mark_paid_attempt(conn: &mut Conn, p: &PaymentRow) -> sqlx::Result<()> {
    on_conn!(conn, c => sqlx::query(
        "UPDATE payments SET paid_attempt_id = $2, provider = $3, account_id = $4 WHERE id = $1",
    )
    .bind(&p.id)
    .bind(&p.paid_attempt_id)
    .bind(&p.provider)
    .bind(&p.account_id)
    .execute(c)
    .await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The customer's pick on the hosted page: the method and the account its attempt went to.
pub async fn record_pick(conn: &mut Conn, p: &PaymentRow) -> sqlx::Result<()> {
    on_conn!(conn, c => sqlx::query(
        "UPDATE payments SET provider = $2, account_id = $3, method = $4, updated_at = $5 WHERE id = $1",
    )
    .bind(&p.id)
    .bind(&p.provider)
    .bind(&p.account_id)
    .bind(&p.method)
    .bind(p.updated_at)
    .execute(c)
    .await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The refunded total (the sum of the payment's completed refunds).
pub async fn set_refunded(conn: &mut Conn, id: &str, refunded_minor: i64) -> sqlx::Result<()> {
    on_conn!(conn, c => sqlx::query("UPDATE payments SET refunded_minor = $2 WHERE id = $1")
        .bind(id)
        .bind(refunded_minor)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// What the gateway took for the payment (its settling attempt's latest report).
pub async fn set_received(conn: &mut Conn, id: &str, received_minor: i64) -> sqlx::Result<()> {
    on_conn!(conn, c => sqlx::query("UPDATE payments SET received_minor = $2 WHERE id = $1")
        .bind(id)
        .bind(received_minor)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// A merchant event that is not a status change (`refund.*`) took the next sequence number.
pub async fn set_event_sequence(conn: &mut Conn, p: &PaymentRow) -> sqlx::Result<()> {
    on_conn!(conn, c => sqlx::query("UPDATE payments SET event_sequence = $2, updated_at = $3 WHERE id = $1")
        .bind(&p.id)
        .bind(p.event_sequence)
        .bind(p.updated_at)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Claims open payments (and underpayments in review, which the customer may still top up)
/// whose recheck is due, with a lease until `lease_until`. The lease is the recorded job: if this
/// instance dies mid-recheck, the payment is due again when it lapses.
pub async fn claim_rechecks(
    conn: &mut Conn,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: i64,
) -> sqlx::Result<Vec<PaymentRow>> {
    let due = "(status IN ('pending', 'processing')
                OR (status = 'needs_review' AND status_detail LIKE 'underpaid%'))
               AND next_recheck_at <= $1
               AND (recheck_lease_until IS NULL OR recheck_lease_until <= $1)";
    let pick = match conn.conn() {
        ConnRef::Pg(_) => format!("SELECT id FROM payments WHERE {due} ORDER BY next_recheck_at LIMIT $3 FOR UPDATE SKIP LOCKED"),
        ConnRef::Sqlite(_) => format!("SELECT id FROM payments WHERE {due} ORDER BY next_recheck_at LIMIT $3"),
    };
    let sql = format!(
        "UPDATE payments SET recheck_lease_until = $2, recheck_count = recheck_count + 1 WHERE id IN ({pick}) RETURNING *"
    );
    on_conn!(conn, c => sqlx::query_as(&sql).bind(now).bind(lease_until).bind(limit).fetch_all(c).await)
}

/// Ends a recheck: the next one (or none) and the lease released.
pub async fn set_next_recheck(
    conn: &mut Conn,
    id: &str,
    next: Option<DateTime<Utc>>,
) -> sqlx::Result<()> {
    on_conn!(conn, c => sqlx::query("UPDATE payments SET next_recheck_at = $2, recheck_lease_until = NULL WHERE id = $1")
        .bind(id)
        .bind(next)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// How many times the reconciler has asked about a payment.
pub async fn recheck_count(conn: &mut Conn, id: &str) -> sqlx::Result<i32> {
    on_conn!(conn, c => sqlx::query_scalar("SELECT recheck_count FROM payments WHERE id = $1").bind(id).fetch_one(c).await)
}

/// Points the payment at another gateway account (routing fell through to it).
pub async fn set_route(
    conn: &mut Conn,
    id: &str,
    provider: &str,
    account_id: &str,
) -> sqlx::Result<()> {
    on_conn!(conn, c => sqlx::query("UPDATE payments SET provider = $2, account_id = $3 WHERE id = $1")
        .bind(id)
        .bind(provider)
        .bind(account_id)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}
