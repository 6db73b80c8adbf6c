//! Creating a payment: route, take the idempotency key, record the payment and its attempt
//! (the recovery point), call the gateway, and record what it answered.
//!
//! The payment and attempt rows are committed before the gateway is called, so a crash or a
//! timeout leaves a payment that a retry with the same key (or the reconciler) continues with
//! the same gateway-side reference, never a second one. The key itself is taken by
//! [`Orchestrator::keyed`], like every keyed call; this use case records which payment the key
//! created and, when the checkout opened, stores the answer with the outcome
//! (`create_outcome`), else `keyed` stores it. On Postgres each write is one statement
//! (`store::create_rows`): a keyed create is five round trips to the database in all.

use super::create_input::CreateRequest;
use super::idempotency::{Key, KeyScope};
use super::Orchestrator;
use crate::crypto::random_token;
use crate::domain::attempt_status::AttemptState;
use crate::domain::ids::{AttemptId, PaymentId, TimelineId};
use crate::domain::money::Currency;
use crate::domain::status::{PaymentStatus, Source};
use crate::error::{AppError, AppResult};
use crate::providers::{CheckoutCreated, CheckoutRequest, Outcome};
use crate::store::create_rows::{self, NewAttempt};
use crate::store::timeline::NewEntry;
use crate::store::{
    self, accounts::AccountRow, attempts::AttemptRow, payments::NewPayment, payments::PaymentRow,
};
use chrono::{DateTime, Duration, Utc};
use serde_json::json;

impl Orchestrator {
    /// Creates the payment (or continues the one an earlier try with `key` created) and
    /// answers it as created. Run under [`Orchestrator::keyed`], which takes the key before
    /// this runs: a replay or a resumed payment never depends on the accounts as they are now.
    pub async fn create_payment(
        &self,
        merchant_id: &str,
        req: CreateRequest,
        key: Option<Key>,
    ) -> AppResult<PaymentRow> {
        let scope = key.as_ref().map(|k| &k.scope);
        let (payment, attempt, mut accounts) =
            match key.as_ref().and_then(|k| k.resumed_payment.as_deref()) {
                // A resumed create asks the same gateway again with the same reference.
                Some(id) => self.resume(id).await.map(|(p, a)| (p, a, Vec::new()))?,
                None => self.route_and_record(merchant_id, &req, scope).await?,
            };
        let Some(attempt) = attempt else {
            // Hosted: no gateway is asked until the customer picks a method.
            return Ok(payment);
        };
        if attempt.state() == Some(AttemptState::Open) {
            // The gateway already has it (an earlier try got that far): answer as created.
            return Ok(payment);
        }
        // The routed accounts, best first: the attempt's own, then the fallbacks.
        let known = (!accounts.is_empty()).then(|| accounts.remove(0));
        let (payment, attempt, outcome) = self
            .create_at_gateway(payment, attempt, known, accounts)
            .await?;
        self.record_outcome(payment, attempt, outcome, key.as_ref())
            .await
    }

    /// Records a new payment: routed to its first account (the accounts answered are the routed
    /// ones, best first), or hosted (neither `provider` nor
    /// `method`: the customer picks on Payrail's page, so no account is chosen yet).
    async fn route_and_record(
        &self,
        merchant_id: &str,
        req: &CreateRequest,
        scope: Option<&KeyScope>,
    ) -> AppResult<(PaymentRow, Option<AttemptRow>, Vec<AccountRow>)> {
        if req.provider.is_none() && req.method.is_none() {
            let currency = req.money.currency.code();
            let accounts = self
                .eligible_accounts(merchant_id, currency, None, None)
                .await?;
            if !accounts
                .iter()
                .any(|a| self.customer_fits(a, &req.customer))
            {
                return Err(AppError::NoProviderAvailable(format!(
                    "no enabled gateway account accepts {currency} for this merchant"
                )));
            }
            let (p, a) = self.record_new(merchant_id, req, None, scope).await?;
            return Ok((p, a, Vec::new()));
        }
        let candidates = self.route(merchant_id, req).await?;
        let (p, a) = self
            .record_new(merchant_id, req, Some(&candidates[0]), scope)
            .await?;
        Ok((p, a, candidates))
    }

