//! Attempts: one try of one payment at one gateway account.
//!
//! The state is private to the row and written only with the transition module's
//! [`StatusPermit`] ([`write_state`], [`settle_double_paid`]); the gateway's other news about
//! the attempt is written by [`set_provider_fields`].

use super::{on_conn, Conn};
use crate::domain::attempt_status::AttemptState;
use crate::orchestration::transition::StatusPermit;
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AttemptRow {
    pub id: String,
    pub payment_id: String,
    pub account_id: String,
    pub provider: String,
    pub reference: String,
    /// Read through [`AttemptRow::state`]; changed only with a [`StatusPermit`].
    state: String,
    pub external_id: Option<String>,
    pub checkout_url: Option<String>,
    pub provider_status: Option<String>,
    pub last_error: Option<String>,
    pub charge_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl AttemptRow {
    /// The attempt's state; `None` for a value the store does not know (the audit reports it).
    pub fn state(&self) -> Option<AttemptState> {
        AttemptState::parse(&self.state)
    }

    /// The state as stored.
    pub fn state_str(&self) -> &str {
        &self.state
    }

    /// Moves the row (in memory) to `to`; only the transition module holds a permit.
    pub fn set_state(&mut self, to: AttemptState, _: &StatusPermit) {
        to.as_str().clone_into(&mut self.state);
    }

    /// A new attempt as [`insert`] writes it (`creating`, nothing from the gateway yet), for a
    /// store that wrote it without reading it back (`create_rows`).
    pub(crate) fn creating(
        id: &str,
        payment_id: &str,
        account_id: &str,
        provider: &str,
        reference: &str,
        at: DateTime<Utc>,
    ) -> Self {
        Self {
            id: id.to_owned(),
            payment_id: payment_id.to_owned(),
            account_id: account_id.to_owned(),
            provider: provider.to_owned(),
            reference: reference.to_owned(),
            state: CREATING.to_owned(),
            external_id: None,
            checkout_url: None,
            provider_status: None,
            last_error: None,
            charge_id: None,
            created_at: at,
            updated_at: at,
        }
    }

    /// The gateway may still take money on this attempt.
    pub fn is_live(&self) -> bool {
        self.state().is_some_and(AttemptState::is_live)
    }

    /// The gateway holds (or may hold) the attempt's order (`AttemptState::may_hold_money`).
    pub fn may_hold_money(&self) -> bool {
        self.state().is_some_and(AttemptState::may_hold_money)
    }
}

/// The stored names of the states, for code that reads them as text.
pub const CREATING: &str = AttemptState::Creating.as_str();
pub const OPEN: &str = AttemptState::Open.as_str();
pub const NOT_SENT: &str = AttemptState::NotSent.as_str();
pub const DECLINED: &str = AttemptState::Declined.as_str();
pub const CLOSED: &str = AttemptState::Closed.as_str();
pub const DOUBLE_PAID: &str = AttemptState::DoublePaid.as_str();
pub const DUPLICATE_SETTLED: &str = AttemptState::DuplicateSettled.as_str();

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

/// Writes a state change (only the transition module can call it).
pub async fn write_state(conn: &mut Conn, a: &AttemptRow, _: &StatusPermit) -> sqlx::Result<()> {
    on_conn!(conn, c => sqlx::query("UPDATE attempts SET state = $2, updated_at = $3 WHERE id = $1")
        .bind(&a.id)
        .bind(&a.state)
        .bind(Utc::now())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// What the gateway told about the attempt's order: its ids, its checkout page, its status
/// word, the last error Payrail met calling it.
pub async fn set_provider_fields(conn: &mut Conn, a: &AttemptRow) -> sqlx::Result<()> {
    on_conn!(conn, c => sqlx::query(
        "UPDATE attempts SET external_id = $2, checkout_url = $3, provider_status = $4,
            last_error = $5, updated_at = $6, charge_id = $7 WHERE id = $1",
    )
    .bind(&a.id)
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

/// Marks a payment's double-paid attempts settled (ops settled its review); how many. Only the
/// transition module can call it.
pub async fn settle_double_paid(
    conn: &mut Conn,
    payment_id: &str,
    _: &StatusPermit,
) -> sqlx::Result<u64> {
    on_conn!(conn, c => sqlx::query(
        "UPDATE attempts SET state = 'duplicate_settled', updated_at = $2 WHERE payment_id = $1 AND state = 'double_paid'",
    )
    .bind(payment_id)
    .bind(Utc::now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
}
