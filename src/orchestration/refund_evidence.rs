//! What the gateway tells about refunds, applied: the answer to Payrail's own refund call, a
//! refund webhook, a refund query, and a charge's refunded total (from a payment webhook or a
//! payment query). All of it goes through `refund_state`, under the payment lock.
//!
//! * News about one refund (by Payrail's reference or the gateway's id) settles that refund.
//!   News about a refund Payrail never made, for an order it knows, is a refund made at the
//!   gateway and becomes a refund row of its own.
//! * A charge's refunded total is matched against Payrail's refunds (`domain::refund_totals`):
//!   pending refunds it accounts for complete, an excess nobody accounts for was made at the
//!   gateway, and a live query after a refund's call certainly ended proves the refund absent.
//! * "The gateway holds no such refund" (a lookup by reference) fails a refund only once its
//!   call certainly ended (`workers.refund_settle_secs`).

use super::idempotency::KeyScope;
use super::refund_cap::ceiling_of;
use super::refund_state::GatewayRefund;
use super::Orchestrator;
use crate::domain::money::{Currency, Money};
use crate::domain::refund_status::RefundStatus;
use crate::domain::refund_totals::{self, Pending};
use crate::domain::status::Source;
use crate::error::{AppError, AppResult};
use crate::providers::{AckKind, RefundReport, RefundStatus as Reported, ReportedAmount};
use crate::store::{self, accounts::AccountRow, attempts::AttemptRow, payments::PaymentRow};
use crate::store::{refunds, refunds::RefundRow, Conn};
use chrono::Duration;
use serde_json::json;

/// The cause a refund the gateway does not hold fails with.
const NOT_AT_GATEWAY: &str = "not_at_gateway: the gateway holds no such refund";

impl Orchestrator {
    /// Applies what the gateway says about one refund (its answer, a webhook, a query).
    pub async fn apply_refund_report(
        &self,
        refund_id: &str,
        report: &RefundReport,
        source: Source,
    ) -> AppResult<RefundRow> {
        let mut tx = self.db.begin().await?;
        let (mut r, mut p) = self.lock_refund(&mut tx, refund_id).await?;
        if report.status != Reported::NotFound {
            r.provider_status = Some(report.provider_status.clone());
        }
        if let (None, Some(ext)) = (&r.external_id, &report.external_id) {
            match refunds::by_external_id(&mut tx, &r.attempt_id, ext).await? {
                Some(other) if other.id != r.id => {
                    tracing::warn!(refund_id, other = %other.id, "gateway refund id already belongs to another refund; ignored")
                }
                _ => r.external_id = Some(ext.clone()),
            }
        }
        let target = match report.status {
            Reported::Completed => Some((RefundStatus::Completed, None)),
            Reported::Failed => Some((
                RefundStatus::Failed,
                Some(format!("failed at the gateway: {}", report.provider_status)),
            )),
            Reported::NotFound if self.call_certainly_ended(&r) && source != Source::Api => {
                Some((RefundStatus::Failed, Some(NOT_AT_GATEWAY.to_owned())))
            }
            Reported::NotFound | Reported::Pending | Reported::Unknown => None,
        };
        match target {
            Some((to, why)) => {
                self.change_refund(&mut tx, &mut p, &mut r, to, source, why)
                    .await?;
            }
            None => {
                r.updated_at = self.now();
                refunds::set_provider_fields(&mut tx, &r).await?;
            }
        }
        tx.commit().await?;
        Ok(r)
    }

    /// Records what went wrong with Payrail's own refund call; `failed_as` fails the refund
    /// (the gateway certainly did not refund, and will not), `None` keeps it pending.
    /// `free_key`: the call was never sent, so the refund's idempotency key is freed for a retry
    /// in the same transaction as the failure: a crash can never leave the key answering a
    /// refund that failed without being sent, nor free it while the refund stays pending.
    pub(super) async fn refund_call_failed(
        &self,
        refund_id: &str,
        failed_as: Option<&str>,
        reason: &str,
        free_key: Option<&KeyScope>,
    ) -> AppResult<RefundRow> {
        let mut tx = self.db.begin().await?;
        let (mut r, mut p) = self.lock_refund(&mut tx, refund_id).await?;
        r.last_error = Some(reason.to_owned());
        match failed_as {
            Some(cause) => {
                let why = Some(format!("{cause}: {reason}"));
                self.change_refund(
                    &mut tx,
                    &mut p,
                    &mut r,
                    RefundStatus::Failed,
                    Source::Api,
                    why,
                )
                .await?;
            }
            None => {
                r.updated_at = self.now();
                refunds::set_provider_fields(&mut tx, &r).await?;
            }
        }
        // Only a refund that did fail frees its key (one settled meanwhile keeps answering).
        if let (Some(k), Some(RefundStatus::Failed)) = (free_key, r.status()) {
            store::idempotency::set_refund(&mut tx, &k.merchant_id, &k.key, None).await?;
        }
        tx.commit().await?;
        Ok(r)
    }

