//! The gateway one attempt was sent through: where every later call about that attempt starts
//! (a query, a confirm, a cancel, a refund's recheck). Each of them needs the same three things,
//! read the same way, so they are read here once.
//!
//! The attempt is read afresh for every call: a recheck may just have learnt the gateway's ids.
//! The account's credentials are not opened here: a caller first checks that the gateway can do
//! what it is about to ask (its capabilities), and opens them ([`Orchestrator::account_context`])
//! only for a call it will make.

use super::Orchestrator;
use crate::error::{AppError, AppResult};
use crate::providers::ProviderAdapter;
use crate::store::{self, accounts::AccountRow, attempts::AttemptRow, payments::PaymentRow};
use std::sync::Arc;

/// An attempt, the account it went through, and that account's gateway adapter.
pub struct AttemptGateway {
    pub attempt: AttemptRow,
    pub account: AccountRow,
    pub adapter: Arc<dyn ProviderAdapter>,
}

impl Orchestrator {
    /// The attempt's gateway; `NotFound` when the attempt is gone.
    pub(super) async fn attempt_gateway(&self, attempt_id: &str) -> AppResult<AttemptGateway> {
        let attempt = {
            let mut conn = self.db.acquire().await?;
            store::attempts::get(&mut conn, attempt_id)
                .await?
                .ok_or(AppError::NotFound)?
        };
        self.gateway_of(attempt).await
    }

    /// The attempt's gateway and its payment: what a query or a confirm asks about.
    pub(super) async fn attempt_to_call(
        &self,
        attempt_id: &str,
    ) -> AppResult<(AttemptGateway, PaymentRow)> {
        let (attempt, payment) = {
            let mut conn = self.db.acquire().await?;
            let attempt = store::attempts::get(&mut conn, attempt_id)
                .await?
                .ok_or(AppError::NotFound)?;
            let payment = store::payments::get(&mut conn, &attempt.payment_id)
                .await?
                .ok_or(AppError::NotFound)?;
            (attempt, payment)
        };
        Ok((self.gateway_of(attempt).await?, payment))
    }

    async fn gateway_of(&self, attempt: AttemptRow) -> AppResult<AttemptGateway> {
        let account = self.load_account(&attempt.account_id).await?;
        let (_, adapter) = self.adapter(&account.provider)?;
        Ok(AttemptGateway {
            attempt,
            account,
            adapter,
        })
    }
}
