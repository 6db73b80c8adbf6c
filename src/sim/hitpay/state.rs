//! In-memory records of the HitPay simulator: accounts, payment requests and their payments,
//! refunds, faults and call counters (wire contract: docs/gateways/hitpay.md).
//!
//! Everything lives in one `State` behind a `std::sync::Mutex` owned by `HitPaySim`; handlers copy
//! what they need out and never hold the lock across an `.await`.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use crate::sim::common::faults::ArmedFault;
pub use crate::sim::common::faults::Fault;
pub use crate::sim::common::stats::CallKind;
use crate::sim::common::stats::Calls;

#[derive(Clone, Debug)]
pub struct Account {
    pub api_key: String,
    /// The API-key salt: signs v1 webhooks.
    pub salt: String,
    /// The event-webhook endpoint's salt (v2); `salt` when absent.
    pub event_salt: Option<String>,
}

impl Account {
    /// The built-in account; its salt is the one of the "Test vectors".
    pub fn default_account() -> Self {
        Account {
            api_key: "hitpay_test_api_key".into(),
            salt: "hitpay_test_salt".into(),
            event_salt: None,
        }
    }
}

/// Payment request statuses ("Status mapping"; `inactive` is never produced by the simulator).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestStatus {
    Pending,
    Completed,
    Failed,
    Expired,
    Canceled,
}

impl RequestStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RequestStatus::Pending => "pending",
            RequestStatus::Completed => "completed",
            RequestStatus::Failed => "failed",
            RequestStatus::Expired => "expired",
            RequestStatus::Canceled => "canceled",
        }
    }
}

/// Payment (charge) statuses the simulator produces ("Status mapping").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PaymentStatus {
    Pending,
    Succeeded,
    Failed,
    Refunded,
    PartiallyRefunded,
}

impl PaymentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentStatus::Pending => "pending",
            PaymentStatus::Succeeded => "succeeded",
            PaymentStatus::Failed => "failed",
            PaymentStatus::Refunded => "refunded",
            PaymentStatus::PartiallyRefunded => "partially_refunded",
        }
    }

    /// Whether the payment took money (it may have been refunded since).
    pub fn took_money(self) -> bool {
        matches!(
            self,
            PaymentStatus::Succeeded | PaymentStatus::PartiallyRefunded | PaymentStatus::Refunded
        )
    }
}

#[derive(Clone, Debug)]
pub struct Payment {
    pub id: String,
    pub status: PaymentStatus,
    pub amount: Decimal,
    pub refunded: Decimal,
    pub created: DateTime<Utc>,
    pub updated: DateTime<Utc>,
}

#[derive(Clone, Debug)]
pub struct PaymentRequest {
    pub id: String,
    /// The account that created it; its salt signs the request's webhooks.
    pub api_key: String,
    pub amount: Decimal,
    /// Upper-case ISO code; answers spell it in lower case ("Money format").
    pub currency: String,
    pub status: RequestStatus,
    pub reference_number: Option<String>,
    pub redirect_url: Option<String>,
    pub webhook: Option<String>,
    pub email: Option<String>,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub purpose: Option<String>,
    pub payment_methods: Vec<String>,
    /// "Simulator": a completed request stays payable; each `pay` adds a payment.
    pub allow_repeated_payments: bool,
    pub expiry: Option<DateTime<Utc>>,
    pub created: DateTime<Utc>,
    pub updated: DateTime<Utc>,
    pub payments: Vec<Payment>,
}

impl PaymentRequest {
    /// A pending request past its expiry is expired, as HitPay expires it.
    pub fn expire_if_due(&mut self, now: DateTime<Utc>) {
        if self.status == RequestStatus::Pending && self.expiry.is_some_and(|e| now > e) {
            self.status = RequestStatus::Expired;
            self.updated = now;
        }
    }

    /// Records a payment of `amount` with `status` and returns a copy of it. With
    /// `settle_pending`, the pending payment (from `process`), if any, is the one that settles;
    /// otherwise (and without one) a new payment is added.
    pub fn record_payment(
        &mut self,
        amount: Decimal,
        status: PaymentStatus,
        now: DateTime<Utc>,
        settle_pending: bool,
    ) -> Payment {
        let pending = self
            .payments
            .iter()
            .position(|p| p.status == PaymentStatus::Pending)
            .filter(|_| settle_pending);
        let at = match pending {
            Some(i) => i,
            None => {
                self.payments.push(Payment {
                    id: uuid(),
                    status,
                    amount,
                    refunded: Decimal::ZERO,
                    created: now,
                    updated: now,
                });
                self.payments.len() - 1
            }
        };
        let payment = &mut self.payments[at];
        payment.status = status;
        payment.amount = amount;
        payment.updated = now;
        payment.clone()
    }
}

#[derive(Clone, Debug)]
pub struct Refund {
    pub id: String,
    pub api_key: String,
    pub payment_id: String,
    pub amount: Decimal,
    /// The payment's full amount.
    pub total: Decimal,
    pub currency: String,
    pub created: DateTime<Utc>,
}

/// What a webhook carries before it is signed (signed fresh on every delivery).
#[derive(Clone, Debug)]
pub enum HookBody {
    /// v1 form fields in the documented order, without `hmac`.
    V1(Vec<(String, String)>),
    /// v2 JSON body and its `Hitpay-Event-Object` / `Hitpay-Event-Type`.
    V2 {
        object: &'static str,
        event_type: &'static str,
        body: Vec<u8>,
    },
}

/// The last webhook of a payment request, kept for `_sim/checkout/{id}/webhook`.
#[derive(Clone, Debug)]
pub struct SentWebhook {
    pub api_key: String,
    pub url: String,
    pub body: HookBody,
}

/// The `_sim/stats` answer; `by_reference` (by our `reference_number`, refunds under their
/// payment's request) counts every kind of call.
pub type Stats = crate::sim::common::stats::Stats<Calls>;

#[derive(Debug)]
pub struct State {
    /// By `api_key`.
    pub accounts: HashMap<String, Account>,
    /// By payment request id.
    pub requests: HashMap<String, PaymentRequest>,
    /// By refund id.
    pub refunds: HashMap<String, Refund>,
    /// By payment request id.
    pub last_webhook: HashMap<String, SentWebhook>,
    pub fault: ArmedFault,
    /// Webhooks still to be lost (`_sim/webhooks`), for tests of a missed notification.
    pub drop_webhooks: u32,
    pub stats: Stats,
}

impl Default for State {
    fn default() -> Self {
        let default = Account::default_account();
        State {
            accounts: HashMap::from([(default.api_key.clone(), default)]),
            requests: HashMap::new(),
            refunds: HashMap::new(),
            last_webhook: HashMap::new(),
            fault: ArmedFault::default(),
            drop_webhooks: 0,
            stats: Stats::default(),
        }
    }
}

impl State {
    /// Clears records, faults and stats; accounts stay.
    pub fn reset(&mut self) {
        self.requests.clear();
        self.refunds.clear();
        self.last_webhook.clear();
        self.fault = ArmedFault::default();
        self.drop_webhooks = 0;
        self.stats = Stats::default();
    }

    /// The request holding payment `payment_id`.
    pub fn request_of_payment(&self, payment_id: &str) -> Option<&PaymentRequest> {
        self.requests
            .values()
            .find(|r| r.payments.iter().any(|p| p.id == payment_id))
    }
}

/// A random version-4 UUID, as HitPay's ids look.
pub fn uuid() -> String {
    let mut b: [u8; 16] = rand::random();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}
