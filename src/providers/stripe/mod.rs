//! Stripe Checkout adapter (`docs/gateways/stripe.md`).
//!
//! Speaks Stripe's REST API (Checkout Sessions in payment mode, Refunds) and its webhooks, and
//! nothing else. The attempt's reference is the session's `client_reference_id` and its
//! `Idempotency-Key`; Stripe cannot be searched by it, and reads a session by its own id
//! (`external_id`, `cs_…`), which only the create answer gives. So:
//! * a query without `external_id` (the create never answered) cannot name anything: Declined,
//!   and cancel has nothing to expire — nobody was given that session's URL, so nobody can pay it;
//!   a merchant's retry of the create gets the same session back (idempotent replay, R3);
//! * a refund goes to the PaymentIntent (`charge_id`, `pi_…`, R11), learnt from the webhook or a
//!   read; when Payrail has none, the session is read to find it.
//!
//! Webhooks are HMAC-signed with a secret only Stripe and the merchant hold, so they are applied
//! as they are (`confirm_webhooks: false`). Amounts are in `amounts`, signatures in `signing`.

mod amounts;
mod credentials;
mod mapping;
mod report;
mod requests;
pub mod signing;
mod webhook;
mod wire;

#[cfg(test)]
mod tests;

use self::credentials::Credentials;
use self::mapping::{classify, payment_outcome, read, refund_outcome, Call, Failure};
use self::wire::{Refund, Session};
use super::failure::GatewayFailure;
use super::http_call;
use super::{
    AccountContext, AckKind, Capabilities, CheckoutCreated, CheckoutRequest, GatewayDescriptor,
    GatewayReport, IncomingWebhook, Method, Outcome, ParsedWebhook, ProviderAdapter, ProviderId,
    QueryRequest, RefundReport, RefundRequest, ReturnHints, WebhookAck, WebhookVerification,
};
use reqwest::Method as Http;

const CAPABILITIES: Capabilities = Capabilities {
    create: true,
    query: true,
    refund: true,
    cancel: true,
    currencies: amounts::CURRENCIES,
    methods: &[Method::Card],
    webhook_scheme: "Stripe-Signature t=…,v1=…: hex HMAC-SHA256 of \"{t}.{raw body}\" (whsec_ secret), 300 s tolerance",
    requires_customer: false,
    // POST /v1/refunds takes any amount up to what is left of the PaymentIntent.
    partial_refund: true,
    // HMAC-signed with the endpoint's secret.
    confirm_webhooks: false,
    // Stripe reads a refund by its own id only; a lost answer is settled from the charge's
    // `amount_refunded` in the session read.
    refund_lookup_by_reference: false,
};

/// Stripe, as the rest of Payrail knows it.
pub static GATEWAY: GatewayDescriptor = GatewayDescriptor {
    id: "stripe",
    display_name: "Stripe",
    default_base_url: "https://api.stripe.com",
    capabilities: CAPABILITIES,
    credentials_shape: r#"{"secret_key", "webhook_secret"}"#,
    validate_credentials: |c| Credentials::parse(c).map(|_| ()),
    webhook_header_prefixes: &["stripe-"],
    adapter: |client| std::sync::Arc::new(Stripe::new(client)),
};

/// This gateway's id.
pub const ID: ProviderId = ProviderId::of(&GATEWAY);

pub struct Stripe {
    client: reqwest::Client,
}

impl Stripe {
    pub fn new(client: reqwest::Client) -> Self {
        Self { client }
    }

    /// Sends one request and returns the 2xx body as `T`, or why there is none.
    async fn call<T: serde::de::DeserializeOwned>(
        &self,
        account: &AccountContext,
        (method, call): (Http, Call),
        path: &str,
        key: Option<&str>,
        form: Option<String>,
    ) -> Result<T, Failure> {
        let creds = Credentials::parse(&account.credentials)
            .map_err(|e| Failure::unsendable(format!("Stripe credentials: {e}")))?;
        let url = requests::url(&account.base_url, path);
        let builder = requests::build(&self.client, method, url, &creds.secret_key, key, form);
        let response = http_call::send(builder).await?;
        read(classify(&response, call).map_err(|f| f.throttled_for(response.retry_after))?)
    }

    async fn get_session(&self, account: &AccountContext, id: &str) -> Result<Session, Failure> {
        let path = requests::session_read_path(id).map_err(Failure::unsendable)?;
        self.call(account, (Http::GET, Call::Read), &path, None, None)
            .await
    }

    /// The PaymentIntent to refund: the one Payrail knows, else the paid session's.
    async fn refundable_intent(
        &self,
        account: &AccountContext,
        req: &RefundRequest,
    ) -> Result<String, Failure> {
        if let Some(id) = req.payment_charge_id.as_deref().filter(|c| c.starts_with("pi_")) {
            return Ok(id.to_owned());
        }
        let session = self.get_session(account, &req.payment_external_id).await?;
        let report = report::session_report(session, None).map_err(Failure::bad_answer)?;
        match (report.status, report.charge_id) {
            (super::ReportedStatus::Paid, Some(id)) => Ok(id),
            _ => Err(Failure::Declined(format!(
                "session {} has no paid PaymentIntent to refund",
                req.payment_external_id
            ))),
        }
    }

    /// After a refused expire: done if the session is already expired, else Stripe's refusal.
    async fn expired_anyway(&self, account: &AccountContext, id: &str, refusal: Failure) -> Outcome<()> {
        match self.get_session(account, id).await {
            Ok(s) if s.status.as_deref() == Some("expired") => Outcome::Succeeded(()),
            _ => refusal.into_outcome(),
        }
    }
}

#[async_trait::async_trait]
impl ProviderAdapter for Stripe {
    fn id(&self) -> ProviderId {
        ID
    }

