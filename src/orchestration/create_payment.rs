//! Creating a payment: route, take the idempotency key, record the payment and its attempt
//! (the recovery point), call the gateway, and record what it answered.
//!
//! The payment and attempt rows are committed before the gateway is called, so a crash or a
//! timeout leaves a payment that a retry with the same key (or the reconciler) continues with
//! the same gateway-side reference, never a second one.

use super::create_input::CreateRequest;
use super::idempotency::{Begin, KeyScope, StoredResponse};
use super::Orchestrator;
use crate::crypto::random_token;
use crate::domain::ids::{AttemptId, PaymentId};
use crate::domain::money::Currency;
use crate::domain::status::{PaymentStatus, Source};
use crate::error::{AppError, AppResult};
use crate::providers::{CheckoutCreated, CheckoutRequest, Outcome};
use crate::store::{
    self, accounts::AccountRow, attempts, attempts::AttemptRow, payments::NewPayment,
    payments::PaymentRow,
};
use chrono::Duration;
use serde_json::json;

impl Orchestrator {
    pub async fn create_payment(
        &self,
        merchant_id: &str,
        req: CreateRequest,
        scope: Option<KeyScope>,
    ) -> AppResult<StoredResponse> {
        // The key is consulted before routing: a replay or a resumed payment must not depend on
        // the merchant's accounts as they are now.
        let resumed_payment = match &scope {
            Some(s) => match self.begin_idempotent(s).await? {
                Begin::Replay(stored) => return Ok(stored),
                Begin::Run { payment_id } => payment_id,
            },
            None => None,
        };
        let (mut payment, mut attempt, mut fallbacks) = match resumed_payment {
            // A resumed create asks the same gateway again with the same reference.
            Some(id) => {
                let (p, a) = self.resume(&id).await?;
                (p, a, Vec::new())
            }
            None => {
                let recorded = match self.route(merchant_id, &req).await {
                    Ok(mut candidates) => {
                        let first = candidates.remove(0);
                        self.record_new(merchant_id, &req, &first, scope.as_ref())
                            .await
                            .map(|(p, a)| (p, a, candidates))
                    }
                    Err(err) => Err(err),
                };
                match recorded {
                    Ok(triple) => triple,
                    Err(err) => {
                        // Nothing happened: the key is free again (routing answers are not stored).
                        if let Some(s) = &scope {
                            self.forget_idempotent(s).await?;
                        }
                        return Err(err);
                    }
                }
            }
        };
        if attempt.state == attempts::OPEN {
            // The gateway already has it (an earlier try got that far): answer as created.
            return self.answer_created(&payment, scope.as_ref()).await;
        }
        fallbacks.reverse();
        loop {
            let account = self.load_account(&attempt.account_id).await?;
            let outcome = self.call_create(&payment, &attempt, &account).await?;
            let now = self.now();
            self.breakers
                .record(&account.id, &account.provider, &outcome, now);
            // Certainly not sent: the next account in priority order may take it.
            if let (Outcome::NotSent(reason), Some(next)) = (&outcome, fallbacks.pop()) {
                (payment, attempt) = self.fall_through(payment, attempt, reason, &next).await?;
                continue;
            }
            return self
                .record_outcome(payment, attempt, outcome, scope.as_ref())
                .await;
        }
    }

    async fn record_new(
        &self,
        merchant_id: &str,
        req: &CreateRequest,
        account: &AccountRow,
        scope: Option<&KeyScope>,
    ) -> AppResult<(PaymentRow, AttemptRow)> {
        let now = self.now();
        let payment_id = PaymentId::generate();
        let attempt_id = AttemptId::generate();
        let customer = serde_json::to_string(&req.customer).expect("customer serializes");
        let metadata = req
            .metadata
            .as_ref()
            .map(|m| serde_json::Value::Object(m.clone()).to_string());
        let mut tx = self.db.begin().await?;
        let payment = store::payments::insert(
            &mut tx,
            &NewPayment {
                id: payment_id.as_str(),
                merchant_id,
                amount_minor: req.money.minor,
                currency: req.money.currency.code(),
                order_id: &req.order_id,
                provider: &account.provider,
                method: req.method.map(|m| m.as_str()),
                account_id: &account.id,
                callback_url: req.callback_url.as_deref(),
                return_url: req.return_url.as_deref(),
                cancel_url: req.cancel_url.as_deref(),
                customer: Some(&customer),
                description: req.description.as_deref(),
                metadata: metadata.as_deref(),
                return_token: &random_token(18),
                expires_at: now + Duration::seconds(req.expires_in_secs),
                now,
            },
        )
        .await?;
        // The attempt id is also the gateway-side reference: the same on every retry.
        let attempt = store::attempts::insert(
            &mut tx,
            attempt_id.as_str(),
            payment_id.as_str(),
            &account.id,
            &account.provider,
            attempt_id.as_str(),
        )
        .await?;
        store::timeline::insert(
            &mut tx,
            &store::timeline::NewEntry {
                id: crate::domain::ids::TimelineId::generate().as_str(),
                payment_id: payment_id.as_str(),
                kind: "payment.created",
                from_status: None,
                to_status: Some(PaymentStatus::Pending.as_str()),
                source: Source::Api.as_str(),
                detail: Some(
                    &json!({ "attempt_id": attempt_id, "provider": account.provider }).to_string(),
                ),
                at: now,
            },
        )
        .await?;
        if let Some(s) = scope {
            store::idempotency::set_payment(&mut tx, &s.merchant_id, &s.key, payment_id.as_str())
                .await?;
        }
        tx.commit().await?;
        Ok((payment, attempt))
    }

    async fn resume(&self, payment_id: &str) -> AppResult<(PaymentRow, AttemptRow)> {
        let mut conn = self.db.acquire().await?;
        let payment = store::payments::get(&mut conn, payment_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let attempt = store::attempts::latest_for_payment(&mut conn, payment_id)
            .await?
            .ok_or_else(|| {
                AppError::Internal(anyhow::anyhow!("payment {payment_id} has no attempt"))
            })?;
        tracing::info!(payment_id, attempt_id = %attempt.id, "resuming payment creation with the same reference");
        Ok((payment, attempt))
    }

    async fn call_create(
        &self,
        p: &PaymentRow,
        attempt: &AttemptRow,
        account: &AccountRow,
    ) -> AppResult<Outcome<CheckoutCreated>> {
        let (_, adapter) = self.adapter(&account.provider)?;
        let ctx = self.account_context(account)?;
        let currency = Currency::parse(&p.currency)
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("stored currency {}", p.currency)))?;
        let return_url = self.return_url(&p.id, &p.return_token);
        let request = CheckoutRequest {
            reference: attempt.reference.clone(),
            amount: rust_decimal::Decimal::new(p.amount_minor, currency.digits()),
            currency: p.currency.clone(),
            description: p.description.clone(),
            customer: p
                .customer
                .as_deref()
                .and_then(|c| serde_json::from_str(c).ok())
                .unwrap_or_default(),
            method: p
                .method
                .as_deref()
                .and_then(crate::providers::Method::parse),
            cancel_url: format!("{return_url}&intent=cancel"),
            return_url,
            expires_at: p.expires_at,
        };
        Ok(self
            .metrics
            .gateway_call(
                &account.provider,
                "create",
                adapter.create_checkout(&ctx, &request),
            )
            .await)
    }
}
