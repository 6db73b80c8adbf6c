//! The gateway adapter boundary.
//!
//! One folder per gateway speaks that gateway's wire format and nothing else: it never touches the
//! database and never decides a payment's state. It reports what the gateway said as a
//! [`GatewayReport`] and every call's result as an [`Outcome`] named after what the caller must do
//! next. The orchestration layer turns reports into state changes through the transition table.
//!
//! Each folder also exports its [`GatewayDescriptor`] (`GATEWAY`): what the rest of Payrail needs
//! to know about the gateway without naming it. The `gateways!` list below is the only place the
//! folders are named (see `registry`).

pub mod failure;
mod gateway;
pub mod http_call;
#[macro_use]
pub mod registry;
#[cfg(test)]
pub mod test_gateway;
pub mod webhook_types;

use async_trait::async_trait;
use rust_decimal::Decimal;
use serde::Serialize;
use std::fmt;

gateways! {
    paystablecoin,
    hitpay,
    paymento,
    pakhipay,
    himosoft,
    stripe,
    bkash,
}

pub use failure::{FailureKind, GatewayFailure};
pub use gateway::{Capabilities, GatewayDescriptor, ProviderId};
pub use registry::Registry;
pub use webhook_types::{
    AckKind, IncomingWebhook, ParsedWebhook, WebhookAck, WebhookEvent, WebhookVerification,
};

/// Kinds of payment a merchant can ask for with `method`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    Card,
    MobileBanking,
    Crypto,
    Paynow,
    Wallet,
}

impl Method {
    pub const ALL: [Method; 5] = [
        Method::Card,
        Method::MobileBanking,
        Method::Crypto,
        Method::Paynow,
        Method::Wallet,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Method::Card => "card",
            Method::MobileBanking => "mobile_banking",
            Method::Crypto => "crypto",
            Method::Paynow => "paynow",
            Method::Wallet => "wallet",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == raw)
    }
}

/// The result of one gateway call, named after what the caller must do.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome<T> {
    /// The gateway has the record and it is final for this call.
    Succeeded(T),
    /// The gateway has the record; more will happen later.
    Pending(T),
    /// The gateway refused, definitively (becomes 422 `provider_rejected`).
    Declined(String),
    /// It certainly did not happen (could not connect, refused before processing): safe to retry.
    NotSent(GatewayFailure),
    /// It may or may not have happened (timeout after sending, 5xx, unreadable answer): ask the
    /// gateway again with the same reference; never retry elsewhere.
    Unknown(GatewayFailure),
}

impl<T> Outcome<T> {
    /// Label for metrics and logs.
    pub fn label(&self) -> &'static str {
        match self {
            Outcome::Succeeded(_) => "succeeded",
            Outcome::Pending(_) => "pending",
            Outcome::Declined(_) => "declined",
            Outcome::NotSent(_) => "not_sent",
            Outcome::Unknown(_) => "unknown",
        }
    }
}

/// A payment report as an outcome: `Succeeded` once the gateway's word will not change any more
/// (paid, failed, expired, cancelled, refunded), `Pending` while it may. Shared by the adapters
/// whose answers carry nothing else that decides it.
pub fn payment_outcome<T>(status: ReportedStatus, value: T) -> Outcome<T> {
    match status {
        ReportedStatus::Paid
        | ReportedStatus::Failed
        | ReportedStatus::Expired
        | ReportedStatus::Cancelled
        | ReportedStatus::Refunded
        | ReportedStatus::PartiallyRefunded => Outcome::Succeeded(value),
        ReportedStatus::Pending
        | ReportedStatus::Processing
        | ReportedStatus::Authorized
        | ReportedStatus::Unknown => Outcome::Pending(value),
    }
}

/// A refund report as an outcome, likewise: settled (completed, failed, not held) or moving.
pub fn refund_outcome<T>(status: RefundStatus, value: T) -> Outcome<T> {
    match status {
        RefundStatus::Completed | RefundStatus::Failed | RefundStatus::NotFound => {
            Outcome::Succeeded(value)
        }
        RefundStatus::Pending | RefundStatus::Unknown => Outcome::Pending(value),
    }
}

/// A merchant's connected gateway account, with its credentials decrypted for this call only.
#[derive(Clone)]
pub struct AccountContext {
    pub account_id: String,
    /// The gateway's credential object, as the account stores it (its shape: the gateway's note in
    /// docs/gateways/).
    pub credentials: serde_json::Value,
    /// The gateway's API base (for a simulator: `http://host:port/{provider}`).
    pub base_url: String,
    /// Payrail's webhook URL for this account (`…/v1/webhooks/{provider}/{account_id}/`).
    pub webhook_url: String,
}

