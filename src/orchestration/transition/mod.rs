//! The single place a payment's, an attempt's or a refund's status changes.
//!
//! The caller holds the payment row lock (`store::payments::lock`) inside a transaction; this
//! asks the transition table, writes the row, the timeline entry and the merchant's outbox event,
//! all in that transaction. A refused or repeated change writes nothing but a log line.
//! Attempts ([`attempt`]) and refunds ([`refund`]) change here too, each through its own table
//! in `domain`.
//!
//! # Why nothing else can change a status
//!
//! Like mini-redis's `Db` (its state is private, changed only through a few methods), the row
//! types keep their status private: `PaymentRow::status()`, `AttemptRow::state()` and
//! `RefundRow::status()` read it, typed. Changing it, in memory (`set_status`) or in the
//! database (`store::…::write_status`), takes a [`StatusPermit`], whose only field is private to
//! this module: nothing outside `transition` can make one, so a status change anywhere else does
//! not compile. The store has no "save the whole row" either, only field-specific updates, so
//! there is no back door through which a status edited in memory could be written.
//!
//! What was tried outside this module, and does not compile (each is a `compile_fail` doctest
//! pinned to its error code, so it fails if the code ever compiles or fails for another reason):
//!
//! Setting a payment's status field directly (E0616, the field is private):
//!
//! ```compile_fail,E0616
//! fn mark_paid(p: &mut payrail::store::payments::PaymentRow) {
//!     p.status = "completed".to_owned();
//! }
//! ```
//!
//! Setting it through the row's setter with a permit made outside (E0423, the permit's field is
//! private, so it cannot be built here):
//!
//! ```compile_fail,E0423
//! use payrail::domain::status::PaymentStatus;
//! use payrail::orchestration::transition::StatusPermit;
//! fn mark_paid(p: &mut payrail::store::payments::PaymentRow) {
//!     p.set_status(PaymentStatus::Completed, &StatusPermit(()));
//! }
//! ```
//!
//! Writing it through the store with a permit made outside (E0423 again):
//!
//! ```compile_fail,E0423
//! use payrail::orchestration::transition::StatusPermit;
//! async fn mark_paid(conn: &mut payrail::store::Conn, p: &payrail::store::payments::PaymentRow) {
//!     payrail::store::payments::write_status(conn, p, &StatusPermit(())).await.unwrap();
//! }
//! ```
//!
//! Writing it through the store without one (E0061: the permit is a required argument):
//!
//! ```compile_fail,E0061
//! async fn mark_paid(conn: &mut payrail::store::Conn, p: &payrail::store::payments::PaymentRow) {
//!     payrail::store::payments::write_status(conn, p).await.unwrap();
//! }
//! ```
//!
//! The same holds for attempts (`AttemptRow::set_state`, `store::attempts::write_state`) and
//! refunds (`RefundRow::set_status`, `store::refunds::write_status`):
//!
//! ```compile_fail,E0423
//! use payrail::domain::attempt_status::AttemptState;
//! use payrail::orchestration::transition::StatusPermit;
//! fn close(a: &mut payrail::store::attempts::AttemptRow) {
//!     a.set_state(AttemptState::Closed, &StatusPermit(()));
//! }
//! ```
//!
//! ```compile_fail,E0423
//! use payrail::orchestration::transition::StatusPermit;
//! async fn fail(conn: &mut payrail::store::Conn, r: &payrail::store::refunds::RefundRow) {
//!     payrail::store::refunds::write_status(conn, r, &StatusPermit(())).await.unwrap();
//! }
//! ```

use super::{views, Orchestrator};
use crate::domain::ids::{EventId, TimelineId};
use crate::domain::status::{
    decide, decide_top_up, is_late_payment, Decision, PaymentStatus, Source,
};
use crate::error::{AppError, AppResult};
use crate::store::{
    self, payments::PaymentRow, timeline::NewEntry, timeline::NewOutboxEvent, Conn,
};
use serde_json::Value;

pub mod attempt;
pub mod refund;

/// The right to change a status. Its field is private to this module, so only the transition
/// code can make one; the row setters and the store's status writes each ask for one.
pub struct StatusPermit(());

/// The permit, for the code of this module and its children only.
const PERMIT: StatusPermit = StatusPermit(());

pub struct Change {
    pub to: PaymentStatus,
    pub source: Source,
    /// Why, for the timeline (`detail`).
    pub detail: Value,
    /// Shown to the merchant as `status_detail` (e.g. `late_payment`, `amount_mismatch: …`).
    pub status_detail: Option<String>,
    /// The gateway shows an underpayment under review paid in full since (the customer topped
    /// up): `needs_review → completed` is then the gateway's to make (`decide_top_up`).
    pub top_up: bool,
}

/// A merchant webhook's body (docs/api.md, "Merchant webhooks"); `data` is the payment or the
/// refund.
#[derive(serde::Serialize)]
struct EventPayload<'a, D> {
    id: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
    created_at: String,
    sequence: i32,
    data: D,
}

