//! Recording what the gateway answered to a create: the attempt's state, the payment's
//! checkout, and the payment the merchant (and every later retry with the same key) is
//! answered with. A decline under a key is stored in the same transaction that fails the
//! payment, so no retry can find the payment failed and its key still open.

use super::idempotency::Key;
use super::transition::{attempt::change_attempt, Change};
use super::{gateway_error, Orchestrator};
use crate::domain::attempt_status::AttemptState;
use crate::domain::status::{PaymentStatus, Source};
use crate::error::{AppError, AppResult};
use crate::providers::{CheckoutCreated, Outcome};
use crate::store::{self, attempts::AttemptRow, payments::PaymentRow};
use serde_json::json;

impl Orchestrator {
    pub(super) async fn record_outcome(
        &self,
        mut p: PaymentRow,
        mut attempt: AttemptRow,
        outcome: Outcome<CheckoutCreated>,
        key: Option<&Key>,
    ) -> AppResult<PaymentRow> {
        let mut tx = self.db.begin().await?;
        match outcome {
            Outcome::Succeeded(created) | Outcome::Pending(created) => {
                attempt.external_id = created.external_id.clone();
                attempt.checkout_url = Some(created.checkout_url.clone());
                attempt.provider_status = Some(created.provider_status.clone());
                store::attempts::set_provider_fields(&mut tx, &attempt).await?;
                change_attempt(&mut tx, &mut attempt, AttemptState::Open, Source::Api).await?;
                let mut locked = store::payments::lock(&mut tx, &p.id)
                    .await?
                    .ok_or(AppError::NotFound)?;
                locked.external_id = created.external_id;
                locked.checkout_url = Some(created.checkout_url);
                locked.provider_status = Some(created.provider_status);
                locked.updated_at = self.now();
                store::payments::set_provider_fields(&mut tx, &locked).await?;
                self.note(
                    &mut tx,
                    &p.id,
                    "attempt.created",
                    Source::Api,
                    json!({ "attempt_id": attempt.id, "external_id": locked.external_id }),
                )
                .await?;
                tx.commit().await?;
                Ok(locked)
            }
            Outcome::Declined(reason) => {
                attempt.last_error = Some(reason.clone());
                store::attempts::set_provider_fields(&mut tx, &attempt).await?;
                change_attempt(&mut tx, &mut attempt, AttemptState::Declined, Source::Api).await?;
                self.fail_locked(
                    &mut tx,
                    &p.id,
                    json!({ "provider_rejected": reason }),
                    "provider_rejected",
                )
                .await?;
                let err = AppError::ProviderRejected {
                    provider_message: reason,
                };
                if let Some(k) = key {
                    k.record_refusal(&mut tx, &err).await?;
                }
                tx.commit().await?;
                Err(err)
            }
            Outcome::NotSent(failure) => {
                let reason = failure.reason.clone();
                attempt.last_error = Some(reason.clone());
                store::attempts::set_provider_fields(&mut tx, &attempt).await?;
                change_attempt(&mut tx, &mut attempt, AttemptState::NotSent, Source::Api).await?;
                self.note(
                    &mut tx,
                    &p.id,
                    "attempt.not_sent",
                    Source::Api,
                    json!({ "attempt_id": attempt.id, "reason": reason }),
                )
                .await?;
                if key.is_none() {
                    // Nobody can resume a payment created without a key: close it now.
                    p = self
                        .fail_locked(
                            &mut tx,
                            &p.id,
                            json!({ "reason": reason }),
                            "provider_unavailable",
                        )
                        .await?;
                }
                // Under a key the payment stays resumable: `keyed` releases the key.
                tx.commit().await?;
                tracing::warn!(payment_id = %p.id, %reason, "gateway not reached on create");
                Err(gateway_error(false, failure))
            }
            Outcome::Unknown(failure) => {
                let reason = failure.reason.clone();
                attempt.last_error = Some(reason.clone());
                store::attempts::set_provider_fields(&mut tx, &attempt).await?;
                self.note(
                    &mut tx,
                    &p.id,
                    "attempt.outcome_unknown",
                    Source::Api,
                    json!({ "attempt_id": attempt.id, "reason": reason }),
                )
                .await?;
                tx.commit().await?;
                tracing::warn!(payment_id = %p.id, %reason, "gateway outcome unknown on create; resumable");
                Err(gateway_error(true, failure))
            }
        }
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
