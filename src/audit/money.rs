//! The checks of one payment's money: its refunded amount against its refund rows and its
//! status, its paying attempt, double payments, and where its refunds point.

use super::read::PaymentView;
use super::{Check, Finding};
use crate::domain::paid_money::{paid_status, refund_ceiling};
use crate::domain::refund_status::RefundStatus;
use crate::domain::status::PaymentStatus;
use crate::store::attempts;

/// Every attempt state the orchestration writes.
const ATTEMPT_STATES: [&str; 7] = [
    attempts::CREATING,
    attempts::OPEN,
    attempts::NOT_SENT,
    attempts::DECLINED,
    attempts::CLOSED,
    attempts::DOUBLE_PAID,
    attempts::DUPLICATE_SETTLED,
];

pub(super) fn check(v: &PaymentView<'_>, sink: &mut impl FnMut(Finding)) {
    let p = v.payment;
    let mut report = |check: Check, id: &str, message: String| {
        sink(Finding {
            check,
            id: id.to_owned(),
            payment_id: Some(p.id.clone()),
            message,
        })
    };

    let completed: i128 = v
        .refunds
        .iter()
        .filter(|r| r.status == RefundStatus::Completed.as_str())
        .map(|r| i128::from(r.amount_minor))
        .sum();
    if completed != i128::from(p.refunded_minor) {
        report(
            Check::RefundedSum,
            &p.id,
            format!(
                "refunded_minor is {} but its completed refunds add up to {completed}",
                p.refunded_minor
            ),
        );
    }
    if p.refunded_minor < 0 || p.refunded_minor > p.amount_minor {
        report(
            Check::RefundedBound,
            &p.id,
            format!(
                "refunded_minor {} is outside 0..={} (amount_minor)",
                p.refunded_minor, p.amount_minor
            ),
        );
    }
    if let Some(received) = p.received_minor.filter(|r| p.refunded_minor > *r) {
        report(
            Check::RefundedBound,
            &p.id,
            format!(
                "refunded_minor {} is more than the gateway took ({received}, received_minor)",
                p.refunded_minor
            ),
        );
    }

    for r in v.refunds {
        if RefundStatus::parse(&r.status).is_none() {
            let message = format!("refund status {:?} is not a refund status", r.status);
            report(Check::StatusMoney, &r.id, message);
        }
        if r.merchant_id != p.merchant_id {
            let message = format!(
                "refund of merchant {} on a payment of merchant {}",
                r.merchant_id, p.merchant_id
            );
            report(Check::RefundRefs, &r.id, message);
        }
        if r.currency != p.currency {
            let message = format!("refund in {} of a payment in {}", r.currency, p.currency);
            report(Check::RefundRefs, &r.id, message);
        }
        if v.attempt(&r.attempt_id).is_none() {
            let message = format!(
                "attempt_id {} is not an attempt of this payment",
                r.attempt_id
            );
            report(Check::RefundRefs, &r.id, message);
        }
    }

    let Some(status) = PaymentStatus::parse(&p.status) else {
        let message = format!("status {:?} is not a payment status", p.status);
        report(Check::StatusMoney, &p.id, message);
        return;
    };
    let ceiling = refund_ceiling(p.amount_minor, p.received_minor);
    if let Some(problem) = money_problem(status, p.refunded_minor, ceiling) {
        report(Check::StatusMoney, &p.id, problem);
    }
    if status.is_open()
        || matches!(
            status,
            PaymentStatus::Failed | PaymentStatus::Cancelled | PaymentStatus::Expired
        )
    {
        let reserved: Vec<String> = v
            .refunds
            .iter()
            .filter(|r| RefundStatus::parse(&r.status).is_some_and(RefundStatus::is_reserved))
            .map(|r| format!("{} ({})", r.id, r.status))
            .collect();
        if !reserved.is_empty() {
            let message = format!("status {status} but refunds {}", reserved.join(", "));
            report(Check::StatusMoney, &p.id, message);
        }
    }

    // The paying attempt.
    let paid = p.paid_attempt_id.as_deref().map(|id| (id, v.attempt(id)));
    if status.is_paid() {
        match paid {
            None => report(
                Check::PaidAttempt,
                &p.id,
                format!("status {status} but no paid_attempt_id"),
            ),
            Some((id, Some(a))) if blank(&a.charge_id) && blank(&a.external_id) => report(
                Check::PaidAttempt,
                &p.id,
                format!(
                    "paid attempt {id} holds no gateway id of the money (charge_id, external_id)"
                ),
            ),
            _ => {}
        }
        if p.completed_at.is_none() {
            report(
                Check::PaidAttempt,
                &p.id,
                format!("status {status} but no completed_at"),
            );
        }
    }
    if let Some((id, None)) = paid {
        let message = format!("paid_attempt_id {id} is not an attempt of this payment");
        report(Check::PaidAttempt, &p.id, message);
    }

    // Double payments, only while in review.
    let in_review = status == PaymentStatus::NeedsReview;
    if let Some((id, Some(a))) = paid {
        if a.state == attempts::DOUBLE_PAID {
            let message = format!("paid_attempt_id {id} is itself double_paid");
            report(Check::OnePaidAttempt, &p.id, message);
        }
    }
    for a in v.attempts {
        if !ATTEMPT_STATES.contains(&a.state.as_str()) {
            let message = format!("attempt state {:?} is not an attempt state", a.state);
            report(Check::OnePaidAttempt, &a.id, message);
        }
        if a.state == attempts::DOUBLE_PAID && !in_review {
            let message =
                format!("a second paid attempt (double_paid) while the payment is {status}");
            report(Check::OnePaidAttempt, &a.id, message);
        }
    }
    for d in v.duplicates {
        if d.settled_at.is_none() && !in_review {
            let message = format!(
                "unsettled duplicate charge {} of attempt {} while the payment is {status}",
                d.charge_id, d.attempt_id
            );
            report(Check::OnePaidAttempt, &p.id, message);
        }
        if v.attempt(&d.attempt_id).is_none() {
            let message = format!(
                "duplicate charge {} names attempt {}, which is not an attempt of this payment",
                d.charge_id, d.attempt_id
            );
            report(Check::AttemptRefs, &d.attempt_id, message);
        }
    }
}

