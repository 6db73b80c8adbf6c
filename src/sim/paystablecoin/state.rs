//! In-memory records of the PSC simulator: accounts, orders, refunds, faults and call counters
//! (wire contract and the labels S1–S10: docs/gateways/paystablecoin.md).
//!
//! Everything lives in one `State` behind a `std::sync::Mutex` owned by `PscSim`; handlers copy
//! what they need out and never hold the lock across an `.await`.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use crate::sim::common::faults::ArmedFault;
pub use crate::sim::common::faults::Fault;
/// A refund counts as `calls.refund` and as `create` of its `merchantRefundOrderId`; a refund
/// query as `query` of that reference.
pub use crate::sim::common::stats::{CallKind, Stats};

/// Which webhook string-to-sign an account gets (S1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WebhookVariant {
    /// (A) `ts\nbody` (seed / Python guide).
    Body,
    /// (B) `ts\nPOST\n<callback path>\nBase64(SHA256(body))` (webhook.html); the default.
    Path,
}

impl WebhookVariant {
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "body" | "a" => Some(WebhookVariant::Body),
            "path" | "b" => Some(WebhookVariant::Path),
            _ => None,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Account {
    pub merchant_id: String,
    pub api_key: String,
    pub api_secret: String,
    pub webhook_variant: WebhookVariant,
}

impl Account {
    /// The built-in account: merchant `1000` with the docs' placeholder key and secret.
    pub fn default_account() -> Self {
        Account {
            merchant_id: "1000".into(),
            api_key: "PSTG6ELOB2YXKO4ZHRQ6NKTSBY".into(),
            api_secret: "MpkvVlXvYTZVPPJ0LReNA-g_yC7V7foe4UAj7tgWJSM".into(),
            webhook_variant: WebhookVariant::Path,
        }
    }
}

/// Order statuses ("Status mapping").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrderStatus {
    Init,
    Processing,
    Succeeded,
    Failed,
    Closed,
}

impl OrderStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Init => "INIT",
            OrderStatus::Processing => "PROCESSING",
            OrderStatus::Succeeded => "SUCCEEDED",
            OrderStatus::Failed => "FAILED",
            OrderStatus::Closed => "CLOSED",
        }
    }

    /// SUCCEEDED, FAILED and CLOSED never change again.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            OrderStatus::Succeeded | OrderStatus::Failed | OrderStatus::Closed
        )
    }
}

#[derive(Clone, Debug)]
pub struct Order {
    pub merchant_id: String,
    /// The account that created it; its secret signs the order's webhooks.
    pub api_key: String,
    pub acquiring_order_id: String,
    pub payment_order_id: String,
    pub merchant_order_id: String,
    pub status: OrderStatus,
    /// `orderAmount.value` exactly as the merchant sent it (echoed back).
    pub amount_value: String,
    pub amount: Decimal,
    pub currency: String,
    /// USDT due (USD converts 1:1 in the simulator).
    pub crypto_payment: Decimal,
    /// USDT received so far.
    pub crypto_paid: Decimal,
    pub created: DateTime<Utc>,
    pub paid: Option<DateTime<Utc>>,
    pub expires_at: DateTime<Utc>,
    pub return_url: String,
    pub callback_url: Option<String>,
    /// Sum of accepted refunds (API and dashboard), to bound further refunds.
    pub refunded: Decimal,
}

impl Order {
    /// An INIT order past `expiresAt` is CLOSED, as the gateway closes it.
    pub fn expire_if_due(&mut self, now: DateTime<Utc>) {
        if self.status == OrderStatus::Init && now > self.expires_at {
            self.status = OrderStatus::Closed;
        }
    }

    /// The money the order took, in its own currency (USD converts 1:1): what arrived, once the
    /// payment is confirmed (a PROCESSING transaction is not money taken yet).
    pub fn taken(&self) -> Decimal {
        if self.status == OrderStatus::Succeeded {
            self.crypto_paid
        } else {
            Decimal::ZERO
        }
    }

    /// What may still be refunded: the money taken less the refunds so far, so an underpaid
    /// order can never be refunded more than arrived.
    pub fn refundable(&self) -> Decimal {
        self.taken() - self.refunded
    }
}

/// A refund made through the API, or in PSC's dashboard (`_sim/checkout/{id}/refund`, with a
/// PSC-made `PSC_DASHBOARD_…` id).
#[derive(Clone, Debug)]
pub struct Refund {
    pub api_key: String,
    pub merchant_refund_order_id: String,
    pub acquiring_order_id: String,
    pub status: &'static str,
    /// `refundAmount` as the merchant sent it, if they did.
    pub requested: Option<serde_json::Value>,
    /// The amount actually refunded (the full remaining amount when none was given).
    pub amount: Decimal,
    pub currency: String,
}

/// The last webhook of an order (payment, or a dashboard refund's), kept for
/// `_sim/checkout/{id}/webhook`.
#[derive(Clone, Debug)]
pub struct SentWebhook {
    pub api_key: String,
    pub url: String,
    pub body: Vec<u8>,
}

#[derive(Debug)]
pub struct State {
    /// By `api_key`.
    pub accounts: HashMap<String, Account>,
    /// By `acquiringOrderId`.
    pub orders: HashMap<String, Order>,
    /// `(merchantId, merchantOrderId)` → `acquiringOrderId`.
    pub order_refs: HashMap<(String, String), String>,
    /// By `(merchantId, merchantRefundOrderId)`.
    pub refunds: HashMap<(String, String), Refund>,
    /// By `acquiringOrderId`.
    pub last_webhook: HashMap<String, SentWebhook>,
    pub fault: ArmedFault,
    pub stats: Stats,
}

impl Default for State {
    /// No orders; only the built-in account.
    fn default() -> Self {
        let default = Account::default_account();
        State {
            accounts: HashMap::from([(default.api_key.clone(), default)]),
            orders: HashMap::new(),
            order_refs: HashMap::new(),
            refunds: HashMap::new(),
            last_webhook: HashMap::new(),
            fault: ArmedFault::default(),
            stats: Stats::default(),
        }
    }
}

impl State {
    /// Clears orders, refunds, faults and stats; accounts stay.
    pub fn reset(&mut self) {
        self.orders.clear();
        self.order_refs.clear();
        self.refunds.clear();
        self.last_webhook.clear();
        self.fault = ArmedFault::default();
        self.stats = Stats::default();
    }
}
