//! Recording what the gateway answered to a create: the attempt's state, the payment's
//! checkout, and the payment the merchant (and every later retry with the same key) is
//! answered with. A decline under a key is stored in the same transaction that fails the
//! payment, so no retry can find the payment failed and its key still open.

use super::idempotency::Key;
use super::transition::attempt::{change_attempt, record_checkout_opened};
use super::transition::Change;
use super::{gateway_error, Orchestrator};
use crate::domain::attempt_status::AttemptState;
use crate::domain::ids::TimelineId;
use crate::domain::status::{PaymentStatus, Source};
use crate::error::{AppError, AppResult};
use crate::providers::{CheckoutCreated, Outcome};
use crate::store::create_rows::{Checkout, KeyAnswer};
use crate::store::timeline::NewEntry;
use crate::store::{self, attempts::AttemptRow, payments::PaymentRow};
use serde_json::json;

impl Orchestrator {
    /// Records the gateway's answer to a create in one transaction (one statement when the
    /// checkout opened, on Postgres), and answers the payment
    /// (opened) or the error the merchant gets (declined, not sent, outcome unknown).
    pub(super) async fn record_outcome(
        &self,
        p: PaymentRow,
        attempt: AttemptRow,
        outcome: Outcome<CheckoutCreated>,
        key: Option<&Key>,
    ) -> AppResult<PaymentRow> {
        match outcome {
            Outcome::Succeeded(created) | Outcome::Pending(created) => {
                self.record_opened(p, attempt, created, key).await
            }
            Outcome::Declined(reason) => {
                let mut tx = self.db.begin().await?;
                let err = self
                    .record_declined(&mut tx, &p.id, attempt, reason, key)
                    .await?;
                tx.commit().await?;
                Err(err)
            }
            Outcome::NotSent(failure) => {
                let reason = failure.reason.clone();
                let mut tx = self.db.begin().await?;
                // Nobody can resume a payment created without a key: close it now. Under a key
                // the payment stays resumable: `keyed` releases the key.
                self.record_not_sent(&mut tx, &p.id, attempt, &reason, key.is_none())
                    .await?;
                tx.commit().await?;
                tracing::warn!(payment_id = %p.id, %reason, "gateway not reached on create");
                Err(gateway_error(false, failure))
            }
            Outcome::Unknown(failure) => {
                let reason = failure.reason.clone();
                let mut tx = self.db.begin().await?;
                self.record_unknown(&mut tx, &p.id, attempt, &reason)
                    .await?;
                tx.commit().await?;
                tracing::warn!(payment_id = %p.id, %reason, "gateway outcome unknown on create; resumable");
                Err(gateway_error(true, failure))
            }
        }
    }

    /// The gateway opened the checkout: the attempt is `open` with the gateway's ids, and the
    /// payment (under its row lock) carries the gateway's order id and checkout URL, written
    /// with the `attempt.created` entry in one statement on Postgres
    /// (`store::create_rows::record_opened`). Under a create's key the answer, rendered from the
    /// payment as it will read, is stored in the same statement unless the payment changed
    /// meanwhile (then `keyed` stores the answer rendered from the row as written). Answers the
    /// payment as written.
    async fn record_opened(
        &self,
        p: PaymentRow,
        mut attempt: AttemptRow,
        created: CheckoutCreated,
        key: Option<&Key>,
    ) -> AppResult<PaymentRow> {
        attempt.external_id = created.external_id.clone();
        attempt.checkout_url = Some(created.checkout_url.clone());
        attempt.provider_status = Some(created.provider_status.clone());
        let now = self.now();
        let detail = json!({ "attempt_id": attempt.id, "external_id": created.external_id });
        let detail = detail.to_string();
        let entry_id = TimelineId::generate();
        let entry = NewEntry {
            id: entry_id.as_str(),
            payment_id: &p.id,
            kind: "attempt.created",
            from_status: None,
            to_status: None,
            source: Source::Api.as_str(),
            detail: Some(&detail),
            at: now,
            sequence: None,
        };
        let checkout = Checkout {
            external_id: created.external_id.as_deref(),
            checkout_url: &created.checkout_url,
            provider_status: &created.provider_status,
            at: now,
        };
        let mut expected = p.clone();
        expected.external_id = created.external_id.clone();
        expected.checkout_url = Some(created.checkout_url.clone());
        expected.provider_status = Some(created.provider_status.clone());
        expected.updated_at = now;
        let rendered = match key.and_then(|k| k.created_view().map(|view| (k, view))) {
            Some((k, view)) => Some((k, view(&expected)?)),
            None => None,
        };
        let answer = rendered.as_ref().map(|(k, r)| KeyAnswer {
            merchant_id: &k.scope.merchant_id,
            key: &k.scope.key,
            status: r.status,
            body: &r.body,
            expect_status: expected.status_str(),
            expect_provider: expected.provider.as_deref(),
            expect_method: expected.method.as_deref(),
        });
        let (written, answered) = record_checkout_opened(
            &self.db,
            &mut attempt,
            Source::Api,
            &checkout,
            &entry,
            answer.as_ref(),
        )
        .await?;
        let written = written.ok_or(AppError::NotFound)?;
        if let (true, Some((k, recorded))) = (answered, rendered) {
            k.stored(recorded);
        }
        Ok(written)
    }

