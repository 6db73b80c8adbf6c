//! Paymento (non-custodial crypto) adapter. Wire contract and the labels P1–P10:
//! docs/gateways/paymento.md; what an adapter is: docs/gateways/README.md, "The adapter boundary".
//!
//! Speaks Paymento's `Api-Key` JSON API and nothing else. A create returns a token (the order's
//! `external_id`); the customer pays on Paymento's hosted gateway; Paymento tells the store-level
//! IPN URL, which `on_connect` registers once per account. `query` is verify, which also approves a
//! Paid (7) order into Approve (8), so it is safe to repeat (P7) and is what Payrail applies after
//! every IPN (`confirm_webhooks`, "always verify", "Webhook (IPN)"). Paymento has no refund or
//! cancel API and no lookup by `orderId`, so a create whose answer was lost cannot be found again:
//! the retry makes a new order under the same reference, and the lost one simply times out unpaid.

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
use self::mapping::{payment_outcome, read_answer, refusal, Failure};
use self::wire::{CiObject, Envelope, VerifyAnswer};
use super::failure::{FailureKind, GatewayFailure};
use super::http_call;
use super::{
    AccountContext, AckKind, Capabilities, CheckoutCreated, GatewayDescriptor, CheckoutRequest, GatewayReport,
    IncomingWebhook, Method, Outcome, ParsedWebhook, ProviderAdapter, ProviderId, QueryRequest,
    ReturnHints, WebhookAck, WebhookVerification,
};
use std::time::Duration;

const CAPABILITIES: Capabilities = Capabilities {
    create: true,
    // Verify (which also approves a Paid order).
    query: true,
    refund: false,
    cancel: false,
    currencies: &["USD", "EUR", "GBP"],
    methods: &[Method::Crypto],
    webhook_scheme: "hex HMAC-SHA256 of the raw body in X-HMAC-SHA256-Signature",
    requires_customer: false,
    partial_refund: false,
    // "Webhook (IPN)": fulfil only after a successful verify, never on the IPN alone.
    confirm_webhooks: true,
    refund_lookup_by_reference: false,
};

/// How long `on_connect` waits for the settings answer before leaving the call to finish in the
/// background (a sandbox registers against its own, not yet serving, listener).
const ON_CONNECT_WAIT: Duration = Duration::from_secs(3);

/// Paymento, as the rest of Payrail knows it.
pub static GATEWAY: GatewayDescriptor = GatewayDescriptor {
    id: "paymento",
    display_name: "Paymento",
    default_base_url: "https://api.paymento.io",
    capabilities: CAPABILITIES,
    credentials_shape: r#"{"api_key", "secret_key", "risk_speed"?: 0|1}"#,
    validate_credentials: |c| Credentials::parse(c).map(|_| ()),
    webhook_header_prefixes: &[],
    adapter: |client| std::sync::Arc::new(Paymento::new(client)),
};

/// This gateway's id.
pub const ID: ProviderId = ProviderId::of(&GATEWAY);

pub struct Paymento {
    client: reqwest::Client,
}

impl Paymento {
    pub fn new(client: reqwest::Client) -> Self {
        Self { client }
    }

    /// POSTs one JSON body and returns the readable envelope of a 200, or why there is none.
    async fn call(
        &self,
        account: &AccountContext,
        creds: &Credentials,
        path: &str,
        body: Vec<u8>,
    ) -> Result<Envelope, Failure> {
        let builder = requests::post(&self.client, &account.base_url, path, &creds.api_key, body);
        let response = http_call::send(builder).await?;
        read_answer(&response).map_err(|f| f.throttled_for(response.retry_after))
    }
}

fn credentials<T>(account: &AccountContext) -> Result<Credentials, Outcome<T>> {
    Credentials::parse(&account.credentials).map_err(|e| {
        Outcome::NotSent(GatewayFailure::unsendable(format!(
            "Paymento credentials: {e}"
        )))
    })
}

/// The token of a successful create: `body` is a JSON string, trimmed (the old docs show a
/// leading space).
fn token_of(envelope: &Envelope) -> Result<String, String> {
    let raw = envelope.body.as_ref().ok_or("answer has no body")?;
    let token = serde_json::from_str::<String>(raw.get())
        .map_err(|_| "answer body is not a token string")?
        .trim()
        .to_owned();
    if token.is_empty() {
        return Err("answer has an empty token".into());
    }
    Ok(token)
}

/// The settings answer: success, and (when echoed) the URL Paymento kept is ours (P5).
fn settings_outcome(result: Result<Envelope, Failure>, ipn_url: &str) -> Outcome<()> {
    let envelope = match result {
        Ok(e) if e.success => e,
        Ok(e) => return refusal(&e).into_outcome(),
        Err(f) => return f.into_outcome(),
    };
    let kept = envelope
        .body
        .as_ref()
        .and_then(|b| CiObject::parse(b.get().as_bytes()).ok())
        .and_then(|o| o.text("ipn_url").ok().flatten());
    match kept {
        Some(kept) if kept.trim() != ipn_url => Outcome::Unknown(GatewayFailure::bad_answer(
            format!("Paymento kept IPN URL {kept:?}, not {ipn_url:?}"),
        )),
        _ => Outcome::Succeeded(()),
    }
}

