//! The two writes of a create (docs/api.md, "Payments" and "Idempotency"): the new payment with
//! its first attempt, its `payment.created` entry and the payment on the idempotency key,
//! committed before the gateway is called; then the gateway's checkout on the attempt and the
//! payment, with the `attempt.created` entry and, under a key, the create's stored answer.
//!
//! On Postgres each is one statement (data-modifying CTEs), so one round trip and one implicit
//! transaction instead of BEGIN, four or five statements and COMMIT: a keyed create was 19 round
//! trips to the database, 14 of them these writes and the answer's own update
//! (bench/results/2026-12-06-create.md). A single statement is all or nothing like the
//! transaction it replaces, and the rows it writes are the ones its `RETURNING` answers, so
//! nothing is read back. SQLite has no data-modifying CTEs and no server to talk to: it keeps the
//! same writes as one transaction of separate statements, each taken from the table's own module.

use super::attempts::{self, AttemptRow};
use super::payments::{self, NewPayment, PaymentRow};
use super::timeline::{self, NewEntry};
use super::{idempotency, Db};
use crate::domain::attempt_status::AttemptState;
use crate::orchestration::transition::StatusPermit;
use chrono::{DateTime, Utc};

/// A routed payment's first attempt (the id is also the gateway-side reference).
pub struct NewAttempt<'a> {
    pub id: &'a str,
    pub account_id: &'a str,
    pub provider: &'a str,
    pub reference: &'a str,
}

/// The key (merchant, key) that created the payment: its recovery point.
pub type KeyRef<'a> = (&'a str, &'a str);

/// Writes the new payment, its first attempt (none for a hosted payment), its `payment.created`
/// entry and, under a key, the payment on the key, all or nothing. Answers the rows as written.
pub async fn record_new(
    db: &Db,
    p: &NewPayment<'_>,
    attempt: Option<&NewAttempt<'_>>,
    created: &NewEntry<'_>,
    key: Option<KeyRef<'_>>,
) -> sqlx::Result<(PaymentRow, Option<AttemptRow>)> {
    let at = Utc::now();
    let pg = match db {
        Db::Pg(pool) => pool,
        Db::Sqlite(_) => return record_new_in_transaction(db, p, attempt, created, key).await,
    };
    let payment: PaymentRow = payments::bind_new(sqlx::query_as(
        "WITH p AS (
            INSERT INTO payments (id, merchant_id, status, amount_minor, currency, order_id, provider, method,
                account_id, callback_url, return_url, cancel_url, customer, description, metadata, return_token,
                expires_at, created_at, updated_at, next_recheck_at, hosted, checkout_url)
            VALUES ($1, $2, 'pending', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17,
                $18, $19, $20)
            RETURNING *),
         a AS (
            INSERT INTO attempts (id, payment_id, account_id, provider, reference, state, created_at, updated_at)
            SELECT $21, p.id, $22, $23, $24, 'creating', $25, $25 FROM p WHERE $21 IS NOT NULL),
         e AS (
            INSERT INTO payment_events (id, payment_id, type, from_status, to_status, source, detail, created_at, sequence)
            SELECT $26, p.id, $27, $28, $29, $30, $31, $32, $33 FROM p),
         k AS (
            UPDATE idempotency_keys SET payment_id = p.id FROM p
            WHERE idempotency_keys.merchant_id = $2 AND idempotency_keys.key = $34)
         SELECT * FROM p",
    ), p)
    .bind(attempt.map(|a| a.id))
    .bind(attempt.map(|a| a.account_id))
    .bind(attempt.map(|a| a.provider))
    .bind(attempt.map(|a| a.reference))
    .bind(at)
    .bind(created.id)
    .bind(created.kind)
    .bind(created.from_status)
    .bind(created.to_status)
    .bind(created.source)
    .bind(created.detail)
    .bind(created.at)
    .bind(created.sequence)
    .bind(key.map(|(_, k)| k))
    .fetch_one(pg)
    .await?;
    let attempt = attempt
        .map(|a| AttemptRow::creating(a.id, p.id, a.account_id, a.provider, a.reference, at));
    Ok((payment, attempt))
}

/// [`record_new`] as one SQLite transaction: the same rows, a statement each.
async fn record_new_in_transaction(
    db: &Db,
    p: &NewPayment<'_>,
    attempt: Option<&NewAttempt<'_>>,
    created: &NewEntry<'_>,
    key: Option<KeyRef<'_>>,
) -> sqlx::Result<(PaymentRow, Option<AttemptRow>)> {
    let mut tx = db.begin().await?;
    let payment = payments::insert(&mut tx, p).await?;
    let attempt = match attempt {
        Some(a) => {
            let (id, acc, provider, reference) = (a.id, a.account_id, a.provider, a.reference);
            Some(attempts::insert(&mut tx, id, p.id, acc, provider, reference).await?)
        }
        None => None,
    };
    timeline::insert(&mut tx, created).await?;
    if let Some((merchant_id, key)) = key {
        idempotency::set_payment(&mut tx, merchant_id, key, p.id).await?;
    }
    tx.commit().await?;
    Ok((payment, attempt))
}

/// What the gateway answered when it opened a create's checkout.
pub struct Checkout<'a> {
    pub external_id: Option<&'a str>,
    pub checkout_url: &'a str,
    pub provider_status: &'a str,
    /// The payment's `updated_at`.
    pub at: DateTime<Utc>,
}

