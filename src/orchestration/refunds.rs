//! Refunds (docs/api.md, "Refunds"; the money rules: docs/money.md, "Refunds"): partial or full,
//! never more than was paid (what the gateway took: `refund_cap`), even when many arrive at once;
//! outcomes come back by webhook or recheck, like payments.
//!
//! The refund row is inserted under the payment's lock after summing what is already promised
//! back (pending, completed, in review), and committed before the gateway is called: an answer
//! that never arrives leaves a `pending` refund that a recheck settles from the gateway's own
//! record (`refund_evidence`), never a second refund. State changes are `refund_state`'s.
//! A keyed refund runs under [`Orchestrator::keyed`] like every keyed call; the refund it
//! creates is recorded on the key so that a retry answers that refund, never a second one.

use super::idempotency::{Key, KeyScope};
use super::refund_cap::refundable_total;
use super::{gateway_error, views, Orchestrator};
use crate::domain::ids::RefundId;
use crate::domain::money::{format_minor, Currency, Money};
use crate::domain::status::{PaymentStatus, Source};
use crate::error::{AppError, AppResult};
use crate::providers::{
    Capabilities, GatewayFailure, Outcome, ProviderAdapter, RefundReport, RefundRequest,
};
use crate::store::{self, attempts::AttemptRow, payments::PaymentRow, refunds, refunds::RefundRow};
use serde_json::{json, Value};
use std::sync::Arc;

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

/// What a refund of one payment goes through, settled before anything is written: the gateway
/// that took the money (and what it can do), the payment's currency, and the amount asked for
/// in minor units (`None`: everything left).
struct RefundPlan {
    provider: String,
    adapter: Arc<dyn ProviderAdapter>,
    caps: &'static Capabilities,
    currency: Currency,
    requested: Option<i64>,
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
            return keyed_refund(&mut conn, merchant_id, &refund_id).await;
        }
        let payment = store::payments::get_for_merchant(&mut conn, merchant_id, payment_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let attempt = self.settling_attempt(&mut conn, &payment).await?;
        drop(conn);
        let plan = self.refund_plan(&payment, amount)?;
        let attempt =
            attempt.ok_or_else(|| AppError::InvalidState("the payment was never paid".into()))?;
        // Before anything is written: a failure here leaves nothing behind and frees the key.
        let account = self.load_account(&attempt.account_id).await?;
        let ctx = self.account_context(&account)?;

        let refund = self
            .reserve_refund(merchant_id, payment_id, &attempt, &plan, reason, key)
            .await?;
        let request = refund_request(&refund, &attempt, plan.currency);
        let outcome = self
            .metrics
            .gateway_call(
                &plan.provider,
                "refund",
                plan.adapter.refund(&ctx, &request),
            )
            .await;
        self.record_refund_call(&refund.id, outcome, key).await
    }

    /// Checks what can be checked before the payment is locked: a gateway took the money, it
    /// refunds at all, and the amount parses in the payment's currency.
    fn refund_plan(&self, payment: &PaymentRow, amount: Option<&str>) -> AppResult<RefundPlan> {
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
        Ok(RefundPlan {
            provider,
            adapter,
            caps,
            currency,
            requested,
        })
    }

    /// Records the refund, `pending`, under the payment's lock after summing what is already
    /// promised back, and commits before the gateway is called: refunds arriving at once cannot
    /// together exceed what was paid, and a lost answer leaves a row a recheck settles, never a
    /// second refund. A keyed refund is recorded on its key in the same transaction.
    async fn reserve_refund(
        &self,
        merchant_id: &str,
        payment_id: &str,
        attempt: &AttemptRow,
        plan: &RefundPlan,
        reason: Option<String>,
        key: Option<&KeyScope>,
    ) -> AppResult<RefundRow> {
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let p = store::payments::lock(&mut tx, payment_id)
            .await?
            .ok_or(AppError::NotFound)?;
        check_refundable(&p, &attempt.id)?;
        let reserved = refunds::reserved_minor(&mut tx, payment_id).await?;
        let amount_minor = refund_amount(&p, reserved, plan)?;
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
            store::idempotency::set_refund(&mut tx, &k.merchant_id, &k.key, Some(&row.id)).await?;
        }
        self.note(
            &mut tx,
            payment_id,
            "refund.created",
            Source::Api,
            json!({ "refund_id": row.id, "amount": format_minor(amount_minor, plan.currency) }),
        )
        .await?;
        tx.commit().await?;
        Ok(row)
    }

    /// Writes what the gateway answered to the refund call. An unknown outcome leaves the refund
    /// `pending` for a recheck; a decline or a call never sent fails it, and one never sent frees
    /// the key for a retry, in the same transaction as the failure.
    async fn record_refund_call(
        &self,
        refund_id: &str,
        outcome: Outcome<RefundReport>,
        key: Option<&KeyScope>,
    ) -> AppResult<RefundRow> {
        match outcome {
            Outcome::Succeeded(report) | Outcome::Pending(report) => {
                self.apply_refund_report(refund_id, &report, Source::Api)
                    .await
            }
            Outcome::Unknown(GatewayFailure { reason, .. }) => {
                // It may have happened: keep it pending; a recheck settles it from what the
                // gateway holds, and it is never sent again.
                tracing::warn!(refund_id = %refund_id, %reason, "refund outcome unknown; left pending for recheck");
                self.refund_call_failed(refund_id, None, &reason, None)
                    .await
            }
            Outcome::Declined(reason) => {
                self.refund_call_failed(refund_id, Some("provider_rejected"), &reason, None)
                    .await?;
                Err(AppError::ProviderRejected {
                    provider_message: reason,
                })
            }
            Outcome::NotSent(failure) => {
                // Never sent: failed, and the key freed for a retry in the same transaction
                // (the failed refund stays on record).
                let why = &failure.reason;
                self.refund_call_failed(refund_id, Some("provider_unavailable"), why, key)
                    .await?;
                Err(gateway_error(false, failure))
            }
        }
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

/// The refund an earlier try with the same key created, as it stands now.
async fn keyed_refund(
    conn: &mut store::Conn,
    merchant_id: &str,
    refund_id: &str,
) -> AppResult<RefundRow> {
    refunds::get_for_merchant(conn, merchant_id, refund_id)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("keyed refund {refund_id} is gone")))
}

