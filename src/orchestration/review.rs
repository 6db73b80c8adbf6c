//! Ops settle review cases (docs/api.md, "Admin and ops API"; the rules: docs/money.md): a payment
//! in `needs_review`, a refund the gateway never confirmed, or a completed refund the gateway
//! reversed (confirmed `reversed`, its money no longer counted). Only ops reach these (the admin
//! API and the console); every change goes through the transition tables with `Source::Admin`,
//! so the timeline says ops made it.
//!
//! Settling a payment as paid lands on the status its money implies (`completed`,
//! `partially_refunded` or `refunded`); as failed or cancelled only when nothing was refunded or
//! is promised back. Settling marks every duplicate (a second paid attempt or charge) dealt with:
//! ops refunded it at the gateway, or decided to keep it.

use super::refund_state::money_status;
use super::transition::{attempt::settle_double_paid, Change};
use super::{views, Orchestrator};
use crate::domain::refund_status::{self, RefundStatus};
use crate::domain::status::{Decision, PaymentStatus, Source};
use crate::error::{AppError, AppResult};
use crate::store::{self, payments::PaymentRow, refunds, refunds::RefundRow};
use serde_json::json;

/// What ops decided about a payment in review.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Settlement {
    /// The money is right (perhaps after ops refunded a duplicate at the gateway).
    Paid,
    Failed,
    Cancelled,
}

impl Orchestrator {
    /// Settles payment `payment_id`'s review; answers the payment.
    pub async fn resolve_payment(
        &self,
        payment_id: &str,
        settlement: Settlement,
        note: Option<String>,
    ) -> AppResult<store::payments::PaymentRow> {
        let mut tx = self.db.begin().await?;
        let mut p = store::payments::lock(&mut tx, payment_id)
            .await?
            .ok_or(AppError::NotFound)?;
        if views::status_of(&p) != PaymentStatus::NeedsReview {
            return Err(AppError::InvalidState(format!(
                "the payment is {}; only a payment in review can be settled",
                p.status_str()
            )));
        }
        let to = match settlement {
            Settlement::Paid => {
                if p.paid_attempt_id.is_none() {
                    return Err(AppError::InvalidState(
                        "no attempt's money settled this payment".into(),
                    ));
                }
                // What the money implies, as if it had completed and then been refunded.
                money_status(PaymentStatus::Completed, &p).unwrap_or(PaymentStatus::Completed)
            }
            Settlement::Failed | Settlement::Cancelled => {
                if refunds::reserved_minor(&mut tx, payment_id).await? > 0 {
                    return Err(AppError::InvalidState(
                        "money was refunded or is promised back: settle it as paid".into(),
                    ));
                }
                if settlement == Settlement::Failed {
                    PaymentStatus::Failed
                } else {
                    PaymentStatus::Cancelled
                }
            }
        };
        let change = Change {
            to,
            source: Source::Admin,
            detail: json!({ "settled": settlement, "note": note, "was": p.status_detail }),
            status_detail: None,
            top_up: false,
        };
        if self.apply_change(&mut tx, &mut p, change).await? != Decision::Apply {
            return Err(AppError::InvalidState(format!(
                "the payment cannot go from review to {to}"
            )));
        }
        let attempts = settle_double_paid(&mut tx, payment_id).await?;
        let charges = store::duplicate_charges::settle_all(&mut tx, payment_id, self.now()).await?;
        if attempts + charges > 0 {
            self.note(
                &mut tx,
                payment_id,
                "duplicates.settled",
                Source::Admin,
                json!({ "attempts": attempts, "charges": charges, "note": note }),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(p)
    }

    /// Settles a refund in review as `completed` or `failed`, or confirms a completed refund
    /// `reversed` (then reads the gateway again); answers the refund.
    pub async fn resolve_refund(
        &self,
        refund_id: &str,
        to: RefundStatus,
        note: Option<String>,
    ) -> AppResult<RefundRow> {
        let mut tx = self.db.begin().await?;
        let (mut r, mut p) = self.lock_refund(&mut tx, refund_id).await?;
        may_settle_refund(&r, &p, to)?;
        let why = Some(format!(
            "settled by ops{}",
            note.map(|n| format!(": {n}")).unwrap_or_default()
        ));
        if self
            .change_refund(&mut tx, &mut p, &mut r, to, Source::Admin, why)
            .await?
            != Decision::Apply
        {
            return Err(AppError::InvalidState(format!(
                "the refund cannot go from review to {to}"
            )));
        }
        tx.commit().await?;
        if to == RefundStatus::Reversed {
            self.recheck_after_reversal(&p.id).await;
        }
        Ok(r)
    }

    /// Reads the payment's gateway again once a reversal is confirmed. While Payrail counted the
    /// reversed refund, a gateway total that also held refunds made since (in its dashboard)
    /// was below Payrail's and explained nothing; now it does, so they are recorded before ops
    /// settle the payment. Best effort: the reversal stands if the gateway cannot be asked, and
    /// any later recheck records them.
    async fn recheck_after_reversal(&self, payment_id: &str) {
        if let Err(e) = self.recheck(None, payment_id, Source::Recheck, false).await {
            tracing::warn!(payment_id, error = %e, "recheck after a confirmed refund reversal failed; a later recheck records what it would have");
        }
    }
}

/// Whether ops may settle refund `r` of payment `p` as `to`: a refund in review as completed or
/// failed, or a completed refund of a payment in review as reversed ([`reversible`]).
pub fn may_settle_refund(r: &RefundRow, p: &PaymentRow, to: RefundStatus) -> AppResult<()> {
    if to == RefundStatus::Reversed {
        return reversible(r, p);
    }
    if r.status() != Some(RefundStatus::NeedsReview) {
        return Err(AppError::InvalidState(format!(
            "the refund is {}; only a refund in review can be settled",
            r.status_str()
        )));
    }
    // Where a refund in review may go by ops is the transition table's to say.
    if refund_status::decide(RefundStatus::NeedsReview, to, Source::Admin) != Decision::Apply {
        return Err(AppError::InvalidState(format!(
            "the refund cannot go from review to {to}"
        )));
    }
    Ok(())
}

/// The settlements ops may make of refund `r` of payment `p` now (what the console offers).
pub fn refund_settlements(r: &RefundRow, p: &PaymentRow) -> Vec<RefundStatus> {
    [
        RefundStatus::Completed,
        RefundStatus::Failed,
        RefundStatus::Reversed,
    ]
    .into_iter()
    .filter(|to| may_settle_refund(r, p, *to).is_ok())
    .collect()
}

/// Only a completed refund of a payment in review can be confirmed reversed: the review is where
/// ops see that the gateway gave a refund's money back to the merchant (`refund_reversed`).
fn reversible(r: &RefundRow, p: &PaymentRow) -> AppResult<()> {
    if r.status() != Some(RefundStatus::Completed) {
        return Err(AppError::InvalidState(format!(
            "the refund is {}; only a completed refund can be reversed",
            r.status_str()
        )));
    }
    if views::status_of(p) != PaymentStatus::NeedsReview {
        return Err(AppError::InvalidState(format!(
            "the payment is {}; a refund is reversed while its payment is in review",
            p.status_str()
        )));
    }
    Ok(())
}
