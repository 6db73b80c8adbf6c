//! Attempt states and their declared transition table, like the payment's (`status`) and the
//! refund's (`refund_status`).
//!
//! An attempt is one try of one payment at one gateway account. It is `creating` from the moment
//! its row is written (before the gateway is called) until the gateway's answer says where it is;
//! the gateway's later news (webhook, query, return) opens, closes or flags it. The table is what
//! the code did before it was declared: nothing here forbids a move the code used to make (two
//! questionable ones are marked in the table and kept, so behaviour did not change).

use super::status::{Decision, Source};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AttemptState {
    /// Being created at the gateway, or its outcome is unknown (resumable).
    Creating,
    /// The gateway has it.
    Open,
    /// It never reached the gateway.
    NotSent,
    /// The gateway refused it.
    Declined,
    /// The gateway reported it failed, cancelled or expired while its hosted payment stayed open
    /// for the customer's next pick.
    Closed,
    /// It took money after another attempt of its payment had (the customer paid twice): flagged
    /// once, for a refund at its gateway.
    DoublePaid,
    /// A double-paid attempt whose duplicate ops have dealt with (refunded it at the gateway, or
    /// decided to keep it) when they settled the payment's review.
    DuplicateSettled,
}

use AttemptState::*;

impl AttemptState {
    pub const ALL: [AttemptState; 7] = [
        Creating,
        Open,
        NotSent,
        Declined,
        Closed,
        DoublePaid,
        DuplicateSettled,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Creating => "creating",
            Open => "open",
            NotSent => "not_sent",
            Declined => "declined",
            Closed => "closed",
            DoublePaid => "double_paid",
            DuplicateSettled => "duplicate_settled",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// States in which the gateway may still take money on this attempt.
    pub fn is_live(self) -> bool {
        matches!(self, Creating | Open)
    }

    /// States in which the gateway holds (or may hold) the attempt's order, and so may have
    /// taken money on it: the live ones, and one it reported closed, since money can still land
    /// on a closed order (a late transfer).
    pub fn may_hold_money(self) -> bool {
        self.is_live() || self == Closed
    }
}

impl fmt::Display for AttemptState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who may move an attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Who {
    /// The gateway's word in any form: its answer to Payrail's create call (made for the
    /// merchant's API call, or for the customer's pick on the hosted page), a webhook, a query,
    /// a return.
    Gateway,
    /// Only ops through the admin API (settling the payment's review).
    Ops,
}

/// Every allowed change of an attempt's state. Anything not listed is refused. Read it top to
/// bottom as the life of an attempt.
pub const TRANSITIONS: &[(AttemptState, AttemptState, Who)] = &[
    // The gateway's answer to the create call (a resumed create asks again after `not_sent`).
    (Creating, Open, Who::Gateway),
    (Creating, Declined, Who::Gateway),
    (Creating, NotSent, Who::Gateway),
    (NotSent, Open, Who::Gateway),
    (NotSent, Declined, Who::Gateway),
    // A hosted payment's attempt closes alone while the payment's window is open.
    (Open, Closed, Who::Gateway),
    // Kept as the code made it: news that a declined attempt failed or expired closes it.
    (Declined, Closed, Who::Gateway),
    // Money on a second attempt after another one paid (a late transfer lands on a closed or
    // even a declined order too).
    (Open, DoublePaid, Who::Gateway),
    (Closed, DoublePaid, Who::Gateway),
    (Declined, DoublePaid, Who::Gateway),
    // Kept as the code made it: a double-paid attempt of a hosted payment later reported
    // failed, cancelled or expired inside the window closes (the audit still sees the review).
    (DoublePaid, Closed, Who::Gateway),
    // Ops settle the payment's review, and with it the duplicate.
    (DoublePaid, DuplicateSettled, Who::Ops),
];

pub fn decide(from: AttemptState, to: AttemptState, source: Source) -> Decision {
    if from == to {
        return Decision::Unchanged;
    }
    let Some(&(_, _, who)) = TRANSITIONS.iter().find(|(f, t, _)| *f == from && *t == to) else {
        return Decision::Refused;
    };
    let allowed = match who {
        Who::Gateway => source != Source::Admin,
        Who::Ops => source == Source::Admin,
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
    fn allowed(from: AttemptState, to: AttemptState, source: Source) -> bool {
        let gateway = source != Source::Admin;
        match (from, to) {
            (Creating | NotSent, Open | Declined) => gateway,
            (Creating, NotSent) => gateway,
            (Open | Declined | DoublePaid, Closed) => gateway,
            (Open | Closed | Declined, DoublePaid) => gateway,
            (DoublePaid, DuplicateSettled) => source == Source::Admin,
            _ => false,
        }
    }

    #[test]
    fn every_pair_of_states_from_every_source() {
        let all = &AttemptState::ALL;
        let checked = every_pair_from_every_source("attempt", all, decide, allowed);
        assert_eq!(checked, 7 * 7 * 6);
    }

    #[test]
    fn nothing_goes_back_to_creating_and_a_settled_duplicate_never_moves() {
        for from in AttemptState::ALL {
            for source in Source::ALL {
                assert_ne!(decide(from, Creating, source), Decision::Apply);
                assert_ne!(decide(DuplicateSettled, from, source), Decision::Apply);
            }
        }
    }

    #[test]
    fn the_names_round_trip() {
        for s in AttemptState::ALL {
            assert_eq!(AttemptState::parse(s.as_str()), Some(s));
        }
        assert_eq!(AttemptState::parse("paid"), None);
    }
}
