//! The single place an attempt's state changes: the gateway's answer to the create call
//! (`create_outcome`, `hosted`, `routing`), its later news (`reports`), and ops settling a
//! double payment (`review`). Each asks `domain::attempt_status`'s table first; a refused change
//! writes nothing but a log line.

use super::PERMIT;
use crate::domain::attempt_status::{decide, AttemptState};
use crate::domain::status::{Decision, Source};
use crate::error::{AppError, AppResult};
use crate::store::create_rows::{Checkout, KeyAnswer};
use crate::store::payments::PaymentRow;
use crate::store::timeline::NewEntry;
use crate::store::{self, attempts::AttemptRow, Conn, Db};

/// Moves attempt `a` to `to` (in memory and in the database) if the table allows it.
pub async fn change_attempt(
    conn: &mut Conn,
    a: &mut AttemptRow,
    to: AttemptState,
    source: Source,
) -> AppResult<Decision> {
    let decision = decide_change(a, to, source)?;
    if decision == Decision::Apply {
        a.set_state(to, &PERMIT);
        store::attempts::write_state(conn, a, &PERMIT).await?;
    }
    Ok(decision)
}

/// The gateway opened a create's checkout: attempt `a` moves to `open` if the table allows it,
/// written together with its gateway fields, the payment's checkout and the `attempt.created`
/// entry, and the create's `answer` on its key when it still holds
/// (`store::create_rows::record_opened`: one statement on Postgres). Answers the payment as
/// updated (`None` when it is gone: then nothing was written) and whether the answer was stored.
pub async fn record_checkout_opened(
    db: &Db,
    a: &mut AttemptRow,
    source: Source,
    checkout: &Checkout<'_>,
    entry: &NewEntry<'_>,
    answer: Option<&KeyAnswer<'_>>,
) -> AppResult<(Option<PaymentRow>, bool)> {
    let to = AttemptState::Open;
    let state = if decide_change(a, to, source)? == Decision::Apply {
        a.set_state(to, &PERMIT);
        Some((to, &PERMIT))
    } else {
        None
    };
    Ok(store::create_rows::record_opened(db, a, state, checkout, entry, answer).await?)
}

/// What the table says to moving `a` to `to`; a refusal is logged.
fn decide_change(a: &AttemptRow, to: AttemptState, source: Source) -> AppResult<Decision> {
    let from = a.state().ok_or_else(|| {
        AppError::Internal(anyhow::anyhow!(
            "attempt {} has state {:?}",
            a.id,
            a.state_str()
        ))
    })?;
    let decision = decide(from, to, source);
    if decision == Decision::Refused {
        tracing::warn!(attempt_id = %a.id, %from, %to, source = source.as_str(), "attempt change refused");
    }
    Ok(decision)
}

/// Ops settled the payment's review: its double-paid attempts are dealt with. How many.
pub async fn settle_double_paid(conn: &mut Conn, payment_id: &str) -> AppResult<u64> {
    // The bulk update makes one move of the table, for ops only.
    debug_assert_eq!(
        decide(
            AttemptState::DoublePaid,
            AttemptState::DuplicateSettled,
            Source::Admin
        ),
        Decision::Apply
    );
    Ok(store::attempts::settle_double_paid(conn, payment_id, &PERMIT).await?)
}