    /// Records the new payment, its first attempt (when routed) and its `payment.created` entry,
    /// and the payment on the key, all or nothing (one statement on Postgres:
    /// `store::create_rows`), committed before any gateway is asked: the recovery point a retry
    /// or the reconciler continues from.
    async fn record_new(
        &self,
        merchant_id: &str,
        req: &CreateRequest,
        account: Option<&AccountRow>,
        scope: Option<&KeyScope>,
    ) -> AppResult<(PaymentRow, Option<AttemptRow>)> {
        let now = self.now();
        let payment_id = PaymentId::generate();
        let attempt_id = AttemptId::generate();
        let return_token = random_token(18);
        let hosted_url = account
            .is_none()
            .then(|| self.hosted_page_url(payment_id.as_str(), &return_token));
        let customer = serde_json::to_string(&req.customer).expect("customer serializes");
        let metadata = req
            .metadata
            .as_ref()
            .map(|m| serde_json::Value::Object(m.clone()).to_string());
        let new_payment = NewPayment {
            id: payment_id.as_str(),
            merchant_id,
            amount_minor: req.money.minor,
            currency: req.money.currency.code(),
            order_id: &req.order_id,
            provider: account.map(|a| a.provider.as_str()),
            method: req.method.map(|m| m.as_str()),
            account_id: account.map(|a| a.id.as_str()),
            hosted: account.is_none(),
            checkout_url: hosted_url.as_deref(),
            callback_url: req.callback_url.as_deref(),
            return_url: req.return_url.as_deref(),
            cancel_url: req.cancel_url.as_deref(),
            customer: Some(&customer),
            description: req.description.as_deref(),
            metadata: metadata.as_deref(),
            return_token: &return_token,
            expires_at: now + Duration::seconds(req.expires_in_secs),
            now,
        };
        // The attempt id is also the gateway-side reference: the same on every retry.
        let attempt = account.map(|a| NewAttempt {
            id: attempt_id.as_str(),
            account_id: &a.id,
            provider: &a.provider,
            reference: attempt_id.as_str(),
        });
        let detail = payment_created_detail(&attempt_id, account).to_string();
        let entry_id = TimelineId::generate();
        let created = payment_created_entry(&entry_id, &payment_id, &detail, now);
        let key = scope.map(|s| (s.merchant_id.as_str(), s.key.as_str()));
        let (payment, attempt) =
            create_rows::record_new(&self.db, &new_payment, attempt.as_ref(), &created, key)
                .await?;
        Ok((payment, attempt))
    }

    /// The payment behind a resumed key and its attempt (`None` for a hosted payment).
    async fn resume(&self, payment_id: &str) -> AppResult<(PaymentRow, Option<AttemptRow>)> {
        let mut conn = self.db.acquire().await?;
        let payment = store::payments::get(&mut conn, payment_id)
            .await?
            .ok_or(AppError::NotFound)?;
        if payment.hosted {
            return Ok((payment, None));
        }
        let attempt = store::attempts::latest_for_payment(&mut conn, payment_id)
            .await?
            .ok_or_else(|| {
                AppError::Internal(anyhow::anyhow!("payment {payment_id} has no attempt"))
            })?;
        tracing::info!(payment_id, attempt_id = %attempt.id, "resuming payment creation with the same reference");
        Ok((payment, Some(attempt)))
    }

    pub(super) async fn call_create(
        &self,
        p: &PaymentRow,
        attempt: &AttemptRow,
        account: &AccountRow,
    ) -> AppResult<Outcome<CheckoutCreated>> {
        let (_, adapter) = self.adapter(&account.provider)?;
        let ctx = self.account_context(account)?;
        let currency = Currency::parse(&p.currency)
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("stored currency {}", p.currency)))?;
        let mut return_url = self.return_url(&p.id, &p.return_token);
        if p.hosted {
            // Several attempts share the payment: the return says which one the customer left.
            return_url.push_str(&format!("&a={}", attempt.id));
        }
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
            account_return_url: self.account_return_url(&account.provider, &account.id),
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

/// What the timeline's first entry says: the attempt and its gateway, or that the payment is
/// hosted (the customer's pick opens its attempt).
fn payment_created_detail(
    attempt_id: &AttemptId,
    account: Option<&AccountRow>,
) -> serde_json::Value {
    match account {
        Some(a) => json!({ "attempt_id": attempt_id, "provider": a.provider }),
        None => json!({ "hosted": true }),
    }
}

/// The timeline's first entry: the payment is born `pending`, routed to a gateway or hosted.
/// Written directly rather than as a `note`: it carries the status the payment starts in and
/// the payment's own creation time.
fn payment_created_entry<'a>(
    id: &'a TimelineId,
    payment_id: &'a PaymentId,
    detail: &'a str,
    now: DateTime<Utc>,
) -> NewEntry<'a> {
    NewEntry {
        id: id.as_str(),
        payment_id: payment_id.as_str(),
        kind: "payment.created",
        from_status: None,
        to_status: Some(PaymentStatus::Pending.as_str()),
        source: Source::Api.as_str(),
        detail: Some(detail),
        at: now,
        sequence: None,
    }
}