impl Orchestrator {
    /// Applies `change` to the locked payment `p` (updated in place on success).
    pub async fn apply_change(
        &self,
        conn: &mut Conn,
        p: &mut PaymentRow,
        change: Change,
    ) -> AppResult<Decision> {
        let from = views::status_of(p);
        let decision = if change.top_up {
            decide_top_up(from, change.to, change.source)
        } else {
            decide(from, change.to, change.source)
        };
        if decision != Decision::Apply {
            tracing::info!(
                payment_id = %p.id, from = %from, to = %change.to, source = change.source.as_str(),
                decision = ?decision, "status change not applied"
            );
            return Ok(decision);
        }
        let now = self.now();
        p.set_status(change.to, &PERMIT);
        p.status_detail = if is_late_payment(from, change.to) {
            Some("late_payment".to_owned())
        } else {
            change.status_detail
        };
        // Ops settling a short payment whose money went back land on a refunded status directly.
        if change.to.is_paid() && p.completed_at.is_none() {
            p.completed_at = Some(now);
        }
        p.updated_at = now;
        p.event_sequence += 1;
        store::payments::write_status(conn, p, &PERMIT).await?;

        let event_type = format!("payment.{}", change.to);
        let detail = change.detail.to_string();
        store::timeline::insert(
            conn,
            &NewEntry {
                id: TimelineId::generate().as_str(),
                payment_id: &p.id,
                kind: &event_type,
                from_status: Some(from.as_str()),
                to_status: Some(change.to.as_str()),
                source: change.source.as_str(),
                detail: Some(&detail),
                at: now,
                sequence: Some(p.event_sequence),
            },
        )
        .await?;
        self.enqueue_event(conn, p, &event_type).await?;
        tracing::info!(payment_id = %p.id, from = %from, to = %change.to, source = change.source.as_str(), "payment status changed");
        Ok(decision)
    }

    /// Writes the merchant webhook for the payment's current state into the outbox.
    async fn enqueue_event(
        &self,
        conn: &mut Conn,
        p: &PaymentRow,
        event_type: &str,
    ) -> AppResult<()> {
        let actions = self.actions_for(p);
        self.enqueue_event_with_data(conn, p, event_type, views::payment_full(p, &actions))
            .await
    }

    /// Writes one merchant event (`data` is the payment, or the refund for `refund.*`) with the
    /// payment's current `event_sequence`, to its `callback_url` or the merchant's default URL.
    pub async fn enqueue_event_with_data(
        &self,
        conn: &mut Conn,
        p: &PaymentRow,
        event_type: &str,
        data: impl serde::Serialize,
    ) -> AppResult<()> {
        let now = self.now();
        let target = match &p.callback_url {
            Some(url) => Some(url.clone()),
            None => store::merchants::get(conn, &p.merchant_id)
                .await?
                .and_then(|m| m.webhook_url),
        };
        let id = EventId::generate();
        let payload = serde_json::to_string(&EventPayload {
            id: id.as_str(),
            kind: event_type,
            created_at: views::ts(now),
            sequence: p.event_sequence,
            data,
        })
        .map_err(|e| AppError::Internal(e.into()))?;
        store::timeline::enqueue(
            conn,
            &NewOutboxEvent {
                id: id.as_str(),
                merchant_id: &p.merchant_id,
                payment_id: &p.id,
                kind: event_type,
                sequence: p.event_sequence,
                payload: &payload,
                target_url: target.as_deref(),
                at: now,
            },
        )
        .await?;
        Ok(())
    }

    /// A timeline entry that is not a status change (attempt created, gateway error, …).
    pub async fn note(
        &self,
        conn: &mut Conn,
        payment_id: &str,
        kind: &str,
        source: Source,
        detail: Value,
    ) -> AppResult<()> {
        self.timeline_entry(conn, payment_id, kind, source, detail, None)
            .await
    }

    /// The timeline entry of a merchant event that is not a status change (`refund.*`), with
    /// the payment's current event sequence.
    pub async fn event_note(
        &self,
        conn: &mut Conn,
        p: &PaymentRow,
        kind: &str,
        source: Source,
        detail: Value,
    ) -> AppResult<()> {
        self.timeline_entry(conn, &p.id, kind, source, detail, Some(p.event_sequence))
            .await
    }

    async fn timeline_entry(
        &self,
        conn: &mut Conn,
        payment_id: &str,
        kind: &str,
        source: Source,
        detail: Value,
        sequence: Option<i32>,
    ) -> AppResult<()> {
        let detail = detail.to_string();
        store::timeline::insert(
            conn,
            &NewEntry {
                id: TimelineId::generate().as_str(),
                payment_id,
                kind,
                from_status: None,
                to_status: None,
                source: source.as_str(),
                detail: Some(&detail),
                at: self.now(),
                sequence,
            },
        )
        .await?;
        Ok(())
    }

    /// `available_actions` for a payment, from its gateway's declared capabilities.
    pub fn actions_for(&self, p: &PaymentRow) -> Vec<&'static str> {
        let (can_query, can_refund) = self.query_refund_caps(p.provider.as_deref());
        views::available_actions(p, can_query, can_refund)
    }

    /// Whether the gateway named `provider` can be queried and can refund (false for none).
    pub fn query_refund_caps(&self, provider: Option<&str>) -> (bool, bool) {
        let caps = provider
            .and_then(crate::providers::ProviderId::parse)
            .and_then(|id| self.providers.get(id))
            .map(|a| *a.capabilities());
        (
            caps.is_some_and(|c| c.query),
            caps.is_some_and(|c| c.refund),
        )
    }
}