    /// A refund's call to the gateway ended long enough ago that the gateway's record shows it.
    pub(super) fn call_certainly_ended(&self, r: &RefundRow) -> bool {
        self.now() - r.created_at >= Duration::seconds(self.settings.workers.refund_settle_secs)
    }

    /// Matches the refunded total a gateway reports for the payment's settling charge against
    /// the payment's refunds, inside the caller's transaction (payment locked). `live`: the
    /// total comes from a query made now (a webhook may be stale and never proves absence).
    pub(super) async fn apply_refund_total(
        &self,
        conn: &mut Conn,
        p: &mut PaymentRow,
        attempt: &AttemptRow,
        total: &ReportedAmount,
        source: Source,
        live: bool,
    ) -> AppResult<()> {
        let Some(reported) = minor_of(total, &p.currency) else {
            self.note(
                conn,
                &p.id,
                "refund.unreadable_total",
                source,
                json!({ "reported": total.value.to_string(), "currency": total.currency }),
            )
            .await?;
            return Ok(());
        };
        // The charge's refunds, read once: every question below is about them.
        let of_charge: Vec<RefundRow> = refunds::for_payment(conn, &p.id)
            .await?
            .into_iter()
            .filter(|r| r.attempt_id == attempt.id)
            .collect();
        if !live && has_reversed_refund(&of_charge) {
            if reported != p.refunded_minor {
                tracing::info!(payment_id = %p.id, reported, counted = p.refunded_minor, "a webhook's refunded total after a refund reversal; it may predate the reversal, so only live reads and refund news count");
            }
            return Ok(());
        }
        let (counted, long_ago) = self.completed_refunds_of(&of_charge);
        let mut pending: Vec<RefundRow> = of_charge
            .into_iter()
            .filter(|r| {
                matches!(
                    r.status(),
                    Some(RefundStatus::Pending | RefundStatus::NeedsReview)
                )
            })
            .collect();
        let view: Vec<Pending> = pending
            .iter()
            .map(|r| Pending {
                amount_minor: r.amount_minor,
                settled_window_passed: self.call_certainly_ended(r),
            })
            .collect();
        if live && reported < p.refunded_minor && reported < counted && long_ago {
            let what = format!(
                "the gateway's refunded total ({reported} minor units) is below the {counted} Payrail counts"
            );
            return self.review_reversed_refund(conn, p, what, source).await;
        }
        let verdict = refund_totals::explain(reported, p.refunded_minor, &view, live);
        if verdict.ambiguous {
            if reported != p.refunded_minor {
                tracing::info!(payment_id = %p.id, reported, settled = p.refunded_minor, "a refunded total no refund combination explains; waiting for clearer news");
            }
            return Ok(());
        }
        let why = format!("the gateway's refunded total ({reported}) shows it");
        for i in &verdict.completed {
            let r = &mut pending[*i];
            self.change_refund(conn, p, r, RefundStatus::Completed, source, None)
                .await?;
            tracing::info!(refund_id = %r.id, %why, "refund settled from the gateway's total");
        }
        for i in &verdict.absent {
            let r = &mut pending[*i];
            if r.status() == Some(RefundStatus::Pending) {
                let why = Some(format!(
                    "{NOT_AT_GATEWAY} (its refunded total is {reported} minor units)"
                ));
                self.change_refund(conn, p, r, RefundStatus::Failed, source, why)
                    .await?;
            }
        }
        if verdict.made_at_gateway > 0 {
            let refund = GatewayRefund {
                amount_minor: verdict.made_at_gateway,
                external_id: None,
                reference: None,
                provider_status: "refunded at the gateway",
            };
            self.record_gateway_refund(conn, p, attempt, refund, source)
                .await?;
        }
        Ok(())
    }

    /// Of a charge's refunds, the completed ones: their sum, and whether the newest settled
    /// longer ago than a gateway may take to show it in its total (`refund_settle_secs`), so a
    /// lower total is not a lagging one.
    fn completed_refunds_of(&self, of_charge: &[RefundRow]) -> (i64, bool) {
        let settle = Duration::seconds(self.settings.workers.refund_settle_secs);
        let completed = || {
            of_charge
                .iter()
                .filter(|r| r.status() == Some(RefundStatus::Completed))
        };
        let newest = completed().map(|r| r.updated_at).max();
        let sum = completed().map(|r| r.amount_minor).sum();
        (sum, newest.is_some_and(|at| self.now() - at >= settle))
    }

