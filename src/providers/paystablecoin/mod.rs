//! PayStableCoin Hosted Payments adapter. Wire contract and the labels S1–S10:
//! docs/gateways/paystablecoin.md; what an adapter is: docs/gateways/README.md, "The adapter
//! boundary".
//!
//! Speaks PSC's signed JSON API and nothing else. The attempt's reference is PSC's
//! `merchantOrderId`, which PSC keeps unique (`20001` on a duplicate), so every retry of a create
//! is recognisable and "already exists" is answered by looking the order up. Status words, codes
//! and HTTP statuses are mapped in `mapping`; signatures in `signing`; bodies in `requests`.
//! PSC has no cancel API, and refunds are full refunds only until partial ones are confirmed (S8).

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
use self::mapping::{classify_code, payment_outcome, read_envelope, refund_outcome};
use self::mapping::{Failure, Op, Verdict};
use self::requests::SignedRequest;
use self::wire::Envelope;
use super::failure::GatewayFailure;
use super::http_call;
use super::{
    AccountContext, AckKind, Capabilities, CheckoutCreated, GatewayDescriptor, CheckoutRequest, GatewayReport,
    IncomingWebhook, Method, Outcome, ParsedWebhook, ProviderAdapter, ProviderId, QueryRequest,
    RefundReport, RefundRequest, WebhookAck, WebhookVerification,
};

const CAPABILITIES: Capabilities = Capabilities {
    create: true,
    query: true,
    refund: true,
    cancel: false,
    currencies: &["USD"],
    methods: &[Method::Crypto],
    webhook_scheme: "Base64 HMAC-SHA256 of ts+body (A) or of the request-signing string (B)",
    requires_customer: false,
    // S8: partial refunds are not confirmed in PayStableCoin's docs; refunds are always full.
    partial_refund: false,
    // Webhooks are HMAC-signed with a secret only PayStableCoin and the merchant hold.
    confirm_webhooks: false,
    // Refunds are queried by our `merchantRefundOrderId`.
    refund_lookup_by_reference: true,
};

/// PayStableCoin, as the rest of Payrail knows it.
pub static GATEWAY: GatewayDescriptor = GatewayDescriptor {
    id: "paystablecoin",
    display_name: "PayStableCoin",
    default_base_url: "https://api.paystablecoin.global",
    capabilities: CAPABILITIES,
    credentials_shape: r#"{"merchant_id", "api_key", "api_secret", "webhook_variant"?: "path"|"body"}"#,
    validate_credentials: |c| Credentials::parse(c).map(|_| ()),
    webhook_header_prefixes: &[],
    adapter: |client| std::sync::Arc::new(PayStableCoin::new(client)),
};

/// This gateway's id.
pub const ID: ProviderId = ProviderId::of(&GATEWAY);

pub struct PayStableCoin {
    client: reqwest::Client,
}

impl PayStableCoin {
    pub fn new(client: reqwest::Client) -> Self {
        Self { client }
    }

    /// Sends one signed request and returns its envelope, or why there is none.
    async fn call(
        &self,
        account: &AccountContext,
        creds: &Credentials,
        signed: SignedRequest,
    ) -> Result<Envelope, Failure> {
        let builder = signed.into_builder(&self.client, &account.base_url, &creds.api_key);
        let response = http_call::send(builder).await?;
        Ok(read_envelope(&response).map_err(|f| f.throttled_for(response.retry_after))?)
    }

    async fn get_order(
        &self,
        account: &AccountContext,
        creds: &Credentials,
        reference: &str,
    ) -> Result<wire::OrderData, Failure> {
        let signed =
            requests::query_order(creds, reference, now_ms()).map_err(Failure::unsendable)?;
        let envelope = self.call(account, creds, signed).await?;
        match classify_code(&envelope.code, envelope.text(), Op::QueryOrder) {
            Verdict::Ok => report::order_data(envelope.data).map_err(Failure::bad_answer),
            Verdict::AlreadyExists => Err(Failure::bad_answer("unexpected code 20001")),
            Verdict::Fail(f) => Err(f),
        }
    }

    async fn get_refund(
        &self,
        account: &AccountContext,
        creds: &Credentials,
        reference: &str,
    ) -> Result<RefundReport, Failure> {
        let signed =
            requests::query_refund(creds, reference, now_ms()).map_err(Failure::unsendable)?;
        let envelope = self.call(account, creds, signed).await?;
        match classify_code(&envelope.code, envelope.text(), Op::QueryRefund) {
            Verdict::Ok => report::refund_data(envelope.data, reference)
                .and_then(report::refund_report)
                .map_err(Failure::bad_answer),
            Verdict::AlreadyExists => Err(Failure::bad_answer("unexpected code 20001")),
            // 40xxx on a query by our reference: PSC holds no such refund (definitive).
            Verdict::Fail(Failure::Declined(_)) if envelope.code.starts_with("40") => {
                Ok(RefundReport {
                    reference: Some(reference.to_owned()),
                    external_id: None,
                    provider_status: format!("not found ({})", envelope.code),
                    status: crate::providers::RefundStatus::NotFound,
                    payment_external_id: None,
                    amount: None,
                })
            }
            Verdict::Fail(f) => Err(f),
        }
    }

