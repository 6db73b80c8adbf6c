//! How much of a payment can be given back: what its gateway took, never more than was due.
//!
//! "Refunded ≤ paid" means paid as the gateway holds it. An underpaid payment (in review, or
//! settled as paid by ops) took less than its amount, and a refund of "everything left" must not
//! ask the gateway for money it never took, nor reserve more than arrived. So the payment keeps
//! what its settling attempt's latest report says arrived (`received_minor`, written by
//! [`Orchestrator::record_received`] under the payment lock) and refunds are capped by it.
//! An overpayment is capped at the amount due: the excess is for ops to settle (docs/money.md,
//! "Refunds").

use super::refund_evidence::minor_of;
use super::report_target::{took_money, UNDERPAID};
use super::transition::Change;
use super::Orchestrator;
use crate::domain::money::{format_minor, Currency};
use crate::domain::paid_money::{paid_status, refund_ceiling};
use crate::domain::status::{PaymentStatus, Source};
use crate::error::AppResult;
use crate::providers::{GatewayReport, ReportedAmount};
use crate::store::{self, payments::PaymentRow, Conn};
use serde_json::json;

/// `status_detail` prefixes of a payment held because its money does not match its amount.
const MONEY_IN_QUESTION: [&str; 3] = [UNDERPAID, "amount_mismatch", "currency_mismatch"];

/// The most the payment's refunds may add up to, in minor units: what the gateway took, capped
/// at the amount due. `None` when that is not known: a payment held for money that does not
/// match, whose gateway never said how much arrived.
pub fn refundable_total(p: &PaymentRow) -> Option<i64> {
    if p.received_minor.is_none() && money_in_question(p) {
        return None;
    }
    Some(ceiling_of(p))
}

/// What `p`'s refunds may add up to ([`refund_ceiling`]): what arrived, capped at the amount;
/// the amount when nothing was recorded (paid before Payrail recorded it, money that matched).
pub fn ceiling_of(p: &PaymentRow) -> i64 {
    refund_ceiling(p.amount_minor, p.received_minor)
}

fn money_in_question(p: &PaymentRow) -> bool {
    p.status() == PaymentStatus::NeedsReview
        && p.status_detail
            .as_deref()
            .is_some_and(|d| MONEY_IN_QUESTION.iter().any(|m| d.starts_with(m)))
}

/// What a report about the settling attempt says arrived, in the payment's minor units: the
/// amount it states arrived, else (not short) the order amount it states, else (not short,
/// nothing stated) the payment's amount. `None` when the report took no money, or says it is
/// short without saying by how much, or speaks of another currency.
pub fn received_in(p: &PaymentRow, report: &GatewayReport) -> Option<i64> {
    if !took_money(report.status) {
        return None;
    }
    // Nothing is read for a currency Payrail does not know (a payment's is checked at create).
    Currency::parse(&p.currency)?;
    let minor = |a: &ReportedAmount| minor_of(a, &p.currency);
    match (&report.received, &report.amount) {
        (Some(received), _) => minor(received),
        (None, _) if report.underpaid => None,
        (None, Some(amount)) => minor(amount),
        (None, None) => Some(p.amount_minor),
    }
}

impl Orchestrator {
    /// Keeps what the settling attempt's report says arrived (the payment locked by the
    /// caller). A report that does not say keeps what an earlier one said.
    pub(super) async fn record_received(
        &self,
        conn: &mut Conn,
        p: &mut PaymentRow,
        report: &GatewayReport,
        source: Source,
    ) -> AppResult<()> {
        let Some(received) = received_in(p, report) else {
            return Ok(());
        };
        let before = p.received_minor;
        if before != Some(received) {
            p.received_minor = Some(received);
            store::payments::set_received(conn, &p.id, received).await?;
            self.review_changed_receipt(conn, p, before, source).await?;
        }
        Ok(())
    }

