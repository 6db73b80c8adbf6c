//! HitPay payment-request adapter. Wire contract and the labels T1–T10: docs/gateways/hitpay.md;
//! what an adapter is: docs/gateways/README.md, "The adapter boundary".
//!
//! Speaks HitPay's REST API and webhooks and nothing else. The attempt's reference is HitPay's
//! `reference_number`; HitPay does not deduplicate on it ("Endpoints"), and its records are read by
//! its own payment-request id (`external_id`), which only the create answer gives. So:
//! * a query or cancel without `external_id` (the create never answered) cannot name anything at
//!   HitPay: query is Declined "no HitPay request id known", and cancel has nothing to delete —
//!   nobody was ever given that request's checkout URL, so nobody can pay it;
//! * a refund goes to the *payment* id (T7): `charge_id` from the v1 webhook or from `payments[]`;
//!   when Payrail has none, the request is read to find it.
//!
//! Webhooks are signed with the merchant's secret salt, so they are applied as they are
//! (`confirm_webhooks: false`). Mappings are in `mapping`, signatures in `signing`.

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
use self::mapping::{classify, payment_outcome, read, refund_outcome, Failure};
use self::wire::{DeleteAnswer, PaymentRequestObj, RefundObj};
use super::failure::GatewayFailure;
use super::http_call;
use super::{
    AccountContext, AckKind, Capabilities, CheckoutCreated, GatewayDescriptor, CheckoutRequest, GatewayReport,
    IncomingWebhook, Method, Outcome, ParsedWebhook, ProviderAdapter, ProviderId, QueryRequest,
    RefundReport, RefundRequest, ReturnHints, WebhookAck, WebhookVerification,
};
use reqwest::Method as Http;

const CAPABILITIES: Capabilities = Capabilities {
    create: true,
    query: true,
    refund: true,
    cancel: true,
    // HitPay takes any three-letter code ("Money format"); what a business may charge is
    // set on its HitPay account. BDT is listed so a Bangladeshi store can offer cards beside
    // Pakhi Pay; a merchant narrows the list per account.
    currencies: &["SGD", "MYR", "PHP", "USD", "BDT"],
    methods: &[Method::Card, Method::Paynow, Method::Wallet],
    webhook_scheme: "v1 form hmac: hex HMAC-SHA256 of sorted key+value pairs (salt); v2 JSON Hitpay-Signature: hex HMAC-SHA256 of the raw body (event salt)",
    requires_customer: false,
    // POST /v1/refund takes any amount up to what is left of the payment.
    partial_refund: true,
    // Both webhook versions are HMAC-signed with a salt only HitPay and the merchant hold.
    confirm_webhooks: false,
    // HitPay reads a refund by its own id only; a lost answer is settled from `refunded_amount`.
    refund_lookup_by_reference: false,
};

/// HitPay, as the rest of Payrail knows it.
pub static GATEWAY: GatewayDescriptor = GatewayDescriptor {
    id: "hitpay",
    display_name: "HitPay",
    default_base_url: "https://api.hit-pay.com",
    capabilities: CAPABILITIES,
    credentials_shape: r#"{"api_key", "salt", "event_salt"?}"#,
    validate_credentials: |c| Credentials::parse(c).map(|_| ()),
    webhook_header_prefixes: &["hitpay-"],
    adapter: |client| std::sync::Arc::new(HitPay::new(client)),
};

/// This gateway's id.
pub const ID: ProviderId = ProviderId::of(&GATEWAY);

pub struct HitPay {
    client: reqwest::Client,
}

impl HitPay {
    pub fn new(client: reqwest::Client) -> Self {
        Self { client }
    }

    /// Sends one request and returns the 2xx body as `T`, or why there is none.
    async fn call<T: serde::de::DeserializeOwned>(
        &self,
        account: &AccountContext,
        method: Http,
        path: &str,
        form: Option<String>,
    ) -> Result<T, Failure> {
        let creds = Credentials::parse(&account.credentials)
            .map_err(|e| Failure::unsendable(format!("HitPay credentials: {e}")))?;
        let builder = requests::build(
            &self.client,
            method,
            &account.base_url,
            path,
            &creds.api_key,
            form,
        );
        let response = http_call::send(builder).await?;
        read(classify(&response).map_err(|f| f.throttled_for(response.retry_after))?)
    }

    async fn get_request(
        &self,
        account: &AccountContext,
        id: &str,
    ) -> Result<PaymentRequestObj, Failure> {
        let path = requests::request_path(id).map_err(Failure::unsendable)?;
        self.call(account, Http::GET, &path, None).await
    }

    /// The payment (charge) to refund: the one Payrail knows, else the one that took money.
    async fn refundable_payment(
        &self,
        account: &AccountContext,
        req: &RefundRequest,
    ) -> Result<String, Failure> {
        if let Some(id) = req.payment_charge_id.as_deref().filter(|c| !c.is_empty()) {
            return Ok(id.to_owned());
        }
        let obj = self.get_request(account, &req.payment_external_id).await?;
        let report = report::request_report(obj, None).map_err(Failure::bad_answer)?;
        match (report.status, report.charge_id) {
            (super::ReportedStatus::Paid, Some(id)) => Ok(id),
            _ => Err(Failure::Declined(format!(
                "payment request {} has no paid HitPay payment to refund",
                req.payment_external_id
            ))),
        }
    }
}

