//! The single place a refund's state changes, and with it the payment's money.
//!
//! The caller holds the payment's row lock inside a transaction. [`Orchestrator::change_refund`]
//! asks the refund transition table (`domain::refund_status`); a completed refund adds to the
//! payment's `refunded_minor` and moves a paid payment to `partially_refunded` or `refunded` (a
//! payment in review stays there: refunds do not settle what did not match). Every change writes
//! the merchant's `refund.*` event and its timeline entry with the same sequence. A refund ops
//! confirm `reversed` (the gateway gave its money back to the merchant) takes its amount off
//! again. So a payment's refunded amount is always the sum of its completed refund rows.

use super::{Change, PERMIT};
use crate::domain::money::{format_minor, Currency};
use crate::domain::refund_status::{self, RefundStatus};
use crate::domain::status::{Decision, PaymentStatus, Source};
use crate::error::{AppError, AppResult};
use crate::orchestration::refund_cap::ceiling_of;
use crate::orchestration::refund_state::status_for_money;
use crate::orchestration::refunds::refund_view;
use crate::orchestration::Orchestrator;
use crate::store::{self, payments::PaymentRow, refunds, refunds::RefundRow, Conn};
use serde_json::json;

/// The `status_detail` prefix of a payment in review for a reversed refund.
const REVERSED: &str = "refund_reversed";

impl Orchestrator {
    /// Moves refund `r` of the locked payment `p` to `to` (both saved). `why` becomes the
    /// refund's `status_detail`. A refused change saves the refund's other fields only.
    pub(in crate::orchestration) async fn change_refund(
        &self,
        conn: &mut Conn,
        p: &mut PaymentRow,
        r: &mut RefundRow,
        to: RefundStatus,
        source: Source,
        why: Option<String>,
    ) -> AppResult<Decision> {
        let from = r.status().ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!(
                "refund {} has status {:?}",
                r.id,
                r.status_str()
            ))
        })?;
        let mut decision = refund_status::decide(from, to, source);
        if decision == Decision::Apply
            && to == RefundStatus::Completed
            && p.refunded_minor + r.amount_minor > ceiling_of(p)
        {
            // Only a gateway contradicting itself gets here (Payrail never promises back more
            // than arrived, and refunds made at the gateway are bounded by what is left).
            tracing::warn!(refund_id = %r.id, payment_id = %p.id, "a completed refund would exceed the payment; left as it is");
            self.note(
                conn,
                &p.id,
                "refund.contradiction",
                source,
                json!({ "refund_id": r.id, "reason": "the gateway reports more refunded than was paid" }),
            )
            .await?;
            decision = Decision::Refused;
        }
        r.updated_at = self.now();
        refunds::set_provider_fields(conn, r).await?;
        if decision != Decision::Apply {
            tracing::info!(refund_id = %r.id, from = %from, to = %to, source = source.as_str(), decision = ?decision, "refund change not applied");
            let reversed = (from, to) == (RefundStatus::Completed, RefundStatus::Failed);
            if reversed && refund_status::is_gateways_word(source) {
                let what = format!("refund {} completed, then failed at the gateway", r.id);
                self.review_reversed_refund(conn, p, what, source).await?;
            }
            return Ok(decision);
        }
        r.set_status(to, &PERMIT);
        r.status_detail = why;
        refunds::write_status(conn, r, &PERMIT).await?;
        if to == RefundStatus::Reversed {
            // Its money is the merchant's again. The payment stays in review (that is where a
            // reversal is confirmed) until ops settle it, which reads its money then.
            p.refunded_minor -= r.amount_minor;
            store::payments::set_refunded(conn, &p.id, p.refunded_minor).await?;
        }
        if to == RefundStatus::Completed {
            p.refunded_minor += r.amount_minor;
            store::payments::set_refunded(conn, &p.id, p.refunded_minor).await?;
            if let Some(target) = status_for_money(p) {
                let change = Change {
                    to: target,
                    source,
                    detail: json!({ "refund_id": r.id }),
                    status_detail: None,
                    top_up: false,
                };
                self.apply_change(conn, p, change).await?;
            }
        }
        self.enqueue_refund_event(conn, p, r, to.event_type(), source)
            .await?;
        Ok(decision)
    }

    /// Money Payrail counts as refunded went back to the merchant at the gateway: a completed
    /// refund failed later, or a live refunded total is below Payrail's. A completed refund is
    /// never undone (its money left in Payrail's books), so the payment goes to review, once,
    /// where ops see that the customer may not have the money the payment shows as refunded.
    pub(in crate::orchestration) async fn review_reversed_refund(
        &self,
        conn: &mut Conn,
        p: &mut PaymentRow,
        what: String,
        source: Source,
    ) -> AppResult<()> {
        let flagged = p
            .status_detail
            .as_deref()
            .is_some_and(|d| d.starts_with(REVERSED));
        if p.status() == PaymentStatus::NeedsReview && flagged {
            return Ok(());
        }
        tracing::warn!(payment_id = %p.id, %what, "a refund was reversed at the gateway; payment to review");
        let change = Change {
            to: PaymentStatus::NeedsReview,
            source,
            detail: json!({ "refund_reversed": what }),
            status_detail: Some(format!(
                "{REVERSED}: {what}; refunded_amount counts money the customer may not have"
            )),
            top_up: false,
        };
        self.apply_change(conn, p, change).await?;
        Ok(())
    }

    /// `refund.completed` / `refund.failed` / `refund.needs_review` / `refund.reversed` in the
    /// payment's event
    /// sequence, with its timeline entry.
    async fn enqueue_refund_event(
        &self,
        conn: &mut Conn,
        p: &mut PaymentRow,
        r: &RefundRow,
        kind: &str,
        source: Source,
    ) -> AppResult<()> {
        p.event_sequence += 1;
        p.updated_at = self.now();
        store::payments::set_event_sequence(conn, p).await?;
        self.enqueue_event_with_data(conn, p, kind, refund_view(r))
            .await?;
        let amount = Currency::parse(&r.currency)
            .map(|c| format_minor(r.amount_minor, c))
            .unwrap_or_default();
        self.event_note(
            conn,
            p,
            kind,
            source,
            json!({ "refund_id": r.id, "status": r.status_str(), "amount": amount, "origin": r.origin, "status_detail": r.status_detail }),
        )
        .await
    }
}