    /// `20001` on create: PSC holds an order under our reference; its checkout is ours. Whatever
    /// goes wrong from here, the order exists, so nothing is NotSent or Declined any more.
    async fn existing_checkout(
        &self,
        account: &AccountContext,
        creds: &Credentials,
        req: &CheckoutRequest,
    ) -> Outcome<CheckoutCreated> {
        let found = self
            .get_order(account, creds, &req.reference)
            .await
            .and_then(|data| {
                report::checkout_created(data, &req.reference, req.amount, &req.currency)
                    .map_err(Failure::bad_answer)
            });
        match found {
            Ok(created) => Outcome::Pending(created),
            Err(f) => Outcome::Unknown(GatewayFailure::new(
                f.kind(),
                format!("order already exists but could not be read: {}", f.reason()),
            )),
        }
    }
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn credentials<T>(account: &AccountContext) -> Result<Credentials, Outcome<T>> {
    Credentials::parse(&account.credentials).map_err(|e| {
        Outcome::NotSent(GatewayFailure::unsendable(format!(
            "PayStableCoin credentials: {e}"
        )))
    })
}

#[async_trait::async_trait]
impl ProviderAdapter for PayStableCoin {
    fn id(&self) -> ProviderId {
        ID
    }

    async fn create_checkout(
        &self,
        account: &AccountContext,
        req: &CheckoutRequest,
    ) -> Outcome<CheckoutCreated> {
        let creds = match credentials(account) {
            Ok(c) => c,
            Err(o) => return o,
        };
        let signed = match requests::create_order(&creds, &account.webhook_url, req, now_ms()) {
            Ok(s) => s,
            Err(e) => return Outcome::NotSent(GatewayFailure::unsendable(e)),
        };
        let envelope = match self.call(account, &creds, signed).await {
            Ok(e) => e,
            Err(f) => return f.into_outcome(),
        };
        match classify_code(&envelope.code, envelope.text(), Op::CreateOrder) {
            Verdict::Ok => match report::order_data(envelope.data).and_then(|data| {
                report::checkout_created(data, &req.reference, req.amount, &req.currency)
            }) {
                Ok(created) => Outcome::Pending(created),
                Err(e) => Outcome::Unknown(GatewayFailure::bad_answer(e)),
            },
            Verdict::AlreadyExists => self.existing_checkout(account, &creds, req).await,
            Verdict::Fail(f) => f.into_outcome(),
        }
    }

    async fn query(
        &self,
        account: &AccountContext,
        query: &QueryRequest,
    ) -> Outcome<GatewayReport> {
        let reference = query.reference.as_str();
        let creds = match credentials(account) {
            Ok(c) => c,
            Err(o) => return o,
        };
        let data = match self.get_order(account, &creds, reference).await {
            Ok(d) => d,
            Err(f) => return f.into_outcome(),
        };
        if let Some(echoed) = data.merchant_order_id.as_deref() {
            if echoed != reference {
                return Outcome::Unknown(GatewayFailure::bad_answer(format!(
                    "answer is about order {echoed}, not {reference}"
                )));
            }
        }
        match report::payment_report(data) {
            Ok(report) => payment_outcome(report.status, report),
            Err(e) => Outcome::Unknown(GatewayFailure::bad_answer(e)),
        }
    }

    async fn refund(&self, account: &AccountContext, req: &RefundRequest) -> Outcome<RefundReport> {
        let creds = match credentials(account) {
            Ok(c) => c,
            Err(o) => return o,
        };
        let signed = match requests::create_refund(&creds, req, now_ms()) {
            Ok(s) => s,
            Err(e) => return Outcome::NotSent(GatewayFailure::unsendable(e)),
        };
        let envelope = match self.call(account, &creds, signed).await {
            Ok(e) => e,
            Err(f) => return f.into_outcome(),
        };
        let found = match classify_code(&envelope.code, envelope.text(), Op::CreateRefund) {
            Verdict::Ok => report::refund_data(envelope.data, &req.reference)
                .and_then(report::refund_report)
                .map_err(GatewayFailure::bad_answer),
            Verdict::AlreadyExists => self
                .get_refund(account, &creds, &req.reference)
                .await
                .map_err(|f| {
                    GatewayFailure::new(
                        f.kind(),
                        format!(
                            "refund already exists but could not be read: {}",
                            f.reason()
                        ),
                    )
                }),
            Verdict::Fail(f) => return f.into_outcome(),
        };
        match found {
            Ok(mut report) => {
                report
                    .reference
                    .get_or_insert_with(|| req.reference.clone());
                refund_outcome(report.status, report)
            }
            Err(f) => Outcome::Unknown(f),
        }
    }

    async fn query_refund(
        &self,
        account: &AccountContext,
        reference: &str,
        _external_id: Option<&str>,
    ) -> Outcome<RefundReport> {
        let creds = match credentials(account) {
            Ok(c) => c,
            Err(o) => return o,
        };
        match self.get_refund(account, &creds, reference).await {
            Ok(mut report) => {
                report
                    .reference
                    .get_or_insert_with(|| reference.to_string());
                refund_outcome(report.status, report)
            }
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
}
