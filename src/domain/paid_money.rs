//! What a paid payment's money says about its status (pure; no I/O).
//!
//! A paid payment is `completed` while nothing is refunded, `refunded` once its refunds give
//! back everything its gateway took, and `partially_refunded` in between. "Everything the
//! gateway took" ([`refund_ceiling`]) is what its settling attempt's report says arrived
//! (`received_minor`), capped at the amount due; a payment paid before Payrail recorded what
//! arrived took its amount. An underpaid payment that ops settled as paid is therefore
//! `refunded` when what arrived went back, not `partially_refunded` with a refund on offer that
//! the gateway could not make.
//!
//! The orchestration (the status after a refund, ops settling a review, the actions offered)
//! and the audit read the rule here, so they cannot disagree (docs/money.md).

use super::status::PaymentStatus;

/// The most a paid payment's refunds may add up to, in minor units: what arrived, capped at the
/// amount due (the excess of an overpayment is for ops), and the amount when nothing was
/// recorded.
pub fn refund_ceiling(amount_minor: i64, received_minor: Option<i64>) -> i64 {
    received_minor.map_or(amount_minor, |r| r.min(amount_minor).max(0))
}

/// The status a paid payment has with `refunded_minor` given back of `ceiling`.
pub fn paid_status(refunded_minor: i64, ceiling: i64) -> PaymentStatus {
    if refunded_minor <= 0 {
        PaymentStatus::Completed
    } else if refunded_minor >= ceiling {
        PaymentStatus::Refunded
    } else {
        PaymentStatus::PartiallyRefunded
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use PaymentStatus::*;

    #[test]
    fn the_ceiling_is_what_arrived_capped_at_the_amount_due() {
        assert_eq!(refund_ceiling(150_000, None), 150_000);
        assert_eq!(refund_ceiling(150_000, Some(75_000)), 75_000);
        assert_eq!(refund_ceiling(150_000, Some(160_000)), 150_000);
        assert_eq!(refund_ceiling(150_000, Some(-5)), 0);
    }

    #[test]
    fn refunded_means_everything_that_arrived_went_back() {
        assert_eq!(paid_status(0, 150_000), Completed);
        assert_eq!(paid_status(1, 150_000), PartiallyRefunded);
        assert_eq!(paid_status(149_999, 150_000), PartiallyRefunded);
        assert_eq!(paid_status(150_000, 150_000), Refunded);
        // Underpaid and settled as paid: half arrived, half went back.
        assert_eq!(
            paid_status(75_000, refund_ceiling(150_000, Some(75_000))),
            Refunded
        );
        // Nothing arrived and nothing went back: still the paid status ops chose.
        assert_eq!(paid_status(0, 0), Completed);
    }
}
