//! The JSON shapes merchants see: the payment (short and full), verify, the timeline.
//!
//! Each is a `Serialize` struct that borrows the row, so a response is written straight into its
//! bytes without building a `serde_json::Value` map first (issue 7: the `Value` path cost about
//! 100 k instructions per list row). Fields serialise in declaration order, so the same row always
//! renders to the same bytes (idempotent replays and webhook payloads are compared byte for byte).
//! Stored JSON text (`customer`, `metadata`, timeline `detail`) is passed through as written,
//! after a check that it is JSON; anything else renders as `null`.

use super::refund_cap::ceiling_of;
use crate::domain::money::{format_minor, Currency};
use crate::domain::status::{merchant_can_cancel, PaymentStatus};
use crate::store::{payments::PaymentRow, payments::PaymentStatusRow, timeline::TimelineRow};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use serde_json::value::RawValue;

pub fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn amount(p: &PaymentRow, minor: i64) -> String {
    match Currency::parse(&p.currency) {
        Some(c) => format_minor(minor, c),
        None => minor.to_string(),
    }
}

fn json_text(raw: &Option<String>) -> Option<&RawValue> {
    raw.as_deref().and_then(|s| serde_json::from_str(s).ok())
}

pub fn status_of(p: &PaymentRow) -> PaymentStatus {
    p.status()
}

/// The fields the create answer and the full payment open with.
#[derive(Serialize)]
struct Head<'a> {
    id: &'a str,
    status: &'a str,
    amount: String,
    currency: &'a str,
    order_id: &'a str,
    provider: Option<&'a str>,
    method: Option<&'a str>,
    external_id: Option<&'a str>,
    checkout_url: Option<&'a str>,
}

fn head(p: &PaymentRow) -> Head<'_> {
    Head {
        id: &p.id,
        status: p.status_str(),
        amount: amount(p, p.amount_minor),
        currency: &p.currency,
        order_id: &p.order_id,
        provider: p.provider.as_deref(),
        method: p.method.as_deref(),
        external_id: p.external_id.as_deref(),
        checkout_url: p.checkout_url.as_deref(),
    }
}

/// The create answer (docs/api.md, "Payments").
#[derive(Serialize)]
pub struct PaymentCreated<'a> {
    #[serde(flatten)]
    head: Head<'a>,
    created_at: String,
    expires_at: String,
}

pub fn payment_created(p: &PaymentRow) -> PaymentCreated<'_> {
    PaymentCreated {
        head: head(p),
        created_at: ts(p.created_at),
        expires_at: ts(p.expires_at),
    }
}

/// Which actions are allowed now. `can_query`/`can_refund` come from the gateway's capabilities.
pub fn available_actions(p: &PaymentRow, can_query: bool, can_refund: bool) -> Vec<&'static str> {
    let facts = ActionFacts {
        status: status_of(p),
        has_provider: p.provider.is_some(),
        refunded_minor: p.refunded_minor,
        refund_ceiling: ceiling_of(p),
    };
    action_list(&facts, can_query, can_refund)
        .into_iter()
        .flatten()
        .collect()
}

/// What `available_actions` depends on in a payment.
pub struct ActionFacts {
    pub status: PaymentStatus,
    pub has_provider: bool,
    pub refunded_minor: i64,
    /// The most its refunds may add up to (`domain::paid_money::refund_ceiling`).
    pub refund_ceiling: i64,
}

/// The allowed actions in their documented order, without allocating (the list renders one
/// set per row).
pub fn action_list(
    p: &ActionFacts,
    can_query: bool,
    can_refund: bool,
) -> [Option<&'static str>; 3] {
    [
        (can_query && p.has_provider).then_some("recheck"),
        merchant_can_cancel(p.status).then_some("cancel"),
        (can_refund && p.status.is_paid() && p.refunded_minor < p.refund_ceiling)
            .then_some("refund"),
    ]
}

/// The full payment (retrieve, list items, webhook `data`).
#[derive(Serialize)]
pub struct PaymentFull<'a> {
    #[serde(flatten)]
    head: Head<'a>,
    callback_url: Option<&'a str>,
    return_url: Option<&'a str>,
    cancel_url: Option<&'a str>,
    customer: Option<&'a RawValue>,
    description: Option<&'a str>,
    metadata: Option<&'a RawValue>,
    refunded_amount: String,
    status_detail: Option<&'a str>,
    provider_status: Option<&'a str>,
    available_actions: &'a [&'a str],
    created_at: String,
    updated_at: String,
    completed_at: Option<String>,
    expires_at: String,
}

