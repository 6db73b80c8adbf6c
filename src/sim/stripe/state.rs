//! In-memory records of the Stripe simulator: accounts, Checkout Sessions with their
//! PaymentIntent and charge, refunds, saved idempotent answers, faults and call counters.
//!
//! Everything lives in one `State` behind the shell's mutex; handlers copy what they need out and
//! never hold the lock across an `.await`. Amounts are Stripe's integers (`money`).

use std::collections::{BTreeMap, HashMap};

use crate::sim::common::faults::ArmedFault;
pub use crate::sim::common::faults::Fault;
pub use crate::sim::common::stats::CallKind;
use crate::sim::common::stats::Calls;

#[derive(Clone, Debug)]
pub struct Account {
    pub secret_key: String,
    /// Signs the webhooks (`Stripe-Signature`).
    pub webhook_secret: String,
    /// A secret being rolled: while set, webhooks carry a `v1` for it too (first).
    pub previous_webhook_secret: Option<String>,
    /// The account's webhook endpoint (set in Stripe's dashboard; here `_sim/accounts`).
    pub webhook_url: Option<String>,
    /// For a restricted key (`rk_…`): the resources it was given no permission for
    /// (`checkout_sessions`, `payment_intents`, `charges`, `refunds`); a call needing one is
    /// Stripe's 403. A secret key (`sk_…`) may do anything.
    pub denied: Vec<String>,
}

impl Account {
    /// The built-in account.
    pub fn default_account() -> Self {
        Account {
            secret_key: "sk_test_payrail_sim_0001".into(),
            webhook_secret: "whsec_payrail_sim_secret".into(),
            previous_webhook_secret: None,
            webhook_url: None,
            denied: Vec::new(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionStatus {
    Open,
    Complete,
    Expired,
}

impl SessionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SessionStatus::Open => "open",
            SessionStatus::Complete => "complete",
            SessionStatus::Expired => "expired",
        }
    }
}

/// PaymentIntent statuses the simulator produces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IntentStatus {
    RequiresPaymentMethod,
    Processing,
    Succeeded,
    Canceled,
}

impl IntentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            IntentStatus::RequiresPaymentMethod => "requires_payment_method",
            IntentStatus::Processing => "processing",
            IntentStatus::Succeeded => "succeeded",
            IntentStatus::Canceled => "canceled",
        }
    }
}

/// The intent's successful charge.
#[derive(Clone, Debug)]
pub struct Charge {
    pub id: String,
    pub amount: i64,
    pub refunded: i64,
    pub created: i64,
}

#[derive(Clone, Debug)]
pub struct Intent {
    pub id: String,
    pub status: IntentStatus,
    pub charge: Option<Charge>,
    /// A declined card's message (`last_payment_error`).
    pub last_error: Option<String>,
    pub created: i64,
}

#[derive(Clone, Debug)]
pub struct Session {
    pub id: String,
    /// The account that created it.
    pub secret_key: String,
    /// Stripe's integer, `unit_amount × quantity`.
    pub amount: i64,
    /// Lower case, as Stripe answers.
    pub currency: String,
    pub client_reference_id: Option<String>,
    pub metadata: BTreeMap<String, String>,
    /// `payment_intent_data[metadata]`: the intent's, copied onto its charge.
    pub intent_metadata: BTreeMap<String, String>,
    pub product_name: String,
    pub success_url: String,
    pub cancel_url: Option<String>,
    pub customer_email: Option<String>,
    pub method_types: Vec<String>,
    pub status: SessionStatus,
    pub paid: bool,
    /// Made when the customer first submits a payment (Stripe creates it lazily).
    pub intent: Option<Intent>,
    pub expires_at: i64,
    pub created: i64,
}

impl Session {
    /// An open session past `expires_at` is expired, as Stripe expires it; true when it just was.
    pub fn expire_if_due(&mut self, now: i64) -> bool {
        if self.status == SessionStatus::Open && now >= self.expires_at {
            self.expire();
            return true;
        }
        false
    }

    /// Expires an open session; its intent, if any, is canceled.
    pub fn expire(&mut self) {
        self.status = SessionStatus::Expired;
        if let Some(i) = self.intent.as_mut() {
            if i.status != IntentStatus::Succeeded {
                i.status = IntentStatus::Canceled;
            }
        }
    }