/// What is wrong with `refunded` for a payment in `status`, if anything.
/// Why a payment's status disagrees with its money, if it does. `ceiling` is what its refunds
/// may add up to (`domain::paid_money`): a paid status is the one its refunds of that imply.
fn money_problem(status: PaymentStatus, refunded: i64, ceiling: i64) -> Option<String> {
    use PaymentStatus::*;
    let ok = match status {
        Completed | PartiallyRefunded | Refunded => paid_status(refunded, ceiling) == status,
        NeedsReview => true,
        Pending | Processing | Failed | Cancelled | Expired => refunded == 0,
    };
    (!ok).then(|| {
        format!("status {status} with refunded_minor {refunded} of {ceiling} the gateway took")
    })
}

fn blank(v: &Option<String>) -> bool {
    v.as_deref().is_none_or(str::is_empty)
}

#[cfg(test)]
mod tests {
    use super::money_problem;
    use crate::domain::status::PaymentStatus::*;

    #[test]
    fn status_and_money_agree_or_say_why_not() {
        assert!(money_problem(Refunded, 100, 100).is_none());
        assert!(money_problem(Refunded, 0, 100).is_some());
        assert!(money_problem(PartiallyRefunded, 40, 100).is_none());
        assert!(money_problem(PartiallyRefunded, 100, 100).is_some());
        assert!(money_problem(PartiallyRefunded, 0, 100).is_some());
        assert!(money_problem(Completed, 0, 100).is_none());
        assert!(money_problem(Completed, 1, 100).is_some());
        assert!(money_problem(NeedsReview, 70, 100).is_none());
        // Of an underpaid payment settled as paid, 60 of 100 arrived and all 60 went back.
        assert!(money_problem(Refunded, 60, 60).is_none());
        assert!(money_problem(PartiallyRefunded, 60, 60).is_some());
        for s in [Pending, Processing, Failed, Cancelled, Expired] {
            assert!(money_problem(s, 0, 100).is_none());
            assert!(money_problem(s, 5, 100).is_some(), "{s}");
        }
    }
}
