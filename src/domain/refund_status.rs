//! Refund states and their declared transition table, like the payment's (`status`).
//!
//! A refund is `pending` from the moment Payrail promises it (the row is written before the
//! gateway is called) until the gateway's evidence settles it. Settled refunds never move again
//! on news: late or repeated news about them is ignored. A refund whose outcome the gateway never
//! makes clear goes to `needs_review` after a documented time, and ops (or later gateway
//! evidence) settle it there. One settled refund may still move, by ops alone: a `completed`
//! refund the gateway reversed afterwards (its money went back to the merchant, and the payment
//! went to review for it) becomes `reversed`, and no longer counts as refunded.

use super::status::{Decision, Source};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RefundStatus {
    Pending,
    Completed,
    Failed,
    NeedsReview,
    /// Completed, then reversed at the gateway (the money went back to the merchant); ops
    /// confirmed it. Not counted as refunded.
    Reversed,
}

use RefundStatus::*;

impl RefundStatus {
    pub const ALL: [RefundStatus; 5] = [Pending, Completed, Failed, NeedsReview, Reversed];

    pub fn as_str(self) -> &'static str {
        match self {
            Pending => "pending",
            Completed => "completed",
            Failed => "failed",
            NeedsReview => "needs_review",
            Reversed => "reversed",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// Money that is, or may still be, on its way back: it counts against what is refundable.
    pub fn is_reserved(self) -> bool {
        matches!(self, Pending | Completed | NeedsReview)
    }

    /// The merchant event a change to this state sends (`refund.completed`, …).
    pub fn event_type(self) -> &'static str {
        match self {
            Pending => "refund.pending",
            Completed => "refund.completed",
            Failed => "refund.failed",
            NeedsReview => "refund.needs_review",
            Reversed => "refund.reversed",
        }
    }
}

impl fmt::Display for RefundStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who may settle a refund.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Who {
    /// The gateway's word in any form: its answer to Payrail's call, a webhook, a recheck.
    Gateway,
    /// Only the reconciler, when the gateway's evidence stayed unclear for too long.
    Reconciler,
    /// Only ops through the admin API.
    Ops,
    /// The gateway's later evidence, or ops.
    GatewayOrOps,
}

/// Every allowed change of a refund's state. Anything not listed is refused.
pub const TRANSITIONS: &[(RefundStatus, RefundStatus, Who)] = &[
    (Pending, Completed, Who::Gateway),
    (Pending, Failed, Who::Gateway),
    (Pending, NeedsReview, Who::Reconciler),
    (NeedsReview, Completed, Who::GatewayOrOps),
    (NeedsReview, Failed, Who::Ops),
    // The gateway gave a completed refund's money back to the merchant (the payment is in
    // review for it, `refund_reversed`); ops confirm it, so the money counts as the merchant's.
    (Completed, Reversed, Who::Ops),
];

/// Whether news from `source` is the gateway's word about a refund: its evidence (a webhook, a
/// query), or its answer to Payrail's own call (`Api`).
pub fn is_gateways_word(source: Source) -> bool {
    source.is_gateway_evidence() || source == Source::Api
}

pub fn decide(from: RefundStatus, to: RefundStatus, source: Source) -> Decision {
    if from == to {
        return Decision::Unchanged;
    }
    let Some(&(_, _, who)) = TRANSITIONS.iter().find(|(f, t, _)| *f == from && *t == to) else {
        return Decision::Refused;
    };
    let gateway = is_gateways_word(source);
    let allowed = match who {
        Who::Gateway => gateway,
        Who::Reconciler => source == Source::Reconciler,
        Who::Ops => source == Source::Admin,
        Who::GatewayOrOps => gateway || source == Source::Admin,
    };
    if allowed {
        Decision::Apply
    } else {
        Decision::Refused
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::table_test::every_pair_from_every_source;

    /// The rules in words, written apart from the table: which moves each source may make.
    fn allowed(from: RefundStatus, to: RefundStatus, source: Source) -> bool {
        let gateway = source != Source::Admin;
        match (from, to) {
            (Pending, Completed | Failed) => gateway,
            (Pending, NeedsReview) => source == Source::Reconciler,
            (NeedsReview, Completed) => true,
            (NeedsReview, Failed) => source == Source::Admin,
            (Completed, Reversed) => source == Source::Admin,
            _ => false,
        }
    }

    #[test]
    fn every_pair_of_states_from_every_source() {
        let all = &RefundStatus::ALL;
        let checked = every_pair_from_every_source("refund", all, decide, allowed);
        assert_eq!(checked, 5 * 5 * 6);
    }

    #[test]
    fn a_settled_refund_never_moves_on_news() {
        for settled in [Completed, Failed, Reversed] {
            for to in RefundStatus::ALL {
                for source in Source::ALL {
                    let by_ops = (settled, to, source) == (Completed, Reversed, Source::Admin);
                    assert_eq!(decide(settled, to, source) == Decision::Apply, by_ops);
                }
            }
        }
    }
}
