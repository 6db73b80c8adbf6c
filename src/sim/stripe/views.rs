//! How the simulator writes Stripe's objects: Checkout Session, PaymentIntent, Charge, Refund
//! and Event, with `object`, Stripe's id prefixes, integer amounts and lower-case currencies.
//!
//! Expandable fields are ids unless the request asked `expand[]`: `payment_intent` on a session,
//! `latest_charge` on an intent (`payment_intent.latest_charge` expands both). Webhook events
//! carry objects unexpanded, as Stripe sends them.

use serde_json::{json, Value};

use super::state::{Charge, Intent, IntentStatus, Refund, Session};

/// Which expandable fields to write as objects.
#[derive(Clone, Copy, Debug, Default)]
pub struct Expand {
    pub intent: bool,
    pub charge: bool,
}

impl Expand {
    /// From a session read's `expand[]` paths.
    pub fn for_session(paths: &[String]) -> Self {
        let charge = paths.iter().any(|p| p == "payment_intent.latest_charge");
        Expand {
            intent: charge || paths.iter().any(|p| p == "payment_intent"),
            charge,
        }
    }

    /// From an intent read's `expand[]` paths.
    pub fn for_intent(paths: &[String]) -> Self {
        Expand {
            intent: true,
            charge: paths.iter().any(|p| p == "latest_charge"),
        }
    }
}

pub fn session_view(s: &Session, checkout_url: &str, expand: Expand) -> Value {
    let intent = match &s.intent {
        None => Value::Null,
        Some(i) if expand.intent => intent_view(s, i, expand.charge),
        Some(i) => json!(i.id),
    };
    json!({
        "id": s.id,
        "object": "checkout.session",
        "amount_subtotal": s.amount,
        "amount_total": s.amount,
        "cancel_url": s.cancel_url,
        "client_reference_id": s.client_reference_id,
        "created": s.created,
        "currency": s.currency,
        "customer_email": s.customer_email,
        "expires_at": s.expires_at,
        "livemode": false,
        "metadata": s.metadata,
        "mode": "payment",
        "payment_intent": intent,
        "payment_method_types": s.method_types,
        "payment_status": if s.paid { "paid" } else { "unpaid" },
        "status": s.status.as_str(),
        "success_url": s.success_url,
        "url": (s.status == super::state::SessionStatus::Open).then_some(checkout_url),
    })
}

pub fn intent_view(s: &Session, i: &Intent, expand_charge: bool) -> Value {
    let latest = match &i.charge {
        None => Value::Null,
        Some(c) if expand_charge => charge_view(s, i, c),
        Some(c) => json!(c.id),
    };
    let received = if i.status == IntentStatus::Succeeded { s.amount } else { 0 };
    json!({
        "id": i.id,
        "object": "payment_intent",
        "amount": s.amount,
        "amount_received": received,
        "created": i.created,
        "currency": s.currency,
        "last_payment_error": i.last_error.as_ref().map(|m| json!({
            "type": "card_error", "code": "card_declined", "decline_code": "generic_decline", "message": m
        })),
        "latest_charge": latest,
        "livemode": false,
        "metadata": s.intent_metadata,
        "payment_method_types": s.method_types,
        "status": i.status.as_str(),
    })
}

pub fn charge_view(s: &Session, i: &Intent, c: &Charge) -> Value {
    json!({
        "id": c.id,
        "object": "charge",
        "amount": c.amount,
        "amount_captured": c.amount,
        "amount_refunded": c.refunded,
        "captured": true,
        "created": c.created,
        "currency": s.currency,
        "livemode": false,
        "metadata": s.intent_metadata,
        "paid": true,
        "payment_intent": i.id,
        "refunded": c.refunded >= c.amount,
        "status": "succeeded",
    })
}

pub fn refund_view(r: &Refund) -> Value {
    json!({
        "id": r.id,
        "object": "refund",
        "amount": r.amount,
        "charge": r.charge_id,
        "created": r.created,
        "currency": r.currency,
        "metadata": r.metadata,
        "payment_intent": r.intent_id,
        "reason": null,
        "status": if r.failed { "failed" } else { "succeeded" },
    })
}

/// An event of `kind` about `object`, as a webhook body.
pub fn event(kind: &str, object: Value, created: i64) -> String {
    json!({
        "id": super::state::new_id("evt_"),
        "object": "event",
        "api_version": "2024-06-20",
        "created": created,
        "data": { "object": object },
        "livemode": false,
        "pending_webhooks": 1,
        "request": { "id": null, "idempotency_key": null },
        "type": kind,
    })
    .to_string()
}