    /// A paid payment whose gateway now says a different amount arrived, so that its refunds no
    /// longer fit its status (everything that arrived went back, or more than arrived did), goes
    /// to review: its status is not rewritten behind the merchant's back, and ops see what the
    /// gateway changed its word to.
    async fn review_changed_receipt(
        &self,
        conn: &mut Conn,
        p: &mut PaymentRow,
        before: Option<i64>,
        source: Source,
    ) -> AppResult<()> {
        let status = p.status();
        let ceiling = ceiling_of(p);
        let fits = paid_status(p.refunded_minor, ceiling) == status && p.refunded_minor <= ceiling;
        if !status.is_paid() || fits {
            return Ok(());
        }
        let shown = |minor: i64| match Currency::parse(&p.currency) {
            Some(c) => format_minor(minor, c),
            None => minor.to_string(),
        };
        // Before anything was recorded, the payment counted as its amount having arrived.
        let status_detail = format!(
            "{RECEIPT_CHANGED}: the gateway now says {} arrived ({} before) and {} is refunded",
            shown(p.received_minor.unwrap_or(p.amount_minor)),
            shown(before.unwrap_or(p.amount_minor)),
            shown(p.refunded_minor),
        );
        let change = Change {
            to: PaymentStatus::NeedsReview,
            source,
            detail: json!({ "received_minor": p.received_minor, "was_received_minor": before, "refunded_minor": p.refunded_minor }),
            status_detail: Some(status_detail),
            top_up: false,
        };
        self.apply_change(conn, p, change).await?;
        Ok(())
    }
}

/// The `status_detail` prefix of a paid payment held because its gateway changed its word on
/// what arrived.
pub const RECEIPT_CHANGED: &str = "received_changed";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::ReportedStatus;
    use rust_decimal::Decimal;

    fn report(amount: Option<&str>, received: Option<&str>, underpaid: bool) -> GatewayReport {
        let bdt = |v: &str| ReportedAmount {
            value: v.parse::<Decimal>().unwrap(),
            currency: "BDT".into(),
        };
        GatewayReport {
            reference: None,
            external_id: None,
            provider_status: "PAID".into(),
            status: ReportedStatus::Paid,
            amount: amount.map(bdt),
            underpaid,
            received: received.map(bdt),
            charge_id: None,
            refunded: None,
            extra_charges: vec![],
        }
    }

    #[test]
    fn what_arrived_is_what_the_report_says_arrived_else_its_amount() {
        let p = store::payments::sample_row_for_tests(); // 1500.00 BDT, completed
        assert_eq!(received_in(&p, &report(None, None, false)), Some(150_000));
        assert_eq!(
            received_in(&p, &report(Some("1500.00"), None, false)),
            Some(150_000)
        );
        // Short: what arrived, never the amount asked.
        assert_eq!(
            received_in(&p, &report(Some("1500.00"), Some("750.00"), true)),
            Some(75_000)
        );
        // Short without saying how much: unknown, so nothing is recorded.
        assert_eq!(received_in(&p, &report(Some("1500.00"), None, true)), None);
        // A different amount (a mismatch): the money the gateway holds.
        assert_eq!(
            received_in(&p, &report(Some("1600.00"), None, false)),
            Some(160_000)
        );
        let mut other = report(Some("1500.00"), None, false);
        other.amount.as_mut().unwrap().currency = "USD".into();
        assert_eq!(received_in(&p, &other), None);
        let mut unpaid = report(None, None, false);
        unpaid.status = ReportedStatus::Pending;
        assert_eq!(received_in(&p, &unpaid), None);
    }

    #[test]
    fn refunds_are_capped_at_what_arrived_and_never_above_the_amount() {
        let mut p = store::payments::sample_row_for_tests();
        p.received_minor = Some(75_000);
        assert_eq!(refundable_total(&p), Some(75_000));
        p.received_minor = Some(160_000);
        assert_eq!(refundable_total(&p), Some(150_000));
        // Paid before anything was recorded, money matching: its amount.
        p.received_minor = None;
        assert_eq!(refundable_total(&p), Some(150_000));
    }
}
