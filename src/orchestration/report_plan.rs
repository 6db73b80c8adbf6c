//! Pure: what one gateway report does to a payment and to the attempt it is about, decided
//! before anything is written. `reports` takes the plan under the payment lock and writes it;
//! `report_target` says where the report alone would put the payment.
//!
//! On top of that target the plan weighs the payment's other attempts (money on a second
//! attempt is a double payment; a duplicate ops settled changes nothing), a hosted payment's
//! open window (a failed attempt closes only itself) and an underpayment now paid in full (a
//! top-up, which has its own transition table).

use super::report_target::{target_for, took_money, Target, UNDERPAID};
use super::views;
use crate::domain::attempt_status::AttemptState;
use crate::domain::status::{decide, decide_top_up, Decision, PaymentStatus, Source};
use crate::providers::GatewayReport;
use crate::store::{attempts::AttemptRow, payments::PaymentRow};
use chrono::{DateTime, Utc};

/// What a report does to the attempt it is about, besides the gateway's ids and status word.
pub(super) struct AttemptNews {
    /// A hosted payment's attempt failed, cancelled or expired inside the window: only it closes.
    pub closes_attempt_only: bool,
    /// It took money after another attempt had.
    pub double_payment: bool,
    /// Where the report said the payment should be (for the `attempt.closed` entry).
    pub outcome: Option<PaymentStatus>,
}

/// Everything a report decides about the payment and its attempt, nothing written yet.
pub(super) struct ReportPlan {
    /// The payment's status before the report.
    pub previous: PaymentStatus,
    /// Where the payment should go (`None`: the report says nothing usable, or nothing any
    /// more). An attempt that closes alone leaves the payment where it is.
    pub target: Option<Target>,
    /// The gateway holds money for this report.
    pub took_money: bool,
    /// Held for an underpayment, now shown paid in full: the customer topped up.
    pub top_up: bool,
    pub attempt: AttemptNews,
    source: Source,
}

impl ReportPlan {
    pub fn new(
        p: &PaymentRow,
        attempt: &AttemptRow,
        report: &GatewayReport,
        source: Source,
        now: DateTime<Utc>,
    ) -> Self {
        let previous = views::status_of(p);
        let took_money = took_money(report.status);
        // Money on a second attempt after another one paid: the customer paid twice (once ops
        // settled that duplicate, its news changes nothing any more).
        let another_paid = p.paid_attempt_id.as_ref().is_some_and(|a| *a != attempt.id);
        let settled_duplicate = attempt.state() == Some(AttemptState::DuplicateSettled);
        let double_payment = took_money && another_paid && !settled_duplicate;
        let mut target = if another_paid && settled_duplicate {
            None
        } else if double_payment {
            double_payment_target(previous, attempt)
        } else {
            target_for(p, report, now)
        };
        // A hosted payment outlives a failed, cancelled or expired attempt while its window is
        // open: only the attempt closes, and the customer may pick again.
        let closes_attempt_only = p.hosted
            && !double_payment
            && now < p.expires_at
            && target.as_ref().is_some_and(|t| ends_the_attempt(t.status));
        let outcome = target.as_ref().map(|t| t.status);
        if closes_attempt_only {
            target = Some(Target {
                status: previous,
                status_detail: None,
            });
        }
        let top_up = tops_up(p, previous, target.as_ref());
        ReportPlan {
            previous,
            target,
            took_money,
            top_up,
            attempt: AttemptNews {
                closes_attempt_only,
                double_payment,
                outcome,
            },
            source,
        }
    }

    /// The transition table's word on moving the payment to `to` (a top-up has its own table).
    pub fn decide(&self, to: PaymentStatus) -> Decision {
        if self.top_up {
            decide_top_up(self.previous, to, self.source)
        } else {
            decide(self.previous, to, self.source)
        }
    }

    /// The status the plan points the payment at (what `ReportOutcome::target` says).
    pub fn target_status(&self) -> Option<PaymentStatus> {
        self.target.as_ref().map(|t| t.status)
    }