/// A create's answer, stored on its key by [`record_opened`] when the payment, as written, still
/// reads as the answer rendered it: the fields of the creation view others may change
/// meanwhile are compared (the rest are the create's own or never change).
pub struct KeyAnswer<'a> {
    pub merchant_id: &'a str,
    pub key: &'a str,
    pub status: u16,
    pub body: &'a [u8],
    pub expect_status: &'a str,
    pub expect_provider: Option<&'a str>,
    pub expect_method: Option<&'a str>,
}

impl KeyAnswer<'_> {
    fn matches(&self, p: &PaymentRow) -> bool {
        p.status_str() == self.expect_status
            && p.provider.as_deref() == self.expect_provider
            && p.method.as_deref() == self.expect_method
    }
}

/// Writes the checkout the gateway opened: the attempt's gateway fields (and its state, moved
/// in memory by the transition module, which alone holds `permit`), the payment's checkout
/// under its row lock, `opened` (the `attempt.created` entry) and, under a key, the create's
/// `answer` when it still holds, all or nothing. Answers the payment as updated (`None` when it
/// does not exist: then nothing is written) and whether the answer was stored.
pub async fn record_opened(
    db: &Db,
    a: &AttemptRow,
    state: Option<(AttemptState, &StatusPermit)>,
    checkout: &Checkout<'_>,
    opened: &NewEntry<'_>,
    answer: Option<&KeyAnswer<'_>>,
) -> sqlx::Result<(Option<PaymentRow>, bool)> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        payment: PaymentRow,
        key_answered: bool,
    }
    let pg = match db {
        Db::Pg(pool) => pool,
        Db::Sqlite(_) => {
            return record_opened_in_transaction(db, a, state, checkout, opened, answer).await
        }
    };
    // The payment is updated first (the main query reads `p`; `k`, then `a` and `e`, run after
    // it): its row lock before the key's and the attempt's, as every state change takes them.
    let row: Option<Row> = sqlx::query_as(
        "WITH p AS (
            UPDATE payments SET external_id = $2, checkout_url = $3, provider_status = $4, updated_at = $5
            WHERE id = $1 RETURNING *),
         a AS (
            UPDATE attempts SET external_id = $7, checkout_url = $8, provider_status = $9, last_error = $10,
                charge_id = $11, state = COALESCE($12, attempts.state), updated_at = $13
            FROM p WHERE attempts.id = $6),
         e AS (
            INSERT INTO payment_events (id, payment_id, type, from_status, to_status, source, detail, created_at, sequence)
            SELECT $14, p.id, $15, $16, $17, $18, $19, $20, $21 FROM p),
         k AS (
            UPDATE idempotency_keys SET state = 'done', locked_until = NULL, response_status = $24,
                response_body = $25
            FROM p WHERE idempotency_keys.merchant_id = $22 AND idempotency_keys.key = $23
              AND p.status = $26 AND p.provider IS NOT DISTINCT FROM $27 AND p.method IS NOT DISTINCT FROM $28
            RETURNING true)
         SELECT p.*, EXISTS (SELECT 1 FROM k) AS key_answered FROM p",
    )
    .bind(opened.payment_id)
    .bind(checkout.external_id)
    .bind(checkout.checkout_url)
    .bind(checkout.provider_status)
    .bind(checkout.at)
    .bind(&a.id)
    .bind(&a.external_id)
    .bind(&a.checkout_url)
    .bind(&a.provider_status)
    .bind(&a.last_error)
    .bind(&a.charge_id)
    .bind(state.map(|(s, _)| s.as_str()))
    .bind(Utc::now())
    .bind(opened.id)
    .bind(opened.kind)
    .bind(opened.from_status)
    .bind(opened.to_status)
    .bind(opened.source)
    .bind(opened.detail)
    .bind(opened.at)
    .bind(opened.sequence)
    .bind(answer.map(|k| k.merchant_id))
    .bind(answer.map(|k| k.key))
    .bind(answer.map(|k| i32::from(k.status)))
    .bind(answer.map(|k| k.body))
    .bind(answer.map(|k| k.expect_status))
    .bind(answer.and_then(|k| k.expect_provider))
    .bind(answer.and_then(|k| k.expect_method))
    .fetch_optional(pg)
    .await?;
    Ok(match row {
        Some(r) => (Some(r.payment), r.key_answered),
        None => (None, false),
    })
}

/// [`record_opened`] as one SQLite transaction: the same writes, a statement each.
async fn record_opened_in_transaction(
    db: &Db,
    a: &AttemptRow,
    state: Option<(AttemptState, &StatusPermit)>,
    checkout: &Checkout<'_>,
    opened: &NewEntry<'_>,
    answer: Option<&KeyAnswer<'_>>,
) -> sqlx::Result<(Option<PaymentRow>, bool)> {
    let mut tx = db.begin().await?;
    attempts::set_provider_fields(&mut tx, a).await?;
    if let Some((_, permit)) = state {
        attempts::write_state(&mut tx, a, permit).await?;
    }
    let Some(mut p) = payments::lock(&mut tx, opened.payment_id).await? else {
        return Ok((None, false));
    };
    p.external_id = checkout.external_id.map(str::to_owned);
    p.checkout_url = Some(checkout.checkout_url.to_owned());
    p.provider_status = Some(checkout.provider_status.to_owned());
    p.updated_at = checkout.at;
    payments::set_provider_fields(&mut tx, &p).await?;
    timeline::insert(&mut tx, opened).await?;
    let answered = match answer {
        Some(k) if k.matches(&p) => {
            idempotency::finish(&mut tx, k.merchant_id, k.key, k.status, k.body).await?;
            true
        }
        _ => false,
    };
    tx.commit().await?;
    Ok((Some(p), answered))
}
