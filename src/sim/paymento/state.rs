//! In-memory records of the Paymento simulator: accounts (with their store-level IPN settings),
//! orders, the last IPN of each order, faults and call counters (wire contract and the labels
//! P1–P10: docs/gateways/paymento.md).
//!
//! Everything lives in one `State` behind a `std::sync::Mutex` owned by `PaymentoSim`; handlers
//! copy what they need out and never hold the lock across an `.await`.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use crate::sim::common::faults::ArmedFault;
pub use crate::sim::common::faults::Fault;
/// Verify is Payrail's `query`.
pub use crate::sim::common::stats::{CallKind, Stats};

/// The built-in account's key and secret (the secret is the one of the "Test vectors").
pub const DEFAULT_API_KEY: &str = "pmt_sim_api_key_0001";
pub const DEFAULT_SECRET_KEY: &str = "paymento_test_secret";

#[derive(Clone, Debug)]
pub struct Account {
    pub api_key: String,
    pub secret_key: String,
    /// Store-level IPN settings (`POST /v1/payment/settings`).
    pub ipn_url: Option<String>,
    /// `HttpType`: 1 = POST, 2 = PUT (0 undocumented; sent as POST).
    pub ipn_method: u8,
    /// How many times the settings were written.
    pub settings_updates: u64,
}

impl Account {
    pub fn new(api_key: &str, secret_key: &str) -> Self {
        Account {
            api_key: api_key.to_owned(),
            secret_key: secret_key.to_owned(),
            ipn_url: None,
            ipn_method: 1,
            settings_updates: 0,
        }
    }
}

/// `OrderStatus` ("Status mapping"). The simulator never emits 6 (P8).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Initialize = 0,
    Pending = 1,
    PartialPaid = 2,
    WaitingToConfirm = 3,
    Timeout = 4,
    UserCanceled = 5,
    Paid = 7,
    Approve = 8,
    Reject = 9,
}

impl Status {
    pub fn code(self) -> u8 {
        self as u8
    }

    pub fn name(self) -> &'static str {
        match self {
            Status::Initialize => "Initialize",
            Status::Pending => "Pending",
            Status::PartialPaid => "PartialPaid",
            Status::WaitingToConfirm => "WaitingToConfirm",
            Status::Timeout => "Timeout",
            Status::UserCanceled => "UserCanceled",
            Status::Paid => "Paid",
            Status::Approve => "Approve",
            Status::Reject => "Reject",
        }
    }

    /// Nothing the customer does changes these any more (7 only moves to 8, by verify).
    pub fn is_final(self) -> bool {
        matches!(
            self,
            Status::Timeout
                | Status::UserCanceled
                | Status::Paid
                | Status::Approve
                | Status::Reject
        )
    }
}

#[derive(Clone, Debug)]
pub struct Order {
    pub token: String,
    pub payment_id: i64,
    /// The account that created it: its secret signs the IPNs, its settings say where they go.
    pub api_key: String,
    /// The merchant's `orderId` ("" when none was sent).
    pub order_id: String,
    pub fiat_amount: Decimal,
    pub fiat_currency: String,
    pub return_url: String,
    /// 0 = act on the mempool (IPN at 3, then 7), 1 = wait for confirmations (P6).
    pub risk_speed: u8,
    pub status: Status,
    /// Crypto received (the simulated coin is a USD stablecoin at 1:1).
    pub received: Decimal,
    /// The part of `received` that confirmed on chain (PartialPaid, Paid): it stays with the
    /// merchant when the order closes unpaid; unconfirmed coins do not.
    pub confirmed: Decimal,
    /// `additionalData` as sent, echoed in the IPN and the verify answer.
    pub additional_data: Vec<(String, String)>,
    pub created: DateTime<Utc>,
}

/// The last IPN of an order, kept for `_sim/checkout/{token}/webhook`.
#[derive(Clone, Debug)]
pub struct SentIpn {
    pub api_key: String,
    pub url: String,
    pub method: u8,
    pub body: Vec<u8>,
}

#[derive(Debug)]
pub struct State {
    /// By `api_key`.
    pub accounts: HashMap<String, Account>,
    /// By token.
    pub orders: HashMap<String, Order>,
    /// By token.
    pub last_ipn: HashMap<String, SentIpn>,
    pub next_payment_id: i64,
    pub fault: ArmedFault,
    pub stats: Stats,
}

impl Default for State {
    /// No orders; only the built-in account, with no IPN URL yet.
    fn default() -> Self {
        State {
            accounts: HashMap::from([(
                DEFAULT_API_KEY.to_owned(),
                Account::new(DEFAULT_API_KEY, DEFAULT_SECRET_KEY),
            )]),
            orders: HashMap::new(),
            last_ipn: HashMap::new(),
            next_payment_id: 20_001,
            fault: ArmedFault::default(),
            stats: Stats::default(),
        }
    }
}

impl State {
    /// Clears orders, IPNs, faults and stats; accounts and their settings stay.
    pub fn reset(&mut self) {
        self.orders.clear();
        self.last_ipn.clear();
        self.fault = ArmedFault::default();
        self.stats = Stats::default();
    }
}
