//! What ops do to a payment from the console (docs/console.md): recheck, redeliver an event,
//! cancel, refund, settle a review or one of its refunds. Each is the existing use case (the same
//! rules, locks and transition tables as the API's) followed by a timeline note naming the
//! operator, `console`, so the payment's history says who asked even where the change itself is
//! the gateway's news (a recheck) or has no status change (a redelivery).

use super::cancel::Canceller;
use super::refunds::RefundAsk;
use super::review::Settlement;
use super::Orchestrator;
use crate::domain::ids::EventId;
use crate::domain::refund_status::RefundStatus;
use crate::domain::status::{PaymentStatus, Source};
use crate::error::{AppError, AppResult};
use crate::store::{self, payments::PaymentRow};
use serde_json::{json, Value};

/// The operator every console action names.
pub const OPERATOR: &str = "console";

impl Orchestrator {
    /// Writes `console.<action>` to the payment's timeline, by ops.
    async fn console_note(
        &self,
        payment_id: &str,
        action: &str,
        mut detail: Value,
    ) -> AppResult<()> {
        detail["operator"] = OPERATOR.into();
        detail["action"] = action.into();
        let mut conn = self.db.acquire().await?;
        self.note(
            &mut conn,
            payment_id,
            &format!("console.{action}"),
            Source::Admin,
            detail,
        )
        .await
    }

    async fn payment_any_merchant(&self, payment_id: &str) -> AppResult<PaymentRow> {
        let mut conn = self.db.acquire().await?;
        store::payments::get(&mut conn, payment_id)
            .await?
            .ok_or(AppError::NotFound)
    }

    /// Asks the gateway now and applies its answer (the recheck's own entries say `recheck`).
    pub async fn console_recheck(&self, payment_id: &str) -> AppResult<PaymentStatus> {
        let r = self
            .recheck(None, payment_id, Source::Recheck, false)
            .await?;
        let detail = json!({ "previous": r.previous, "current": r.current, "changed": r.changed,
            "provider_status": r.provider_status });
        self.console_note(payment_id, "recheck", detail).await?;
        Ok(r.current)
    }

    /// Cancels a payment not paid yet (the gateway is asked first, as for the merchant).
    pub async fn console_cancel(&self, payment_id: &str) -> AppResult<()> {
        let p = self.payment_any_merchant(payment_id).await?;
        self.cancel_by(&p.merchant_id, payment_id, Canceller::Console)
            .await?;
        self.console_note(payment_id, "cancel", json!({})).await
    }

    /// Refunds `amount` (major units; everything left when `None`) at the gateway.
    pub async fn console_refund(
        &self,
        payment_id: &str,
        amount: Option<&str>,
        reason: Option<String>,
    ) -> AppResult<String> {
        let p = self.payment_any_merchant(payment_id).await?;
        let ask = RefundAsk {
            amount,
            reason: reason.clone(),
            key: None,
        };
        let refund = self.create_refund(&p.merchant_id, payment_id, ask).await?;
        let detail = json!({ "refund_id": refund.id, "amount": amount, "reason": reason,
            "refund_status": refund.status_str() });
        self.console_note(payment_id, "refund", detail).await?;
        Ok(refund.id)
    }

    /// Schedules one of this payment's merchant events for delivery again, now.
    pub async fn console_redeliver(&self, payment_id: &str, event_id: &str) -> AppResult<()> {
        EventId::parse(event_id).ok_or(AppError::NotFound)?;
        let mut conn = self.db.acquire().await?;
        let events = store::outbox::for_payment(&mut conn, payment_id).await?;
        drop(conn);
        if !events.iter().any(|e| e.id == event_id) {
            return Err(AppError::NotFound);
        }
        self.redeliver(event_id).await?;
        self.console_note(payment_id, "redeliver", json!({ "event_id": event_id }))
            .await
    }

    /// Settles a payment in review (the transition table decides what it may become).
    pub async fn console_resolve(
        &self,
        payment_id: &str,
        settlement: Settlement,
        note: String,
    ) -> AppResult<PaymentStatus> {
        let p = self
            .resolve_payment(payment_id, settlement, Some(note.clone()))
            .await?;
        let detail = json!({ "settled": settlement, "note": note, "status": p.status_str() });
        self.console_note(payment_id, "resolve", detail).await?;
        Ok(p.status())
    }

    /// Settles one of this payment's refunds (`resolve_refund`): in review, as completed or
    /// failed; completed but given back to the merchant by the gateway, as reversed.
    pub async fn console_resolve_refund(
        &self,
        payment_id: &str,
        refund_id: &str,
        to: RefundStatus,
        note: String,
    ) -> AppResult<()> {
        let mut conn = self.db.acquire().await?;
        let refund = store::refunds::get(&mut conn, refund_id).await?;
        drop(conn);
        if refund.is_none_or(|r| r.payment_id != payment_id) {
            return Err(AppError::NotFound);
        }
        let r = self
            .resolve_refund(refund_id, to, Some(note.clone()))
            .await?;
        let detail = json!({ "refund_id": r.id, "settled": to, "note": note });
        self.console_note(payment_id, "resolve_refund", detail)
            .await
    }
}