    /// The gateway refused the payment: the attempt is `declined` and the payment `failed`, and
    /// under a key the refusal is stored with them. Answers the error the merchant gets.
    async fn record_declined(
        &self,
        tx: &mut store::Tx,
        payment_id: &str,
        mut attempt: AttemptRow,
        reason: String,
        key: Option<&Key>,
    ) -> AppResult<AppError> {
        record_attempt_error(tx, &mut attempt, &reason).await?;
        change_attempt(tx, &mut attempt, AttemptState::Declined, Source::Api).await?;
        self.fail_locked(
            tx,
            payment_id,
            json!({ "provider_rejected": reason }),
            "provider_rejected",
        )
        .await?;
        let err = AppError::ProviderRejected {
            provider_message: reason,
        };
        if let Some(k) = key {
            k.record_refusal(tx, &err).await?;
        }
        Ok(err)
    }

    /// The gateway was never reached: the attempt is `not_sent`, and the payment fails too when
    /// `close_payment` (nobody can resume it).
    async fn record_not_sent(
        &self,
        tx: &mut store::Tx,
        payment_id: &str,
        mut attempt: AttemptRow,
        reason: &str,
        close_payment: bool,
    ) -> AppResult<()> {
        record_attempt_error(tx, &mut attempt, reason).await?;
        change_attempt(tx, &mut attempt, AttemptState::NotSent, Source::Api).await?;
        self.note(
            tx,
            payment_id,
            "attempt.not_sent",
            Source::Api,
            json!({ "attempt_id": attempt.id, "reason": reason }),
        )
        .await?;
        if close_payment {
            self.fail_locked(
                tx,
                payment_id,
                json!({ "reason": reason }),
                "provider_unavailable",
            )
            .await?;
        }
        Ok(())
    }

    /// The gateway may or may not have the order: the attempt keeps its state (a retry or the
    /// reconciler continues it with the same reference), and the reason is on record.
    async fn record_unknown(
        &self,
        tx: &mut store::Tx,
        payment_id: &str,
        mut attempt: AttemptRow,
        reason: &str,
    ) -> AppResult<()> {
        record_attempt_error(tx, &mut attempt, reason).await?;
        self.note(
            tx,
            payment_id,
            "attempt.outcome_unknown",
            Source::Api,
            json!({ "attempt_id": attempt.id, "reason": reason }),
        )
        .await?;
        Ok(())
    }

    /// Closes the payment as `failed` inside `tx` (the gateway refused it, or nobody can resume it).
    async fn fail_locked(
        &self,
        tx: &mut store::Tx,
        payment_id: &str,
        detail: serde_json::Value,
        status_detail: &str,
    ) -> AppResult<PaymentRow> {
        let mut locked = store::payments::lock(tx, payment_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let change = Change {
            to: PaymentStatus::Failed,
            source: Source::Api,
            detail,
            status_detail: Some(status_detail.into()),
            top_up: false,
        };
        self.apply_change(tx, &mut locked, change).await?;
        Ok(locked)
    }
}

/// Keeps why the gateway call did not open the attempt on the attempt itself.
async fn record_attempt_error(
    tx: &mut store::Tx,
    attempt: &mut AttemptRow,
    reason: &str,
) -> AppResult<()> {
    attempt.last_error = Some(reason.to_owned());
    store::attempts::set_provider_fields(tx, attempt).await?;
    Ok(())
}
