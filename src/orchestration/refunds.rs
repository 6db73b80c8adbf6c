//! Refunds (design §1.5): partial or full, never more than was paid, even when many arrive at
//! once; outcomes come back by webhook or recheck, like payments.
//!
//! The refund row is inserted under the payment's lock after summing what is already promised
//! back (pending, completed, in review), and committed before the gateway is called: an answer
//! that never arrives leaves a `pending` refund that a recheck settles from the gateway's own
//! record (`refund_evidence`), never a second refund. State changes are `refund_state`'s.
//! A keyed refund runs under [`Orchestrator::keyed`] like every keyed call; the refund it
//! creates is recorded on the key so that a retry answers that refund, never a second one.

use super::idempotency::Key;
use super::{gateway_error, views, Orchestrator};
use crate::domain::ids::RefundId;
use crate::domain::money::{format_minor, Currency, Money};
use crate::domain::status::{PaymentStatus, Source};
use crate::error::{AppError, AppResult};
use crate::providers::{Outcome, RefundRequest};
use crate::store::{self, refunds, refunds::RefundRow};
use serde_json::{json, Value};

/// A refund as the merchant sees it.
pub fn refund_view(r: &RefundRow) -> Value {
    let amount = Currency::parse(&r.currency)
        .map(|c| format_minor(r.amount_minor, c))
        .unwrap_or_default();
    json!({
        "id": r.id,
        "payment_id": r.payment_id,
        "amount": amount,
        "currency": r.currency,
        "status": r.status_str(),
        "status_detail": r.status_detail,
        "origin": r.origin,
        "reason": r.reason,
        "external_id": r.external_id,
        "provider_status": r.provider_status,
        "created_at": views::ts(r.created_at),
        "updated_at": views::ts(r.updated_at),
    })
}

/// A merchant's refund request as parsed, with its idempotency key (if any), which carries the
/// refund an earlier try with that key created.
pub struct RefundAsk<'a> {
    pub amount: Option<&'a str>,
    pub reason: Option<String>,
    pub key: Option<Key>,
}

impl Orchestrator {
    /// Creates a refund of `amount` (or of everything left) and asks the gateway for it.
    /// Answers the refund (`pending` until the gateway confirms).
    pub async fn create_refund(
        &self,
        merchant_id: &str,
        payment_id: &str,
        ask: RefundAsk<'_>,
    ) -> AppResult<RefundRow> {
        let RefundAsk {
            amount,
            reason,
            key,
        } = ask;
        let resumed = key.as_ref().and_then(|k| k.resumed_refund.clone());
        let key = key.as_ref().map(|k| &k.scope);
        let mut conn = self.db.acquire().await?;
        if let Some(refund_id) = resumed {
            // An earlier try with this key created it; its outcome was unknown. It is never sent
            // again: the answer is where it stands (a recheck settles it).
            let refund = refunds::get_for_merchant(&mut conn, merchant_id, &refund_id)
                .await?
                .ok_or_else(|| {
                    AppError::Internal(anyhow::anyhow!("keyed refund {refund_id} is gone"))
                })?;
            return Ok(refund);
        }
        let payment = store::payments::get_for_merchant(&mut conn, merchant_id, payment_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let attempt = self.settling_attempt(&mut conn, &payment).await?;
        drop(conn);
        let Some(provider) = payment.provider.clone() else {
            // A hosted payment whose customer has not picked a gateway yet.
            return Err(AppError::InvalidState("the payment was never paid".into()));
        };
        let (_, adapter) = self.adapter(&provider)?;
        let caps = adapter.capabilities();
        if !caps.refund {
            return Err(AppError::RefundNotSupported);
        }
        let currency = Currency::parse(&payment.currency)
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("stored currency")))?;
        let requested = match amount {
            Some(raw) => Some(
                Money::parse(raw, currency, i64::MAX)
                    .map_err(|e| AppError::invalid("amount", e.to_string()))?
                    .minor,
            ),
            None => None,
        };
        let attempt =
            attempt.ok_or_else(|| AppError::InvalidState("the payment was never paid".into()))?;
        // Before anything is written: a failure here leaves nothing behind and frees the key.
        let account = self.load_account(&attempt.account_id).await?;
        let ctx = self.account_context(&account)?;