#[async_trait::async_trait]
impl ProviderAdapter for HitPay {
    fn id(&self) -> ProviderId {
        ID
    }

    async fn create_checkout(
        &self,
        account: &AccountContext,
        req: &CheckoutRequest,
    ) -> Outcome<CheckoutCreated> {
        let form = match requests::create_form(req, &account.webhook_url) {
            Ok(f) => f,
            Err(e) => return Outcome::NotSent(GatewayFailure::unsendable(e)),
        };
        let path = requests::PAYMENT_REQUESTS;
        match self.call(account, Http::POST, path, Some(form)).await {
            Ok(obj) => match report::checkout_created(obj, req) {
                Ok(created) => Outcome::Pending(created),
                Err(e) => Outcome::Unknown(GatewayFailure::bad_answer(e)),
            },
            Err(f) => f.into_outcome(),
        }
    }

    async fn query(
        &self,
        account: &AccountContext,
        query: &QueryRequest,
    ) -> Outcome<GatewayReport> {
        let Some(id) = query.external_id.as_deref().filter(|i| !i.is_empty()) else {
            return Outcome::Declined(
                "no HitPay request id known (HitPay cannot be searched by reference_number)".into(),
            );
        };
        let obj = match self.get_request(account, id).await {
            Ok(o) => o,
            Err(f) => return f.into_outcome(),
        };
        let checked = report::check_reference(obj.reference_number.as_deref(), &query.reference)
            .and_then(|()| report::request_report(obj, query.charge_id.as_deref()));
        match checked {
            Ok(mut report) => {
                report
                    .reference
                    .get_or_insert_with(|| query.reference.clone());
                report.external_id.get_or_insert_with(|| id.to_owned());
                payment_outcome(report.status, report)
            }
            Err(e) => Outcome::Unknown(GatewayFailure::bad_answer(e)),
        }
    }

    async fn refund(&self, account: &AccountContext, req: &RefundRequest) -> Outcome<RefundReport> {
        let payment_id = match self.refundable_payment(account, req).await {
            Ok(id) => id,
            Err(f) => return f.into_outcome(),
        };
        let form = match requests::refund_form(&payment_id, req.amount) {
            Ok(f) => f,
            Err(e) => return Outcome::NotSent(GatewayFailure::unsendable(e)),
        };
        let answer: Result<RefundObj, _> = self
            .call(account, Http::POST, requests::REFUNDS, Some(form))
            .await;
        match answer.and_then(|obj| {
            if obj.payment_id.as_deref().is_some_and(|p| p != payment_id) {
                return Err(Failure::bad_answer(format!(
                    "answer is about another payment than {payment_id}"
                )));
            }
            report::refund_report(obj, Some(&req.reference)).map_err(Failure::bad_answer)
        }) {
            Ok(report) => refund_outcome(report.status, report),
            Err(f) => f.into_outcome(),
        }
    }

    /// HitPay reads refunds by its own refund id only, so `reference` must be that id (the
    /// `external_id` of the refund report); HitPay keeps no merchant reference on a refund.
    async fn query_refund(
        &self,
        account: &AccountContext,
        reference: &str,
        external_id: Option<&str>,
    ) -> Outcome<RefundReport> {
        // HitPay reads a refund by its own id only; before that is known, our reference is all we have.
        let path = match requests::refund_path(external_id.unwrap_or(reference)) {
            Ok(p) => p,
            Err(e) => return Outcome::Declined(e),
        };
        let answer: Result<RefundObj, _> = self.call(account, Http::GET, &path, None).await;
        match answer.and_then(|obj| report::refund_report(obj, None).map_err(Failure::bad_answer)) {
            Ok(report) => refund_outcome(report.status, report),
            Err(f) => f.into_outcome(),
        }
    }

    async fn cancel(&self, account: &AccountContext, query: &QueryRequest) -> Outcome<()> {
        let Some(id) = query.external_id.as_deref().filter(|i| !i.is_empty()) else {
            // The create never answered: no checkout URL reached anyone, nothing can be paid.
            return Outcome::Succeeded(());
        };
        let path = match requests::request_path(id) {
            Ok(p) => p,
            Err(e) => return Outcome::NotSent(GatewayFailure::unsendable(e)),
        };
        let answer: Result<DeleteAnswer, _> = self.call(account, Http::DELETE, &path, None).await;
        match answer {
            Ok(DeleteAnswer {
                success: Some(true),
            }) => Outcome::Succeeded(()),
            Ok(_) => Outcome::Unknown(GatewayFailure::bad_answer(
                "HitPay did not confirm the deletion",
            )),
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

    /// "Return": `reference` is the payment request id (the `status` beside it is never trusted).
    fn parse_return(&self, query: &[(String, String)]) -> ReturnHints {
        let external_id = query
            .iter()
            .find(|(k, _)| k == "reference")
            .map(|(_, v)| v.trim())
            .filter(|v| requests::request_path(v).is_ok())
            .map(str::to_owned);
        ReturnHints {
            external_id,
            charge_id: None,
        }
    }
}
