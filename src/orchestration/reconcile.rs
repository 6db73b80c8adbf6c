//! Settles what webhooks did not: every open payment (`pending`/`processing`, including those
//! whose create outcome is unknown) is rechecked on a schedule — about 1 min after creation,
//! every 5 min for the first hour, then hourly — and expired once its checkout window plus the
//! grace period has passed while the gateway still reports no money. An underpayment in review
//! is rechecked on the same schedule until its window and grace close (the customer may top
//! up), and so is every pending refund until the gateway's evidence settles it; one still
//! unsettled after `workers.refund_review_secs` goes to review.
//!
//! Each run claims due work with a lease before asking any gateway, so the job is recorded
//! first and two instances never recheck one payment or refund at once. The reconciler worker
//! only calls [`Orchestrator::reconcile_due`] on a timer: expiring a payment is a status change
//! like any other, so it is made here, through the transition module.

use super::transition::Change;
use super::{views, Orchestrator};
use crate::domain::refund_status::RefundStatus;
use crate::domain::status::{Decision, PaymentStatus, Source};
use crate::error::AppResult;
use crate::store;
use chrono::{DateTime, Duration, Utc};
use serde_json::json;

#[derive(Debug, Default, PartialEq, Eq)]
pub struct ReconcileReport {
    pub checked: u32,
    pub changed: u32,
    pub expired: u32,
    pub failed: u32,
    /// Pending refunds asked about, and how many went to review.
    pub refunds_checked: u32,
    pub refunds_reviewed: u32,
}

const LEASE_SECS: i64 = 120;

/// When to ask again about a payment created at `created_at`, after a recheck at `now`.
pub fn next_recheck(created_at: DateTime<Utc>, now: DateTime<Utc>) -> DateTime<Utc> {
    if now - created_at < Duration::hours(1) {
        now + Duration::minutes(5)
    } else {
        now + Duration::hours(1)
    }
}

impl Orchestrator {
    /// One reconciler pass: every due open payment, then every due pending refund.
    pub async fn reconcile_due(&self) -> AppResult<ReconcileReport> {
        let now = self.now();
        let claimed = {
            let mut conn = self.db.acquire().await?;
            store::payments::claim_rechecks(
                &mut conn,
                now,
                now + Duration::seconds(LEASE_SECS),
                self.settings.workers.batch,
            )
            .await?
        };
        let mut report = ReconcileReport::default();
        for payment in claimed {
            self.reconcile_payment(&payment, now, &mut report).await?;
        }
        self.settle_refunds(now, &mut report).await?;
        self.metrics
            .observe_reconcile(report.checked, report.changed + report.expired);
        Ok(report)
    }

    /// Rechecks one claimed payment, expires it when its window and grace are past and the
    /// gateway reports no money, and schedules the next recheck (or none once it is settled).
    async fn reconcile_payment(
        &self,
        payment: &store::payments::PaymentRow,
        now: DateTime<Utc>,
        report: &mut ReconcileReport,
    ) -> AppResult<()> {
        report.checked += 1;
        let grace = Duration::seconds(self.settings.workers.expiry_grace_secs);
        let result = self
            .recheck(None, &payment.id, Source::Reconciler, false)
            .await;
        let (status, latest) = match &result {
            Ok(r) => {
                report.changed += u32::from(r.changed);
                (r.current, &r.payment)
            }
            Err(err) => {
                report.failed += 1;
                tracing::warn!(payment_id = %payment.id, error = %err, "reconciler recheck failed; will try again");
                (views::status_of(payment), payment)
            }
        };
        // Expire only on the gateway's word that no money is on its way.
        let past_window = now > payment.expires_at + grace;
        if result.is_ok()
            && status == PaymentStatus::Pending
            && past_window
            && self.expire(&payment.id).await?
        {
            report.expired += 1;
        }
        let topping_up =
            status == PaymentStatus::NeedsReview && is_underpaid(latest) && !past_window;
        let next = (status.is_open() || topping_up).then(|| next_recheck(payment.created_at, now));
        let mut conn = self.db.acquire().await?;
        store::payments::set_next_recheck(&mut conn, &payment.id, next).await?;
        Ok(())
    }

    /// Rechecks the payments of due pending refunds (one recheck settles every refund of a
    /// payment), sends to review those unsettled for too long, and schedules the rest again.
    async fn settle_refunds(
        &self,
        now: DateTime<Utc>,
        report: &mut ReconcileReport,
    ) -> AppResult<()> {
        let claimed = {
            let mut conn = self.db.acquire().await?;
            store::refunds::claim_rechecks(
                &mut conn,
                now,
                now + Duration::seconds(LEASE_SECS),
                self.settings.workers.batch,
            )
            .await?
        };
        let mut payments: Vec<&str> = claimed.iter().map(|r| r.payment_id.as_str()).collect();
        payments.sort_unstable();
        payments.dedup();
        for payment_id in payments {
            report.refunds_checked += 1;
            if let Err(err) = self
                .recheck(None, payment_id, Source::Reconciler, false)
                .await
            {
                tracing::warn!(payment_id, error = %err, "refund recheck failed; will try again");
            }
            report.refunds_reviewed += self.review_stale_refunds(payment_id).await?;
        }
        for r in &claimed {
            let mut conn = self.db.acquire().await?;
            let still_pending = store::refunds::get(&mut conn, &r.id)
                .await?
                .is_some_and(|r| r.status() == Some(RefundStatus::Pending));
            let next = still_pending.then(|| next_recheck(r.created_at, now));
            store::refunds::set_next_recheck(&mut conn, &r.id, next).await?;
        }
        Ok(())
    }

    /// Expires a payment under its row lock; false when the table refused the change (it moved
    /// on since the recheck).
    async fn expire(&self, payment_id: &str) -> AppResult<bool> {
        let mut tx = self.db.begin().await?;
        let Some(mut p) = store::payments::lock(&mut tx, payment_id).await? else {
            return Ok(false);
        };
        let change = Change {
            to: PaymentStatus::Expired,
            source: Source::Reconciler,
            detail: json!({ "reason": "checkout window and grace period passed without payment" }),
            status_detail: None,
            top_up: false,
        };
        let applied = self.apply_change(&mut tx, &mut p, change).await?;
        tx.commit().await?;
        Ok(applied == Decision::Apply)
    }
}

fn is_underpaid(p: &store::payments::PaymentRow) -> bool {
    p.status_detail
        .as_deref()
        .is_some_and(|d| d.starts_with(super::reports::UNDERPAID))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_five_minutes_in_the_first_hour_then_hourly() {
        let created = Utc::now();
        assert_eq!(
            next_recheck(created, created + Duration::minutes(1)),
            created + Duration::minutes(6)
        );
        assert_eq!(
            next_recheck(created, created + Duration::minutes(59)),
            created + Duration::minutes(64)
        );
        assert_eq!(
            next_recheck(created, created + Duration::minutes(61)),
            created + Duration::minutes(121)
        );
    }
}
