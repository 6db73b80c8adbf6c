//! Settling refunds Payrail does not know the outcome of: asking the gateway about each one it
//! can look up, and (by the reconciler only) sending to review a refund the gateway's evidence
//! never settled within `workers.refund_review_secs`.
//!
//! A refund is never sent twice: everything here only reads the gateway's record. Gateways that
//! cannot look a refund up by Payrail's reference (`refund_lookup_by_reference: false`) settle it from the refunded total of
//! the payment's query instead, which `recheck` applies right after these lookups.

use super::Orchestrator;
use crate::domain::refund_status::RefundStatus;
use crate::domain::status::Source;
use crate::error::{AppError, AppResult};
use crate::providers::Outcome;
use crate::store::{self, refunds, refunds::RefundRow};
use chrono::Duration;

impl Orchestrator {
    /// Asks the gateway about every unsettled refund of a payment it can look up (part of a
    /// recheck). A refund that cannot be rechecked (its account unreadable, its answer not
    /// writable) is logged and skipped: it stops neither the other refunds nor the recheck of the
    /// payment itself, and the next recheck asks again (nothing of it was written). Answers how
    /// many refunds could not be rechecked; `Err` only when the refunds could not be listed.
    pub async fn recheck_refunds(&self, payment_id: &str, source: Source) -> AppResult<usize> {
        let unsettled = {
            let mut conn = self.db.acquire().await?;
            refunds::unsettled_for_payment(&mut conn, payment_id).await?
        };
        let mut failed = 0;
        for r in unsettled {
            if let Err(err) = self.recheck_refund(&r, source).await {
                // The error's text only (a store or gateway error): never credentials.
                tracing::warn!(payment_id, refund_id = %r.id, error = ?err, "refund recheck failed; the payment's recheck goes on");
                failed += 1;
            }
        }
        Ok(failed)
    }

    /// Asks the gateway about one unsettled refund, where it can look it up, and applies the
    /// answer.
    async fn recheck_refund(&self, r: &RefundRow, source: Source) -> AppResult<()> {
        let gateway = self.attempt_gateway(&r.attempt_id).await?;
        let caps = gateway.adapter.capabilities();
        if !caps.refund || (r.external_id.is_none() && !caps.refund_lookup_by_reference) {
            return Ok(());
        }
        let ctx = self.account_context(&gateway.account)?;
        let outcome = self
            .metrics
            .gateway_call(
                &gateway.account.provider,
                "query_refund",
                gateway
                    .adapter
                    .query_refund(&ctx, &r.reference, r.external_id.as_deref()),
            )
            .await;
        match outcome {
            Outcome::Succeeded(report) | Outcome::Pending(report) => {
                self.apply_refund_report(&r.id, &report, source).await?;
            }
            other => {
                tracing::info!(refund_id = %r.id, outcome = other.label(), "refund recheck learnt nothing")
            }
        }
        Ok(())
    }

    /// Sends to review every refund of the payment still pending after
    /// `workers.refund_review_secs`: the gateway's evidence never settled it, so ops must.
    pub async fn review_stale_refunds(&self, payment_id: &str) -> AppResult<u32> {
        let limit = Duration::seconds(self.settings.workers.refund_review_secs);
        let mut tx = self.db.begin().await?;
        let mut p = store::payments::lock(&mut tx, payment_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let mut reviewed = 0;
        for mut r in refunds::unsettled_for_payment(&mut tx, payment_id).await? {
            if r.status() != Some(RefundStatus::Pending) || self.now() - r.created_at < limit {
                continue;
            }
            let why = Some(format!(
                "unconfirmed: the gateway has not confirmed or denied this refund within {}s{}",
                limit.num_seconds(),
                r.last_error
                    .as_deref()
                    .map(|e| format!(" (last error: {e})"))
                    .unwrap_or_default()
            ));
            self.change_refund(
                &mut tx,
                &mut p,
                &mut r,
                RefundStatus::NeedsReview,
                Source::Reconciler,
                why,
            )
            .await?;
            reviewed += 1;
        }
        tx.commit().await?;
        Ok(reviewed)
    }
}
