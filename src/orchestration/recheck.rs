//! Live recheck: ask the payment's gateway for its current record and apply it
//! (docs/api.md, "Payments"). Used by the merchant API (and its cancel), the customer return, ops'
//! bulk rechecks and the reconciler (`reconcile.rs`).

use super::attempt_gateway::AttemptGateway;
use super::reports::ReportOutcome;
use super::{gateway_error, views, Orchestrator};
use crate::domain::status::{PaymentStatus, Source};
use crate::error::{AppError, AppResult};
use crate::providers::{GatewayReport, Outcome};
use crate::store::{self, attempts::AttemptRow, payments::PaymentRow};
use serde_json::{json, Value};

#[derive(Debug, Clone)]
pub struct RecheckResult {
    pub payment: PaymentRow,
    pub previous: PaymentStatus,
    pub current: PaymentStatus,
    pub changed: bool,
    pub reconciled: bool,
    pub provider_status: Option<String>,
}

impl RecheckResult {
    /// No usable answer about the settling attempt: the payment as it stands, not reconciled
    /// (it may still have changed since `previous`, through another attempt's answer).
    fn as_it_stands(payment: PaymentRow, previous: PaymentStatus) -> Self {
        let current = views::status_of(&payment);
        RecheckResult {
            provider_status: payment.provider_status.clone(),
            payment,
            previous,
            current,
            changed: current != previous,
            reconciled: false,
        }
    }

    pub fn to_json(&self, now: chrono::DateTime<chrono::Utc>) -> Value {
        json!({
            "id": self.payment.id,
            "status": self.current,
            "previous_status": self.previous,
            "changed": self.changed,
            "reconciled": self.reconciled,
            "external_id": self.payment.external_id,
            "provider_status": self.provider_status,
            "recheck_time": views::ts(now),
        })
    }
}

/// What `query_attempt` says for a gateway without a query API.
const NO_QUERY: &str = "the gateway has no query API";

impl Orchestrator {
    /// Rechecks one payment of `merchant_id` (`None` for ops and workers: any merchant). An
    /// attempt the gateway reports authorised is confirmed (`confirm`), except in a dry run.
    pub async fn recheck(
        &self,
        merchant_id: Option<&str>,
        payment_id: &str,
        source: Source,
        dry_run: bool,
    ) -> AppResult<RecheckResult> {
        self.recheck_with(merchant_id, payment_id, source, dry_run, !dry_run)
            .await
    }

    /// A recheck that never confirms an authorised attempt (before a merchant's cancel: it must
    /// not move the money the merchant is stopping).
    pub(super) async fn recheck_without_confirm(
        &self,
        merchant_id: Option<&str>,
        payment_id: &str,
        source: Source,
    ) -> AppResult<RecheckResult> {
        self.recheck_with(merchant_id, payment_id, source, false, false)
            .await
    }

    /// The recheck itself: other live attempts first, then the settling one, confirmed at the
    /// gateway when `confirm` and the customer only authorised it.
    async fn recheck_with(
        &self,
        merchant_id: Option<&str>,
        payment_id: &str,
        source: Source,
        dry_run: bool,
        confirm: bool,
    ) -> AppResult<RecheckResult> {
        let (payment, live_others) = self
            .payment_and_live_others(merchant_id, payment_id, dry_run)
            .await?;
        let before = views::status_of(&payment);
        // A hosted payment's other attempts may still take money (the customer went back to
        // another gateway's tab, or money landed on one its gateway had closed): ask about each
        // one the gateway holds too, before the main answer.
        self.recheck_others(payment_id, &live_others, source).await;
        let (payment, attempt) = self
            .settling_attempt_after(payment, !live_others.is_empty())
            .await?;
        let Some(attempt) = attempt else {
            return Ok(RecheckResult::as_it_stands(payment, before));
        };
        if !dry_run {
            // Refunds are their own business: one that cannot be rechecked is logged (by
            // `recheck_refunds`, per refund) and never stops the payment's own recheck.
            if let Err(err) = self.recheck_refunds(payment_id, source).await {
                tracing::warn!(payment_id, error = ?err, "refunds could not be listed for recheck; the payment's recheck goes on");
            }
        }
        let mut outcome = self.query_attempt(&attempt.id).await?;
        if confirm {
            outcome = self
                .confirm_authorised(&payment, &attempt.id, outcome, source)
                .await?;
        }
        if matches!(outcome, Outcome::Declined(ref r) if r == NO_QUERY) {
            return Ok(RecheckResult::as_it_stands(payment, before));
        }
        match outcome {
            Outcome::Succeeded(report) | Outcome::Pending(report) => {
                self.apply_rechecked(&attempt.id, &report, before, source, dry_run)
                    .await
            }
            Outcome::Declined(reason) => {
                tracing::info!(payment_id, %reason, "gateway has no usable record for this payment");
                Ok(RecheckResult::as_it_stands(payment, before))
            }
            Outcome::NotSent(reason) => Err(gateway_error(false, reason)),
            Outcome::Unknown(reason) => Err(gateway_error(true, reason)),
        }
    }