impl fmt::Debug for AccountContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccountContext")
            .field("account_id", &self.account_id)
            .field("credentials", &"<redacted>")
            .field("base_url", &self.base_url)
            .finish()
    }
}

/// A customer as the merchant described them.
#[derive(Clone, Debug, Default, Serialize, serde::Deserialize, PartialEq)]
pub struct Customer {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

/// Everything an adapter needs to open a checkout for one attempt.
#[derive(Clone, Debug)]
pub struct CheckoutRequest {
    /// Gateway-side reference derived from the attempt id; the same on every retry.
    pub reference: String,
    /// Amount as a decimal with the currency's digits, and the ISO currency code.
    pub amount: Decimal,
    pub currency: String,
    pub description: Option<String>,
    pub customer: Customer,
    pub method: Option<Method>,
    /// Where the gateway sends the customer back (Payrail's return interceptor).
    pub return_url: String,
    /// Where the gateway sends a customer who cancels, when it distinguishes.
    pub cancel_url: String,
    /// Payrail's account-level return (`/checkout/return/{provider}/{account_id}`), with no query
    /// string: for gateways that append their own parameters to the URL they are given and name
    /// the payment by their own id there (`parse_return`'s `external_id` finds the attempt).
    pub account_return_url: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CheckoutCreated {
    /// The gateway's own id for the order (an order id, a request id, a token, …).
    pub external_id: Option<String>,
    pub checkout_url: String,
    /// The gateway's status word, verbatim.
    pub provider_status: String,
}

/// A payment's state as the gateway reports it, already mapped by the adapter's exhaustive match.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportedStatus {
    Pending,
    Processing,
    /// The customer approved the payment at the gateway, and no money moves until Payrail
    /// confirms it ([`ProviderAdapter::confirm`]): still unpaid. Only gateways with a confirm
    /// step (an execute or a capture after the customer's approval) report it.
    Authorized,
    Paid,
    Failed,
    Expired,
    Cancelled,
    Refunded,
    PartiallyRefunded,
    /// A word we do not know: never treated as paid; the reconciler asks again.
    Unknown,
}

/// An amount exactly as the gateway stated it.
#[derive(Clone, Debug, PartialEq)]
pub struct ReportedAmount {
    pub value: Decimal,
    pub currency: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct GatewayReport {
    /// Our reference as echoed by the gateway (to find the attempt).
    pub reference: Option<String>,
    pub external_id: Option<String>,
    /// The gateway's status word, verbatim (shown as `provider_status`).
    pub provider_status: String,
    pub status: ReportedStatus,
    /// The order amount the gateway holds (to catch a mismatch).
    pub amount: Option<ReportedAmount>,
    /// Set when the gateway reports less money arrived than was asked (an underpayment).
    pub underpaid: bool,
    /// How much money arrived, in the order's currency, when the gateway says so and it differs
    /// from `amount` (an underpayment; `amount` stays what was asked). `None`: what arrived is
    /// `amount` (or, when `underpaid`, not known). Bounds the payment's refunds.
    pub received: Option<ReportedAmount>,
    /// The gateway's id of the payment/charge inside the order, when it has one (some gateways
    /// refund against it, others need it to verify the order).
    pub charge_id: Option<String>,
    /// How much of that charge the gateway says is refunded, when it says: refunds Payrail did
    /// not make, or whose answer it lost, show here.
    pub refunded: Option<ReportedAmount>,
    /// Further charges of the same order that took money besides `charge_id` (repeated payments
    /// of one order): each is a duplicate payment.
    pub extra_charges: Vec<String>,
}

/// What an adapter needs to ask about (or cancel) one attempt.
#[derive(Clone, Debug, PartialEq)]
pub struct QueryRequest {
    /// Our gateway-side reference (derived from the attempt id).
    pub reference: String,
    /// The gateway's order id, once known (`CheckoutCreated::external_id`).
    pub external_id: Option<String>,
    /// The gateway's payment/charge id, once known (`GatewayReport::charge_id`).
    pub charge_id: Option<String>,
    /// The payment's amount and currency as Payrail stores them (some gateways' verify needs it).
    pub amount: Decimal,
    pub currency: String,
}

/// Ids a gateway put on the customer's return URL, for Payrail to remember before it rechecks
/// (never trusted as a status: the recheck decides).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReturnHints {
    pub external_id: Option<String>,
    pub charge_id: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RefundRequest {
    /// Gateway-side refund reference derived from our refund id.
    pub reference: String,
    /// The gateway's id of the paid order (`external_id`) and of its charge, when known.
    pub payment_external_id: String,
    pub payment_charge_id: Option<String>,
    pub amount: Decimal,
    pub currency: String,
    pub reason: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RefundReport {
    /// The refund's merchant-side reference as the gateway echoes it (ours, or one the gateway
    /// made for a refund made in its dashboard).
    pub reference: Option<String>,
    pub external_id: Option<String>,
    pub provider_status: String,
    pub status: RefundStatus,
    /// The gateway's id of the order the refund belongs to (`CheckoutCreated::external_id`),
    /// which finds the payment of a refund Payrail did not make.
    pub payment_external_id: Option<String>,
    /// The refunded amount, when the gateway states it (none: the whole payment, for gateways
    /// with full refunds only).
    pub amount: Option<ReportedAmount>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RefundStatus {
    Pending,
    Completed,
    Failed,
    /// The gateway holds no refund under the reference asked for.
    NotFound,
    Unknown,
}

#[async_trait]
pub trait ProviderAdapter: Send + Sync {
    /// The adapter's gateway (its folder's `ID`); everything else about it is in the descriptor.
    fn id(&self) -> ProviderId;
    fn capabilities(&self) -> &'static Capabilities {
        &self.id().descriptor().capabilities
    }
    /// Checks the credential object's shape before it is stored (message names the bad field).
    fn validate_credentials(&self, credentials: &serde_json::Value) -> Result<(), String> {
        (self.id().descriptor().validate_credentials)(credentials)
    }
    async fn create_checkout(
        &self,
        account: &AccountContext,
        req: &CheckoutRequest,
    ) -> Outcome<CheckoutCreated>;
    /// The gateway's current record of the attempt (for some gateways this is verify, which also
    /// approves a paid order).
    async fn query(&self, account: &AccountContext, query: &QueryRequest)
        -> Outcome<GatewayReport>;
    /// Gateways without a refund API keep this (their capabilities say `refund: false`).
    async fn refund(
        &self,
        _account: &AccountContext,
        _req: &RefundRequest,
    ) -> Outcome<RefundReport> {
        Outcome::Declined(format!("{} has no refund API", self.id().display_name()))
    }
    /// A refund's state, by our reference and (once known) the gateway's own refund id.
    async fn query_refund(
        &self,
        _account: &AccountContext,
        _reference: &str,
        _external_id: Option<&str>,
    ) -> Outcome<RefundReport> {
        Outcome::Declined(format!("{} has no refund API", self.id().display_name()))
    }
    /// Completes a payment the customer only approved (its query reported
    /// [`ReportedStatus::Authorized`]): the call that moves the money at gateways where the
    /// merchant executes or captures after the customer's approval. Orchestration calls it when a
    /// recheck finds the attempt authorised while the payment is open. It must be safe to repeat:
    /// when the gateway says the payment was confirmed already, the adapter answers the gateway's
    /// current record, so retries and concurrent returns confirm once in effect. `Declined`
    /// means nothing moved and the payment stays as the query left it. Gateways that never
    /// report `Authorized` keep this.
    async fn confirm(
        &self,
        _account: &AccountContext,
        _query: &QueryRequest,
    ) -> Outcome<GatewayReport> {
        Outcome::Declined(format!("{} has no confirm step", self.id().display_name()))
    }
    /// Gateways without a cancel API keep this (their capabilities say `cancel: false`).
    async fn cancel(&self, _account: &AccountContext, _query: &QueryRequest) -> Outcome<()> {
        Outcome::Declined(format!("{} has no cancel API", self.id().display_name()))
    }
    fn verify_webhook(
        &self,
        account: &AccountContext,
        hook: &IncomingWebhook<'_>,
    ) -> WebhookVerification;
    fn parse_webhook(&self, hook: &IncomingWebhook<'_>) -> Result<ParsedWebhook, String>;
    fn webhook_ack(&self, ack: AckKind) -> WebhookAck;
    /// Called when an account is connected: register Payrail's webhook URL where the gateway has
    /// an API for it (a store-level IPN URL, say). Most gateways need nothing.
    async fn on_connect(&self, _account: &AccountContext) -> Outcome<()> {
        Outcome::Succeeded(())
    }
    /// Reads the ids a gateway appends to the customer's return URL.
    fn parse_return(&self, _query: &[(String, String)]) -> ReturnHints {
        ReturnHints::default()
    }
}
