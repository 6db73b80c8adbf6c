//! Payment states and the one declared transition table.
//!
//! Every path that changes a payment (API, gateway webhook, recheck, reconciler, customer return,
//! admin) asks [`decide`] first. News that would move a payment backwards (a late `PROCESSING`
//! after `completed`, a duplicate webhook) is a no-op, never an error the gateway would retry on.

use serde::Serialize;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    Pending,
    Processing,
    Completed,
    Failed,
    Cancelled,
    Expired,
    NeedsReview,
    PartiallyRefunded,
    Refunded,
}

use PaymentStatus::*;

impl PaymentStatus {
    pub const ALL: [PaymentStatus; 9] = [
        Pending,
        Processing,
        Completed,
        Failed,
        Cancelled,
        Expired,
        NeedsReview,
        PartiallyRefunded,
        Refunded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Pending => "pending",
            Processing => "processing",
            Completed => "completed",
            Failed => "failed",
            Cancelled => "cancelled",
            Expired => "expired",
            NeedsReview => "needs_review",
            PartiallyRefunded => "partially_refunded",
            Refunded => "refunded",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// Not yet paid and still open at the gateway: the reconciler keeps asking about these.
    pub fn is_open(self) -> bool {
        matches!(self, Pending | Processing)
    }

    /// Money was received and accepted.
    pub fn is_paid(self) -> bool {
        matches!(self, Completed | PartiallyRefunded | Refunded)
    }
}

impl fmt::Display for PaymentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What caused a change; it is written on every timeline entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Api,
    ProviderWebhook,
    Recheck,
    Reconciler,
    Return,
    Admin,
}

impl Source {
    pub const ALL: [Source; 6] = [
        Source::Api,
        Source::ProviderWebhook,
        Source::Recheck,
        Source::Reconciler,
        Source::Return,
        Source::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Source::Api => "api",
            Source::ProviderWebhook => "provider_webhook",
            Source::Recheck => "recheck",
            Source::Reconciler => "reconciler",
            Source::Return => "return",
            Source::Admin => "admin",
        }
    }

    /// Sources whose news comes from the gateway itself (a verified webhook or a live query).
    pub fn is_gateway_evidence(self) -> bool {
        matches!(
            self,
            Source::ProviderWebhook | Source::Recheck | Source::Reconciler | Source::Return
        )
    }
}

use Source::{Admin, Api};

/// Who may make a transition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Who {
    /// Any source.
    Anyone,
    /// Only news from the gateway (webhook, recheck, reconciler, return).
    Gateway,
    /// Only ops through the admin API.
    Ops,
    /// Ops, or the gateway when it shows that a payment held for an underpayment has since been
    /// paid in full (the customer topped up): see [`decide_top_up`].
    OpsOrTopUp,
}

/// The transition table: every allowed change, and who may make it. Anything not listed is
/// refused. Read it top to bottom as the life of a payment.
pub const TRANSITIONS: &[(PaymentStatus, PaymentStatus, Who)] = &[
    (Pending, Processing, Who::Gateway),
    (Pending, Completed, Who::Gateway),
    (Pending, NeedsReview, Who::Gateway),
    (Pending, Failed, Who::Anyone),
    (Pending, Cancelled, Who::Anyone),
    (Pending, Expired, Who::Anyone),
    (Processing, Completed, Who::Gateway),
    (Processing, NeedsReview, Who::Gateway),
    (Processing, Failed, Who::Gateway),
    (Processing, Cancelled, Who::Gateway),
    (Processing, Expired, Who::Gateway),
    // A late payment (crypto arriving after the window) on verified gateway evidence only.
    (Failed, Completed, Who::Gateway),
    (Failed, NeedsReview, Who::Gateway),
    (Cancelled, Completed, Who::Gateway),
    (Cancelled, NeedsReview, Who::Gateway),
    (Expired, Completed, Who::Gateway),
    (Expired, NeedsReview, Who::Gateway),
    // A customer paid twice (two attempts, or two charges of one gateway order): one must be
    // refunded, whatever was refunded of the first already.
    (Completed, NeedsReview, Who::Gateway),
    (PartiallyRefunded, NeedsReview, Who::Gateway),
    (Refunded, NeedsReview, Who::Gateway),
    // Ops settle what did not match; an underpayment the customer topped up settles itself.
    (NeedsReview, Completed, Who::OpsOrTopUp),
    (NeedsReview, Failed, Who::Ops),
    (NeedsReview, Cancelled, Who::Ops),
    // Ops settle a review whose money was partly or wholly refunded meanwhile (refunds of a
    // payment in review keep it in review: they do not settle what did not match).
    (NeedsReview, PartiallyRefunded, Who::Ops),
    (NeedsReview, Refunded, Who::Ops),
    // Refunds.
    (Completed, PartiallyRefunded, Who::Anyone),
    (Completed, Refunded, Who::Anyone),
    (PartiallyRefunded, Refunded, Who::Anyone),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Make the change.
    Apply,
    /// Already there: nothing to do (a duplicate or a repeat).
    Unchanged,
    /// Not allowed from here, or not by this source: ignore the news, log why.
    Refused,
}

pub fn decide(from: PaymentStatus, to: PaymentStatus, source: Source) -> Decision {
    decide_change(from, to, source, false)
}

/// [`decide`] for gateway evidence that a payment in review for an underpayment has now been
/// paid in full (a partial payment the gateway later approves): `needs_review → completed`.
pub fn decide_top_up(from: PaymentStatus, to: PaymentStatus, source: Source) -> Decision {
    decide_change(from, to, source, true)
}

fn decide_change(from: PaymentStatus, to: PaymentStatus, source: Source, top_up: bool) -> Decision {
    if from == to {
        return Decision::Unchanged;
    }
    let Some(&(_, _, who)) = TRANSITIONS.iter().find(|(f, t, _)| *f == from && *t == to) else {
        return Decision::Refused;
    };
    let allowed = match who {
        Who::Anyone => true,
        Who::Gateway => source.is_gateway_evidence(),
        Who::Ops => source == Admin,
        Who::OpsOrTopUp => source == Admin || (top_up && source.is_gateway_evidence()),
    };
    if allowed {
        Decision::Apply
    } else {
        Decision::Refused
    }
}

/// Whether the merchant may cancel from this state (the API's `available_actions`).
pub fn merchant_can_cancel(status: PaymentStatus) -> bool {
    decide(status, Cancelled, Api) == Decision::Apply
}

/// Money received after a final unpaid state is flagged for the merchant.
pub fn is_late_payment(from: PaymentStatus, to: PaymentStatus) -> bool {
    matches!(from, Failed | Cancelled | Expired) && to == Completed
}
