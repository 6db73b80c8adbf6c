//! Gateway webhooks (design §3.3): journal first, verify, then apply through the state machine.
//!
//! Every delivery is journalled with its raw bytes and verification result before anything else.
//! A forged one is never applied. A verified duplicate is acknowledged and not applied again
//! (the dedupe key is claimed in the transaction that applies it). The answer is what the
//! gateway expects, and it is fast: the merchant is told later, from the outbox.

use super::reports::Dedupe;
use super::Orchestrator;
use crate::domain::status::Source;
use crate::error::{AppError, AppResult};
use crate::providers::{
    AckKind, GatewayReport, IncomingWebhook, Outcome, ProviderAdapter, ProviderId, ReportedStatus,
    WebhookAck, WebhookEvent, WebhookVerification,
};
use crate::store::accounts::AccountRow;
use crate::store::{self, webhooks::NewJournalEntry};
use serde_json::{Map, Value};

/// Headers worth keeping in the journal (signatures, timestamps, content type, event names).
fn journal_headers(headers: &[(String, String)]) -> String {
    let keep: Map<String, Value> = headers
        .iter()
        .filter(|(k, _)| {
            k.contains("signature")
                || k.contains("timestamp")
                || k.contains("hmac")
                || k.starts_with("hitpay-")
                || k == "content-type"
                || k == "user-agent"
        })
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    Value::Object(keep).to_string()
}

impl Orchestrator {
    pub async fn ingest_webhook(
        &self,
        provider: &str,
        account_id: &str,
        headers: &[(String, String)],
        path: &str,
        body: &[u8],
    ) -> AppResult<WebhookAck> {
        let provider_id = ProviderId::parse(provider).ok_or(AppError::NotFound)?;
        let adapter = self.providers.get(provider_id).ok_or(AppError::NotFound)?;
        let mut conn = self.db.acquire().await?;
        let account = store::accounts::get(&mut conn, account_id)
            .await?
            .filter(|a| a.provider == provider);
        let hook = IncomingWebhook {
            headers,
            path,
            body,
            now: self.now(),
        };
        let Some(account) = account else {
            store::webhooks::journal(
                &mut conn,
                &NewJournalEntry {
                    provider,
                    account_id: None,
                    headers: &journal_headers(headers),
                    body,
                    verified: false,
                    verification: "unknown account",
                    dedupe_key: None,
                },
            )
            .await?;
            self.metrics.observe_webhook(provider, "unknown_account");
            return Err(AppError::NotFound);
        };
        let ctx = self.account_context(&account)?;
        let verification = adapter.verify_webhook(&ctx, &hook);
        let (verified, verification_text) = match &verification {
            WebhookVerification::Verified { scheme } => (true, format!("verified: {scheme}")),
            WebhookVerification::Rejected { reason } => (false, format!("rejected: {reason}")),
        };
        let parsed = if verified {
            Some(adapter.parse_webhook(&hook))
        } else {
            None
        };
        let dedupe_key = match &parsed {
            Some(Ok(p)) => Some(p.dedupe_key.clone()),
            _ => None,
        };
        let journal_id = store::webhooks::journal(
            &mut conn,
            &NewJournalEntry {
                provider,
                account_id: Some(&account.id),
                headers: &journal_headers(headers),
                body,
                verified,
                verification: &verification_text,
                dedupe_key: dedupe_key.as_deref(),
            },
        )
        .await?;
        drop(conn);

        let (result, payment_id, ack) = match parsed {
            None => {
                tracing::warn!(provider, account_id, %verification_text, "gateway webhook rejected");
                ("rejected", None, AckKind::Rejected)
            }
            Some(Err(reason)) => {
                tracing::warn!(provider, account_id, %reason, "verified gateway webhook could not be parsed");
                ("unparseable", None, AckKind::Accepted)
            }
            Some(Ok(parsed)) => match parsed.event {
                WebhookEvent::Payment(report) => {
                    match self
                        .apply_payment_webhook(
                            &account,
                            adapter.as_ref(),
                            &report,
                            &parsed.dedupe_key,
                        )
                        .await
                    {
                        Ok(answer) => answer,
                        Err(err) => {
                            let mut conn = self.db.acquire().await?;
                            store::webhooks::set_result(&mut conn, journal_id, "failed", None)
                                .await?;
                            self.metrics.observe_webhook(provider, "failed");
                            return Err(err);
                        }
                    }
                }
                WebhookEvent::Refund(report) => {
                    self.apply_refund_webhook(&account, &report).await?
                }
            },
        };
        let mut conn = self.db.acquire().await?;
        store::webhooks::set_result(&mut conn, journal_id, result, payment_id.as_deref()).await?;
        self.metrics.observe_webhook(provider, result);
        Ok(adapter.webhook_ack(ack))
    }

