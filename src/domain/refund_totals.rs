//! What a gateway's refunded total says about Payrail's refunds (pure; no I/O).
//!
//! Some gateways report only how much of a charge has been refunded (a `refunded_amount`),
//! not which refunds make it up, and cannot look a refund up by Payrail's reference. When their
//! total exceeds what Payrail has settled, the excess is money that went back through refunds
//! Payrail does not yet know the outcome of (an answer that timed out), or through refunds made at
//! the gateway itself (its dashboard). [`explain`] decides which:
//!
//! * pending refunds whose amounts add up to exactly the excess completed (the oldest first when
//!   several combinations fit);
//! * an excess beyond every pending refund: all of them completed, and the rest made at the
//!   gateway (a refund row of its own, so the payment's money adds up);
//! * any other excess is ambiguous: nothing is decided until clearer evidence arrives.
//!
//! Evidence from a live query, taken after a refund's call certainly ended, also proves absence:
//! a pending refund the total does not account for did not happen.

/// A pending refund as the matcher sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pending {
    pub amount_minor: i64,
    /// Its call to the gateway ended long enough ago that the gateway's record would show it.
    pub settled_window_passed: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Explanation {
    /// Indexes (into the pending list) of refunds the total shows completed.
    pub completed: Vec<usize>,
    /// Indexes of refunds the total shows never happened (live evidence only).
    pub absent: Vec<usize>,
    /// Minor units refunded at the gateway that no Payrail refund accounts for.
    pub made_at_gateway: i64,
    /// The total fits no combination: nothing decided.
    pub ambiguous: bool,
}

/// Up to this many pending refunds are matched exactly (2^16 combinations); more is ambiguous.
const MAX_EXACT: usize = 16;

/// Explains `reported` (the gateway's refunded total) given `settled` (Payrail's completed
/// total) and the payment's `pending` refunds, oldest first. `live` is true for the answer of a
/// query made now (a webhook may be stale, so it never proves absence).
pub fn explain(reported: i64, settled: i64, pending: &[Pending], live: bool) -> Explanation {
    let excess = reported - settled;
    let mut out = Explanation::default();
    if excess < 0 {
        // Less than Payrail settled: stale news (a reordered webhook) or a contradiction the
        // caller records; it never undoes a settled refund.
        out.ambiguous = true;
        return out;
    }
    let all: i64 = pending.iter().map(|p| p.amount_minor).sum();
    if excess > all {
        out.completed = (0..pending.len()).collect();
        out.made_at_gateway = excess - all;
    } else if let Some(subset) = exact_subset(excess, pending) {
        out.completed = subset;
    } else {
        out.ambiguous = true;
        return out;
    }
    if live {
        out.absent = (0..pending.len())
            .filter(|i| !out.completed.contains(i) && pending[*i].settled_window_passed)
            .collect();
    }
    out
}

/// The combination of pending refunds adding up to `excess`, preferring the oldest refunds
/// (the smallest list of indexes in lexicographic order). `excess == 0` is the empty one.
fn exact_subset(excess: i64, pending: &[Pending]) -> Option<Vec<usize>> {
    if excess == 0 {
        return Some(vec![]);
    }
    let n = pending.len();
    if n > MAX_EXACT {
        return None;
    }
    // Index 0 (the oldest) weighs most, so the largest weight is the lexicographically smallest
    // list of indexes (amounts are positive, so no fitting list is a prefix of another).
    let weight = |mask: u32| -> u32 {
        (0..n)
            .filter(|i| mask & (1 << i) != 0)
            .map(|i| 1 << (n - 1 - i))
            .sum()
    };
    (1u32..(1 << n))
        .filter(|mask| {
            (0..n)
                .filter(|i| mask & (1 << i) != 0)
                .map(|i| pending[i].amount_minor)
                .sum::<i64>()
                == excess
        })
        .max_by_key(|mask| weight(*mask))
        .map(|mask| (0..n).filter(|i| mask & (1 << i) != 0).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending(amounts: &[i64]) -> Vec<Pending> {
        amounts
            .iter()
            .map(|&amount_minor| Pending {
                amount_minor,
                settled_window_passed: true,
            })
            .collect()
    }

    #[test]
    fn a_total_equal_to_what_is_settled_completes_nothing_and_live_proves_absence() {
        let p = pending(&[500]);
        assert_eq!(explain(1000, 1000, &p, false), Explanation::default());
        let live = explain(1000, 1000, &p, true);
        assert_eq!((live.completed, live.absent), (vec![], vec![0]));
    }

    #[test]
    fn the_excess_completes_the_refunds_that_add_up_to_it_oldest_first() {
        let p = pending(&[300, 200, 300]);
        let e = explain(300, 0, &p, true);
        assert_eq!(e.completed, vec![0]);
        assert_eq!(e.absent, vec![1, 2]);
        assert_eq!(explain(500, 0, &p, false).completed, vec![0, 1]);
        assert_eq!(explain(800, 0, &p, false).completed, vec![0, 1, 2]);
    }

    #[test]
    fn an_excess_beyond_every_pending_refund_was_made_at_the_gateway() {
        let e = explain(1500, 200, &pending(&[300]), true);
        assert_eq!((e.completed, e.made_at_gateway), (vec![0], 1000));
        let none = explain(700, 200, &[], false);
        assert_eq!(none.made_at_gateway, 500);
    }

    #[test]
    fn an_excess_no_combination_fits_decides_nothing() {
        let e = explain(250, 0, &pending(&[300, 200]), true);
        assert!(e.ambiguous);
        assert!(e.completed.is_empty() && e.absent.is_empty() && e.made_at_gateway == 0);
    }

    #[test]
    fn less_than_settled_never_undoes_anything() {
        let e = explain(100, 500, &pending(&[100]), true);
        assert!(e.ambiguous && e.completed.is_empty() && e.absent.is_empty());
    }

    #[test]
    fn only_refunds_past_their_window_are_proved_absent() {
        let p = vec![
            Pending {
                amount_minor: 100,
                settled_window_passed: false,
            },
            Pending {
                amount_minor: 200,
                settled_window_passed: true,
            },
        ];
        assert!(explain(0, 0, &p, true).absent == vec![1]);
    }
}
