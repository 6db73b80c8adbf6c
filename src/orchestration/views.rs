//! The JSON shapes merchants see: the payment (short and full), verify, the timeline.
//!
//! Built with `serde_json::json!` in a fixed field order, so the same row always renders to the
//! same bytes (idempotent replays and webhook payloads are compared byte for byte).

use crate::domain::money::{format_minor, Currency};
use crate::domain::status::{merchant_can_cancel, PaymentStatus};
use crate::store::{payments::PaymentRow, payments::PaymentStatusRow, timeline::TimelineRow};
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Value};

pub fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn amount(p: &PaymentRow, minor: i64) -> String {
    match Currency::parse(&p.currency) {
        Some(c) => format_minor(minor, c),
        None => minor.to_string(),
    }
}

fn json_text(raw: &Option<String>) -> Value {
    raw.as_deref()
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or(Value::Null)
}

pub fn status_of(p: &PaymentRow) -> PaymentStatus {
    PaymentStatus::parse(&p.status).unwrap_or(PaymentStatus::Pending)
}

/// The create answer (design §1.3).
pub fn payment_created(p: &PaymentRow) -> Value {
    json!({
        "id": p.id,
        "status": p.status,
        "amount": amount(p, p.amount_minor),
        "currency": p.currency,
        "order_id": p.order_id,
        "provider": p.provider,
        "method": p.method,
        "external_id": p.external_id,
        "checkout_url": p.checkout_url,
        "created_at": ts(p.created_at),
        "expires_at": ts(p.expires_at),
    })
}

/// Which actions are allowed now. `can_query`/`can_refund` come from the gateway's capabilities.
pub fn available_actions(p: &PaymentRow, can_query: bool, can_refund: bool) -> Vec<&'static str> {
    let status = status_of(p);
    let mut actions = Vec::new();
    if can_query && p.provider.is_some() {
        actions.push("recheck");
    }
    if merchant_can_cancel(status) {
        actions.push("cancel");
    }
    if can_refund && status.is_paid() && p.refunded_minor < p.amount_minor {
        actions.push("refund");
    }
    actions
}

/// The full payment (retrieve, list items, webhook `data`).
pub fn payment_full(p: &PaymentRow, actions: &[&str]) -> Value {
    json!({
        "id": p.id,
        "status": p.status,
        "amount": amount(p, p.amount_minor),
        "currency": p.currency,
        "order_id": p.order_id,
        "provider": p.provider,
        "method": p.method,
        "external_id": p.external_id,
        "checkout_url": p.checkout_url,
        "callback_url": p.callback_url,
        "return_url": p.return_url,
        "cancel_url": p.cancel_url,
        "customer": json_text(&p.customer),
        "description": p.description,
        "metadata": json_text(&p.metadata),
        "refunded_amount": amount(p, p.refunded_minor),
        "status_detail": p.status_detail,
        "provider_status": p.provider_status,
        "available_actions": actions,
        "created_at": ts(p.created_at),
        "updated_at": ts(p.updated_at),
        "completed_at": p.completed_at.map(ts),
        "expires_at": ts(p.expires_at),
    })
}

pub fn verify(p: &PaymentStatusRow, now: DateTime<Utc>) -> Value {
    json!({
        "id": p.id,
        "status": p.status,
        "external_id": p.external_id,
        "verification_time": ts(now),
    })
}

pub fn timeline_entry(e: &TimelineRow) -> Value {
    json!({
        "id": e.id,
        "type": e.kind,
        "from_status": e.from_status,
        "to_status": e.to_status,
        "source": e.source,
        "detail": json_text(&e.detail),
        "created_at": ts(e.created_at),
    })
}