        let now = self.now();
        let refund = {
            let mut tx = self.db.begin().await?;
            let p = store::payments::lock(&mut tx, payment_id)
                .await?
                .ok_or(AppError::NotFound)?;
            let status = views::status_of(&p);
            if !(status.is_paid() || status == PaymentStatus::NeedsReview)
                || p.paid_attempt_id.as_deref() != Some(attempt.id.as_str())
            {
                return Err(AppError::InvalidState(format!(
                    "the payment is {status}; only a paid payment can be refunded"
                )));
            }
            let reserved = refunds::reserved_minor(&mut tx, payment_id).await?;
            let available = p.amount_minor - reserved;
            let amount_minor = requested.unwrap_or(available);
            if amount_minor <= 0 || amount_minor > available {
                return Err(AppError::RefundExceedsPayment);
            }
            if !caps.partial_refund && (reserved > 0 || amount_minor != p.amount_minor) {
                return Err(AppError::invalid(
                    "amount",
                    format!("must be the whole payment: {provider} has no partial refunds"),
                ));
            }
            let id = RefundId::generate().to_string();
            let new = refunds::NewRefund {
                reference: id.clone(),
                id,
                payment_id: payment_id.to_owned(),
                merchant_id: merchant_id.to_owned(),
                attempt_id: attempt.id.clone(),
                amount_minor,
                currency: p.currency.clone(),
                reason,
                external_id: None,
                provider_status: None,
                created_at: now,
                origin: refunds::ORIGIN_API.into(),
            };
            let row = refunds::insert(&mut tx, new).await?;
            if let Some(k) = key {
                store::idempotency::set_refund(&mut tx, &k.merchant_id, &k.key, Some(&row.id))
                    .await?;
            }
            self.note(
                &mut tx,
                payment_id,
                "refund.created",
                Source::Api,
                json!({ "refund_id": row.id, "amount": format_minor(amount_minor, currency) }),
            )
            .await?;
            tx.commit().await?;
            row
        };

        let request = RefundRequest {
            reference: refund.reference.clone(),
            payment_external_id: attempt.external_id.clone().unwrap_or_default(),
            payment_charge_id: attempt.charge_id.clone(),
            amount: Money {
                minor: refund.amount_minor,
                currency,
            }
            .to_decimal(),
            currency: refund.currency.clone(),
            reason: refund.reason.clone(),
        };
        let outcome = self
            .metrics
            .gateway_call(&provider, "refund", adapter.refund(&ctx, &request))
            .await;
        let refund = match outcome {
            Outcome::Succeeded(report) | Outcome::Pending(report) => {
                self.apply_refund_report(&refund.id, &report, Source::Api)
                    .await?
            }
            Outcome::Unknown(crate::providers::GatewayFailure { reason, .. }) => {
                // It may have happened: keep it pending; a recheck settles it from what the
                // gateway holds, and it is never sent again.
                tracing::warn!(refund_id = %refund.id, %reason, "refund outcome unknown; left pending for recheck");
                self.refund_call_failed(&refund.id, None, &reason).await?
            }
            Outcome::Declined(reason) => {
                self.refund_call_failed(&refund.id, Some("provider_rejected"), &reason)
                    .await?;
                return Err(AppError::ProviderRejected {
                    provider_message: reason,
                });
            }
            Outcome::NotSent(failure) => {
                self.refund_call_failed(&refund.id, Some("provider_unavailable"), &failure.reason)
                    .await?;
                // Never sent: the key is free for a retry (the failed refund stays on record).
                if let Some(k) = key {
                    let mut conn = self.db.acquire().await?;
                    store::idempotency::set_refund(&mut conn, &k.merchant_id, &k.key, None).await?;
                }
                return Err(gateway_error(false, failure));
            }
        };
        Ok(refund)
    }

    pub async fn refund(&self, merchant_id: &str, refund_id: &str) -> AppResult<Value> {
        let mut conn = self.db.acquire().await?;
        let r = refunds::get_for_merchant(&mut conn, merchant_id, refund_id)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(refund_view(&r))
    }

    pub async fn refunds_of(&self, merchant_id: &str, payment_id: &str) -> AppResult<Value> {
        self.payment(merchant_id, payment_id).await?;
        let mut conn = self.db.acquire().await?;
        let rows = refunds::for_payment(&mut conn, payment_id).await?;
        Ok(json!({ "data": rows.iter().map(refund_view).collect::<Vec<_>>() }))
    }
}