    /// The payment (of `merchant_id`, when given) and, for a hosted payment outside a dry run,
    /// its other attempts that may still hold money: every one but the one that settled it.
    async fn payment_and_live_others(
        &self,
        merchant_id: Option<&str>,
        payment_id: &str,
        dry_run: bool,
    ) -> AppResult<(PaymentRow, Vec<String>)> {
        let mut conn = self.db.acquire().await?;
        let payment = match merchant_id {
            Some(m) => store::payments::get_for_merchant(&mut conn, m, payment_id).await?,
            None => store::payments::get(&mut conn, payment_id).await?,
        }
        .ok_or(AppError::NotFound)?;
        let live_others: Vec<String> = if payment.hosted && !dry_run {
            let settling = self.settling_attempt(&mut conn, &payment).await?;
            store::attempts::for_payment(&mut conn, payment_id)
                .await?
                .into_iter()
                .filter(|o| o.may_hold_money())
                .filter(|o| settling.as_ref().is_none_or(|a| a.id != o.id))
                .map(|o| o.id)
                .collect()
        } else {
            Vec::new()
        };
        Ok((payment, live_others))
    }

    /// Asks about each of `others` in turn and applies the answers; one the gateway could not
    /// answer is logged and does not stop the recheck of the payment itself.
    async fn recheck_others(&self, payment_id: &str, others: &[String], source: Source) {
        for other in others {
            if let Err(err) = self.recheck_attempt(other, source).await {
                tracing::warn!(payment_id, attempt_id = %other, error = %err, "recheck of an earlier attempt failed");
            }
        }
    }

    /// The payment as it stands now (read again when `reread`: other attempts' answers may have
    /// changed it) and the attempt whose record the recheck asks for.
    async fn settling_attempt_after(
        &self,
        payment: PaymentRow,
        reread: bool,
    ) -> AppResult<(PaymentRow, Option<AttemptRow>)> {
        let mut conn = self.db.acquire().await?;
        let payment = if reread {
            store::payments::get(&mut conn, &payment.id)
                .await?
                .ok_or(AppError::NotFound)?
        } else {
            payment
        };
        let attempt = self.settling_attempt(&mut conn, &payment).await?;
        Ok((payment, attempt))
    }

    /// Applies the gateway's record of the settling attempt (or, in a dry run, says what it
    /// would change) and answers whether Payrail now agrees with it.
    async fn apply_rechecked(
        &self,
        attempt_id: &str,
        report: &GatewayReport,
        before: PaymentStatus,
        source: Source,
        dry_run: bool,
    ) -> AppResult<RecheckResult> {
        let provider_status = Some(report.provider_status.clone());
        let ReportOutcome {
            current,
            changed,
            payment,
            target,
            ..
        } = self
            .apply_report(attempt_id, report, source, None, dry_run)
            .await?;
        // Reconciled: the gateway answered and Payrail's status is the one its answer
        // implies (false when the table refused it, e.g. a stale PROCESSING after
        // completed, or when a dry run would still have to change it).
        let reconciled = target == Some(current) && !(dry_run && changed);
        Ok(RecheckResult {
            payment,
            previous: before,
            current,
            changed: changed || current != before,
            reconciled,
            provider_status,
        })
    }

    /// Asks about one attempt and applies the answer (errors only when the gateway could not say).
    pub(super) async fn recheck_attempt(&self, attempt_id: &str, source: Source) -> AppResult<()> {
        match self.query_attempt(attempt_id).await? {
            Outcome::Succeeded(report) | Outcome::Pending(report) => {
                self.apply_report(attempt_id, &report, source, None, false)
                    .await?;
                Ok(())
            }
            Outcome::Declined(_) => Ok(()),
            Outcome::NotSent(reason) => Err(gateway_error(false, reason)),
            Outcome::Unknown(reason) => Err(gateway_error(true, reason)),
        }
    }

    /// Asks the gateway for its current record of one attempt (counted in the metrics).
    /// `Declined(NO_QUERY)` when the gateway has no query API.
    pub async fn query_attempt(&self, attempt_id: &str) -> AppResult<Outcome<GatewayReport>> {
        let (gateway, payment) = self.attempt_to_call(attempt_id).await?;
        let AttemptGateway {
            attempt,
            account,
            adapter,
        } = &gateway;
        if !adapter.capabilities().query {
            return Ok(Outcome::Declined(NO_QUERY.into()));
        }
        if let Some(held) = self.held_off(&account.id).await? {
            return Ok(held);
        }
        let ctx = self.account_context(account)?;
        let request = self.query_request(&payment, attempt)?;
        let outcome = self
            .metrics
            .gateway_call(&account.provider, "query", adapter.query(&ctx, &request))
            .await;
        self.record_throttle(account, &outcome).await;
        Ok(outcome)
    }
}