    async fn create_checkout(
        &self,
        account: &AccountContext,
        req: &CheckoutRequest,
    ) -> Outcome<CheckoutCreated> {
        let form = match requests::create_form(req, chrono::Utc::now()) {
            Ok(f) => f,
            Err(e) => return Outcome::NotSent(GatewayFailure::unsendable(e)),
        };
        let (post, key) = ((Http::POST, Call::Create), Some(req.reference.as_str()));
        let answer: Result<Session, _> = self
            .call(account, post, requests::SESSIONS, key, Some(form))
            .await;
        match answer {
            Ok(s) => match report::checkout_created(s, req) {
                Ok(created) => Outcome::Pending(created),
                Err(e) => Outcome::Unknown(GatewayFailure::bad_answer(e)),
            },
            Err(f) => f.into_outcome(),
        }
    }

    async fn query(&self, account: &AccountContext, query: &QueryRequest) -> Outcome<GatewayReport> {
        let Some(id) = query.external_id.as_deref().filter(|i| !i.is_empty()) else {
            return Outcome::Declined(
                "no Stripe Checkout Session id known (Stripe cannot be searched by client_reference_id)"
                    .into(),
            );
        };
        let session = match self.get_session(account, id).await {
            Ok(s) => s,
            Err(f) => return f.into_outcome(),
        };
        let checked = report::check_reference(session.client_reference_id.as_deref(), &query.reference)
            .and_then(|()| report::session_report(session, None));
        match checked {
            Ok(mut report) => {
                report.reference.get_or_insert_with(|| query.reference.clone());
                payment_outcome(report.status, report)
            }
            Err(e) => Outcome::Unknown(GatewayFailure::bad_answer(e)),
        }
    }

    async fn refund(&self, account: &AccountContext, req: &RefundRequest) -> Outcome<RefundReport> {
        let intent = match self.refundable_intent(account, req).await {
            Ok(id) => id,
            Err(f) => return f.into_outcome(),
        };
        let form = match requests::refund_form(req, &intent) {
            Ok(f) => f,
            Err(e) => return Outcome::NotSent(GatewayFailure::unsendable(e)),
        };
        let (post, key) = ((Http::POST, Call::Refund), Some(req.reference.as_str()));
        let answer: Result<Refund, _> = self
            .call(account, post, requests::REFUNDS, key, Some(form))
            .await;
        match answer.and_then(|r| {
            if r.payment_intent.as_deref().is_some_and(|p| p != intent) {
                return Err(Failure::bad_answer(format!(
                    "answer is about another PaymentIntent than {intent}"
                )));
            }
            report::refund_report(r, Some(&req.reference)).map_err(Failure::bad_answer)
        }) {
            Ok(report) => refund_outcome(report.status, report),
            Err(f) => f.into_outcome(),
        }
    }

    /// Stripe reads refunds by its own id only (`re_…`); Payrail asks only once it has it
    /// (`refund_lookup_by_reference: false`).
    async fn query_refund(
        &self,
        account: &AccountContext,
        reference: &str,
        external_id: Option<&str>,
    ) -> Outcome<RefundReport> {
        let path = match external_id.map(requests::refund_path) {
            Some(Ok(p)) => p,
            Some(Err(e)) => return Outcome::Declined(e),
            None => return Outcome::Declined("no Stripe refund id known".into()),
        };
        let answer: Result<Refund, _> = self
            .call(account, (Http::GET, Call::Read), &path, None, None)
            .await;
        match answer.and_then(|r| report::refund_report(r, Some(reference)).map_err(Failure::bad_answer)) {
            Ok(report) => refund_outcome(report.status, report),
            Err(f) => f.into_outcome(),
        }
    }

    async fn cancel(&self, account: &AccountContext, query: &QueryRequest) -> Outcome<()> {
        let Some(id) = query.external_id.as_deref().filter(|i| !i.is_empty()) else {
            // The create never answered: no checkout URL reached anyone, nothing can be paid.
            return Outcome::Succeeded(());
        };
        let path = match requests::expire_path(id) {
            Ok(p) => p,
            Err(e) => return Outcome::NotSent(GatewayFailure::unsendable(e)),
        };
        let key = format!("{}:expire", query.reference);
        let post = (Http::POST, Call::Expire);
        let answer: Result<Session, _> = self.call(account, post, &path, Some(&key), None).await;
        match answer {
            Ok(s) if s.status.as_deref() == Some("expired") => Outcome::Succeeded(()),
            Ok(_) => Outcome::Unknown(GatewayFailure::bad_answer(
                "Stripe did not answer with an expired session",
            )),
            Err(refusal @ Failure::Declined(_)) => self.expired_anyway(account, id, refusal).await,
            Err(f) => f.into_outcome(),
        }
    }

    fn verify_webhook(
        &self,
        account: &AccountContext,
        hook: &IncomingWebhook<'_>,
    ) -> WebhookVerification {
        webhook::verify_webhook(account, hook)
    }

    fn parse_webhook(&self, hook: &IncomingWebhook<'_>) -> Result<ParsedWebhook, String> {
        webhook::parse_webhook(hook)
    }

    fn webhook_ack(&self, ack: AckKind) -> WebhookAck {
        webhook::webhook_ack(ack)
    }

    /// `session_id` is the session Stripe filled into `success_url` (never trusted as a status).
    fn parse_return(&self, query: &[(String, String)]) -> ReturnHints {
        let external_id = query
            .iter()
            .find(|(k, _)| k == "session_id")
            .map(|(_, v)| v.trim())
            .filter(|v| requests::check_id("cs_", v).is_ok())
            .map(str::to_owned);
        ReturnHints {
            external_id,
            charge_id: None,
        }
    }
}
