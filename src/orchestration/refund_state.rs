//! What a refund's money means for its payment, and refunds Payrail did not make.
//!
//! A refund's state changes in one place, `transition::refund` (`change_refund`), under the
//! payment's row lock; [`status_for_money`] is the payment status its money implies there.
//!
//! Refunds made at the gateway (its dashboard) are recorded as rows of their own
//! ([`Orchestrator::record_gateway_refund`]), marked `origin: gateway`.

use super::refund_cap::ceiling_of;
use super::Orchestrator;
use crate::domain::ids::RefundId;
use crate::domain::paid_money::paid_status;
use crate::domain::refund_status::RefundStatus;
use crate::domain::status::{PaymentStatus, Source};
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

/// The status a paid payment has for its money: what is left after refunds of what its gateway
/// took decides it (`domain::paid_money`).
pub fn status_for_money(p: &PaymentRow) -> Option<PaymentStatus> {
    money_status(p.status(), p)
}

/// [`status_for_money`] for a payment as if it had status `status` (ops settling a review as
/// paid ask what the money implies, as if it had completed and then been refunded).
pub fn money_status(status: PaymentStatus, p: &PaymentRow) -> Option<PaymentStatus> {
    matches!(
        status,
        PaymentStatus::Completed | PaymentStatus::PartiallyRefunded
    )
    .then(|| paid_status(p.refunded_minor, ceiling_of(p)))
}

impl Orchestrator {
    /// A refund and its payment, the payment locked: a refund changes only under that lock. The
    /// refund is read again once the lock is held: a copy read before it may be stale (another
    /// transaction may have settled the refund meanwhile), and settling it twice would count its
    /// money twice.
    pub(super) async fn lock_refund(
        &self,
        conn: &mut Conn,
        refund_id: &str,
    ) -> AppResult<(RefundRow, PaymentRow)> {
        let payment_id = refunds::get(conn, refund_id)
            .await?
            .ok_or(AppError::NotFound)?
            .payment_id;
        let p = store::payments::lock(conn, &payment_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let r = refunds::get(conn, refund_id)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok((r, p))
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
        let left = ceiling_of(p) - p.refunded_minor;
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
        let id = RefundId::generate().to_string();
        let new = refunds::NewRefund {
            reference: refund.reference.unwrap_or(&id).to_owned(),
            id,
            payment_id: p.id.clone(),
            merchant_id: p.merchant_id.clone(),
            attempt_id: attempt.id.clone(),
            amount_minor,
            currency: p.currency.clone(),
            reason: Some("made at the gateway, outside Payrail".into()),
            external_id: refund.external_id.map(str::to_owned),
            provider_status: Some(refund.provider_status.to_owned()),
            created_at: self.now(),
            origin: refunds::ORIGIN_GATEWAY.into(),
        };
        let mut row = refunds::insert(conn, new).await?;
        tracing::info!(payment_id = %p.id, refund_id = %row.id, amount_minor, "recorded a refund made at the gateway");
        self.change_refund(conn, p, &mut row, RefundStatus::Completed, source, None)
            .await?;
        Ok(())
    }
}
