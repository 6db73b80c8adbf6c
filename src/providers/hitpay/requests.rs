//! Building HitPay's requests (docs/gateways/hitpay.md, "Endpoints" and "Authentication"): paths,
//! headers and form bodies.
//!
//! Writes are `application/x-www-form-urlencoded`, as HitPay's docs and its own Woo SDK send them
//! (T4; HitPay accepts JSON too). Form fields carry amounts as decimal text (`25.00`), which is
//! HitPay's "number" in a form, so no float is ever involved. Every request carries
//! `X-BUSINESS-API-KEY` and `X-Requested-With: XMLHttpRequest` (without the latter Laravel may
//! answer an auth failure with an HTML redirect instead of JSON).
//!
//! Ids that go into a path (payment request, refund) are held to `[A-Za-z0-9-]` (HitPay's ids are
//! UUIDs), so nothing we forward can change the path. `expiry_date` is HitPay's SGT wall-clock
//! time, `YYYY-MM-DD HH:mm:ss`, without a zone (T10). A request that cannot be built is refused
//! here, before anything is sent.

use crate::providers::http_call::join;
use crate::providers::{CheckoutRequest, Method};
use chrono::{DateTime, FixedOffset, Utc};
use rust_decimal::Decimal;

pub const PAYMENT_REQUESTS: &str = "v1/payment-requests";
pub const REFUNDS: &str = "v1/refund";

/// `purpose` and `reference_number` are at most 255 characters; `redirect_url` 1028 ("Endpoints").
const MAX_TEXT: usize = 255;
const MAX_REDIRECT: usize = 1028;

/// A request with HitPay's headers, and the form body when there is one.
pub fn build(
    client: &reqwest::Client,
    method: reqwest::Method,
    base_url: &str,
    path: &str,
    api_key: &str,
    form: Option<String>,
) -> reqwest::RequestBuilder {
    let mut builder = client
        .request(method, join(base_url, path))
        .header("X-BUSINESS-API-KEY", api_key)
        .header("X-Requested-With", "XMLHttpRequest")
        .header(reqwest::header::ACCEPT, "application/json");
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

/// `v1/payment-requests/{id}` for a HitPay id that is safe in a path.
pub fn request_path(id: &str) -> Result<String, String> {
    check_id("payment request id", id)?;
    Ok(format!("{PAYMENT_REQUESTS}/{id}"))
}

pub fn refund_path(id: &str) -> Result<String, String> {
    check_id("refund id", id)?;
    Ok(format!("{REFUNDS}/{id}"))
}

fn check_id(what: &str, id: &str) -> Result<(), String> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(format!("{what} {id:?} is not a HitPay id"))
    }
}

/// The create form, fields in a fixed order (the order HitPay's docs list them).
pub fn create_form(req: &CheckoutRequest, webhook_url: &str) -> Result<String, String> {
    if req.reference.is_empty() || req.reference.chars().count() > MAX_TEXT {
        return Err(format!(
            "reference_number {:?} must be 1-255 characters",
            req.reference
        ));
    }
    if req.return_url.len() > MAX_REDIRECT {
        return Err("redirect_url is longer than HitPay's 1028 characters".into());
    }
    let mut fields: Vec<(&str, String)> = vec![
        ("amount", amount_text(req.amount)?),
        ("currency", req.currency.clone()),
        ("reference_number", req.reference.clone()),
        ("redirect_url", req.return_url.clone()),
        ("webhook", webhook_url.to_owned()),
    ];
    let customer = &req.customer;
    for (name, value) in [
        ("email", &customer.email),
        ("name", &customer.name),
        ("phone", &customer.phone),
    ] {
        if let Some(v) = value.as_deref().filter(|v| !v.trim().is_empty()) {
            fields.push((name, v.to_owned()));
        }
    }
    if let Some(purpose) = req.description.as_deref().filter(|d| !d.trim().is_empty()) {
        fields.push(("purpose", purpose.chars().take(MAX_TEXT).collect()));
    }
    fields.push(("expiry_date", sgt(req.expires_at)));
    for m in methods(req.method) {
        fields.push(("payment_methods[]", (*m).to_owned()));
    }
    serde_urlencoded::to_string(&fields).map_err(|e| format!("create form not encodable: {e}"))
}

/// HitPay's method names for a Payrail method (none: HitPay offers all the account has).
pub fn methods(method: Option<Method>) -> &'static [&'static str] {
    match method {
        None => &[],
        Some(Method::Card) => &["card"],
        Some(Method::Paynow) => &["paynow_online"],
        Some(Method::Wallet) => &["grabpay_direct", "shopee_pay"],
        // Not offered (not in the capabilities), so routing never sends them here.
        Some(Method::MobileBanking | Method::Crypto) => &[],
    }
}

/// `POST /v1/refund`: by the payment (charge) id, never the request id (T7).
pub fn refund_form(payment_id: &str, amount: Decimal) -> Result<String, String> {
    if payment_id.trim().is_empty() {
        return Err("refund needs HitPay's payment id".into());
    }
    let fields = [
        ("amount", amount_text(amount)?),
        ("payment_id", payment_id.to_owned()),
    ];
    serde_urlencoded::to_string(fields).map_err(|e| format!("refund form not encodable: {e}"))
}

/// A positive amount with at most two decimals, written with exactly two; never rounded.
pub fn amount_text(amount: Decimal) -> Result<String, String> {
    let mut value = amount.normalize();
    if value <= Decimal::ZERO || value.scale() > 2 {
        return Err(format!(
            "amount {amount} is not a positive amount with at most 2 decimals"
        ));
    }
    value.rescale(2);
    Ok(value.to_string())
}

/// Singapore time (UTC+8, no daylight saving), as HitPay reads `expiry_date` (T10).
pub fn sgt(at: DateTime<Utc>) -> String {
    let sgt = FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset");
    at.with_timezone(&sgt)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}
