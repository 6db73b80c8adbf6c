//! Creating a payment: route, take the idempotency key, record the payment and its attempt
//! (the recovery point), call the gateway, and record what it answered.
//!
//! The payment and attempt rows are committed before the gateway is called, so a crash or a
//! timeout leaves a payment that a retry with the same key (or the reconciler) continues with
//! the same gateway-side reference, never a second one. The key itself is taken and answered
//! by [`Orchestrator::keyed`], like every keyed call; this use case only records which payment
//! the key created.

use super::create_input::CreateRequest;
use super::idempotency::{Key, KeyScope};
use super::Orchestrator;
use crate::crypto::random_token;
use crate::domain::attempt_status::AttemptState;
use crate::domain::ids::{AttemptId, PaymentId};
use crate::domain::money::Currency;
use crate::domain::status::{PaymentStatus, Source};
use crate::error::{AppError, AppResult};
use crate::providers::{CheckoutCreated, CheckoutRequest, Outcome};
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
        let (payment, attempt, fallbacks) =
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
        let (payment, attempt, outcome) =
            self.create_at_gateway(payment, attempt, fallbacks).await?;
        self.record_outcome(payment, attempt, outcome, key.as_ref())
            .await
    }

    /// Records a new payment: routed to its first account, or hosted (neither `provider` nor
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
        let mut candidates = self.route(merchant_id, req).await?;
        let first = candidates.remove(0);
        let (p, a) = self
            .record_new(merchant_id, req, Some(&first), scope)
            .await?;
        Ok((p, a, candidates))
    }

    /// Records the new payment, its first attempt (when routed) and its `payment.created` entry,
    /// and the payment on the key, in one transaction committed before any gateway is asked:
    /// the recovery point a retry or the reconciler continues from.
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
        let mut tx = self.db.begin().await?;
        let payment = store::payments::insert(
            &mut tx,
            &NewPayment {
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
            },
        )
        .await?;
        let attempt = insert_first_attempt(&mut tx, &payment_id, &attempt_id, account).await?;
        note_payment_created(&mut tx, &payment_id, &attempt_id, account, now).await?;
        if let Some(s) = scope {
            store::idempotency::set_payment(&mut tx, &s.merchant_id, &s.key, payment_id.as_str())
                .await?;
        }
        tx.commit().await?;
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

/// A routed payment's first attempt, at `account` (none for a hosted payment: the customer's
/// pick opens it). The attempt id is also the gateway-side reference: the same on every retry.
async fn insert_first_attempt(
    tx: &mut store::Tx,
    payment_id: &PaymentId,
    attempt_id: &AttemptId,
    account: Option<&AccountRow>,
) -> AppResult<Option<AttemptRow>> {
    let Some(account) = account else {
        return Ok(None);
    };
    let attempt = store::attempts::insert(
        tx,
        attempt_id.as_str(),
        payment_id.as_str(),
        &account.id,
        &account.provider,
        attempt_id.as_str(),
    )
    .await?;
    Ok(Some(attempt))
}

/// The timeline's first entry: the payment is born `pending`, routed to a gateway or hosted.
/// Written directly rather than as a `note`: it carries the status the payment starts in and
/// the payment's own creation time.
async fn note_payment_created(
    tx: &mut store::Tx,
    payment_id: &PaymentId,
    attempt_id: &AttemptId,
    account: Option<&AccountRow>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let detail = match account {
        Some(a) => json!({ "attempt_id": attempt_id, "provider": a.provider }),
        None => json!({ "hosted": true }),
    };
    store::timeline::insert(
        tx,
        &store::timeline::NewEntry {
            id: crate::domain::ids::TimelineId::generate().as_str(),
            payment_id: payment_id.as_str(),
            kind: "payment.created",
            from_status: None,
            to_status: Some(PaymentStatus::Pending.as_str()),
            source: Source::Api.as_str(),
            detail: Some(&detail.to_string()),
            at: now,
            sequence: None,
        },
    )
    .await?;
    Ok(())
}