pub fn payment_full<'a>(p: &'a PaymentRow, actions: &'a [&'a str]) -> PaymentFull<'a> {
    PaymentFull {
        head: head(p),
        callback_url: p.callback_url.as_deref(),
        return_url: p.return_url.as_deref(),
        cancel_url: p.cancel_url.as_deref(),
        customer: json_text(&p.customer),
        description: p.description.as_deref(),
        metadata: json_text(&p.metadata),
        refunded_amount: amount(p, p.refunded_minor),
        status_detail: p.status_detail.as_deref(),
        provider_status: p.provider_status.as_deref(),
        available_actions: actions,
        created_at: ts(p.created_at),
        updated_at: ts(p.updated_at),
        completed_at: p.completed_at.map(ts),
        expires_at: ts(p.expires_at),
    }
}

/// A payment with its `available_actions`, owned: what retrieve and list hand to the HTTP layer.
pub struct OwnedPayment {
    pub row: PaymentRow,
    pub actions: Vec<&'static str>,
}

impl Serialize for OwnedPayment {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        payment_full(&self.row, &self.actions).serialize(s)
    }
}

/// The DB-only verify answer.
#[derive(Serialize)]
pub struct Verified {
    id: String,
    status: String,
    external_id: Option<String>,
    verification_time: String,
}

pub fn verify(p: PaymentStatusRow, now: DateTime<Utc>) -> Verified {
    Verified {
        id: p.id,
        status: p.status,
        external_id: p.external_id,
        verification_time: ts(now),
    }
}

#[derive(Serialize)]
pub struct TimelineEntry<'a> {
    id: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
    from_status: Option<&'a str>,
    to_status: Option<&'a str>,
    source: &'a str,
    detail: Option<&'a RawValue>,
    created_at: String,
}

pub fn timeline_entry(e: &TimelineRow) -> TimelineEntry<'_> {
    TimelineEntry {
        id: &e.id,
        kind: &e.kind,
        from_status: e.from_status.as_deref(),
        to_status: e.to_status.as_deref(),
        source: &e.source,
        detail: json_text(&e.detail),
        created_at: ts(e.created_at),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> PaymentRow {
        // The status is private to the row: the store builds the sample.
        crate::store::payments::sample_row_for_tests()
    }

    /// The opening fields `row()` renders to, shared by both answers.
    macro_rules! head {
        () => {
            concat!(
                r#"{"id":"pay_1","status":"completed","amount":"1500.00","currency":"BDT","#,
                r#""order_id":"order-1","provider":"paystablecoin","method":"usdt","#,
                r#""external_id":"ext-1","checkout_url":"https://pay.example/1","#,
            )
        };
    }

    #[test]
    fn the_full_payment_renders_its_fields_in_the_documented_order() {
        let p = row();
        let json = serde_json::to_string(&payment_full(&p, &["recheck", "refund"])).unwrap();
        assert_eq!(
            json,
            concat!(
                head!(),
                r#""callback_url":null,"return_url":"https://shop.example/r","cancel_url":null,"#,
                r#""customer":{"email":"a@example.com"},"description":"two \"quoted\" words","#,
                r#""metadata":null,"refunded_amount":"5.00","status_detail":null,"#,
                r#""provider_status":"PAID","available_actions":["recheck","refund"],"#,
                r#""created_at":"2026-11-21T10:00:00Z","updated_at":"2026-11-21T10:05:00Z","#,
                r#""completed_at":"2026-11-21T10:05:00Z","expires_at":"2026-11-21T11:00:00Z"}"#
            )
        );
    }

    #[test]
    fn the_create_answer_is_the_payment_head_with_its_times() {
        let p = row();
        let json = serde_json::to_string(&payment_created(&p)).unwrap();
        assert_eq!(
            json,
            concat!(
                head!(),
                r#""created_at":"2026-11-21T10:00:00Z","expires_at":"2026-11-21T11:00:00Z"}"#
            )
        );
    }
}