    /// A verified payment webhook: applied directly, or (where the gateway's webhooks are only
    /// hints) confirmed by asking the gateway and applying its answer.
    async fn apply_payment_webhook(
        &self,
        account: &AccountRow,
        adapter: &dyn ProviderAdapter,
        report: &GatewayReport,
        dedupe_key: &str,
    ) -> AppResult<(&'static str, Option<String>, AckKind)> {
        let mut conn = self.db.acquire().await?;
        let attempt = match (&report.reference, &report.external_id) {
            (Some(r), _) => store::attempts::by_reference(&mut conn, &account.id, r).await?,
            (None, Some(e)) => store::attempts::by_external_id(&mut conn, &account.id, e).await?,
            (None, None) => None,
        };
        drop(conn);
        let Some(attempt) = attempt else {
            return Ok(("unmatched", None, AckKind::Accepted));
        };
        let payment_id = Some(attempt.payment_id.clone());
        let dedupe = Dedupe {
            provider: &account.provider,
            account_id: &account.id,
            key: dedupe_key,
        };
        let outcome = if adapter.capabilities().confirm_webhooks {
            // A duplicate need not cost the gateway a confirmation call.
            let mut conn = self.db.acquire().await?;
            if store::webhooks::already_applied(
                &mut conn,
                &account.provider,
                &account.id,
                dedupe_key,
            )
            .await?
            {
                return Ok(("duplicate", payment_id, AckKind::Accepted));
            }
            drop(conn);
            self.remember_gateway_ids(
                &attempt.id,
                report.external_id.as_deref(),
                report.charge_id.as_deref(),
            )
            .await?;
            let confirmed = match self.query_attempt(&attempt.id).await? {
                Outcome::Succeeded(c) | Outcome::Pending(c) => Some(c),
                Outcome::Declined(reason) => {
                    tracing::warn!(attempt_id = %attempt.id, %reason, "the gateway did not confirm its own webhook");
                    None
                }
                Outcome::NotSent(reason) | Outcome::Unknown(reason) => {
                    tracing::warn!(attempt_id = %attempt.id, %reason, "could not confirm a webhook; asking the gateway to resend");
                    return Ok(("unconfirmed", payment_id, AckKind::RetryLater));
                }
            };
            let confirmed_paid = confirmed
                .as_ref()
                .is_some_and(|c| c.status == ReportedStatus::Paid);
            if !confirmed_paid
                && self
                    .claims_mismatched_money(&attempt.payment_id, report)
                    .await?
            {
                // Money arrived but not what was asked, and the gateway will not confirm the
                // payment as asked: ops must look (never completed).
                self.apply_report(
                    &attempt.id,
                    report,
                    Source::ProviderWebhook,
                    Some(dedupe),
                    false,
                )
                .await?
            } else if let Some(c) = confirmed {
                self.apply_report(
                    &attempt.id,
                    &c,
                    Source::ProviderWebhook,
                    Some(dedupe),
                    false,
                )
                .await?
            } else {
                return Ok(("unconfirmed", payment_id, AckKind::Accepted));
            }
        } else {
            self.apply_report(
                &attempt.id,
                report,
                Source::ProviderWebhook,
                Some(dedupe),
                false,
            )
            .await?
        };
        Ok((
            if outcome.duplicate {
                "duplicate"
            } else {
                "applied"
            },
            payment_id,
            AckKind::Accepted,
        ))
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
