//! Refunds (design §1.5): partial or full, never more than was paid, even when many arrive at
//! once; outcomes come back by webhook or recheck, like payments.
//!
//! The refund row is inserted under the payment's lock after summing what is already promised
//! back (pending + completed), and committed before the gateway is called: an answer that never
//! arrives leaves a `pending` refund that a recheck resolves, never a second refund.

use super::transition::Change;
use super::{gateway_error, views, Orchestrator};
use crate::domain::ids::RefundId;
use crate::domain::money::{format_minor, Currency, Money};
use crate::domain::status::{Decision, PaymentStatus, Source};
use crate::error::{AppError, AppResult};
use crate::providers::{AckKind, Outcome, RefundReport, RefundRequest, RefundStatus};
use crate::store::{self, accounts::AccountRow, refunds, refunds::RefundRow, Conn};
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
        "status": r.status,
        "reason": r.reason,
        "external_id": r.external_id,
        "provider_status": r.provider_status,
        "created_at": views::ts(r.created_at),
        "updated_at": views::ts(r.updated_at),
    })
}

impl Orchestrator {
    /// Creates a refund of `amount` (or of everything left) and asks the gateway for it.
    /// Answers 201 with the refund (`pending` until the gateway confirms).
    pub async fn create_refund(
        &self,
        merchant_id: &str,
        payment_id: &str,
        amount: Option<&str>,
        reason: Option<String>,
    ) -> AppResult<(u16, Vec<u8>)> {
        let mut conn = self.db.acquire().await?;
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

        let now = self.now();
        let refund = {
            let mut tx = self.db.begin().await?;
            let p = store::payments::lock(&mut tx, payment_id)
                .await?
                .ok_or(AppError::NotFound)?;
            let status = views::status_of(&p);
            if !(status.is_paid() || status == PaymentStatus::NeedsReview) {
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
            let row = RefundRow {
                reference: id.clone(),
                id,
                payment_id: payment_id.to_owned(),
                merchant_id: merchant_id.to_owned(),
                attempt_id: attempt.id.clone(),
                amount_minor,
                currency: p.currency.clone(),
                status: refunds::PENDING.into(),
                reason,
                external_id: None,
                provider_status: None,
                last_error: None,
                created_at: now,
                updated_at: now,
            };
            refunds::insert(&mut tx, &row).await?;
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

        let account = self.load_account(&attempt.account_id).await?;
        let ctx = self.account_context(&account)?;
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
            Outcome::Unknown(reason) => {
                // It may have happened: keep it pending; a recheck asks the gateway.
                tracing::warn!(refund_id = %refund.id, %reason, "refund outcome unknown; left pending for recheck");
                self.refund_failed_or_noted(&refund.id, None, &reason)
                    .await?
            }
            Outcome::Declined(reason) => {
                self.refund_failed_or_noted(&refund.id, Some(refunds::FAILED), &reason)
                    .await?;
                return Err(AppError::ProviderRejected {
                    provider_message: reason,
                });
            }
            Outcome::NotSent(reason) => {
                self.refund_failed_or_noted(&refund.id, Some(refunds::FAILED), &reason)
                    .await?;
                return Err(gateway_error(false, reason));
            }
        };
        Ok((201, refund_view(&refund).to_string().into_bytes()))
    }

    /// Records a gateway error on the refund, failing it when the gateway certainly did not
    /// (and will not) refund.
    async fn refund_failed_or_noted(
        &self,
        refund_id: &str,
        status: Option<&str>,
        reason: &str,
    ) -> AppResult<RefundRow> {
        let mut tx = self.db.begin().await?;
        let mut r = refunds::get(&mut tx, refund_id)
            .await?
            .ok_or(AppError::NotFound)?;
        r.last_error = Some(reason.to_owned());
        r.updated_at = self.now();
        if let Some(s) = status {
            r.status = s.to_owned();
            let mut p = store::payments::lock(&mut tx, &r.payment_id)
                .await?
                .ok_or(AppError::NotFound)?;
            self.enqueue_refund_event(&mut tx, &mut p, &r, "refund.failed")
                .await?;
        }
        refunds::save(&mut tx, &r).await?;
        tx.commit().await?;
        Ok(r)
    }

    /// Applies what the gateway says about a refund: a completed refund moves the payment to
    /// `partially_refunded` or `refunded`; each final outcome tells the merchant.
    pub async fn apply_refund_report(
        &self,
        refund_id: &str,
        report: &RefundReport,
        source: Source,
    ) -> AppResult<RefundRow> {
        let mut tx = self.db.begin().await?;
        let mut r = refunds::get(&mut tx, refund_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let mut p = store::payments::lock(&mut tx, &r.payment_id)
            .await?
            .ok_or(AppError::NotFound)?;
        r.provider_status = Some(report.provider_status.clone());
        if r.external_id.is_none() {
            r.external_id.clone_from(&report.external_id);
        }
        r.updated_at = self.now();
        let new_status = match report.status {
            RefundStatus::Completed => Some(refunds::COMPLETED),
            RefundStatus::Failed => Some(refunds::FAILED),
            RefundStatus::Pending | RefundStatus::Unknown => None,
        };
        // Only a pending refund moves: late or repeated news never changes a final one.
        if let (Some(to), true) = (new_status, r.status == refunds::PENDING) {
            r.status = to.to_owned();
            if to == refunds::COMPLETED {
                p.refunded_minor += r.amount_minor;
                let target = if p.refunded_minor >= p.amount_minor {
                    PaymentStatus::Refunded
                } else {
                    PaymentStatus::PartiallyRefunded
                };
                let change = Change {
                    to: target,
                    source,
                    detail: json!({ "refund_id": r.id }),
                    status_detail: None,
                };
                if self.apply_change(&mut tx, &mut p, change).await? != Decision::Apply {
                    store::payments::save(&mut tx, &p).await?;
                }
                self.enqueue_refund_event(&mut tx, &mut p, &r, "refund.completed")
                    .await?;
            } else {
                self.enqueue_refund_event(&mut tx, &mut p, &r, "refund.failed")
                    .await?;
            }
        }
        refunds::save(&mut tx, &r).await?;
        tx.commit().await?;
        Ok(r)
    }

    /// `refund.completed` / `refund.failed` in the payment's event sequence.
    async fn enqueue_refund_event(
        &self,
        conn: &mut Conn,
        p: &mut store::payments::PaymentRow,
        r: &RefundRow,
        kind: &str,
    ) -> AppResult<()> {
        p.event_sequence += 1;
        p.updated_at = self.now();
        store::payments::save(conn, p).await?;
        self.enqueue_event_with_data(conn, p, kind, refund_view(r))
            .await?;
        self.note(
            conn,
            &p.id,
            kind,
            Source::Api,
            json!({ "refund_id": r.id, "status": r.status }),
        )
        .await
    }

    /// Asks the gateway about every pending refund of a payment (part of a recheck).
    pub async fn recheck_refunds(&self, payment_id: &str, source: Source) -> AppResult<()> {
        let mut conn = self.db.acquire().await?;
        let pending: Vec<RefundRow> = refunds::for_payment(&mut conn, payment_id)
            .await?
            .into_iter()
            .filter(|r| r.status == refunds::PENDING)
            .collect();
        drop(conn);
        for r in pending {
            let attempt = {
                let mut conn = self.db.acquire().await?;
                store::attempts::get(&mut conn, &r.attempt_id)
                    .await?
                    .ok_or(AppError::NotFound)?
            };
            let account = self.load_account(&attempt.account_id).await?;
            let (_, adapter) = self.adapter(&account.provider)?;
            let ctx = self.account_context(&account)?;
            let outcome = self
                .metrics
                .gateway_call(
                    &account.provider,
                    "query_refund",
                    adapter.query_refund(&ctx, &r.reference, r.external_id.as_deref()),
                )
                .await;
            match outcome {
                Outcome::Succeeded(report) | Outcome::Pending(report) => {
                    self.apply_refund_report(&r.id, &report, source).await?;
                }
                other => {
                    tracing::info!(refund_id = %r.id, outcome = other.label(), "refund recheck learnt nothing")
                }
            }
        }
        Ok(())
    }

    /// A verified refund webhook: applied to the refund it names (by our reference).
    pub async fn apply_refund_webhook(
        &self,
        account: &AccountRow,
        report: &RefundReport,
    ) -> AppResult<(&'static str, Option<String>, AckKind)> {
        let Some(reference) = report.reference.as_deref() else {
            return Ok(("unmatched", None, AckKind::Accepted));
        };
        let mut conn = self.db.acquire().await?;
        let refund = refunds::by_reference(&mut conn, reference).await?;
        let attempt = match &refund {
            Some(r) => store::attempts::get(&mut conn, &r.attempt_id).await?,
            None => None,
        };
        drop(conn);
        match (refund, attempt) {
            (Some(r), Some(a)) if a.account_id == account.id => {
                self.apply_refund_report(&r.id, report, Source::ProviderWebhook)
                    .await?;
                Ok(("applied", Some(r.payment_id), AckKind::Accepted))
            }
            _ => Ok(("unmatched", None, AckKind::Accepted)),
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
