//! In-memory records of the bKash simulator: accounts, tokens, payments, refunds, faults and
//! call counters.
//!
//! Everything lives in one `State` behind a `std::sync::Mutex` owned by `BkashSim`; handlers
//! copy what they need out and never hold the lock across an `.await`.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::sim::common::faults::ArmedFault;
pub use crate::sim::common::faults::Fault;
pub use crate::sim::common::stats::CallKind;
use crate::sim::common::stats::Stats as Calls;

/// The built-in account (the sandbox connects its demo merchant with it).
pub const DEFAULT_APP_KEY: &str = "bkash_sim_app_key";
pub const DEFAULT_APP_SECRET: &str = "bkash_sim_app_secret";
pub const DEFAULT_USERNAME: &str = "sandboxTokenizedUser01";
pub const DEFAULT_PASSWORD: &str = "sandboxTokenizedUser01@12345";

/// What a second execute of a completed payment answers by default [INFERRED: bKash documents
/// both 2062 and 2117 for it].
pub const ALREADY_EXECUTED: &str = "2117";

/// A merchant account and its switches (`_sim/accounts`).
#[derive(Clone, Debug)]
pub struct Account {
    pub app_key: String,
    pub app_secret: String,
    pub username: String,
    pub password: String,
    /// How long a granted `id_token` lives (`expires_in`).
    pub token_ttl_secs: i64,
    /// The code a second execute answers (`2062` or `2117`).
    pub already_executed: String,
    /// When set, execute refuses with this code and the payment fails (a wallet refusal such as
    /// `2023` Insufficient Balance).
    pub execute_refusal: Option<String>,
}

impl Account {
    pub fn new(app_key: &str, app_secret: &str, username: &str, password: &str) -> Self {
        Account {
            app_key: app_key.to_owned(),
            app_secret: app_secret.to_owned(),
            username: username.to_owned(),
            password: password.to_owned(),
            token_ttl_secs: 3600,
            already_executed: ALREADY_EXECUTED.to_owned(),
            execute_refusal: None,
        }
    }
}

/// A granted token: whose, and until when.
#[derive(Clone, Debug)]
pub struct Token {
    pub app_key: String,
    pub expires_at: DateTime<Utc>,
}

/// A payment's state. `Authorised` is bKash's `Initiated` with the customer's verification
/// `Complete`: approved on the page, not executed, no money moved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PayState {
    Initiated,
    Authorised,
    Completed,
    Failed,
    Cancelled,
    Expired,
}

impl PayState {
    /// The `transactionStatus` word.
    pub fn word(self) -> &'static str {
        match self {
            PayState::Initiated | PayState::Authorised => "Initiated",
            PayState::Completed => "Completed",
            PayState::Failed => "Failed",
            PayState::Cancelled => "Cancelled",
            PayState::Expired => "Expired",
        }
    }

    /// The `userVerificationStatus` word.
    pub fn verification(self) -> &'static str {
        match self {
            PayState::Authorised | PayState::Completed => "Complete",
            _ => "Incomplete",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Refund {
    pub refund_trx_id: String,
    pub amount: Decimal,
    pub sku: String,
    pub reason: String,
    pub completed: DateTime<Utc>,
}

#[derive(Clone, Debug)]
pub struct Payment {
    pub payment_id: String,
    pub app_key: String,
    pub invoice: String,
    pub payer_reference: String,
    pub callback_url: String,
    pub amount: Decimal,
    pub state: PayState,
    pub created: DateTime<Utc>,
    pub executed: Option<DateTime<Utc>>,
    /// Issued by a successful execute.
    pub trx_id: Option<String>,
    pub refunds: Vec<Refund>,
}

impl Payment {
    pub fn refunded(&self) -> Decimal {
        self.refunds.iter().map(|r| r.amount).sum()
    }
}

/// `_sim/stats`: the common counters, plus the token calls and executes.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Stats {
    #[serde(flatten)]
    pub common: Calls,
    pub grants: u64,
    pub refreshes: u64,
    /// Execute calls received.
    pub executes: u64,
    /// Executes that moved money (at most one per payment).
    pub executed: u64,
}

#[derive(Debug)]
pub struct State {
    /// By username.
    pub accounts: HashMap<String, Account>,
    /// By `id_token`.
    pub tokens: HashMap<String, Token>,
    /// `refresh_token` → app key.
    pub refresh_tokens: HashMap<String, String>,
    /// By `paymentID`.
    pub payments: HashMap<String, Payment>,
    /// `trxID` → `paymentID`.
    pub transactions: HashMap<String, String>,
    pub fault: ArmedFault,
    pub stats: Stats,
}

impl Default for State {
    /// No payments; only the built-in account.
    fn default() -> Self {
        let builtin = Account::new(
            DEFAULT_APP_KEY,
            DEFAULT_APP_SECRET,
            DEFAULT_USERNAME,
            DEFAULT_PASSWORD,
        );
        State {
            accounts: HashMap::from([(builtin.username.clone(), builtin)]),
            tokens: HashMap::new(),
            refresh_tokens: HashMap::new(),
            payments: HashMap::new(),
            transactions: HashMap::new(),
            fault: ArmedFault::default(),
            stats: Stats::default(),
        }
    }
}

impl State {
    /// Clears payments, tokens, faults and stats; accounts stay.
    pub fn reset(&mut self) {
        self.tokens.clear();
        self.refresh_tokens.clear();
        self.payments.clear();
        self.transactions.clear();
        self.fault = ArmedFault::default();
        self.stats = Stats::default();
    }

    /// The account that owns `app_key`.
    pub fn account_by_key(&self, app_key: &str) -> Option<&Account> {
        self.accounts.values().find(|a| a.app_key == app_key)
    }
}

/// `1A2B3C4D5E`: a 10-character transaction id, as bKash's look.
pub fn new_trx_id() -> String {
    format!("{:010X}", rand::random::<u64>() & 0xFF_FFFF_FFFF)
}

/// Two decimals, as bKash writes amounts.
pub fn money(d: Decimal) -> String {
    crate::sim::common::oracle::money(d)
}

/// `2019-08-07T11:15:56:336 GMT+0600`: bKash's timestamp format (Dhaka time).
pub fn bkash_time(t: DateTime<Utc>) -> String {
    let dhaka = t + chrono::Duration::hours(6);
    format!("{} GMT+0600", dhaka.format("%Y-%m-%dT%H:%M:%S:%3f"))
}