    /// A verified refund webhook: applied to the refund it names (by our reference), or, for an
    /// order Payrail knows, recorded as a refund made at the gateway.
    pub async fn apply_refund_webhook(
        &self,
        account: &AccountRow,
        report: &RefundReport,
    ) -> AppResult<(&'static str, Option<String>, AckKind)> {
        let mut conn = self.db.acquire().await?;
        let ours = match report.reference.as_deref() {
            Some(reference) => refunds::by_reference(&mut conn, reference).await?,
            None => None,
        };
        let attempt = match (&ours, &report.payment_external_id) {
            (Some(r), _) => store::attempts::get(&mut conn, &r.attempt_id).await?,
            (None, Some(ext)) => {
                store::attempts::by_external_id(&mut conn, &account.id, ext).await?
            }
            (None, None) => None,
        };
        drop(conn);
        let Some(attempt) = attempt.filter(|a| a.account_id == account.id) else {
            return Ok(("unmatched", None, AckKind::Accepted));
        };
        let payment_id = Some(attempt.payment_id.clone());
        if let Some(r) = ours {
            self.apply_refund_report(&r.id, report, Source::ProviderWebhook)
                .await?;
            return Ok(("applied", payment_id, AckKind::Accepted));
        }
        if report.status != Reported::Completed {
            // A refund made at the gateway counts once it is done.
            return Ok(("noted", payment_id, AckKind::Accepted));
        }
        if !self.settled_by(&attempt).await? {
            // A refund means the gateway took money on this attempt, and Payrail may not know
            // yet (the payment's own news was lost): learn it from the gateway first. If the
            // gateway cannot be asked now, it is asked to send the refund again later.
            if let Err(err) = self
                .recheck_attempt(&attempt.id, Source::ProviderWebhook)
                .await
            {
                tracing::warn!(attempt_id = %attempt.id, error = %err, "could not learn the payment of a refund made at the gateway; asking for a resend");
                return Ok(("unconfirmed", payment_id, AckKind::RetryLater));
            }
        }
        self.record_refund_made_at_gateway(&attempt, report).await?;
        Ok(("applied", payment_id, AckKind::Accepted))
    }

    /// The attempt's money is the one that settled its payment.
    async fn settled_by(&self, attempt: &AttemptRow) -> AppResult<bool> {
        let mut conn = self.db.acquire().await?;
        let p = store::payments::get(&mut conn, &attempt.payment_id)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(p.paid_attempt_id.as_deref() == Some(attempt.id.as_str()))
    }

    /// A completed refund Payrail did not make, of an attempt it knows: a row of its own.
    async fn record_refund_made_at_gateway(
        &self,
        attempt: &AttemptRow,
        report: &RefundReport,
    ) -> AppResult<()> {
        let mut tx = self.db.begin().await?;
        let mut p = store::payments::lock(&mut tx, &attempt.payment_id)
            .await?
            .ok_or(AppError::NotFound)?;
        if p.paid_attempt_id.as_deref() != Some(attempt.id.as_str()) {
            // Not the money Payrail holds as the payment's: evidence about that attempt only.
            self.note(
                &mut tx,
                &p.id,
                "refund.other_attempt",
                Source::ProviderWebhook,
                json!({ "attempt_id": attempt.id, "reference": report.reference, "provider_status": report.provider_status }),
            )
            .await?;
            tx.commit().await?;
            return Ok(());
        }
        // No amount: the whole of what is left (gateways with full refunds only).
        let amount_minor = match &report.amount {
            Some(a) => minor_of(a, &p.currency),
            None => Some(ceiling_of(&p) - p.refunded_minor),
        };
        let Some(amount_minor) = amount_minor else {
            tracing::warn!(payment_id = %p.id, "refund made at the gateway has an unreadable amount; ignored");
            return Ok(());
        };
        let external = report
            .external_id
            .as_deref()
            .or(report.reference.as_deref());
        let refund = GatewayRefund {
            amount_minor,
            external_id: external,
            reference: report.reference.as_deref(),
            provider_status: &report.provider_status,
        };
        self.record_gateway_refund(&mut tx, &mut p, attempt, refund, Source::ProviderWebhook)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// A reported amount in the payment's currency as minor units (`None`: another currency, or
/// more digits than the currency has).
pub(super) fn minor_of(amount: &ReportedAmount, currency: &str) -> Option<i64> {
    if !amount.currency.eq_ignore_ascii_case(currency) {
        return None;
    }
    let currency = Currency::parse(currency)?;
    Money::from_decimal(amount.value, currency).map(|m| m.minor)
}

/// Whether one of a charge's refunds was confirmed reversed. A pushed total may then be older
/// than the reversal (a gateway need not deliver its events in order: Stripe's `charge.refunded`
/// of the refund itself can arrive after its failure), and its excess over what Payrail now
/// counts would read as a refund made at the gateway that never was. So once a refund is
/// reversed, a pushed total is not used: a live read (a recheck, the one confirming a reversal
/// makes) and news about each refund still settle everything.
fn has_reversed_refund(of_charge: &[RefundRow]) -> bool {
    of_charge
        .iter()
        .any(|r| r.status() == Some(RefundStatus::Reversed))
}
