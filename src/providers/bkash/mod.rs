//! bKash Tokenized Checkout adapter, URL based without an agreement (`mode` `0011`):
//! docs/gateways/bkash.md, labels B1–B12.
//!
//! bKash differs from the other gateways in one way that matters: the customer's approval on
//! bKash's page moves no money. Payrail must execute the payment afterwards (B1), so the adapter
//! reports an approved, unexecuted payment as [`ReportedStatus::Authorized`] and implements
//! `confirm` as bKash's execute; orchestration confirms whenever a recheck finds it authorised
//! (the customer's return, the reconciler). Every call carries an `id_token` that the adapter
//! grants once per account and shares (`token`, B5). bKash answers errors inside HTTP 200 as a
//! `statusCode` (`mapping`, B9). There is no webhook: Payrail relies on the return, execute and
//! the reconciler's recheck (B8). Refunds are partial or full, against the payment's `trxID`.
//!
//! [`ReportedStatus::Authorized`]: super::ReportedStatus::Authorized

mod calls;
mod credentials;
mod mapping;
mod requests;
mod token;
mod wire;

#[cfg(test)]
mod tests;

use self::calls::refund_outcome;
use self::credentials::Credentials;
use super::{
    AccountContext, AckKind, Capabilities, CheckoutCreated, CheckoutRequest, GatewayDescriptor,
    GatewayReport, IncomingWebhook, Method, Outcome, ParsedWebhook, ProviderAdapter, ProviderId,
    QueryRequest, RefundReport, RefundRequest, ReturnHints, WebhookAck, WebhookVerification,
};

const CAPABILITIES: Capabilities = Capabilities {
    create: true,
    // The payment's status by its paymentID.
    query: true,
    refund: true,
    // bKash has no cancel call: an unexecuted payment moves no money, and Payrail never
    // executes a payment that is no longer open.
    cancel: false,
    currencies: &["BDT"],
    methods: &[Method::MobileBanking],
    webhook_scheme: "none: the return, execute and the reconciler's recheck (B8)",
    requires_customer: false,
    partial_refund: true,
    // No webhook is ever applied (B8); were one to arrive, only a query would be believed.
    confirm_webhooks: true,
    // bKash keeps no merchant reference on a refund (B11).
    refund_lookup_by_reference: false,
};

/// bKash, as the rest of Payrail knows it.
pub static GATEWAY: GatewayDescriptor = GatewayDescriptor {
    id: "bkash",
    display_name: "bKash",
    default_base_url: "https://tokenized.pay.bka.sh/v1.2.0-beta",
    capabilities: CAPABILITIES,
    credentials_shape: r#"{"app_key", "app_secret", "username", "password"}"#,
    validate_credentials: |c| Credentials::parse(c).map(|_| ()),
    webhook_header_prefixes: &[],
    adapter: |client| std::sync::Arc::new(Bkash::new(client)),
};

/// This gateway's id.
pub const ID: ProviderId = ProviderId::of(&GATEWAY);

/// The longest `paymentID` taken from a return URL.
const PAYMENT_ID_MAX: usize = 128;

pub struct Bkash {
    client: reqwest::Client,
    /// Every account's shared `id_token`.
    tokens: token::Tokens,
}

impl Bkash {
    pub fn new(client: reqwest::Client) -> Self {
        Self {
            client,
            tokens: token::Tokens::default(),
        }
    }
}

#[async_trait::async_trait]
impl ProviderAdapter for Bkash {
    fn id(&self) -> ProviderId {
        ID
    }

    async fn create_checkout(
        &self,
        account: &AccountContext,
        req: &CheckoutRequest,
    ) -> Outcome<CheckoutCreated> {
        match self.create(account, req).await {
            // Nothing is paid until the customer approves and Payrail executes.
            Ok(created) => Outcome::Pending(created),
            Err(f) => f.into_outcome(),
        }
    }

    async fn query(
        &self,
        account: &AccountContext,
        query: &QueryRequest,
    ) -> Outcome<GatewayReport> {
        self.status(account, query).await
    }

    async fn confirm(
        &self,
        account: &AccountContext,
        query: &QueryRequest,
    ) -> Outcome<GatewayReport> {
        self.execute(account, query).await
    }

    async fn refund(&self, account: &AccountContext, req: &RefundRequest) -> Outcome<RefundReport> {
        match self.refund_payment(account, req).await {
            Ok(report) => refund_outcome(report),
            Err(f) => f.into_outcome(),
        }
    }

    /// B11: bKash reads a refund by the payment's `paymentID` and `trxID`, which this lookup is
    /// not given; a refund whose answer was lost goes to review after `refund_review_secs`.
    async fn query_refund(
        &self,
        _account: &AccountContext,
        _reference: &str,
        _external_id: Option<&str>,
    ) -> Outcome<RefundReport> {
        Outcome::Declined("bKash looks refunds up by the payment's ids only".into())
    }

    /// B8: Payrail registers no IPN; whatever arrives is refused and never applied.
    fn verify_webhook(
        &self,
        _account: &AccountContext,
        _hook: &IncomingWebhook<'_>,
    ) -> WebhookVerification {
        WebhookVerification::Rejected {
            reason: "bKash notifications are not used (B8)".into(),
        }
    }

    fn parse_webhook(&self, _hook: &IncomingWebhook<'_>) -> Result<ParsedWebhook, String> {
        Err("bKash notifications are not used (B8)".into())
    }

    fn webhook_ack(&self, ack: AckKind) -> WebhookAck {
        let (status, body) = match ack {
            AckKind::Accepted => (200, "OK"),
            AckKind::Rejected => (403, "Forbidden"),
            AckKind::RetryLater => (503, "Try again later"),
        };
        WebhookAck {
            status,
            content_type: "text/plain; charset=utf-8",
            body: body.to_string(),
        }
    }

    /// B2: bKash appends `paymentID` and `status` to the callback URL. The id finds the attempt;
    /// the status is never trusted (the recheck that follows decides, and executes).
    fn parse_return(&self, query: &[(String, String)]) -> ReturnHints {
        let external_id = query
            .iter()
            .find(|(k, v)| k == "paymentID" && !v.trim().is_empty() && v.len() <= PAYMENT_ID_MAX)
            .map(|(_, v)| v.trim().to_owned());
        ReturnHints {
            external_id,
            charge_id: None,
        }
    }
}
