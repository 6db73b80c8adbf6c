//! Refunds (design §1.5).

use super::Orchestrator;
use crate::error::AppResult;
use crate::providers::{AckKind, RefundReport};
use crate::store::accounts::AccountRow;

impl Orchestrator {
    /// A verified refund webhook. (Applied by the refunds API; journalled until then.)
    pub async fn apply_refund_webhook(
        &self,
        _account: &AccountRow,
        _report: &RefundReport,
    ) -> AppResult<(&'static str, Option<String>, AckKind)> {
        Ok(("refund_recorded", None, AckKind::Accepted))
    }
}