#[async_trait::async_trait]
impl ProviderAdapter for Paymento {
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
        let body = match requests::payment_request_body(&creds, req) {
            Ok(b) => b,
            Err(e) => return Outcome::NotSent(GatewayFailure::unsendable(e)),
        };
        let envelope = match self
            .call(account, &creds, requests::REQUEST_PATH, body)
            .await
        {
            Ok(e) if e.success => e,
            Ok(e) => return refusal(&e).into_outcome(),
            Err(f) => return f.into_outcome(),
        };
        match token_of(&envelope) {
            Ok(token) => Outcome::Pending(CheckoutCreated {
                checkout_url: requests::checkout_url(&account.base_url, &token),
                external_id: Some(token),
                provider_status: mapping::OrderStatus::Initialize.name().to_owned(),
            }),
            Err(e) => Outcome::Unknown(GatewayFailure::bad_answer(e)),
        }
    }

    async fn query(
        &self,
        account: &AccountContext,
        query: &QueryRequest,
    ) -> Outcome<GatewayReport> {
        let Some(token) = query.external_id.as_deref().filter(|t| !t.is_empty()) else {
            // Verify needs the token and Paymento has no lookup by orderId: an attempt whose
            // create answer was lost has nothing Paymento could be asked about.
            return Outcome::Declined(format!(
                "not found: no Paymento token is known for order {}",
                query.reference
            ));
        };
        let creds = match credentials(account) {
            Ok(c) => c,
            Err(o) => return o,
        };
        let body = requests::verify_body(token);
        let envelope = match self
            .call(account, &creds, requests::VERIFY_PATH, body)
            .await
        {
            Ok(e) => e,
            Err(f) => return f.into_outcome(),
        };
        // P7: a not-approved order answers success:false WITH a body: that is a report. Only an
        // answer without an order in it ("Invalid Token") is a refusal.
        let answer = match envelope.body.as_deref().map(VerifyAnswer::parse) {
            Some(Ok(a)) if a.order_status.is_some() => a,
            Some(Ok(_)) | None if !envelope.success => return refusal(&envelope).into_outcome(),
            Some(Ok(_)) | None => {
                return Outcome::Unknown(GatewayFailure::bad_answer("verify answer has no order"))
            }
            Some(Err(e)) => return Outcome::Unknown(GatewayFailure::bad_answer(e)),
        };
        match report::verify_report(answer, token, query) {
            Ok(r) => payment_outcome(r.status, r.underpaid, r),
            Err(e) => Outcome::Unknown(GatewayFailure::bad_answer(e)),
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

    /// Registers Payrail's receiver as the store-level IPN URL (`POST /v1/payment/settings`).
    /// Waits at most `ON_CONNECT_WAIT`; a slower answer is left to finish (and be logged) in the
    /// background, and reported `Unknown` now.
    async fn on_connect(&self, account: &AccountContext) -> Outcome<()> {
        let creds = match credentials(account) {
            Ok(c) => c,
            Err(o) => return o,
        };
        let ipn_url = account.webhook_url.clone();
        let builder = requests::post(
            &self.client,
            &account.base_url,
            requests::SETTINGS_PATH,
            &creds.api_key,
            requests::settings_body(&ipn_url),
        );
        let account_id = account.account_id.clone();
        let mut task = tokio::spawn(async move {
            let result = match http_call::send(builder).await {
                Ok(response) => read_answer(&response),
                Err(f) => Err(f.into()),
            };
            let outcome = settings_outcome(result, &ipn_url);
            if !matches!(outcome, Outcome::Succeeded(())) {
                tracing::warn!(%account_id, ?outcome, "Paymento IPN URL registration");
            }
            outcome
        });
        match tokio::time::timeout(ON_CONNECT_WAIT, &mut task).await {
            Ok(Ok(outcome)) => outcome,
            Ok(Err(e)) => Outcome::Unknown(GatewayFailure::new(
                FailureKind::Transport,
                format!("registration task failed: {e}"),
            )),
            Err(_) => Outcome::Unknown(GatewayFailure::new(
                FailureKind::Timeout,
                format!(
                    "no answer within {} s; the registration continues in the background",
                    ON_CONNECT_WAIT.as_secs()
                ),
            )),
        }
    }

    /// "Return", P10: `token` (any casing) names the order; `orderId` and `status` are ignored (the
    /// recheck that follows decides).
    fn parse_return(&self, query: &[(String, String)]) -> ReturnHints {
        ReturnHints {
            external_id: query
                .iter()
                .find(|(k, _)| k.trim().eq_ignore_ascii_case("token"))
                .map(|(_, v)| v.trim().to_owned())
                .filter(|v| !v.is_empty()),
            charge_id: None,
        }
    }
}
