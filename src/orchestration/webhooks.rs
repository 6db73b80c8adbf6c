//! Gateway webhooks (docs/gateways/README.md, "Incoming gateway webhooks"): journal first, verify,
//! then apply through the state machine.
//!
//! Every delivery to a known account is journalled with its raw bytes (up to a cap) and
//! verification result before anything else; one to an unknown account is only counted, so
//! the public endpoint cannot be used to fill the store (`webhook_journal` says what is kept).
//! A forged one is never applied. A verified duplicate is acknowledged and not applied again
//! (the dedupe key is claimed in the transaction that applies it). The answer is what the
//! gateway expects, and it is fast: the merchant is told later, from the outbox.

use super::reports::{Dedupe, ReportOutcome};
use super::webhook_journal::{journal_headers, Journalled};
use super::Orchestrator;
use crate::domain::ids::AccountId;
use crate::domain::status::Source;
use crate::error::{AppError, AppResult};
use crate::providers::{
    AckKind, GatewayReport, IncomingWebhook, Outcome, ParsedWebhook, ProviderAdapter, ProviderId,
    ReportedStatus, WebhookAck, WebhookEvent, WebhookVerification,
};
use crate::store;
use crate::store::{accounts::AccountRow, attempts::AttemptRow};
use std::sync::Arc;

/// One delivery to `POST /v1/webhooks/{provider}/{account_id}/`, as received.
pub struct ReceivedWebhook<'a> {
    pub provider: &'a str,
    pub account_id: &'a str,
    /// Lower-case names.
    pub headers: &'a [(String, String)],
    pub path: &'a str,
    /// Every byte received (at most `limits::MAX_REQUEST_BODY`).
    pub body: &'a [u8],
}

