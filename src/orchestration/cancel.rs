//! Cancelling a payment that is not paid yet (docs/api.md, "Payments").
//!
//! The gateway is asked first: a payment that turns out to be paid (or on its way) is not
//! cancelled. Where the gateway has a cancel API (`cancel: true`) it is cancelled there too.
//! A keyed cancel runs under [`Orchestrator::keyed`] like every keyed call.

use super::transition::Change;
use super::{gateway_error, views, Orchestrator};
use crate::domain::status::{Decision, PaymentStatus, Source};
use crate::error::{AppError, AppResult};
use crate::providers::Outcome;
use crate::store::{self, payments::PaymentRow};
use serde_json::json;

/// A cancelled payment and what may still be done with it (its full view).
#[derive(Debug)]
pub struct Cancelled {
    pub payment: PaymentRow,
    pub actions: Vec<&'static str>,
}

impl Cancelled {
    pub fn view(&self) -> views::PaymentFull<'_> {
        views::payment_full(&self.payment, &self.actions)
    }
}

/// Who cancels: the merchant (API) or ops (the console), as the timeline records it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Canceller {
    Merchant,
    /// Ops in the console: the entry's source is `admin`, its operator `console`.
    Console,
}

impl Canceller {
    fn change(self) -> Change {
        let (source, detail, status_detail) = match self {
            Canceller::Merchant => (
                Source::Api,
                json!({ "reason": "cancelled by the merchant" }),
                "cancelled_by_merchant",
            ),
            Canceller::Console => (
                Source::Admin,
                json!({ "reason": "cancelled by ops", "operator": "console" }),
                "cancelled_by_ops",
            ),
        };
        Change {
            to: PaymentStatus::Cancelled,
            source,
            detail,
            status_detail: Some(status_detail.into()),
            top_up: false,
        }
    }
}

impl Orchestrator {
    /// Cancels the payment, or refuses with `InvalidState` when it cannot be cancelled.
    pub async fn cancel(&self, merchant_id: &str, payment_id: &str) -> AppResult<Cancelled> {
        self.cancel_by(merchant_id, payment_id, Canceller::Merchant)
            .await
    }

    /// [`Orchestrator::cancel`], saying who cancels.
    pub async fn cancel_by(
        &self,
        merchant_id: &str,
        payment_id: &str,
        by: Canceller,
    ) -> AppResult<Cancelled> {
        let mut conn = self.db.acquire().await?;
        let payment = store::payments::get_for_merchant(&mut conn, merchant_id, payment_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let attempt = self.settling_attempt(&mut conn, &payment).await?;
        drop(conn);
        let at_gateway = attempt.as_ref().is_some_and(|a| a.is_live());
        if views::status_of(&payment) == PaymentStatus::Pending && at_gateway {
            // Learn whether money arrived before cancelling (never confirming an authorised
            // attempt: that would move the money the merchant is stopping).
            let checked = self
                .recheck_without_confirm(Some(merchant_id), payment_id, Source::Recheck)
                .await?;
            if checked.current == PaymentStatus::Pending {
                if let Some(a) = attempt.as_ref() {
                    self.cancel_at_gateway(&checked.payment, &a.id).await?;
                }
            }
        }

        let mut tx = self.db.begin().await?;
        let mut locked = store::payments::lock(&mut tx, payment_id)
            .await?
            .ok_or(AppError::NotFound)?;
        match self.apply_change(&mut tx, &mut locked, by.change()).await? {
            Decision::Apply | Decision::Unchanged => {
                tx.commit().await?;
                let actions = self.actions_for(&locked);
                Ok(Cancelled {
                    payment: locked,
                    actions,
                })
            }
            Decision::Refused => Err(AppError::InvalidState(format!(
                "the payment is {}; it cannot be cancelled",
                locked.status_str()
            ))),
        }
    }

    async fn cancel_at_gateway(
        &self,
        p: &store::payments::PaymentRow,
        attempt_id: &str,
    ) -> AppResult<()> {
        // Read again: the recheck may just have learnt the gateway's ids.
        let gateway = self.attempt_gateway(attempt_id).await?;
        if !gateway.adapter.capabilities().cancel {
            return Ok(());
        }
        let ctx = self.account_context(&gateway.account)?;
        let request = self.query_request(p, &gateway.attempt)?;
        let outcome = self
            .metrics
            .gateway_call(
                &gateway.account.provider,
                "cancel",
                gateway.adapter.cancel(&ctx, &request),
            )
            .await;
        match outcome {
            Outcome::Succeeded(()) | Outcome::Pending(()) => Ok(()),
            Outcome::Declined(reason) => Err(AppError::InvalidState(format!(
                "the gateway refused to cancel: {reason}"
            ))),
            Outcome::NotSent(reason) => Err(gateway_error(false, reason)),
            Outcome::Unknown(reason) => Err(gateway_error(true, reason)),
        }
    }
}
