//! The single place an attempt's state changes: the gateway's answer to the create call
//! (`create_outcome`, `hosted`, `routing`), its later news (`reports`), and ops settling a
//! double payment (`review`). Each asks `domain::attempt_status`'s table first; a refused change
//! writes nothing but a log line.

use super::PERMIT;
use crate::domain::attempt_status::{decide, AttemptState};
use crate::domain::status::{Decision, Source};
use crate::error::{AppError, AppResult};
use crate::store::{self, attempts::AttemptRow, Conn};

/// Moves attempt `a` to `to` (in memory and in the database) if the table allows it.
pub async fn change_attempt(
    conn: &mut Conn,
    a: &mut AttemptRow,
    to: AttemptState,
    source: Source,
) -> AppResult<Decision> {
    let from = a.state().ok_or_else(|| {
        AppError::Internal(anyhow::anyhow!(
            "attempt {} has state {:?}",
            a.id,
            a.state_str()
        ))
    })?;
    let decision = decide(from, to, source);
    if decision != Decision::Apply {
        if decision == Decision::Refused {
            tracing::warn!(attempt_id = %a.id, %from, %to, source = source.as_str(), "attempt change refused");
        }
        return Ok(decision);
    }
    a.set_state(to, &PERMIT);
    store::attempts::write_state(conn, a, &PERMIT).await?;
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
