//! Turning what a gateway reports (webhook, live query, return) into a state change.
//!
//! The adapter has already mapped the gateway's word to a [`ReportedStatus`]; here it is checked
//! against the payment: money that does not match (amount, currency, underpayment) becomes
//! `needs_review`, never `completed`, and a closed order whose window is still open was cancelled.
//! An underpayment the gateway later shows paid in full settles itself (a top-up). News about
//! another charge than the one that settled the attempt is evidence about that charge only
//! (`charges`); refunds the report shows become refund rows (`refund_evidence`).

pub(crate) use super::report_target::money_problem;
pub use super::report_target::{target_for, took_money, Target, UNDERPAID};
use super::transition::{attempt::change_attempt, Change};
use super::{views, Orchestrator};
use crate::domain::attempt_status::AttemptState;
use crate::domain::status::{decide, decide_top_up, Decision, PaymentStatus, Source};
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
}

/// What a report does to the attempt it is about, besides the gateway's ids and status word.
struct AttemptNews {
    /// A hosted payment's attempt failed, cancelled or expired inside the window: only it closes.
    closes_attempt_only: bool,
    /// It took money after another attempt had.
    double_payment: bool,
    /// Where the report said the payment should be (for the `attempt.closed` entry).
    outcome: Option<PaymentStatus>,
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
        let mut attempt = store::attempts::get(&mut tx, attempt_id)
            .await?
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("attempt {attempt_id} vanished")))?;
        let mut p = store::payments::lock(&mut tx, &attempt.payment_id)
            .await?
            .ok_or_else(|| {
                AppError::Internal(anyhow::anyhow!("payment of {attempt_id} vanished"))
            })?;
        if super::charges::about_another_charge(&p, &attempt, report) {
            // Evidence about that charge only: the money settled here stays where it is.
            if dry_run {
                return Ok(ReportOutcome::unchanged(p, false));
            }
            let previous = views::status_of(&p);
            self.apply_other_charge(&mut tx, &mut p, &attempt, report, source)
                .await?;
            tx.commit().await?;
            let current = views::status_of(&p);
            return Ok(ReportOutcome {
                previous,
                current,
                changed: current != previous,
                duplicate: false,
                target: None,
                payment: p,
            });
        }
        let previous = views::status_of(&p);
        let now = self.now();
        let mut target = target_for(&p, report, now);
        let took_money = took_money(report.status);
        // Money on a second attempt after another one paid: the customer paid twice (once ops
        // settled that duplicate, its news changes nothing any more).
        let another_paid = p.paid_attempt_id.as_ref().is_some_and(|a| *a != attempt.id);
        let settled_duplicate = attempt.state() == Some(AttemptState::DuplicateSettled);
        if another_paid && settled_duplicate {
            target = None;
        }
        let double_payment = took_money && another_paid && !settled_duplicate;
        if double_payment {
            target = previous.is_paid().then(|| Target {
                status: PaymentStatus::NeedsReview,
                status_detail: Some(format!(
                    "duplicate_payment: attempt {} at {} was also paid; refund one",
                    attempt.id, attempt.provider
                )),
            });
        }
        // A hosted payment outlives a failed, cancelled or expired attempt while its window is
        // open: only the attempt closes, and the customer may pick again.
        let closes_attempt_only = p.hosted
            && !double_payment
            && now < p.expires_at
            && target.as_ref().is_some_and(|t| {
                matches!(
                    t.status,
                    PaymentStatus::Failed | PaymentStatus::Cancelled | PaymentStatus::Expired
                )
            });
        let attempt_outcome = target.as_ref().map(|t| t.status);
        if closes_attempt_only {
            target = Some(Target {
                status: previous,
                status_detail: None,
            });
        }
        // Held for an underpayment, now shown paid in full: the customer topped up.
        let top_up = previous == PaymentStatus::NeedsReview
            && p.status_detail
                .as_deref()
                .is_some_and(|d| d.starts_with(UNDERPAID))
            && target
                .as_ref()
                .is_some_and(|t| t.status == PaymentStatus::Completed);
        let decide_for = |to| {
            if top_up {
                decide_top_up(previous, to, source)
            } else {
                decide(previous, to, source)
            }
        };
        let target_status = target.as_ref().map(|t| t.status);

        if dry_run {
            let would = match &target {
                Some(t) if decide_for(t.status) == Decision::Apply => t.status,
                _ => previous,
            };
            return Ok(ReportOutcome {
                previous,
                current: would,
                changed: would != previous,
                duplicate: false,
                target: target_status,
                payment: p,
            });
        }

        let moves = AttemptNews {
            closes_attempt_only,
            double_payment,
            outcome: attempt_outcome,
        };
        self.record_attempt_news(&mut tx, &p, &mut attempt, report, source, moves)
            .await?;

        p.provider_status = Some(report.provider_status.clone());
        if p.external_id.is_none() {
            p.external_id.clone_from(&report.external_id);
        }
        let settles = took_money
            && p.paid_attempt_id.is_none()
            && target
                .as_ref()
                .is_some_and(|t| decide_for(t.status) == Decision::Apply);
        if settles {
            // This attempt's money settled the payment: it is the one refunds and rechecks use.
            p.paid_attempt_id = Some(attempt.id.clone());
            p.provider = Some(attempt.provider.clone());
            p.account_id = Some(attempt.account_id.clone());
            if attempt.external_id.is_some() {
                p.external_id.clone_from(&attempt.external_id);
            }
            store::payments::mark_paid_attempt(&mut tx, &p).await?;
        }
        store::payments::set_provider_fields(&mut tx, &p).await?;
        let mut changed = false;
        if let Some(t) = target {
            let change = Change {
                to: t.status,
                source,
                detail: json!({ "provider_status": report.provider_status, "attempt_id": attempt.id, "topped_up": top_up }),
                status_detail: t.status_detail,
                top_up,
            };
            changed = self.apply_change(&mut tx, &mut p, change).await? == Decision::Apply;
        }
        if p.paid_attempt_id.as_deref() == Some(attempt.id.as_str()) {
            self.apply_money_news(&mut tx, &mut p, &attempt, report, source)
                .await?;
        }
        tx.commit().await?;
        let current = views::status_of(&p);
        Ok(ReportOutcome {
            previous,
            current,
            changed: changed || current != previous,
            duplicate: false,
            target: target_status,
            payment: p,
        })
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
        news: AttemptNews,
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
