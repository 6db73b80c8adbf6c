//! Confirming a payment the customer only approved.
//!
//! At some gateways the customer's approval moves no money: the merchant must then execute (or
//! capture) the payment, and until it does the gateway holds an authorised, unpaid record. The
//! adapter reports that as [`ReportedStatus::Authorized`]; a recheck that finds it (after the
//! customer's return, from the reconciler, ops or the merchant's own recheck) calls the
//! adapter's `confirm`, and the answer is applied like any report, under the payment lock. So a
//! customer who approved and closed the browser before coming back is paid by the next recheck,
//! not lost. A merchant's cancel rechecks without confirming: it must never move the money it is
//! trying to stop.
//!
//! Money moves only while Payrail still wants it: the payment open, and not past its checkout
//! window plus the expiry grace (then the reconciler expires it, and the unconfirmed approval at
//! the gateway lapses). Confirming twice is safe by the adapter's contract (the gateway refuses
//! a second execute and the adapter answers its record), so concurrent returns and retries after
//! a lost answer confirm once in effect.

use super::{views, Orchestrator};
use crate::domain::status::Source;
use crate::error::AppResult;
use crate::providers::{GatewayReport, Outcome, ReportedStatus};
use crate::store::payments::PaymentRow;
use chrono::Duration;
use serde_json::json;

/// The operation's name in the gateway-call metrics and the timeline.
const CONFIRM: &str = "confirm";

impl Orchestrator {
    /// When `queried` reports the attempt authorised and Payrail may still take the money,
    /// confirms it and answers the confirmation's outcome; otherwise answers `queried` as it is.
    /// A declined confirmation moved nothing: the query's report stands.
    pub(super) async fn confirm_authorised(
        &self,
        payment: &PaymentRow,
        attempt_id: &str,
        queried: Outcome<GatewayReport>,
        source: Source,
    ) -> AppResult<Outcome<GatewayReport>> {
        let authorised = matches!(
            &queried,
            Outcome::Succeeded(r) | Outcome::Pending(r) if r.status == ReportedStatus::Authorized
        );
        if !authorised || !self.may_confirm(payment) {
            return Ok(queried);
        }
        let confirmed = self.confirm_attempt(attempt_id).await?;
        let mut conn = self.db.acquire().await?;
        self.note(
            &mut conn,
            &payment.id,
            "attempt.confirm",
            source,
            json!({ "attempt_id": attempt_id, "outcome": confirmed.label() }),
        )
        .await?;
        Ok(match confirmed {
            Outcome::Declined(reason) => {
                tracing::info!(payment_id = %payment.id, attempt_id, %reason, "the gateway declined to confirm; the authorised record stands");
                queried
            }
            other => other,
        })
    }

    /// Open, and not past its window and grace (the reconciler's expiry line).
    fn may_confirm(&self, payment: &PaymentRow) -> bool {
        let grace = Duration::seconds(self.settings.workers.expiry_grace_secs);
        views::status_of(payment).is_open() && self.now() <= payment.expires_at + grace
    }

    /// Asks the attempt's gateway to confirm it (counted in the metrics). Like a query it honours
    /// a throttle the gateway asked for (another instance may have been told since the query)
    /// and shares one it is told, so no instance calls the account again before `Retry-After`.
    async fn confirm_attempt(&self, attempt_id: &str) -> AppResult<Outcome<GatewayReport>> {
        let (gateway, payment) = self.attempt_to_call(attempt_id).await?;
        let account = &gateway.account;
        if let Some(held) = self.held_off(&account.id).await? {
            return Ok(held);
        }
        let ctx = self.account_context(account)?;
        let request = self.query_request(&payment, &gateway.attempt)?;
        let confirm = gateway.adapter.confirm(&ctx, &request);
        let outcome = self
            .metrics
            .gateway_call(&account.provider, CONFIRM, confirm)
            .await;
        self.record_throttle(account, &outcome).await;
        Ok(outcome)
    }
}
