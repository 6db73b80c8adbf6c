//! Charges inside one gateway order (several payments of one payment request): once money has
//! settled on a charge, the attempt's `charge_id` never changes, so refunds always go to the
//! money Payrail holds. News about any other charge is evidence about that charge only:
//!
//! * one that took money too is a duplicate payment: recorded once (`duplicate_charges`) and the
//!   payment goes to `needs_review`, as a second paid attempt does;
//! * one that did not (a late failure of a try the customer abandoned) is noted on the timeline
//!   and changes nothing.
//!
//! The settling charge's own money news (duplicates a query lists, its refunded total) is
//! applied by [`Orchestrator::apply_money_news`].

use super::reports::took_money;
use super::transition::Change;
use super::{views, Orchestrator};
use crate::domain::status::{PaymentStatus, Source};
use crate::error::AppResult;
use crate::providers::GatewayReport;
use crate::store::{self, attempts::AttemptRow, payments::PaymentRow, Conn};
use serde_json::json;

/// The report names a charge other than the one the attempt's money settled on.
pub fn about_another_charge(p: &PaymentRow, attempt: &AttemptRow, report: &GatewayReport) -> bool {
    let Some(reported) = report.charge_id.as_deref() else {
        return false;
    };
    let settled_here = p.paid_attempt_id.as_deref() == Some(attempt.id.as_str());
    match attempt.charge_id.as_deref() {
        Some(held) => held != reported && settled_here,
        // Settled before any charge id was known: a charge that took money is the one; any
        // other (a failure) must not become the charge refunds go to.
        None => settled_here && !took_money(report.status),
    }
}

impl Orchestrator {
    /// A report about another charge of the attempt whose money settled the payment.
    pub(super) async fn apply_other_charge(
        &self,
        conn: &mut Conn,
        p: &mut PaymentRow,
        attempt: &AttemptRow,
        report: &GatewayReport,
        source: Source,
    ) -> AppResult<()> {
        let charge = report.charge_id.as_deref().unwrap_or_default();
        if took_money(report.status) {
            return self
                .record_duplicate_charge(conn, p, attempt, charge, &report.provider_status, source)
                .await;
        }
        tracing::info!(payment_id = %p.id, attempt_id = %attempt.id, charge, "news about another charge of a settled attempt; noted only");
        self.note(
            conn,
            &p.id,
            "charge.reported",
            source,
            json!({ "attempt_id": attempt.id, "charge_id": charge, "paid_charge_id": attempt.charge_id, "provider_status": report.provider_status }),
        )
        .await
    }

    /// What a report about the settling attempt says about money beyond its status: how much
    /// arrived, further charges that took money, and how much of the settling charge is
    /// refunded.
    pub(super) async fn apply_money_news(
        &self,
        conn: &mut Conn,
        p: &mut PaymentRow,
        attempt: &AttemptRow,
        report: &GatewayReport,
        source: Source,
    ) -> AppResult<()> {
        self.record_received(conn, p, report, source).await?;
        for extra in &report.extra_charges {
            if attempt.charge_id.as_deref() != Some(extra.as_str()) {
                self.record_duplicate_charge(
                    conn,
                    p,
                    attempt,
                    extra,
                    &report.provider_status,
                    source,
                )
                .await?;
            }
        }
        let status = views::status_of(p);
        let holds_money = status.is_paid() || status == PaymentStatus::NeedsReview;
        if let (Some(total), true) = (&report.refunded, holds_money) {
            // Only a query made now proves a refund absent; a webhook may be stale.
            let live = source != Source::ProviderWebhook;
            self.apply_refund_total(conn, p, attempt, total, source, live)
                .await?;
        }
        Ok(())
    }

    /// A charge that took money after another had settled the attempt: the customer paid
    /// twice. Flagged once; the payment goes to review so one is refunded.
    async fn record_duplicate_charge(
        &self,
        conn: &mut Conn,
        p: &mut PaymentRow,
        attempt: &AttemptRow,
        charge: &str,
        provider_status: &str,
        source: Source,
    ) -> AppResult<()> {
        let now = self.now();
        let new = store::duplicate_charges::record(
            conn,
            &attempt.id,
            charge,
            &p.id,
            provider_status,
            now,
        )
        .await?;
        if !new {
            return Ok(());
        }
        tracing::warn!(payment_id = %p.id, attempt_id = %attempt.id, charge, "a second charge of one order took money");
        self.note(
            conn,
            &p.id,
            "charge.duplicate",
            source,
            json!({ "attempt_id": attempt.id, "charge_id": charge, "paid_charge_id": attempt.charge_id, "provider_status": provider_status }),
        )
        .await?;
        let change = Change {
            to: PaymentStatus::NeedsReview,
            source,
            detail: json!({ "duplicate_charge_id": charge, "attempt_id": attempt.id }),
            status_detail: Some(format!(
                "duplicate_payment: charge {charge} of attempt {} at {} also took money; refund one",
                attempt.id, attempt.provider
            )),
            top_up: false,
        };
        self.apply_change(conn, p, change).await?;
        Ok(())
    }
}
