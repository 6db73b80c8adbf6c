//! `/console/payments/{id}`: one payment's file (summary, attempts, the timeline with causes,
//! refunds, merchant deliveries with their answers) and the forms of the actions it allows.

use super::page::{html, Chrome, Page};
use super::session::{self, Session};
use super::{fmt, payments::Row};
use crate::domain::ids::PaymentId;
use crate::domain::refund_status::RefundStatus;
use crate::domain::status::PaymentStatus;
use crate::error::AppError;
use crate::http::AppState;
use crate::orchestration::{console_queries::Dossier, review};
use crate::store::timeline::TimelineRow;
use actix_web::{web, HttpRequest};
use askama::Template;
use serde_json::Value;

/// Characters of an answer or detail shown.
const SNIPPET: usize = 300;

struct Fact {
    label: &'static str,
    value: String,
}

struct AttemptView {
    id: String,
    gateway: String,
    state: String,
    external_id: String,
    provider_status: String,
    last_error: String,
    created_at: String,
}

struct EntryView {
    at: String,
    kind: String,
    change: String,
    source: String,
    detail: String,
}

struct RefundView {
    id: String,
    status: String,
    amount: String,
    origin: String,
    reason: String,
    created_at: String,
    /// How ops may settle it now (`settle_as` value, label); empty when they may not.
    settle: Vec<(&'static str, &'static str)>,
}

struct DeliveryView {
    id: String,
    kind: String,
    sequence: i32,
    attempts: i32,
    state: &'static str,
    last_status: String,
    last_error: String,
}

struct AttemptSent {
    at: String,
    event: String,
    status: String,
    outcome: String,
    answer: String,
}

#[derive(Template)]
#[template(path = "console/payment.html")]
struct PaymentTemplate {
    chrome: Chrome,
    p: Row,
    facts: Vec<Fact>,
    done: Option<&'static str>,
    can_recheck: bool,
    can_cancel: bool,
    can_refund: bool,
    in_review: bool,
    settle_options: Vec<(&'static str, &'static str)>,
    attempts: Vec<AttemptView>,
    timeline: Vec<EntryView>,
    refunds: Vec<RefundView>,
    deliveries: Vec<DeliveryView>,
    sent: Vec<AttemptSent>,
}

/// What the `done` query of the redirect after an action says (fixed texts only).
fn done_text(key: &str) -> Option<&'static str> {
    Some(match key {
        "recheck" => "Rechecked with the gateway.",
        "cancel" => "Cancelled.",
        "refund" => "Refund requested.",
        "redeliver" => "The event is scheduled for delivery.",
        "resolve" => "The review is settled.",
        "resolve_refund" => "The refund is settled.",
        _ => return None,
    })
}

