//! The simulation's vocabulary: gateways, faults, the steps a seed draws, and what it remembers
//! of the payments it made.

use std::fmt;

pub use super::gateways::{decimal, Gw};

/// What the next API call to a gateway suffers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultMode {
    /// Answers after Payrail gave up (the call was processed).
    Timeout,
    /// 500 before processing.
    Http500,
    /// The real answer cut short (processed).
    Malformed,
    /// The connection is refused (nothing happened).
    Refuse,
}

impl FaultMode {
    pub fn wire(self) -> &'static str {
        match self {
            FaultMode::Timeout => "timeout",
            FaultMode::Http500 => "http_500",
            FaultMode::Malformed => "malformed",
            FaultMode::Refuse => "refuse",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fault {
    pub gw: Gw,
    pub mode: FaultMode,
}

/// How a payment is routed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Routed to this gateway, in this currency.
    Pinned(Gw, &'static str),
    /// Payrail's hosted page, in this currency.
    Hosted(&'static str),
}

impl Kind {
    pub fn currency(self) -> &'static str {
        match self {
            Kind::Pinned(_, c) | Kind::Hosted(c) => c,
        }
    }
}

/// What happens to one webhook on its way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fate {
    Deliver,
    Twice,
    /// Delivered later, in another order.
    Hold,
    /// A corrupted copy now, the original later.
    Garble,
    /// Never delivered (unless nothing else could tell Payrail: the gateway's retry, at the end).
    Drop,
}

#[derive(Clone, Debug)]
pub enum Step {
    Create {
        kind: Kind,
        key: Option<String>,
        amount_minor: i64,
        fault: Option<Fault>,
    },
    RetryCreate {
        p: usize,
    },
    Refund {
        p: usize,
        amount_minor: Option<i64>,
        key: Option<String>,
        fault: Option<Fault>,
    },
    Cancel {
        p: usize,
        fault: Option<Fault>,
    },
    Recheck {
        p: usize,
        fault: Option<Fault>,
    },
    /// The customer picks a method on the hosted page (a second pick is a second tab).
    Pick {
        p: usize,
        method: &'static str,
        fault: Option<Fault>,
    },
    /// The customer presses a button on the gateway's page, and maybe comes back.
    Checkout {
        p: usize,
        attempt: usize,
        outcome: &'static str,
        come_back: bool,
    },
    LatePayment {
        p: usize,
        attempt: usize,
    },
    DashboardRefund {
        p: usize,
        attempt: usize,
        amount_minor: Option<i64>,
    },
    OtherCharge {
        p: usize,
        attempt: usize,
        succeeded: bool,
    },
    /// The newest refund that succeeded at the gateway fails after all (Stripe): its money goes
    /// back to the merchant.
    RefundFails {
        p: usize,
        attempt: usize,
    },
    /// Ops work a payment in review for a reversed refund (`ops.rs`).
    OpsReview {
        p: usize,
    },
    /// The customer comes back to Payrail with a query string of their own.
    TamperedReturn {
        p: usize,
        wrong_token: bool,
    },
    Release {
        held: usize,
    },
    /// Every bKash token expires at once (Payrail must renew it on its next call).
    ExpireTokens,
    /// The workers' clock moves on and the reconciler runs.
    Tick {
        minutes: i64,
    },
    /// A webhook that left a gateway during the last step, and its fate.
    Webhook {
        provider: String,
        fate: Fate,
    },
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Step::Webhook { provider, fate } => write!(f, "  webhook from {provider}: {fate:?}"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// A payment the merchant asked for, as the merchant knows it.
#[derive(Clone, Debug)]
pub struct PaymentModel {
    pub order_id: String,
    pub kind: Kind,
    pub key: Option<String>,
    /// The exact create body (a retry sends it again).
    pub body: String,
    pub amount_minor: i64,
    /// Payrail's id, once an answer or a list named it.
    pub id: Option<String>,
    /// The hosted page, for hosted payments.
    pub page_url: Option<String>,
}

/// An attempt of a payment as Payrail's store holds it.
#[derive(Clone, Debug)]
pub struct AttemptModel {
    pub gw: Gw,
    pub reference: String,
    pub external_id: Option<String>,
    pub checkout_url: Option<String>,
}

impl AttemptModel {
    /// The id the simulator's checkout page and controls use.
    pub fn sim_id(&self) -> Option<String> {
        match self.gw {
            Gw::Paymento => self.external_id.clone(),
            _ => self
                .checkout_url
                .as_deref()
                .and_then(|u| u.rsplit('/').next())
                .map(str::to_owned),
        }
    }
}
