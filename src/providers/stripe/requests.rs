//! Building Stripe's requests: paths, headers and form bodies in Stripe's bracket syntax.
//!
//! Writes are `application/x-www-form-urlencoded` with nested keys spelled
//! `line_items[0][price_data][currency]`, brackets percent-encoded as Stripe's own libraries send
//! them. Every request carries `Authorization: Bearer sk_…` and the pinned `Stripe-Version`
//! (R2); every POST carries an `Idempotency-Key` (R3): the attempt's reference for a create, the
//! refund's reference for a refund, so a call retried after a lost answer is the same object at
//! Stripe. Fields are written in a fixed order, so the same request is the same bytes.
//!
//! Ids that go into a path are held to Stripe's alphabet (`[A-Za-z0-9_]`) and expected prefix,
//! so nothing forwarded can change the path. A request that cannot be built is refused here,
//! before anything is sent.

use super::amounts;
use crate::providers::http_call::join;
use crate::providers::{CheckoutRequest, Method, RefundRequest};
use chrono::{DateTime, Duration, DurationRound, Utc};

pub const SESSIONS: &str = "v1/checkout/sessions";
pub const REFUNDS: &str = "v1/refunds";
/// The API version whose object shapes `wire` reads (`latest_charge` on a PaymentIntent).
pub const API_VERSION: &str = "2024-06-20";
/// What a session read expands: its PaymentIntent and that intent's charge (refunded total).
pub const EXPAND: &str = "expand[]=payment_intent.latest_charge";
/// Stripe's limit on a product name [INFERRED: 250 keeps clear of it].
const MAX_NAME: usize = 250;
/// Stripe's limit on a metadata value.
const MAX_METADATA: usize = 500;

/// A request with Stripe's headers, an `Idempotency-Key` when given, and the form when there is
/// one.
pub fn build(
    client: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    secret_key: &str,
    idempotency_key: Option<&str>,
    form: Option<String>,
) -> reqwest::RequestBuilder {
    let mut builder = client
        .request(method, url)
        .bearer_auth(secret_key)
        .header("Stripe-Version", API_VERSION)
        .header(reqwest::header::ACCEPT, "application/json");
    if let Some(key) = idempotency_key {
        builder = builder.header("Idempotency-Key", key);
    }
    if let Some(form) = form {
        builder = builder
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(form);
    }
    builder
}

/// `{base}/{path}`.
pub fn url(base_url: &str, path: &str) -> String {
    join(base_url, path)
}

/// `v1/checkout/sessions/{id}`, with the expansion for reads.
pub fn session_read_path(id: &str) -> Result<String, String> {
    check_id("cs_", id)?;
    Ok(format!("{SESSIONS}/{id}?{}", encode_query(EXPAND)))
}

pub fn expire_path(id: &str) -> Result<String, String> {
    check_id("cs_", id)?;
    Ok(format!("{SESSIONS}/{id}/expire"))
}

pub fn refund_path(id: &str) -> Result<String, String> {
    check_id("re_", id)?;
    Ok(format!("{REFUNDS}/{id}"))
}

/// A Stripe id with `prefix`: `[A-Za-z0-9_]`, at most 255 characters.
pub fn check_id(prefix: &str, id: &str) -> Result<(), String> {
    let ok = id.len() > prefix.len()
        && id.len() <= 255
        && id.starts_with(prefix)
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(format!("{id:?} is not a Stripe {prefix}… id"))
    }
}

fn encode_query(pairs: &str) -> String {
    let (k, v) = pairs.split_once('=').expect("a key=value constant");
    serde_urlencoded::to_string([(k, v)]).expect("strings encode")
}

/// When the session expires (R4): the payment's own window when Stripe allows it (30 min to
/// 24 h after creation), else the nearest allowed time. The bounds are counted from `now`
/// rounded down to 5 minutes, so a create retried within the same 5 minutes sends the same
/// value and Stripe's idempotency replay sees the same parameters; the 6 minutes over Stripe's
/// 30 leave room for clock skew.
pub fn session_expiry(window_end: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    let slot = now
        .duration_trunc(Duration::minutes(5))
        .unwrap_or(now);
    let earliest = slot + Duration::minutes(36);
    let latest = slot + Duration::hours(24) - Duration::minutes(5);
    window_end.clamp(earliest, latest).timestamp()
}

/// `success_url`: Payrail's return URL plus Stripe's `{CHECKOUT_SESSION_ID}` template, which
/// Stripe fills in so the return names the session (`parse_return`).
pub fn success_url(return_url: &str) -> String {
    let sep = if return_url.contains('?') { '&' } else { '?' };
    format!("{return_url}{sep}session_id={{CHECKOUT_SESSION_ID}}")
}

/// The create form (`POST /v1/checkout/sessions`), fields in a fixed order.
pub fn create_form(req: &CheckoutRequest, now: DateTime<Utc>) -> Result<String, String> {
    if req.reference.is_empty() || req.reference.len() > 200 {
        return Err(format!("reference {:?} must be 1-200 characters", req.reference));
    }
    let unit_amount = amounts::to_stripe(req.amount, &req.currency)?;
    let name = req
        .description
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .unwrap_or("Payment");
    let mut fields: Vec<(&str, String)> = vec![
        ("mode", "payment".into()),
        ("client_reference_id", req.reference.clone()),
        ("line_items[0][quantity]", "1".into()),
        (
            "line_items[0][price_data][currency]",
            req.currency.to_ascii_lowercase(),
        ),
        ("line_items[0][price_data][unit_amount]", unit_amount.to_string()),
        (
            "line_items[0][price_data][product_data][name]",
            name.chars().take(MAX_NAME).collect(),
        ),
        ("success_url", success_url(&req.return_url)),
        ("cancel_url", req.cancel_url.clone()),
        ("expires_at", session_expiry(req.expires_at, now).to_string()),
        ("metadata[payrail_reference]", req.reference.clone()),
        (
            "payment_intent_data[metadata][payrail_reference]",
            req.reference.clone(),
        ),
    ];
    if let Some(email) = req.customer.email.as_deref().filter(|e| !e.trim().is_empty()) {
        fields.push(("customer_email", email.trim().to_owned()));
    }
    if let Some(types) = method_types(req.method) {
        fields.push(("payment_method_types[0]", types.to_owned()));
    }
    serde_urlencoded::to_string(&fields).map_err(|e| format!("create form not encodable: {e}"))
}

/// Stripe's payment method type for a Payrail method; none: the account's own choice (R5).
pub fn method_types(method: Option<Method>) -> Option<&'static str> {
    match method {
        Some(Method::Card) => Some("card"),
        // Not in the capabilities, so routing never sends them here.
        None | Some(Method::MobileBanking | Method::Crypto | Method::Paynow | Method::Wallet) => {
            None
        }
    }
}

/// The refund form (`POST /v1/refunds`) against the PaymentIntent `payment_intent`.
pub fn refund_form(req: &RefundRequest, payment_intent: &str) -> Result<String, String> {
    check_id("pi_", payment_intent)?;
    let amount = amounts::to_stripe(req.amount, &req.currency)?;
    let mut fields: Vec<(&str, String)> = vec![
        ("payment_intent", payment_intent.to_owned()),
        ("amount", amount.to_string()),
        ("metadata[payrail_refund]", req.reference.clone()),
    ];
    if let Some(reason) = req.reason.as_deref().filter(|r| !r.trim().is_empty()) {
        fields.push(("metadata[reason]", reason.chars().take(MAX_METADATA).collect()));
    }
    serde_urlencoded::to_string(&fields).map_err(|e| format!("refund form not encodable: {e}"))
}
