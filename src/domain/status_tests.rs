//! Every (from, to, source) triple against an expectation written out independently of
//! `TRANSITIONS`, so a careless edit to the table fails here.

use super::status::{decide, decide_top_up, Decision, PaymentStatus, PaymentStatus::*, Source};
use super::table_test::every_pair_from_every_source;

/// The rules in words: forward only; money news only from the gateway; ops settle reviews, and
/// the gateway settles one when it shows an underpayment topped up.
fn allowed(from: PaymentStatus, to: PaymentStatus, source: Source, top_up: bool) -> bool {
    let gateway = source.is_gateway_evidence();
    let ops = source == Source::Admin;
    match (from, to) {
        (Pending, Processing | Completed | NeedsReview) => gateway,
        (Pending, Failed | Cancelled | Expired) => true,
        (Processing, Completed | NeedsReview | Failed | Cancelled | Expired) => gateway,
        (Failed | Cancelled | Expired, Completed | NeedsReview) => gateway,
        // A second attempt or charge also paid: the double payment needs a refund.
        (Completed | PartiallyRefunded | Refunded, NeedsReview) => gateway,
        (NeedsReview, Completed) => ops || (top_up && gateway),
        (NeedsReview, Failed | Cancelled | PartiallyRefunded | Refunded) => ops,
        (Completed, PartiallyRefunded | Refunded) => true,
        (PartiallyRefunded, Refunded) => true,
        _ => false,
    }
}

#[test]
fn every_pair_of_states_from_every_source() {
    let all = &PaymentStatus::ALL;
    let plain = |from, to, source| allowed(from, to, source, false);
    let top_up = |from, to, source| allowed(from, to, source, true);
    let checked = every_pair_from_every_source("payment", all, decide, plain);
    assert_eq!(checked, 9 * 9 * 6);
    let checked = every_pair_from_every_source("payment (top-up)", all, decide_top_up, top_up);
    assert_eq!(checked, 9 * 9 * 6);
}

#[test]
fn a_paid_payment_never_goes_back() {
    for paid in [Completed, PartiallyRefunded, Refunded] {
        for back in [Pending, Processing, Failed, Cancelled, Expired] {
            for source in Source::ALL {
                assert_eq!(decide(paid, back, source), Decision::Refused);
            }
        }
    }
}

#[test]
fn the_merchant_cannot_declare_a_payment_paid() {
    for from in PaymentStatus::ALL {
        if from != Completed {
            assert_eq!(
                decide(from, Completed, Source::Api),
                Decision::Refused,
                "{from}"
            );
        }
    }
}
