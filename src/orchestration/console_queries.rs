//! What the ops console reads (docs/console.md): the cross-merchant payment search, a payment's
//! whole file (attempts, timeline, refunds, merchant deliveries) and the review queue. Read-only,
//! like `queries.rs`; the console's actions are in `console_actions.rs`.

use super::queries::encode_cursor;
use super::Orchestrator;
use crate::error::{AppError, AppResult};
use crate::store::payments::ListFilter;
use crate::store::{self, attempts::AttemptRow, outbox::OutboxRow, payments::PaymentRow};
use crate::store::{refunds::RefundRow, timeline::TimelineRow};

/// One page of a search, newest first.
pub struct SearchPage {
    pub rows: Vec<PaymentRow>,
    /// The cursor of the next page, when there is one.
    pub next_cursor: Option<String>,
}

/// Everything the console shows about one payment.
pub struct Dossier {
    pub payment: PaymentRow,
    pub actions: Vec<&'static str>,
    /// Newest first.
    pub attempts: Vec<AttemptRow>,
    /// Oldest first.
    pub timeline: Vec<TimelineRow>,
    pub refunds: Vec<RefundRow>,
    /// The merchant events (outbox), oldest first.
    pub deliveries: Vec<OutboxRow>,
}

/// The review queue shows at most this many cases.
pub const REVIEW_QUEUE_LIMIT: i64 = 500;

impl Orchestrator {
    /// One page of payments across merchants (`merchant`: one merchant's only).
    pub async fn search_payments(
        &self,
        merchant: Option<&str>,
        filter: &ListFilter,
        limit: i64,
    ) -> AppResult<SearchPage> {
        let mut conn = self.db.acquire().await?;
        let mut rows = store::payments::list(&mut conn, merchant, filter, limit).await?;
        let has_more = rows.len() as i64 > limit;
        rows.truncate(limit as usize);
        let next_cursor = has_more.then(|| rows.last().map(encode_cursor)).flatten();
        Ok(SearchPage { rows, next_cursor })
    }

    /// A payment's file, for the console's payment page.
    pub async fn payment_dossier(&self, payment_id: &str) -> AppResult<Dossier> {
        let mut conn = self.db.acquire().await?;
        let payment = store::payments::get(&mut conn, payment_id)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(Dossier {
            actions: self.actions_for(&payment),
            attempts: store::attempts::for_payment(&mut conn, payment_id).await?,
            timeline: store::timeline::for_payment(&mut conn, payment_id).await?,
            refunds: store::refunds::for_payment(&mut conn, payment_id).await?,
            deliveries: store::outbox::for_payment(&mut conn, payment_id).await?,
            payment,
        })
    }

    /// Every payment in `needs_review`, oldest first (at most [`REVIEW_QUEUE_LIMIT`]).
    pub async fn review_queue(&self) -> AppResult<Vec<PaymentRow>> {
        let mut conn = self.db.acquire().await?;
        Ok(
            store::payments::oldest_with_status(&mut conn, "needs_review", REVIEW_QUEUE_LIMIT)
                .await?,
        )
    }
}