    /// What a dry run answers: the target when the table would take it, else no change.
    pub fn would_become(&self) -> PaymentStatus {
        match &self.target {
            Some(t) if self.decide(t.status) == Decision::Apply => t.status,
            _ => self.previous,
        }
    }

    /// This attempt's money settles the payment: it took money, no attempt has settled the
    /// payment yet, and the table takes the move.
    pub fn settles(&self, p: &PaymentRow) -> bool {
        self.took_money
            && p.paid_attempt_id.is_none()
            && self
                .target
                .as_ref()
                .is_some_and(|t| self.decide(t.status) == Decision::Apply)
    }
}

/// A second attempt took money after another one had: a paid payment goes to review so that
/// one of the two is refunded; one not (yet) paid is not moved by it.
fn double_payment_target(previous: PaymentStatus, attempt: &AttemptRow) -> Option<Target> {
    previous.is_paid().then(|| Target {
        status: PaymentStatus::NeedsReview,
        status_detail: Some(format!(
            "duplicate_payment: attempt {} at {} was also paid; refund one",
            attempt.id, attempt.provider
        )),
    })
}

/// A failure, cancellation or expiry: news that ends the attempt (and, unless the payment is
/// hosted and its window still open, the payment).
fn ends_the_attempt(status: PaymentStatus) -> bool {
    matches!(
        status,
        PaymentStatus::Failed | PaymentStatus::Cancelled | PaymentStatus::Expired
    )
}

/// Held for an underpayment, and the report now shows it paid in full: the customer topped up.
///
/// Not once money went back while it was held: that refund answered the short payment, so the
/// money no longer says `completed` (the payment would pass through it and straight back to
/// review), and whether the merchant now holds what the order needs is for ops to decide, as
/// for any other payment in review whose gateway's amount changed.
fn tops_up(p: &PaymentRow, previous: PaymentStatus, target: Option<&Target>) -> bool {
    previous == PaymentStatus::NeedsReview
        && p.status_detail
            .as_deref()
            .is_some_and(|d| d.starts_with(UNDERPAID))
        && p.refunded_minor == 0
        && target.is_some_and(|t| t.status == PaymentStatus::Completed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::payments::sample_row_for_tests;

    fn paid_in_full() -> Target {
        Target {
            status: PaymentStatus::Completed,
            status_detail: None,
        }
    }

    fn held_underpaid() -> PaymentRow {
        let mut p = sample_row_for_tests();
        p.status_detail = Some(format!("{UNDERPAID}: less than the amount due arrived"));
        p.refunded_minor = 0;
        p
    }

    #[test]
    fn an_underpayment_shown_paid_in_full_is_a_top_up() {
        let p = held_underpaid();
        assert!(tops_up(
            &p,
            PaymentStatus::NeedsReview,
            Some(&paid_in_full())
        ));
    }

    #[test]
    fn not_once_money_went_back_while_it_was_held() {
        let mut p = held_underpaid();
        p.refunded_minor = 1;
        assert!(!tops_up(
            &p,
            PaymentStatus::NeedsReview,
            Some(&paid_in_full())
        ));
    }

    #[test]
    fn nor_for_another_review_reason_another_status_or_another_target() {
        let mut other_reason = held_underpaid();
        other_reason.status_detail = Some("amount_mismatch: expected 30.00".into());
        assert!(!tops_up(
            &other_reason,
            PaymentStatus::NeedsReview,
            Some(&paid_in_full())
        ));
        let p = held_underpaid();
        assert!(!tops_up(&p, PaymentStatus::Pending, Some(&paid_in_full())));
        let failed = Target {
            status: PaymentStatus::Failed,
            status_detail: None,
        };
        assert!(!tops_up(&p, PaymentStatus::NeedsReview, Some(&failed)));
        assert!(!tops_up(&p, PaymentStatus::NeedsReview, None));
    }
}
