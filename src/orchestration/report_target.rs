//! Pure: where a gateway's report says a payment should be, and whether its money settles it.
//! `reports` applies the answer under the payment lock; this only decides it.

use super::views;
use crate::domain::money::{format_minor, Currency, Money};
use crate::domain::status::PaymentStatus;
use crate::providers::{GatewayReport, ReportedStatus};
use crate::store::payments::PaymentRow;
use chrono::{DateTime, Utc};

/// Where a report says the payment should be, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub status: PaymentStatus,
    pub status_detail: Option<String>,
}

/// Pure: the status a report implies for this payment, or `None` when it says nothing usable.
pub fn target_for(p: &PaymentRow, report: &GatewayReport, now: DateTime<Utc>) -> Option<Target> {
    let plain = |status| {
        Some(Target {
            status,
            status_detail: None,
        })
    };
    match report.status {
        ReportedStatus::Pending => plain(PaymentStatus::Pending),
        ReportedStatus::Processing => plain(PaymentStatus::Processing),
        // Approved but not confirmed: no money moved yet (`confirm` moves it).
        ReportedStatus::Authorized => plain(PaymentStatus::Pending),
        // Already paid (and perhaps partly or wholly refunded): the order staying paid agrees
        // with us. Refunds the report shows are applied from its refunded total, as refund rows.
        ReportedStatus::Paid | ReportedStatus::Refunded | ReportedStatus::PartiallyRefunded
            if views::status_of(p).is_paid() =>
        {
            plain(views::status_of(p))
        }
        ReportedStatus::Paid | ReportedStatus::Refunded | ReportedStatus::PartiallyRefunded => {
            Some(match money_problem(p, report) {
                Some(problem) => Target {
                    status: PaymentStatus::NeedsReview,
                    status_detail: Some(problem),
                },
                None => Target {
                    status: PaymentStatus::Completed,
                    status_detail: None,
                },
            })
        }
        ReportedStatus::Failed => plain(PaymentStatus::Failed),
        ReportedStatus::Cancelled => plain(PaymentStatus::Cancelled),
        ReportedStatus::Expired if now < p.expires_at => plain(PaymentStatus::Cancelled),
        ReportedStatus::Expired => plain(PaymentStatus::Expired),
        ReportedStatus::Unknown => None,
    }
}

/// Why the reported money does not settle the payment, if it does not.
pub(crate) fn money_problem(p: &PaymentRow, report: &GatewayReport) -> Option<String> {
    let currency = Currency::parse(&p.currency)?;
    if let Some(reported) = &report.amount {
        if !reported.currency.eq_ignore_ascii_case(&p.currency) {
            return Some(format!(
                "currency_mismatch: expected {}, gateway reported {}",
                p.currency, reported.currency
            ));
        }
        match Money::from_decimal(reported.value, currency) {
            Some(m) if m.minor == p.amount_minor => {}
            _ => {
                return Some(format!(
                    "amount_mismatch: expected {}, gateway reported {}",
                    format_minor(p.amount_minor, currency),
                    reported.value
                ))
            }
        }
    }
    report
        .underpaid
        .then(|| format!("{UNDERPAID}: less than the amount due arrived"))
}

/// The `status_detail` prefix of a payment held for an underpayment.
pub const UNDERPAID: &str = "underpaid";

/// The gateway holds money for this report (refunds since do not undo that it was paid).
pub fn took_money(status: ReportedStatus) -> bool {
    matches!(
        status,
        ReportedStatus::Paid | ReportedStatus::Refunded | ReportedStatus::PartiallyRefunded
    )
}