/// What the journal row says happened, and the answer the gateway gets.
type Settled = (&'static str, Option<String>, AckKind);

/// What the journal row says happened to a matched payment webhook, and the answer the
/// gateway gets.
type Verdict = (&'static str, AckKind);

impl Orchestrator {
    /// Journals and applies one delivery. Only a delivery to a known account is journalled, and
    /// only when `admit(account_id, verified)` lets it (a per-account rate limit the caller
    /// keeps; `Err(secs)` answers 429 `rate_limited` with `Retry-After`). Deliveries that are
    /// not journalled are counted in `payrail_gateway_webhooks_dropped_total`.
    pub async fn ingest_webhook(
        &self,
        received: &ReceivedWebhook<'_>,
        admit: impl FnOnce(&str, bool) -> Result<(), u64>,
    ) -> AppResult<WebhookAck> {
        let provider = received.provider;
        let (adapter, account) = self.webhook_target(received).await?;
        let hook = IncomingWebhook {
            headers: received.headers,
            path: received.path,
            body: received.body,
            now: self.now(),
        };
        let ctx = self.account_context(&account)?;
        let (verified, verification_text) = match adapter.verify_webhook(&ctx, &hook) {
            WebhookVerification::Verified { scheme } => (true, format!("verified: {scheme}")),
            WebhookVerification::Rejected { reason } => (false, format!("rejected: {reason}")),
        };
        if let Err(retry_after_secs) = admit(&account.id, verified) {
            self.metrics
                .observe_webhook_dropped(provider, "rate_limited");
            return Err(AppError::RateLimited { retry_after_secs });
        }
        let parsed = verified.then(|| adapter.parse_webhook(&hook));
        let dedupe_key = match &parsed {
            Some(Ok(p)) => Some(p.dedupe_key.as_str()),
            _ => None,
        };
        let journal_id = self
            .journal_delivery(&Journalled {
                provider,
                account_id: &account.id,
                headers: journal_headers(
                    received.headers,
                    adapter.id().descriptor().webhook_header_prefixes,
                ),
                body: received.body,
                verified,
                verification: &verification_text,
                dedupe_key,
            })
            .await?;
        let (result, payment_id, ack) = match parsed {
            None => {
                tracing::warn!(provider, account_id = %account.id, %verification_text, "gateway webhook rejected");
                ("rejected", None, AckKind::Rejected)
            }
            Some(Err(reason)) => {
                tracing::warn!(provider, account_id = %account.id, %reason, "verified gateway webhook could not be parsed");
                ("unparseable", None, AckKind::Accepted)
            }
            Some(Ok(parsed)) => {
                self.apply_journalled(&account, adapter.as_ref(), parsed, journal_id)
                    .await?
            }
        };
        let mut conn = self.db.acquire().await?;
        store::webhooks::set_result(&mut conn, journal_id, result, payment_id.as_deref()).await?;
        self.metrics.observe_webhook(provider, result);
        Ok(adapter.webhook_ack(ack))
    }

    /// Writes the journal row (every field within its cap); its id.
    async fn journal_delivery(&self, delivery: &Journalled<'_>) -> AppResult<i64> {
        let mut conn = self.db.acquire().await?;
        Ok(store::webhooks::journal(&mut conn, &delivery.entry()).await?)
    }

    /// Applies a verified, parsed webhook; when that fails the journal row says so, and the
    /// gateway's retry is processed again.
    async fn apply_journalled(
        &self,
        account: &AccountRow,
        adapter: &dyn ProviderAdapter,
        parsed: ParsedWebhook,
        journal_id: i64,
    ) -> AppResult<Settled> {
        let applied = match parsed.event {
            WebhookEvent::Payment(report) => {
                self.apply_payment_webhook(account, adapter, &report, &parsed.dedupe_key)
                    .await
            }
            WebhookEvent::Refund(report) => self.apply_refund_webhook(account, &report).await,
        };
        if applied.is_err() {
            let mut conn = self.db.acquire().await?;
            store::webhooks::set_result(&mut conn, journal_id, "failed", None).await?;
            self.metrics.observe_webhook(&account.provider, "failed");
        }
        applied
    }

    /// The adapter and the account a delivery is for; 404 (counted, never journalled) when the
    /// provider or the account is unknown. A segment that is not an account id is not looked up.
    async fn webhook_target(
        &self,
        received: &ReceivedWebhook<'_>,
    ) -> AppResult<(Arc<dyn ProviderAdapter>, AccountRow)> {
        let adapter = ProviderId::parse(received.provider).and_then(|p| self.providers.get(p));
        let Some(adapter) = adapter else {
            self.metrics
                .observe_webhook_dropped("unknown", "unknown_provider");
            return Err(AppError::NotFound);
        };
        let account = match AccountId::parse(received.account_id) {
            Some(id) => {
                let mut conn = self.db.acquire().await?;
                store::accounts::get(&mut conn, id.as_str())
                    .await?
                    .filter(|a| a.provider == received.provider)
            }
            None => None,
        };
        let Some(account) = account else {
            self.metrics
                .observe_webhook_dropped(received.provider, "unknown_account");
            return Err(AppError::NotFound);
        };
        Ok((adapter, account))
    }

    /// A verified payment webhook: applied directly, or (where the gateway's webhooks are only
    /// hints) confirmed by asking the gateway and applying its answer.
    async fn apply_payment_webhook(
        &self,
        account: &AccountRow,
        adapter: &dyn ProviderAdapter,
        report: &GatewayReport,
        dedupe_key: &str,
    ) -> AppResult<Settled> {
        let Some(attempt) = self.attempt_reported_on(account, report).await? else {
            return Ok(("unmatched", None, AckKind::Accepted));
        };
        let payment_id = Some(attempt.payment_id.clone());
        let dedupe = Dedupe {
            provider: &account.provider,
            account_id: &account.id,
            key: dedupe_key,
        };
        let (result, ack) = if adapter.capabilities().confirm_webhooks {
            self.apply_confirmed_webhook(account, &attempt, report, dedupe)
                .await?
        } else {
            let outcome = self
                .apply_report(
                    &attempt.id,
                    report,
                    Source::ProviderWebhook,
                    Some(dedupe),
                    false,
                )
                .await?;
            applied(&outcome)
        };
        Ok((result, payment_id, ack))
    }

    /// The attempt a payment webhook is about: by Payrail's reference, else by the gateway's
    /// order id, only among this account's attempts.
    async fn attempt_reported_on(
        &self,
        account: &AccountRow,
        report: &GatewayReport,
    ) -> AppResult<Option<AttemptRow>> {
        let mut conn = self.db.acquire().await?;
        Ok(match (&report.reference, &report.external_id) {
            (Some(r), _) => store::attempts::by_reference(&mut conn, &account.id, r).await?,
            (None, Some(e)) => store::attempts::by_external_id(&mut conn, &account.id, e).await?,
            (None, None) => None,
        })
    }

    /// A webhook from a gateway whose signature is weak evidence: the gateway is asked for its
    /// own record and that is applied, except that money the webhook claims but does not match
    /// (and the gateway will not confirm as paid) is applied as claimed, so ops must look (never
    /// completed). A duplicate costs no call.
    async fn apply_confirmed_webhook(
        &self,
        account: &AccountRow,
        attempt: &AttemptRow,
        report: &GatewayReport,
        dedupe: Dedupe<'_>,
    ) -> AppResult<Verdict> {
        let mut conn = self.db.acquire().await?;
        if store::webhooks::already_applied(&mut conn, &account.provider, &account.id, dedupe.key)
            .await?
        {
            return Ok(("duplicate", AckKind::Accepted));
        }
        drop(conn);
        self.remember_gateway_ids(
            &attempt.id,
            report.external_id.as_deref(),
            report.charge_id.as_deref(),
        )
        .await?;
        let confirmed = match self.confirm_webhook(&attempt.id).await? {
            Ok(confirmed) => confirmed,
            Err(unconfirmed) => return Ok(unconfirmed),
        };
        let confirmed_paid = confirmed
            .as_ref()
            .is_some_and(|c| c.status == ReportedStatus::Paid);
        let to_apply = if !confirmed_paid
            && self
                .claims_mismatched_money(&attempt.payment_id, report)
                .await?
        {
            report
        } else if let Some(c) = &confirmed {
            c
        } else {
            return Ok(("unconfirmed", AckKind::Accepted));
        };
        let outcome = self
            .apply_report(
                &attempt.id,
                to_apply,
                Source::ProviderWebhook,
                Some(dedupe),
                false,
            )
            .await?;
        Ok(applied(&outcome))
    }

    /// Asks the gateway for its record of the attempt a webhook named: `Ok(None)` when it has
    /// none usable; when it could not be asked, the gateway is told to send the webhook again.
    async fn confirm_webhook(
        &self,
        attempt_id: &str,
    ) -> AppResult<Result<Option<GatewayReport>, Verdict>> {
        Ok(match self.query_attempt(attempt_id).await? {
            Outcome::Succeeded(c) | Outcome::Pending(c) => Ok(Some(c)),
            Outcome::Declined(reason) => {
                tracing::warn!(attempt_id = %attempt_id, %reason, "the gateway did not confirm its own webhook");
                Ok(None)
            }
            Outcome::NotSent(reason) | Outcome::Unknown(reason) => {
                tracing::warn!(attempt_id = %attempt_id, %reason, "could not confirm a webhook; asking the gateway to resend");
                Err(("unconfirmed", AckKind::RetryLater))
            }
        })
    }

    /// The webhook says "paid" with an amount or currency that does not settle the payment.
    async fn claims_mismatched_money(
        &self,
        payment_id: &str,
        report: &GatewayReport,
    ) -> AppResult<bool> {
        if report.status != ReportedStatus::Paid {
            return Ok(false);
        }
        let mut conn = self.db.acquire().await?;
        let p = store::payments::get(&mut conn, payment_id)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(super::reports::money_problem(&p, report).is_some())
    }
}

/// The verdict on a webhook that went through `apply_report`: a duplicate when its dedupe key
/// had been claimed already.
fn applied(outcome: &ReportOutcome) -> Verdict {
    let result = if outcome.duplicate {
        "duplicate"
    } else {
        "applied"
    };
    (result, AckKind::Accepted)
}
