//! The single place a refund's state changes, and with it the payment's money.
//!
//! The caller holds the payment's row lock inside a transaction. [`Orchestrator::change_refund`]
//! asks the refund transition table; a completed refund adds to the payment's
//! `refunded_minor` and moves a paid payment to `partially_refunded` or `refunded` (a payment in
//! review stays there: refunds do not settle what did not match). Every change writes the
//! merchant's `refund.*` event and its timeline entry with the same sequence. So a payment's
//! refunded amount is always the sum of its completed refund rows.
//!
//! Refunds made at the gateway (its dashboard) are recorded as rows of their own
//! ([`Orchestrator::record_gateway_refund`]), marked `origin: gateway`.

use super::refunds::refund_view;
use super::transition::Change;
use super::{views, Orchestrator};
use crate::domain::ids::RefundId;
use crate::domain::money::{format_minor, Currency};
use crate::domain::refund_status::{self, RefundStatus};
use crate::domain::status::{Decision, PaymentStatus, Source};
use crate::error::{AppError, AppResult};
use crate::store::{self, attempts::AttemptRow, payments::PaymentRow, refunds, Conn};
use refunds::RefundRow;
use serde_json::json;

/// What a refund made at the gateway is known by.
pub struct GatewayRefund<'a> {
    pub amount_minor: i64,
    /// The gateway's own id of the refund, when it gave one (the same refund learnt twice is
    /// recorded once).
    pub external_id: Option<&'a str>,
    /// Its merchant-side reference at the gateway (a gateway may make one for a dashboard
    /// refund), when there is one.
    pub reference: Option<&'a str>,
    pub provider_status: &'a str,
}

/// The status a paid payment has for its money: what is left after refunds decides it.
pub fn status_for_money(p: &PaymentRow) -> Option<PaymentStatus> {
    match views::status_of(p) {
        PaymentStatus::Completed | PaymentStatus::PartiallyRefunded => {
            Some(if p.refunded_minor >= p.amount_minor {
                PaymentStatus::Refunded
            } else if p.refunded_minor > 0 {
                PaymentStatus::PartiallyRefunded
            } else {
                PaymentStatus::Completed
            })
        }
        _ => None,
    }
}

impl Orchestrator {
    /// A refund and its payment, the payment locked: a refund changes only under that lock.
    pub(super) async fn lock_refund(
        &self,
        conn: &mut Conn,
        refund_id: &str,
    ) -> AppResult<(RefundRow, PaymentRow)> {
        let r = refunds::get(conn, refund_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let p = store::payments::lock(conn, &r.payment_id)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok((r, p))
    }

    /// Moves refund `r` of the locked payment `p` to `to` (both saved). `why` becomes the
    /// refund's `status_detail`. A refused change saves the refund's other fields only.
    pub(super) async fn change_refund(
        &self,
        conn: &mut Conn,
        p: &mut PaymentRow,
        r: &mut RefundRow,
        to: RefundStatus,
        source: Source,
        why: Option<String>,
    ) -> AppResult<Decision> {
        let from = RefundStatus::parse(&r.status).ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!("refund {} has status {:?}", r.id, r.status))
        })?;
        let mut decision = refund_status::decide(from, to, source);
        if decision == Decision::Apply
            && to == RefundStatus::Completed
            && p.refunded_minor + r.amount_minor > p.amount_minor
        {
            // Only a gateway contradicting itself gets here (Payrail never promises back more
            // than was paid, and refunds made at the gateway are bounded by what is left).
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
        if decision != Decision::Apply {
            tracing::info!(refund_id = %r.id, from = %from, to = %to, source = source.as_str(), decision = ?decision, "refund change not applied");
            refunds::save(conn, r).await?;
            return Ok(decision);
        }
        r.status = to.as_str().to_owned();
        r.status_detail = why;
        refunds::save(conn, r).await?;
        if to == RefundStatus::Completed {
            p.refunded_minor += r.amount_minor;
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

    /// Records a refund the gateway made on its own (its dashboard) as a completed refund row,
    /// bounded by what is left of the payment.
    pub(super) async fn record_gateway_refund(
        &self,
        conn: &mut Conn,
        p: &mut PaymentRow,
        attempt: &AttemptRow,
        refund: GatewayRefund<'_>,
        source: Source,
    ) -> AppResult<()> {
        if let Some(ext) = refund.external_id {
            if store::refunds::by_external_id(conn, &attempt.id, ext)
                .await?
                .is_some()
            {
                return Ok(());
            }
        }
        let left = p.amount_minor - p.refunded_minor;
        let amount_minor = refund.amount_minor.min(left);
        if amount_minor < refund.amount_minor {
            self.note(
                conn,
                &p.id,
                "refund.contradiction",
                source,
                json!({ "reason": "the gateway reports more refunded than was paid", "reported_minor": refund.amount_minor, "left_minor": left }),
            )
            .await?;
        }
        if amount_minor <= 0 {
            return Ok(());
        }
        let now = self.now();
        let id = RefundId::generate().to_string();
        let mut row = RefundRow {
            reference: refund.reference.unwrap_or(&id).to_owned(),
            id,
            payment_id: p.id.clone(),
            merchant_id: p.merchant_id.clone(),
            attempt_id: attempt.id.clone(),
            amount_minor,
            currency: p.currency.clone(),
            status: RefundStatus::Pending.as_str().into(),
            reason: Some("made at the gateway, outside Payrail".into()),
            external_id: refund.external_id.map(str::to_owned),
            provider_status: Some(refund.provider_status.to_owned()),
            last_error: None,
            created_at: now,
            updated_at: now,
            origin: refunds::ORIGIN_GATEWAY.into(),
            status_detail: None,
        };
        refunds::insert(conn, &row).await?;
        tracing::info!(payment_id = %p.id, refund_id = %row.id, amount_minor, "recorded a refund made at the gateway");
        self.change_refund(conn, p, &mut row, RefundStatus::Completed, source, None)
            .await?;
        Ok(())
    }

    /// `refund.completed` / `refund.failed` / `refund.needs_review` in the payment's event
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
        store::payments::save(conn, p).await?;
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
            json!({ "refund_id": r.id, "status": r.status, "amount": amount, "origin": r.origin, "status_detail": r.status_detail }),
        )
        .await
    }
}
