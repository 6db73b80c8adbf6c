//! Pakhi Pay adapter. Wire contract and the labels K1–K7: docs/gateways/pakhipay.md; what an
//! adapter is: docs/gateways/README.md, "The adapter boundary".
//!
//! Pakhi Pay has two calls: create a payment link, and verify a transaction by its id and exact
//! amount. It returns no payment id, so our reference travels as `order_id` and comes back in the
//! webhook; the transaction id only arrives in that webhook (or, if Pakhi Pay appends it, on the
//! return URL: `parse_return`), and `query` (= verify) cannot run without it. Its webhook
//! signature is self-referential (K1) and keyed with an API key that may be public (K2), so every
//! webhook is confirmed by verify before Payrail applies it (`confirm_webhooks`). There is no
//! refund or cancel API. Status words and error classification live in `mapping`.

mod credentials;
mod mapping;
mod requests;
pub mod signing;
mod webhook;
mod wire;

#[cfg(test)]
mod tests;

use self::credentials::Credentials;
use self::mapping::{payment_outcome, read_envelope, Failure};
use super::failure::GatewayFailure;
use super::http_call;
use super::{
    AccountContext, AckKind, Capabilities, CheckoutCreated, GatewayDescriptor, CheckoutRequest, GatewayReport,
    IncomingWebhook, Method, Outcome, ParsedWebhook, ProviderAdapter, ProviderId, QueryRequest,
    ReturnHints, WebhookAck, WebhookVerification,
};

const CAPABILITIES: Capabilities = Capabilities {
    create: true,
    // Verify, with the transaction id from the webhook or the return URL and the stored amount.
    query: true,
    refund: false,
    cancel: false,
    currencies: &["BDT"],
    methods: &[Method::MobileBanking],
    webhook_scheme: "hex HMAC-SHA256 in a self-referential signature field (K1 candidates)",
    // cus_name and cus_email are required by the create call.
    requires_customer: true,
    partial_refund: false,
    // K2: the HMAC key is the brand API key, which the hosted-checkout SDK puts in the browser.
    confirm_webhooks: true,
    refund_lookup_by_reference: false,
};

/// The word a fresh link is reported with (the create answer carries none).
const CREATED_STATUS: &str = "pending";

/// Pakhi Pay, as the rest of Payrail knows it.
pub static GATEWAY: GatewayDescriptor = GatewayDescriptor {
    id: "pakhipay",
    display_name: "Pakhi Pay",
    default_base_url: "https://pakhipay.com",
    capabilities: CAPABILITIES,
    credentials_shape: r#"{"api_key"}"#,
    validate_credentials: |c| Credentials::parse(c).map(|_| ()),
    webhook_header_prefixes: &[],
    adapter: |client| std::sync::Arc::new(PakhiPay::new(client)),
};

/// This gateway's id.
pub const ID: ProviderId = ProviderId::of(&GATEWAY);

pub struct PakhiPay {
    client: reqwest::Client,
}

impl PakhiPay {
    pub fn new(client: reqwest::Client) -> Self {
        Self { client }
    }

    /// POSTs `body` to `path` and returns the envelope, or why there is none.
    async fn call(
        &self,
        account: &AccountContext,
        creds: &Credentials,
        path: &str,
        body: Vec<u8>,
    ) -> Result<wire::Envelope, Failure> {
        let builder = requests::post(&self.client, &account.base_url, path, &creds.api_key, body);
        let response = http_call::send(builder).await?;
        read_envelope(&response).map_err(|f| f.throttled_for(response.retry_after))
    }
}

fn credentials<T>(account: &AccountContext) -> Result<Credentials, Outcome<T>> {
    Credentials::parse(&account.credentials).map_err(|e| {
        Outcome::NotSent(GatewayFailure::unsendable(format!(
            "Pakhi Pay credentials: {e}"
        )))
    })
}

#[async_trait::async_trait]
impl ProviderAdapter for PakhiPay {
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
        let body = match requests::create_body(req, &account.webhook_url) {
            Ok(b) => b,
            Err(e) => return Outcome::NotSent(GatewayFailure::unsendable(e)),
        };
        let created = self
            .call(account, &creds, requests::CREATE_PATH, body)
            .await
            .and_then(mapping::created);
        match created {
            // No payment id exists at Pakhi Pay: the attempt is found by our order_id.
            Ok(url) => Outcome::Pending(CheckoutCreated {
                external_id: None,
                checkout_url: url,
                provider_status: CREATED_STATUS.into(),
            }),
            Err(f) => f.into_outcome(),
        }
    }

    async fn query(
        &self,
        account: &AccountContext,
        query: &QueryRequest,
    ) -> Outcome<GatewayReport> {
        let Some(transaction_id) = query.charge_id.as_deref().filter(|t| !t.is_empty()) else {
            return Outcome::Declined("no transaction id yet".into());
        };
        let creds = match credentials(account) {
            Ok(c) => c,
            Err(o) => return o,
        };
        let body = match requests::verify_body(transaction_id, query.amount, &query.currency) {
            Ok(b) => b,
            Err(e) => return Outcome::NotSent(GatewayFailure::unsendable(e)),
        };
        let verified = self
            .call(account, &creds, requests::VERIFY_PATH, body)
            .await
            .and_then(mapping::verified);
        match verified {
            // Verify echoes nothing but the word: it vouches for this transaction id at exactly
            // the amount we sent, so no amount is reported (no mismatch to find).
            Ok((word, status)) => payment_outcome(
                status,
                GatewayReport {
                    reference: None,
                    external_id: None,
                    provider_status: word,
                    status,
                    amount: None,
                    underpaid: false,
                    received: None,
                    charge_id: Some(transaction_id.to_owned()),
                    refunded: None,
                    extra_charges: vec![],
                },
            ),
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

    /// K6: Pakhi Pay documents no return parameters; if it appends `transaction_id`, that is the
    /// id verify needs (a hint only: the recheck that follows decides).
    fn parse_return(&self, query: &[(String, String)]) -> ReturnHints {
        let charge_id = query
            .iter()
            .find(|(k, v)| k == "transaction_id" && !v.trim().is_empty() && v.len() <= 128)
            .map(|(_, v)| v.trim().to_owned());
        ReturnHints {
            external_id: None,
            charge_id,
        }
    }
}
