//! In-memory records of the HimoSoft simulator: accounts, payments, the idempotency cache,
//! faults and call counters (wire contract and the labels H1–H6: docs/gateways/himosoft.md).
//!
//! Everything lives in one `State` behind a `std::sync::Mutex` owned by `HimoSoftSim`; handlers
//! copy what they need out and never hold the lock across an `.await`.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use crate::sim::common::faults::ArmedFault;
pub use crate::sim::common::faults::Fault;
/// `CallKind::Query` covers recheck, verify and retrieve; `by_reference` is keyed by `order_id`
/// (Payrail's reference).
pub use crate::sim::common::stats::{CallKind, Stats};

/// The built-in test account (README, sandbox): the "Test vectors" secret.
pub const DEFAULT_SECRET: &str = "himo_sk_test_123";
pub const DEFAULT_API_KEY: &str = "himo_pk_test_123";

/// A merchant account: the credential object Payrail stores, plus where HimoSoft sends the
/// customer afterwards ("Return": configured per account, not per payment).
#[derive(Clone, Debug)]
pub struct Account {
    pub secret: String,
    pub api_key: Option<String>,
    pub return_url: Option<String>,
}

impl Account {
    pub fn default_account() -> Self {
        Account {
            secret: DEFAULT_SECRET.into(),
            api_key: Some(DEFAULT_API_KEY.into()),
            return_url: None,
        }
    }
}

/// H4: the documented `pending`/`completed` plus the inferred final words.
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

    pub fn is_final(self) -> bool {
        self != PayStatus::Pending
    }
}

#[derive(Clone, Debug)]
pub struct Payment {
    /// `pay_…`; the checkout token is the part after `pay_` (as in the doc's example).
    pub id: String,
    /// The account's api key (`None`: the single-tenant account).
    pub account: Option<String>,
    pub order_id: Option<String>,
    /// The create's `idempotency_key`, if any (Payrail sends its reference as both).
    pub idempotency_key: Option<String>,
    /// Asked amount, and what arrived (an underpayment is less).
    pub amount: Decimal,
    pub paid: Option<Decimal>,
    pub currency: String,
    pub callback_url: Option<String>,
    pub status: PayStatus,
    /// The upstream provider's reference, once paid (`ch_sim_…`).
    pub external_id: Option<String>,
    pub created: DateTime<Utc>,
}

impl Payment {
    /// What HimoSoft reports as `amount`: what arrived once completed, else what was asked.
    pub fn reported_amount(&self) -> String {
        let mut d = self.paid.unwrap_or(self.amount);
        d.rescale(2);
        d.to_string()
    }
}

/// One cached create answer ("Idempotency").
#[derive(Clone, Debug)]
pub struct Cached {
    pub body: Vec<u8>,
    pub at: DateTime<Utc>,
}

/// The last callback of a payment, kept for `_sim/checkout/{id}/webhook`.
#[derive(Clone, Debug)]
pub struct SentWebhook {
    pub account: Option<String>,
    pub url: String,
    pub body: Vec<u8>,
}

#[derive(Debug)]
pub struct State {
    /// By api key.
    pub accounts: HashMap<String, Account>,
    /// H2: the account of requests that send no `X-API-Key` (single-tenant mode).
    pub keyless: Account,
    /// By `pay_…` id.
    pub payments: HashMap<String, Payment>,
    /// By `idempotency_key` (unique across merchants, "Idempotency").
    pub idempotency: HashMap<String, Cached>,
    /// By payment id.
    pub last_webhook: HashMap<String, SentWebhook>,
    pub fault: ArmedFault,
    /// Callbacks still to be dropped (`_sim/webhooks/drop`).
    pub drop_webhooks: u32,
    pub stats: Stats,
}

impl Default for State {
    fn default() -> Self {
        let default = Account::default_account();
        State {
            accounts: HashMap::from([(DEFAULT_API_KEY.to_owned(), default.clone())]),
            keyless: default,
            payments: HashMap::new(),
            idempotency: HashMap::new(),
            last_webhook: HashMap::new(),
            fault: ArmedFault::default(),
            drop_webhooks: 0,
            stats: Stats::default(),
        }
    }
}

impl State {
    /// Clears payments, the idempotency cache, faults and stats; accounts stay.
    pub fn reset(&mut self) {
        self.payments.clear();
        self.idempotency.clear();
        self.last_webhook.clear();
        self.fault = ArmedFault::default();
        self.drop_webhooks = 0;
        self.stats = Stats::default();
    }

    /// The account a payment was created under.
    pub fn account(&self, key: Option<&str>) -> Option<&Account> {
        match key {
            Some(k) => self.accounts.get(k),
            None => Some(&self.keyless),
        }
    }

    /// A payment by `pay_…` id or by checkout token (the id without `pay_`).
    pub fn payment_mut(&mut self, id_or_token: &str) -> Option<&mut Payment> {
        let id = if id_or_token.starts_with("pay_") {
            id_or_token.to_owned()
        } else {
            format!("pay_{id_or_token}")
        };
        self.payments.get_mut(&id)
    }
}