fn str_of(v: &Value, key: &str) -> String {
    match &v[key] {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn entry(e: &TimelineRow) -> EntryView {
    let change = match (&e.from_status, &e.to_status) {
        (Some(f), Some(t)) => format!("{f} → {t}"),
        (None, Some(t)) => format!("→ {t}"),
        _ => String::new(),
    };
    EntryView {
        at: fmt::time(e.created_at),
        kind: e.kind.clone(),
        change,
        source: e.source.clone(),
        detail: fmt::snippet(fmt::opt(&e.detail), SNIPPET),
    }
}

/// Delivery attempts, from the timeline's `webhook.attempt` entries.
fn sent(timeline: &[TimelineRow]) -> Vec<AttemptSent> {
    timeline
        .iter()
        .filter(|e| e.kind == "webhook.attempt")
        .map(|e| {
            let d: Value = serde_json::from_str(fmt::opt(&e.detail)).unwrap_or_default();
            AttemptSent {
                at: fmt::time(e.created_at),
                event: str_of(&d, "event_type"),
                status: str_of(&d, "status"),
                outcome: str_of(&d, "outcome"),
                answer: fmt::snippet(
                    &format!("{}{}", str_of(&d, "answer"), str_of(&d, "error")),
                    SNIPPET,
                ),
            }
        })
        .collect()
}

fn facts(d: &Dossier) -> Vec<Fact> {
    let p = &d.payment;
    let refunded = fmt::amount(p.refunded_minor, &p.currency);
    let mut facts = vec![
        ("Merchant", p.merchant_id.clone()),
        ("Order", p.order_id.clone()),
        ("Refunded", format!("{refunded} {}", p.currency)),
        ("Gateway", fmt::opt(&p.provider).to_owned()),
        ("Method", fmt::opt(&p.method).to_owned()),
        ("External id", fmt::opt(&p.external_id).to_owned()),
        ("Gateway status", fmt::opt(&p.provider_status).to_owned()),
        ("Status detail", fmt::opt(&p.status_detail).to_owned()),
        (
            "Hosted checkout",
            if p.hosted { "yes" } else { "no" }.to_owned(),
        ),
        ("Created (UTC)", fmt::time(p.created_at)),
        ("Updated (UTC)", fmt::time(p.updated_at)),
        ("Expires (UTC)", fmt::time(p.expires_at)),
    ];
    facts.retain(|(_, v)| !v.is_empty());
    facts
        .into_iter()
        .map(|(label, value)| Fact { label, value })
        .collect()
}

fn attempts(d: &Dossier) -> Vec<AttemptView> {
    d.attempts
        .iter()
        .map(|a| AttemptView {
            id: a.id.clone(),
            gateway: a.provider.clone(),
            state: a.state_str().to_owned(),
            external_id: fmt::opt(&a.external_id).to_owned(),
            provider_status: fmt::opt(&a.provider_status).to_owned(),
            last_error: fmt::opt(&a.last_error).to_owned(),
            created_at: fmt::time(a.created_at),
        })
        .collect()
}

/// The `settle_as` value and label of a refund settlement ops may make
/// (`orchestration::review::refund_settlements` decides which).
fn settlement_choice(to: RefundStatus) -> Option<(&'static str, &'static str)> {
    let label = match to {
        RefundStatus::Completed => "Completed: the money went back",
        RefundStatus::Failed => "Failed: it did not",
        RefundStatus::Reversed => "Reversed: the gateway gave the money back to the merchant",
        _ => return None,
    };
    Some((to.as_str(), label))
}

fn refunds(d: &Dossier) -> Vec<RefundView> {
    d.refunds
        .iter()
        .map(|r| RefundView {
            id: r.id.clone(),
            status: r.status_str().to_owned(),
            amount: format!(
                "{} {}",
                fmt::amount(r.amount_minor, &r.currency),
                r.currency
            ),
            origin: r.origin.clone(),
            reason: fmt::opt(&r.reason).to_owned(),
            created_at: fmt::time(r.created_at),
            settle: review::refund_settlements(r, &d.payment)
                .into_iter()
                .filter_map(settlement_choice)
                .collect(),
        })
        .collect()
}

fn deliveries(d: &Dossier) -> Vec<DeliveryView> {
    d.deliveries
        .iter()
        .map(|e| DeliveryView {
            id: e.id.clone(),
            kind: e.kind.clone(),
            sequence: e.sequence,
            attempts: e.attempts,
            state: match (e.delivered_at, e.stopped_at) {
                (Some(_), _) => "delivered",
                (None, Some(_)) => "stopped",
                (None, None) => "pending",
            },
            last_status: e.last_status.map(|s| s.to_string()).unwrap_or_default(),
            last_error: fmt::snippet(fmt::opt(&e.last_error), SNIPPET),
        })
        .collect()
}

fn template(session: &Session, d: &Dossier, done: Option<&'static str>) -> PaymentTemplate {
    let p = &d.payment;
    let in_review = p.status() == PaymentStatus::NeedsReview;
    let mut settle_options = Vec::new();
    if in_review && p.paid_attempt_id.is_some() {
        settle_options.push(("paid", "Paid (completed, or refunded as its money implies)"));
    }
    if in_review && p.refunded_minor == 0 {
        settle_options.push(("failed", "Failed"));
        settle_options.push(("cancelled", "Cancelled"));
    }
    PaymentTemplate {
        chrome: Chrome::new(format!("Payment {}", p.id), "payments", Some(session)),
        p: Row::of(p),
        facts: facts(d),
        done,
        can_recheck: d.actions.contains(&"recheck"),
        can_cancel: d.actions.contains(&"cancel"),
        can_refund: d.actions.contains(&"refund"),
        in_review,
        settle_options,
        attempts: attempts(d),
        timeline: d.timeline.iter().map(entry).collect(),
        refunds: refunds(d),
        deliveries: deliveries(d),
        sent: sent(&d.timeline),
    }
}

/// `GET /console/payments/{id}`.
pub async fn show(state: web::Data<AppState>, req: HttpRequest, path: web::Path<String>) -> Page {
    let session = session::require(&state, &req).await?;
    let id = PaymentId::parse(&path).ok_or(AppError::NotFound)?;
    let dossier = state.orch.payment_dossier(id.as_str()).await?;
    let done = url::form_urlencoded::parse(req.query_string().as_bytes())
        .find(|(k, _)| k == "done")
        .and_then(|(_, v)| done_text(&v));
    html(&template(&session, &dossier, done))
}
