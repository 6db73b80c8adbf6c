//! The one table test of the state machines (payment, attempt, refund). Each machine's `decide`
//! is checked, for every pair of its states and every source, against its rules written out in
//! words apart from its table, so a careless edit to a table fails. The part every machine
//! shares (staying put is `Unchanged`; a move is `Apply` where the rules allow it, else
//! `Refused`) is written here once.

use super::status::{Decision, Source};
use std::fmt::Display;

/// Asserts that `decide` agrees with `allowed` (the rules, asked only about a move) for every
/// (from, to, source); `machine` names the machine in a failure. Returns how many triples were
/// checked.
pub(super) fn every_pair_from_every_source<S: Copy + PartialEq + Display>(
    machine: &str,
    states: &[S],
    decide: impl Fn(S, S, Source) -> Decision,
    allowed: impl Fn(S, S, Source) -> bool,
) -> usize {
    let mut checked = 0;
    for &from in states {
        for &to in states {
            for source in Source::ALL {
                let expected = if from == to {
                    Decision::Unchanged
                } else if allowed(from, to, source) {
                    Decision::Apply
                } else {
                    Decision::Refused
                };
                assert_eq!(
                    decide(from, to, source),
                    expected,
                    "{machine}: {from} -> {to} by {}",
                    source.as_str()
                );
                checked += 1;
            }
        }
    }
    checked
}
