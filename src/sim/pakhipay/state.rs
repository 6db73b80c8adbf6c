//! In-memory records of the Pakhi Pay simulator: accounts, payments, faults and call counters.
//!
//! Everything lives in one `State` behind a `std::sync::Mutex` owned by `PakhiPaySim`; handlers
//! copy what they need out and never hold the lock across an `.await`.

use std::collections::{BTreeMap, HashMap};

use rust_decimal::Decimal;
use serde::Serialize;

/// The key of providers.md §4.6's vectors, used by the built-in account.
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
}

/// The last webhook of a payment, kept for `_sim/checkout/{id}/webhook`.
#[derive(Clone, Debug)]
pub struct SentWebhook {
    pub api_key: String,
    pub url: String,
    pub body: Vec<u8>,
    pub signature: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultMode {
    Timeout,
    Http500,
    Malformed,
    Slow,
    Refuse,
}

impl FaultMode {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "timeout" => FaultMode::Timeout,
            "http_500" => FaultMode::Http500,
            "malformed" => FaultMode::Malformed,
            "slow" => FaultMode::Slow,
            "refuse" => FaultMode::Refuse,
            _ => return None,
        })
    }

    pub fn default_delay_ms(self) -> u64 {
        match self {
            FaultMode::Timeout => 10_000,
            FaultMode::Slow => 1_500,
            _ => 0,
        }
    }
}

/// A fault armed for the next `remaining` API calls.
#[derive(Clone, Copy, Debug)]
pub struct Fault {
    pub mode: FaultMode,
    pub remaining: u32,
    pub delay_ms: u64,
}

#[derive(Clone, Copy, Debug)]
pub enum CallKind {
    Create,
    Verify,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct RefCounts {
    pub create: u64,
    pub query: u64,
}

/// Pakhi Pay has no refund or cancel API: those counters stay 0.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Calls {
    pub create: u64,
    pub query: u64,
    pub refund: u64,
    pub cancel: u64,
}

/// The `_sim/stats` answer, serialised as is.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Stats {
    pub calls: Calls,
    pub by_reference: BTreeMap<String, RefCounts>,
    pub webhooks_sent: u64,
}

impl Stats {
    /// Counts one call; verify counts as `query`, under the `order_id` of its transaction.
    pub fn count(&mut self, kind: CallKind, reference: Option<&str>) {
        let entry = reference.map(|r| self.by_reference.entry(r.to_owned()).or_default());
        match kind {
            CallKind::Create => {
                if let Some(e) = entry {
                    e.create += 1;
                }
                self.calls.create += 1;
            }
            CallKind::Verify => {
                if let Some(e) = entry {
                    e.query += 1;
                }
                self.calls.query += 1;
            }
        }
    }
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
    pub fault: Option<Fault>,
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
            fault: None,
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
        self.fault = None;
        self.stats = Stats::default();
    }

    /// Consumes one use of the armed fault, if any.
    pub fn take_fault(&mut self) -> Option<Fault> {
        let fault = self.fault.as_mut()?;
        let taken = *fault;
        fault.remaining = fault.remaining.saturating_sub(1);
        if fault.remaining == 0 {
            self.fault = None;
        }
        Some(taken)
    }
}