    /// The session's intent, made on first use.
    pub fn intent_mut(&mut self, now: i64) -> &mut Intent {
        self.intent.get_or_insert_with(|| Intent {
            id: new_id("pi_"),
            status: IntentStatus::RequiresPaymentMethod,
            charge: None,
            last_error: None,
            created: now,
        })
    }

    /// Money arrives: the intent succeeds with one charge for the full amount, the session is
    /// complete and paid.
    pub fn settle_paid(&mut self, now: i64) {
        let amount = self.amount;
        let intent = self.intent_mut(now);
        intent.status = IntentStatus::Succeeded;
        intent.last_error = None;
        intent.charge.get_or_insert_with(|| Charge {
            id: new_id("ch_"),
            amount,
            refunded: 0,
            created: now,
        });
        self.status = SessionStatus::Complete;
        self.paid = true;
    }
}

#[derive(Clone, Debug)]
pub struct Refund {
    pub id: String,
    pub secret_key: String,
    pub intent_id: String,
    pub charge_id: String,
    pub session_id: String,
    pub amount: i64,
    pub currency: String,
    pub metadata: BTreeMap<String, String>,
    pub created: i64,
    /// Failed after it succeeded (`_sim/checkout/{id}/refund_fails`): the money went back.
    pub failed: bool,
    /// Its place among the simulator's refunds (the newest has the highest).
    pub seq: usize,
}

/// A saved answer for an `Idempotency-Key`: the request it answered and what it answered.
#[derive(Clone, Debug)]
pub struct Saved {
    /// `POST /v1/...` and the decoded parameters, sorted.
    pub request: String,
    pub status: u16,
    pub body: String,
}

/// A webhook event before it is signed (signed fresh on every delivery).
#[derive(Clone, Debug)]
pub struct SentWebhook {
    pub secret_key: String,
    pub body: String,
}

/// The `_sim/stats` answer; `by_reference` (by `client_reference_id`; refunds under their
/// session's) counts every kind of call.
pub type Stats = crate::sim::common::stats::Stats<Calls>;

#[derive(Debug)]
pub struct State {
    /// By secret key.
    pub accounts: HashMap<String, Account>,
    /// By session id.
    pub sessions: HashMap<String, Session>,
    /// By refund id.
    pub refunds: HashMap<String, Refund>,
    /// By (secret key, Idempotency-Key).
    pub saved: HashMap<(String, String), Saved>,
    /// The last webhook of a session, for `_sim/checkout/{id}/webhook`.
    pub last_webhook: HashMap<String, SentWebhook>,
    pub fault: ArmedFault,
    /// Webhooks still to be lost (`_sim/webhooks`).
    pub drop_webhooks: u32,
    /// Webhooks still to be held back (`_sim/webhooks {"hold"}`), and those held, oldest first:
    /// sent when `_sim/webhooks/release` is called, after whatever happened meanwhile (Stripe
    /// does not promise to deliver events in order).
    pub hold_webhooks: u32,
    pub held_webhooks: Vec<SentWebhook>,
    pub stats: Stats,
}

impl Default for State {
    fn default() -> Self {
        let default = Account::default_account();
        State {
            accounts: HashMap::from([(default.secret_key.clone(), default)]),
            sessions: HashMap::new(),
            refunds: HashMap::new(),
            saved: HashMap::new(),
            last_webhook: HashMap::new(),
            fault: ArmedFault::default(),
            drop_webhooks: 0,
            hold_webhooks: 0,
            held_webhooks: Vec::new(),
            stats: Stats::default(),
        }
    }
}

impl State {
    /// Clears records, faults and stats; accounts stay.
    pub fn reset(&mut self) {
        let accounts = std::mem::take(&mut self.accounts);
        *self = State {
            accounts,
            ..State::default()
        };
    }

    /// The session whose intent is `intent_id`.
    pub fn session_of_intent(&self, intent_id: &str) -> Option<&Session> {
        self.sessions
            .values()
            .find(|s| s.intent.as_ref().is_some_and(|i| i.id == intent_id))
    }
}

/// A Stripe-looking id: `prefix` then 24 random alphanumerics.
pub fn new_id(prefix: &str) -> String {
    use rand::distributions::{Alphanumeric, DistString};
    format!(
        "{prefix}{}",
        Alphanumeric.sample_string(&mut rand::thread_rng(), 24)
    )
}
