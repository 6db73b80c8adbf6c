//! Turning what a gateway reports (webhook, live query, return) into a state change.
//!
//! The adapter has already mapped the gateway's word to a [`ReportedStatus`]; here it is checked
//! against the payment: money that does not match (amount, currency, underpayment) becomes
//! `needs_review`, never `completed`, and a closed order whose window is still open was cancelled.
//! An underpayment the gateway later shows paid in full settles itself (a top-up). News about
//! another charge than the one that settled the attempt is evidence about that charge only
//! (`charges`); refunds the report shows become refund rows (`refund_evidence`).

use super::report_plan::{AttemptNews, ReportPlan};
pub(crate) use super::report_target::money_problem;
pub use super::report_target::{target_for, took_money, Target, UNDERPAID};
use super::transition::{attempt::change_attempt, Change};
use super::{views, Orchestrator};
use crate::domain::attempt_status::AttemptState;
use crate::domain::status::{Decision, PaymentStatus, Source};
use crate::error::{AppError, AppResult};
use crate::providers::GatewayReport;
use crate::store::{self, attempts::AttemptRow, payments::PaymentRow};
use serde_json::json;

/// A verified webhook's identity, claimed in the same transaction as its effect.
pub struct Dedupe<'a> {
    pub provider: &'a str,
    pub account_id: &'a str,
    pub key: &'a str,
}

#[derive(Debug, Clone)]
pub struct ReportOutcome {
    pub previous: PaymentStatus,
    /// The status after applying (or, in a dry run, the status it would have).
    pub current: PaymentStatus,
    pub changed: bool,
    /// The webhook was applied before: nothing done.
    pub duplicate: bool,
    /// Where the report said the payment should be (`None`: it said nothing usable).
    pub target: Option<PaymentStatus>,
    pub payment: PaymentRow,
}

impl ReportOutcome {
    /// Nothing changed (a duplicate webhook, or news about another charge in a dry run).
    fn unchanged(payment: PaymentRow, duplicate: bool) -> Self {
        let status = views::status_of(&payment);
        ReportOutcome {
            previous: status,
            current: status,
            changed: false,
            duplicate,
            target: None,
            payment,
        }
    }

    /// The answer once the report is written: `changed` when its status change was applied or
    /// the payment's status moved anyway (money news can move it).
    fn written(
        previous: PaymentStatus,
        payment: PaymentRow,
        changed: bool,
        target: Option<PaymentStatus>,
    ) -> Self {
        let current = views::status_of(&payment);
        ReportOutcome {
            previous,
            current,
            changed: changed || current != previous,
            duplicate: false,
            target,
            payment,
        }
    }
}

impl Orchestrator {
    /// Applies a gateway report to the payment behind `attempt_id`, under the payment lock.
    pub async fn apply_report(
        &self,
        attempt_id: &str,
        report: &GatewayReport,
        source: Source,
        dedupe: Option<Dedupe<'_>>,
        dry_run: bool,
    ) -> AppResult<ReportOutcome> {
        let mut tx = self.db.begin().await?;
        if let Some(d) = &dedupe {
            if !store::webhooks::claim_dedupe(&mut tx, d.provider, d.account_id, d.key).await? {
                let payment = self.payment_of_attempt(&mut tx, attempt_id).await?;
                return Ok(ReportOutcome::unchanged(payment, true));
            }
        }
        let (mut attempt, mut p) = attempt_and_locked_payment(&mut tx, attempt_id).await?;
        if super::charges::about_another_charge(&p, &attempt, report) {
            // Evidence about that charge only: the money settled here stays where it is.
            if dry_run {
                return Ok(ReportOutcome::unchanged(p, false));
            }
            let previous = views::status_of(&p);
            self.apply_other_charge(&mut tx, &mut p, &attempt, report, source)
                .await?;
            tx.commit().await?;
            return Ok(ReportOutcome::written(previous, p, false, None));
        }
        let plan = ReportPlan::new(&p, &attempt, report, source, self.now());
        let (previous, target) = (plan.previous, plan.target_status());
        if dry_run {
            let would = plan.would_become();
            return Ok(ReportOutcome {
                previous,
                current: would,
                changed: would != previous,
                duplicate: false,
                target,
                payment: p,
            });
        }
        self.record_attempt_news(&mut tx, &p, &mut attempt, report, source, &plan.attempt)
            .await?;
        let changed = self
            .record_payment_news(&mut tx, &mut p, &attempt, report, source, plan)
            .await?;
        tx.commit().await?;
        Ok(ReportOutcome::written(previous, p, changed, target))
    }

    /// Writes what the report tells about the payment: the gateway's status word and ids, the
    /// attempt whose money settled it, the status change, and the money news of the settling
    /// attempt (charges and refunds), in that order. Answers whether the change was applied.
    async fn record_payment_news(
        &self,
        tx: &mut store::Tx,
        p: &mut PaymentRow,
        attempt: &AttemptRow,
        report: &GatewayReport,
        source: Source,
        plan: ReportPlan,
    ) -> AppResult<bool> {
        p.provider_status = Some(report.provider_status.clone());
        if p.external_id.is_none() {
            p.external_id.clone_from(&report.external_id);
        }
        if plan.settles(p) {
            settle_with_attempt(tx, p, attempt).await?;
        }
        store::payments::set_provider_fields(tx, p).await?;
        let mut changed = false;
        if let Some(t) = plan.target {
            let change = Change {
                to: t.status,
                source,
                detail: json!({ "provider_status": report.provider_status, "attempt_id": attempt.id, "topped_up": plan.top_up }),
                status_detail: t.status_detail,
                top_up: plan.top_up,
            };
            changed = self.apply_change(tx, p, change).await? == Decision::Apply;
        }
        if p.paid_attempt_id.as_deref() == Some(attempt.id.as_str()) {
            self.apply_money_news(tx, p, attempt, report, source)
                .await?;
        }
        Ok(changed)
    }

