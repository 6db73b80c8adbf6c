//! The two API endpoints: create a payment link and verify a transaction
//! (docs/gateways/pakhipay.md, "Endpoints").
//!
//! Each call is counted and may be faulted before anything else (so tests can prove how often the
//! adapter asked), then authenticated by `api-key` and validated. Request bodies are read with
//! their raw tokens so `amount` (a number, or a numeric string, K4) never passes through a float.

use std::collections::HashMap;

use actix_web::{web, HttpRequest, HttpResponse};
use rust_decimal::Decimal;
use serde_json::json;
use serde_json::value::RawValue;

use super::faults::{self, Answer};
use super::state::{Account, CallKind, Fault, PayStatus, Payment};
use super::{Mount, PakhiPaySim};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/request/payment/create/", web::post().to(create))
        .route("/api/request/payment/verify/", web::post().to(verify));
}

fn refusal(status: u16, message: &str) -> Answer {
    (status, json!({ "status": 0, "message": message }))
}

/// Counts a call that reached its route and takes one use of the armed fault. The only calls are
/// create and verify (a `query`, counted under the `order_id` of its transaction).
fn begin_call(sim: &PakhiPaySim, kind: CallKind, body: &[u8]) -> Option<Fault> {
    let mut st = sim.lock();
    let fields = raw_fields(body).unwrap_or_default();
    let text = |name: &str| fields.get(name).and_then(|raw| string(raw));
    let reference = if kind == CallKind::Create {
        text("order_id")
    } else {
        text("transaction_id")
            .and_then(|t| st.transactions.get(&t))
            .and_then(|id| st.payments.get(id))
            .and_then(|p| p.order_id.clone())
    };
    st.stats.count(kind, reference.as_deref());
    st.fault.take_one()
}

/// The `api-key` header's account, or the 401 answer.
fn authenticate(sim: &PakhiPaySim, req: &HttpRequest) -> Result<Account, Answer> {
    let key = req
        .headers()
        .get("api-key")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    sim.lock()
        .accounts
        .get(key)
        .cloned()
        .ok_or_else(|| refusal(401, "Invalid API key"))
}

/// Top-level members with their raw JSON text; `None` unless the body is a JSON object.
fn raw_fields(body: &[u8]) -> Option<HashMap<String, Box<RawValue>>> {
    serde_json::from_slice(body).ok()
}

fn string(raw: &RawValue) -> Option<String> {
    serde_json::from_str::<String>(raw.get()).ok()
}

/// A positive amount with at most two decimals, from a JSON number or a numeric string.
pub fn amount(raw: &RawValue) -> Option<Decimal> {
    let text = match serde_json::from_str::<String>(raw.get()) {
        Ok(s) => s,
        Err(_) => raw.get().to_owned(),
    };
    let (whole, frac) = text.split_once('.').unwrap_or((text.as_str(), "0"));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || !digits(frac) {
        return None;
    }
    let value: Decimal = text.parse().ok()?;
    (value > Decimal::ZERO && value.normalize().scale() <= 2).then_some(value)
}

fn http_url(s: &str) -> bool {
    url::Url::parse(s).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.has_host())
}

async fn create(req: HttpRequest, body: web::Bytes, mount: web::Data<Mount>) -> HttpResponse {
    let fault = begin_call(&mount.sim, CallKind::Create, &body);
    faults::respond(fault, || match create_link(&mount, &req, &body) {
        Ok(url) => (200, json!({ "status": 1, "payment_url": url })),
        Err(answer) => answer,
    })
    .await
}

fn required(fields: &HashMap<String, Box<RawValue>>, name: &str) -> Result<String, Answer> {
    match fields.get(name).and_then(|raw| string(raw)) {
        Some(s) if !s.trim().is_empty() => Ok(s),
        _ => Err(refusal(200, &format!("{name} is required"))),
    }
}

fn create_link(mount: &Mount, req: &HttpRequest, body: &[u8]) -> Result<String, Answer> {
    let account = authenticate(&mount.sim, req)?;
    let fields = raw_fields(body).ok_or_else(|| refusal(200, "Invalid JSON body"))?;
    let cus_name = required(&fields, "cus_name")?;
    let cus_email = required(&fields, "cus_email")?;
    if !cus_email.contains('@') {
        return Err(refusal(200, "cus_email is invalid"));
    }
    let raw_amount = fields
        .get("amount")
        .ok_or_else(|| refusal(200, "amount is required"))?;
    let amount = amount(raw_amount).ok_or_else(|| refusal(200, "amount is invalid"))?;
    let success_url = required(&fields, "success_url")?;
    let cancel_url = required(&fields, "cancel_url")?;
    for (name, url) in [("success_url", &success_url), ("cancel_url", &cancel_url)] {
        if !http_url(url) {
            return Err(refusal(200, &format!("{name} is invalid")));
        }
    }
    let optional = |name: &str| match fields.get(name).map(|raw| raw.get()) {
        None | Some("null") => Ok(None),
        Some(_) => match fields.get(name).and_then(|raw| string(raw)) {
            Some(s) if !s.is_empty() => Ok(Some(s)),
            Some(_) => Ok(None),
            None => Err(refusal(200, &format!("{name} is invalid"))),
        },
    };
    let order_id = optional("order_id")?;
    let callback_url = optional("callback_url")?;
    if callback_url.as_deref().is_some_and(|u| !http_url(u)) {
        return Err(refusal(200, "callback_url is invalid"));
    }
    let sim_id = format!("pp{:016x}", rand::random::<u64>());
    let payment = Payment {
        sim_id: sim_id.clone(),
        api_key: account.api_key,
        order_id,
        cus_name,
        cus_email,
        amount,
        paid: None,
        status: PayStatus::Pending,
        transaction_id: None,
        success_url,
        cancel_url,
        callback_url,
        created: chrono::Utc::now(),
    };
    mount.sim.lock().payments.insert(sim_id.clone(), payment);
    Ok(mount.checkout_url(req, &sim_id))
}

async fn verify(req: HttpRequest, body: web::Bytes, mount: web::Data<Mount>) -> HttpResponse {
    let fault = begin_call(&mount.sim, CallKind::Query, &body);
    faults::respond(fault, || {
        match verify_transaction(&mount.sim, &req, &body) {
            Ok(word) => (200, json!({ "status": 1, "message": word })),
            Err(answer) => answer,
        }
    })
    .await
}

fn verify_transaction(
    sim: &PakhiPaySim,
    req: &HttpRequest,
    body: &[u8],
) -> Result<&'static str, Answer> {
    let account = authenticate(sim, req)?;
    let fields = raw_fields(body).ok_or_else(|| refusal(200, "Invalid JSON body"))?;
    let transaction_id = required(&fields, "transaction_id")?;
    let raw_amount = fields
        .get("amount")
        .ok_or_else(|| refusal(200, "amount is required"))?;
    let asked = amount(raw_amount).ok_or_else(|| refusal(200, "amount is invalid"))?;
    let st = sim.lock();
    let payment = st
        .transactions
        .get(&transaction_id)
        .and_then(|id| st.payments.get(id))
        .filter(|p| p.api_key == account.api_key)
        .ok_or_else(|| refusal(200, "Invalid transaction"))?;
    if asked != payment.paid.unwrap_or(payment.amount) {
        return Err(refusal(200, "Amount mismatch"));
    }
    Ok(payment.status.as_str())
}