/// Under the lock: only a paid payment (or one in review) gives money back, and only through
/// the attempt whose money settled it (the one this refund was planned against).
fn check_refundable(p: &PaymentRow, attempt_id: &str) -> AppResult<()> {
    let status = views::status_of(p);
    if !(status.is_paid() || status == PaymentStatus::NeedsReview)
        || p.paid_attempt_id.as_deref() != Some(attempt_id)
    {
        return Err(AppError::InvalidState(format!(
            "the payment is {status}; only a paid payment can be refunded"
        )));
    }
    Ok(())
}

/// The amount this refund takes, in minor units: what was asked (or everything left), never
/// more than is left of what the gateway took ([`refundable_total`]) after `reserved`, and all
/// of it where the gateway has no partial refunds.
fn refund_amount(p: &PaymentRow, reserved: i64, plan: &RefundPlan) -> AppResult<i64> {
    let total = refundable_total(p).ok_or_else(|| {
        AppError::InvalidState(
            "the payment is in review and what its gateway took is not known yet; recheck it first"
                .into(),
        )
    })?;
    let available = total - reserved;
    let amount_minor = plan.requested.unwrap_or(available);
    if amount_minor <= 0 || amount_minor > available {
        return Err(AppError::RefundExceedsPayment);
    }
    if !plan.caps.partial_refund && (reserved > 0 || amount_minor != total) {
        return Err(AppError::invalid(
            "amount",
            format!(
                "must be all the gateway took ({}): {} has no partial refunds",
                format_minor(total, plan.currency),
                plan.provider
            ),
        ));
    }
    Ok(amount_minor)
}

/// What the gateway is asked: the refund's own reference and amount, against the order and
/// charge of the attempt that settled the payment.
fn refund_request(refund: &RefundRow, attempt: &AttemptRow, currency: Currency) -> RefundRequest {
    RefundRequest {
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
    }
}