    /// Writes what the report tells about the attempt itself: the gateway's ids and status word,
    /// and its state (opened, closed alone, or flagged as a second payment).
    async fn record_attempt_news(
        &self,
        tx: &mut store::Tx,
        p: &PaymentRow,
        attempt: &mut AttemptRow,
        report: &GatewayReport,
        source: Source,
        news: &AttemptNews,
    ) -> AppResult<()> {
        attempt.provider_status = Some(report.provider_status.clone());
        if attempt.external_id.is_none() {
            attempt.external_id.clone_from(&report.external_id);
        }
        if report.charge_id.is_some() {
            attempt.charge_id.clone_from(&report.charge_id);
        }
        store::attempts::set_provider_fields(tx, attempt).await?;
        if matches!(
            attempt.state(),
            Some(AttemptState::Creating | AttemptState::NotSent)
        ) {
            change_attempt(tx, attempt, AttemptState::Open, source).await?;
        }
        if news.closes_attempt_only
            && change_attempt(tx, attempt, AttemptState::Closed, source).await? == Decision::Apply
        {
            self.note(
                tx,
                &p.id,
                "attempt.closed",
                source,
                json!({ "attempt_id": attempt.id, "provider": attempt.provider, "outcome": news.outcome, "provider_status": report.provider_status }),
            )
            .await?;
        }
        if news.double_payment
            && change_attempt(tx, attempt, AttemptState::DoublePaid, source).await?
                == Decision::Apply
        {
            self.note(
                tx,
                &p.id,
                "attempt.double_payment",
                source,
                json!({ "attempt_id": attempt.id, "provider": attempt.provider, "paid_attempt_id": p.paid_attempt_id, "provider_status": report.provider_status }),
            )
            .await?;
            tracing::warn!(payment_id = %p.id, attempt_id = %attempt.id, "a second attempt reported payment");
        }
        Ok(())
    }

    async fn payment_of_attempt(
        &self,
        conn: &mut store::Conn,
        attempt_id: &str,
    ) -> AppResult<PaymentRow> {
        let attempt = store::attempts::get(conn, attempt_id)
            .await?
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("attempt {attempt_id} vanished")))?;
        store::payments::get(conn, &attempt.payment_id)
            .await?
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("payment of {attempt_id} vanished")))
    }

    /// Keeps ids a gateway told us (in a webhook or on the return URL) on the attempt, so the
    /// next query can use them (a verify may need the transaction id). An id is never
    /// overwritten, and one another attempt of the account already holds is refused: a customer
    /// must not be able to settle order B with the transaction id of order A.
    pub async fn remember_gateway_ids(
        &self,
        attempt_id: &str,
        external_id: Option<&str>,
        charge_id: Option<&str>,
    ) -> AppResult<()> {
        if external_id.is_none() && charge_id.is_none() {
            return Ok(());
        }
        let mut tx = self.db.begin().await?;
        let mut attempt = store::attempts::get(&mut tx, attempt_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let account = attempt.account_id.clone();
        if let (None, Some(e)) = (&attempt.external_id, external_id) {
            match store::attempts::by_external_id(&mut tx, &account, e).await? {
                Some(other) if other.id != attempt.id => {
                    tracing::warn!(attempt_id, other = %other.id, "gateway order id already belongs to another attempt; ignored")
                }
                _ => attempt.external_id = Some(e.to_owned()),
            }
        }
        if let (None, Some(c)) = (&attempt.charge_id, charge_id) {
            match store::attempts::by_charge_id(&mut tx, &account, c).await? {
                Some(other) if other.id != attempt.id => {
                    tracing::warn!(attempt_id, other = %other.id, "gateway charge id already belongs to another attempt; ignored")
                }
                _ => attempt.charge_id = Some(c.to_owned()),
            }
        }
        store::attempts::set_provider_fields(&mut tx, &attempt).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The attempt a report is about, and its payment under the row lock: reports about one
/// payment apply one at a time, each seeing what the one before wrote. The attempt is read again
/// once the lock is held, so a change made meanwhile is never written over with a stale copy.
async fn attempt_and_locked_payment(
    tx: &mut store::Tx,
    attempt_id: &str,
) -> AppResult<(AttemptRow, PaymentRow)> {
    let vanished = || AppError::Internal(anyhow::anyhow!("attempt {attempt_id} vanished"));
    let payment_id = store::attempts::get(tx, attempt_id)
        .await?
        .ok_or_else(vanished)?
        .payment_id;
    let p = store::payments::lock(tx, &payment_id)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("payment of {attempt_id} vanished")))?;
    let attempt = store::attempts::get(tx, attempt_id)
        .await?
        .ok_or_else(vanished)?;
    Ok((attempt, p))
}

/// This attempt's money settled the payment: it becomes the one refunds and rechecks use, and
/// the payment takes its gateway, account and order id.
async fn settle_with_attempt(
    tx: &mut store::Tx,
    p: &mut PaymentRow,
    attempt: &AttemptRow,
) -> AppResult<()> {
    p.paid_attempt_id = Some(attempt.id.clone());
    p.provider = Some(attempt.provider.clone());
    p.account_id = Some(attempt.account_id.clone());
    if attempt.external_id.is_some() {
        p.external_id.clone_from(&attempt.external_id);
    }
    store::payments::mark_paid_attempt(tx, p).await?;
    Ok(())
}
