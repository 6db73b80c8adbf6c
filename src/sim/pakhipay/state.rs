//! In-memory records of the Pakhi Pay simulator: accounts, payments, faults and call counters
//! (wire contract and the labels K1–K7: docs/gateways/pakhipay.md).
//!
//! Everything lives in one `State` behind a `std::sync::Mutex` owned by `PakhiPaySim`; handlers
//! copy what they need out and never hold the lock across an `.await`.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use crate::sim::common::faults::ArmedFault;
pub use crate::sim::common::faults::Fault;
/// Verify counts as `query`; Pakhi Pay has no refund or cancel API, so those counters stay 0.
pub use crate::sim::common::stats::{CallKind, Stats};

/// The key of the "Test vectors", used by the built-in account.
pub const DEFAULT_API_KEY: &str = "pk_test_api_key_123";

/// How the webhook's unsigned payload is serialised before signing (K1; PHP is the default).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignatureStyle {
    /// PHP `json_encode`: compact, `\/`, `\uXXXX`.
    Php,
    /// Python `json.dumps` defaults: `", "` and `": "`.
    Python,
}

/// A brand account and its [INFERRED] behaviours, each switchable through `_sim/accounts`.
#[derive(Clone, Debug)]
pub struct Account {
    pub api_key: String,
    /// K6: append `transaction_id=…` to the success URL (and to the cancel URL of a failed
    /// payment, which has a transaction). Off by default: Pakhi Pay documents no parameters.
    pub append_transaction_id: bool,
    /// Deliver the completion webhook (off: a lost webhook, for tests; it is still kept for
    /// the re-send control).
    pub send_webhooks: bool,
    pub signature_style: SignatureStyle,
    /// K5: include the legacy `token` member (removed in May 2026).
    pub include_token: bool,
    /// K7: tries per delivery while the receiver answers non-2xx (immediately, no back-off).
    pub webhook_attempts: u32,
}

impl Account {
    pub fn new(api_key: &str) -> Self {
        Account {
            api_key: api_key.to_owned(),
            append_transaction_id: false,
            send_webhooks: true,
            signature_style: SignatureStyle::Php,
            include_token: false,
            webhook_attempts: 3,
        }
    }
}

/// The payment's status word as verify reports it in `message` (K3; all but `completed`
/// [INFERRED]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PayStatus {
    Pending,
    Completed,
    Failed,
    Cancelled,
    Expired,
}

impl PayStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PayStatus::Pending => "pending",
            PayStatus::Completed => "completed",
            PayStatus::Failed => "failed",
            PayStatus::Cancelled => "cancelled",
            PayStatus::Expired => "expired",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Payment {
    pub sim_id: String,
    /// The account that created it; its key signs the webhook.
    pub api_key: String,
    pub order_id: Option<String>,
    pub cus_name: String,
    pub cus_email: String,
    /// The amount asked for.
    pub amount: Decimal,
    /// The amount that arrived (set when paid; less than `amount` after `underpay`).
    pub paid: Option<Decimal>,
    pub status: PayStatus,
    /// Assigned when the customer submits a payment (pay, underpay, process, fail).
    pub transaction_id: Option<String>,
    pub success_url: String,
    pub cancel_url: String,
    pub callback_url: Option<String>,
    /// When the link was created (orders the `_sim/orders` oracle's answer).
    pub created: DateTime<Utc>,
}

/// The last webhook of a payment, kept for `_sim/checkout/{id}/webhook`.
#[derive(Clone, Debug)]
pub struct SentWebhook {
    pub api_key: String,
    pub url: String,
    pub body: Vec<u8>,
    pub signature: String,
}

#[derive(Debug)]
pub struct State {
    /// By API key.
    pub accounts: HashMap<String, Account>,
    /// By sim id.
    pub payments: HashMap<String, Payment>,
    /// Transaction id → sim id.
    pub transactions: HashMap<String, String>,
    /// By sim id.
    pub last_webhook: HashMap<String, SentWebhook>,
    pub fault: ArmedFault,
    pub stats: Stats,
}

impl Default for State {
    /// No payments; only the built-in account.
    fn default() -> Self {
        State {
            accounts: HashMap::from([(DEFAULT_API_KEY.to_owned(), Account::new(DEFAULT_API_KEY))]),
            payments: HashMap::new(),
            transactions: HashMap::new(),
            last_webhook: HashMap::new(),
            fault: ArmedFault::default(),
            stats: Stats::default(),
        }
    }
}

impl State {
    /// Clears payments, faults and stats; accounts stay.
    pub fn reset(&mut self) {
        self.payments.clear();
        self.transactions.clear();
        self.last_webhook.clear();
        self.fault = ArmedFault::default();
        self.stats = Stats::default();
    }
}
