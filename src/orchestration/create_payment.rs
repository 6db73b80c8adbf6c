//! Creating a payment: route, take the idempotency key, record the payment and its attempt
//! (the recovery point), call the gateway, and record what it answered.
//!
//! The payment and attempt rows are committed before the gateway is called, so a crash or a
//! timeout leaves a payment that a retry with the same key (or the reconciler) continues with
//! the same gateway-side reference, never a second one.

use super::create_input::CreateRequest;
use super::idempotency::{Begin, KeyScope, StoredResponse};
use super::transition::Change;
use super::{gateway_error, views, Orchestrator};
use crate::crypto::random_token;
use crate::domain::ids::{AttemptId, PaymentId};
use crate::domain::money::Currency;
use crate::domain::status::{PaymentStatus, Source};
use crate::error::{AppError, AppResult};
use crate::providers::{CheckoutCreated, CheckoutRequest, Outcome, ProviderId};
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
        let (payment, attempt) = match resumed_payment {
            Some(id) => self.resume(&id).await?,
            None => {
                let recorded = match self.route(merchant_id, &req).await {
                    Ok(account) => {
                        self.record_new(merchant_id, &req, &account, scope.as_ref())
                            .await
                    }
                    Err(err) => Err(err),
                };
                match recorded {
                    Ok(pair) => pair,
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
        let account = self.load_account(&attempt.account_id).await?;
        let outcome = self.call_create(&payment, &attempt, &account).await?;
        self.record_outcome(payment, attempt, outcome, scope.as_ref())
            .await
    }

    /// The pinned provider's account, or the best-priority account that takes the currency and
    /// method. (Fallback across accounts and the hosted page come with routing.)
    async fn route(&self, merchant_id: &str, req: &CreateRequest) -> AppResult<AccountRow> {
        let mut conn = self.pool.acquire().await?;
        let accounts = store::accounts::enabled_for_merchant(&mut conn, merchant_id).await?;
        let currency = req.money.currency.code();
        let chosen = accounts.into_iter().find(|a| {
            let Some(id) = ProviderId::parse(&a.provider) else {
                return false;
            };
            let Some(adapter) = self.providers.get(id) else {
                return false;
            };
            let caps = adapter.capabilities();
            let listed = |raw: &str, item: &str| {
                serde_json::from_str::<Vec<String>>(raw)
                    .map(|v| v.is_empty() || v.iter().any(|x| x == item))
                    .unwrap_or(false)
            };
            req.provider.is_none_or(|p| p == id)
                && caps.currencies.contains(&currency)
                && listed(&a.currencies, currency)
                && req
                    .method
                    .is_none_or(|m| caps.methods.contains(&m) && listed(&a.methods, m.as_str()))
        });
        let account = chosen.ok_or_else(|| {
            AppError::NoProviderAvailable(match req.provider {
                Some(p) => format!("no enabled {p} account accepts {currency} for this merchant"),
                None => format!("no enabled gateway account accepts {currency} for this merchant"),
            })
        })?;
        let (_, adapter) = self.adapter(&account.provider)?;
        if adapter.capabilities().requires_customer {
            if req.customer.name.is_none() {
                return Err(AppError::invalid(
                    "customer.name",
                    format!("is required by {}", account.provider),
                ));
            }
            if req.customer.email.is_none() {
                return Err(AppError::invalid(
                    "customer.email",
                    format!("is required by {}", account.provider),
                ));
            }
        }
        Ok(account)
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
        let mut tx = self.pool.begin().await?;
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
        let mut conn = self.pool.acquire().await?;
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

    async fn record_outcome(
        &self,
        mut p: PaymentRow,
        mut attempt: AttemptRow,
        outcome: Outcome<CheckoutCreated>,
        scope: Option<&KeyScope>,
    ) -> AppResult<StoredResponse> {
        let mut tx = self.pool.begin().await?;
        match outcome {
            Outcome::Succeeded(created) | Outcome::Pending(created) => {
                attempt.state = attempts::OPEN.to_owned();
                attempt.external_id = created.external_id.clone();
                attempt.checkout_url = Some(created.checkout_url.clone());
                attempt.provider_status = Some(created.provider_status.clone());
                store::attempts::save(&mut tx, &attempt).await?;
                let mut locked = store::payments::lock(&mut tx, &p.id)
                    .await?
                    .ok_or(AppError::NotFound)?;
                locked.external_id = created.external_id;
                locked.checkout_url = Some(created.checkout_url);
                locked.provider_status = Some(created.provider_status);
                locked.updated_at = self.now();
                store::payments::save(&mut tx, &locked).await?;
                self.note(
                    &mut tx,
                    &p.id,
                    "attempt.created",
                    Source::Api,
                    json!({ "attempt_id": attempt.id, "external_id": locked.external_id }),
                )
                .await?;
                tx.commit().await?;
                self.answer_created(&locked, scope).await
            }
            Outcome::Declined(reason) => {
                attempt.state = attempts::DECLINED.to_owned();
                attempt.last_error = Some(reason.clone());
                store::attempts::save(&mut tx, &attempt).await?;
                let mut locked = store::payments::lock(&mut tx, &p.id)
                    .await?
                    .ok_or(AppError::NotFound)?;
                let change = Change {
                    to: PaymentStatus::Failed,
                    source: Source::Api,
                    detail: json!({ "provider_rejected": reason }),
                    status_detail: Some("provider_rejected".into()),
                };
                self.apply_change(&mut tx, &mut locked, change).await?;
                let err = AppError::ProviderRejected {
                    provider_message: reason,
                };
                if let Some(s) = scope {
                    let body = err
                        .envelope(crate::telemetry::current_request_id().as_deref())
                        .to_string();
                    self.finish_idempotent(&mut tx, s, err.status(), body.as_bytes())
                        .await?;
                    tx.commit().await?;
                    return Ok(StoredResponse {
                        status: err.status(),
                        body: body.into_bytes(),
                        replayed: false,
                    });
                }
                tx.commit().await?;
                Err(err)
            }
            Outcome::NotSent(reason) => {
                attempt.state = attempts::NOT_SENT.to_owned();
                attempt.last_error = Some(reason.clone());
                store::attempts::save(&mut tx, &attempt).await?;
                self.note(
                    &mut tx,
                    &p.id,
                    "attempt.not_sent",
                    Source::Api,
                    json!({ "attempt_id": attempt.id, "reason": reason }),
                )
                .await?;
                if scope.is_none() {
                    // Nobody can resume a payment created without a key: close it now.
                    let mut locked = store::payments::lock(&mut tx, &p.id)
                        .await?
                        .ok_or(AppError::NotFound)?;
                    let change = Change {
                        to: PaymentStatus::Failed,
                        source: Source::Api,
                        detail: json!({ "reason": reason }),
                        status_detail: Some("provider_unavailable".into()),
                    };
                    self.apply_change(&mut tx, &mut locked, change).await?;
                    p = locked;
                }
                tx.commit().await?;
                if let Some(s) = scope {
                    self.release_idempotent(s).await?;
                }
                tracing::warn!(payment_id = %p.id, %reason, "gateway not reached on create");
                Err(gateway_error(false, reason))
            }
            Outcome::Unknown(reason) => {
                attempt.last_error = Some(reason.clone());
                store::attempts::save(&mut tx, &attempt).await?;
                self.note(
                    &mut tx,
                    &p.id,
                    "attempt.outcome_unknown",
                    Source::Api,
                    json!({ "attempt_id": attempt.id, "reason": reason }),
                )
                .await?;
                tx.commit().await?;
                if let Some(s) = scope {
                    self.release_idempotent(s).await?;
                }
                tracing::warn!(payment_id = %p.id, %reason, "gateway outcome unknown on create; resumable");
                Err(gateway_error(true, reason))
            }
        }
    }

    async fn answer_created(
        &self,
        p: &PaymentRow,
        scope: Option<&KeyScope>,
    ) -> AppResult<StoredResponse> {
        let body = views::payment_created(p).to_string().into_bytes();
        if let Some(s) = scope {
            let mut conn = self.pool.acquire().await?;
            self.finish_idempotent(&mut conn, s, 201, &body).await?;
        }
        Ok(StoredResponse {
            status: 201,
            body,
            replayed: false,
        })
    }
}
