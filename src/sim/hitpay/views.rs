//! How the simulator writes HitPay's objects (docs/gateways/hitpay.md, "Endpoints"): the payment
//! request (with `payments[]` on GET), and the refund.
//!
//! Spelling follows the documented examples: request amounts are strings with two decimals
//! (`"10.00"`), currencies lower case (`"sgd"`), timestamps SGT wall-clock time without a zone
//! (`"2025-05-21T16:57:25"`), `expiry_date` as sent (`Y-m-d H:i:s`, SGT). Refund amounts are JSON
//! numbers (`"amount_refunded":1`), written from the decimal's text, never through a float.

use chrono::{DateTime, FixedOffset, Utc};
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{json, Value};

use super::state::{Payment, PaymentRequest, Refund};

fn sgt(at: DateTime<Utc>) -> DateTime<FixedOffset> {
    at.with_timezone(&FixedOffset::east_opt(8 * 3600).expect("UTC+8"))
}

/// `2025-05-21T16:57:25` (SGT, no zone).
pub fn local_ts(at: DateTime<Utc>) -> String {
    sgt(at).format("%Y-%m-%dT%H:%M:%S").to_string()
}

/// `2.00`: two decimals, as text.
pub fn money(d: Decimal) -> String {
    let mut d = d.round_dp(2);
    d.rescale(2);
    d.to_string()
}

/// A JSON number from a decimal (`96.49`, `1`), kept as its exact text (never a float).
pub fn number(d: Decimal) -> Box<RawValue> {
    RawValue::from_string(d.normalize().to_string()).expect("a decimal's text is a JSON number")
}

fn payment_view(p: &Payment, r: &PaymentRequest) -> Value {
    json!({
        "id": p.id,
        "quantity": 1,
        "status": p.status.as_str(),
        "buyer_name": r.name,
        "buyer_phone": r.phone,
        "buyer_email": r.email,
        "currency": r.currency.to_ascii_lowercase(),
        "amount": money(p.amount),
        "refunded_amount": money(p.refunded),
        "payment_type": "card",
        "fees": "0.00",
        "created_at": local_ts(p.created),
        "updated_at": local_ts(p.updated),
    })
}

/// The payment request object; `with_payments` adds `payments[]` (the GET answer).
pub fn request_view(r: &PaymentRequest, checkout_url: &str, with_payments: bool) -> Value {
    let mut v = json!({
        "id": r.id,
        "name": r.name,
        "email": r.email,
        "phone": r.phone,
        "amount": money(r.amount),
        "currency": r.currency.to_ascii_lowercase(),
        "is_currency_editable": false,
        "status": r.status.as_str(),
        "purpose": r.purpose,
        "reference_number": r.reference_number,
        "payment_methods": r.payment_methods,
        "url": checkout_url,
        "redirect_url": r.redirect_url,
        "webhook": r.webhook,
        "send_sms": false,
        "send_email": false,
        "sms_status": "pending",
        "email_status": "pending",
        "allow_repeated_payments": r.allow_repeated_payments,
        "expiry_date": r.expiry.map(|e| sgt(e).format("%Y-%m-%d %H:%M:%S").to_string()),
        "address": null,
        "line_items": null,
        "executor_id": null,
        "created_at": local_ts(r.created),
        "updated_at": local_ts(r.updated),
        "staff_id": null,
        "business_location_id": null,
        "metadata": null,
    });
    if with_payments {
        v["payments"] = r.payments.iter().map(|p| payment_view(p, r)).collect();
    }
    v
}

/// The refund object ("Endpoints"), fields in the documented order.
#[derive(Serialize)]
struct RefundView<'a> {
    id: &'a str,
    refunded_by: &'a str,
    payment_id: &'a str,
    amount_refunded: Box<RawValue>,
    total_amount: Box<RawValue>,
    currency: String,
    status: &'a str,
    payment_method: &'a str,
    provider_fee: Option<&'a str>,
    provider_fee_currency: Option<&'a str>,
    refunded_at: String,
    created_at: String,
}

/// The refund's JSON text.
pub fn refund_body(f: &Refund) -> String {
    serde_json::to_string(&RefundView {
        id: &f.id,
        refunded_by: "Payrail Simulator",
        payment_id: &f.payment_id,
        amount_refunded: number(f.amount),
        total_amount: number(f.total),
        currency: f.currency.to_ascii_lowercase(),
        status: "succeeded",
        payment_method: "card",
        provider_fee: None,
        provider_fee_currency: None,
        refunded_at: f.created.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
        created_at: local_ts(f.created),
    })
    .expect("plain struct serialises")
}
