//! The payment endpoints (docs/gateways/himosoft.md, "Endpoints"): create `POST /v1/payments/`,
//! retrieve `GET /v1/payments/{id}/`, verify and recheck `GET|POST /v1/payments/{id}/verify/` and
//! `…/recheck/` (H3: both methods).
//!
//! Each call is counted and may be faulted before anything else, then authenticated and
//! validated. Bodies follow the doc's examples key for key; the additions are flagged:
//! * recheck also reports `amount` and `currency` ([INVENTED], so an underpayment can be seen);
//! * create is answered 200 (the error table lists 200 as "OK"; the doc states no status).
//!
//! Idempotency ("Idempotency"): a repeated `idempotency_key` within 24 h gets the cached answer
//! byte for byte (same `id`, same `checkout_url`), even with different parameters ([INFERRED]);
//! later it is a new key. A payment's reads are only answered to the account that created it.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{SecondsFormat, Utc};
use rand::Rng;
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::{json, Map, Value};
use std::str::FromStr;

use super::envelope::{self, Answer, ApiError, INVALID_REQUEST, NOT_FOUND};
use super::state::{Cached, CallKind, Fault, PayStatus, Payment};
use super::{auth, faults, HimoSoftSim, Mount};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/v1/payments/", web::post().to(create))
        .route("/v1/payments/{id}/", web::get().to(retrieve))
        .route("/v1/payments/{id}/verify/", web::get().to(verify))
        .route("/v1/payments/{id}/verify/", web::post().to(verify))
        .route("/v1/payments/{id}/recheck/", web::get().to(recheck))
        .route("/v1/payments/{id}/recheck/", web::post().to(recheck));
}

/// Counts an API call and takes one use of the armed fault.
fn begin_call(sim: &HimoSoftSim, kind: CallKind, reference: Option<&str>) -> Option<Fault> {
    let mut st = sim.lock();
    st.stats.count(kind, reference);
    st.fault.take_one()
}

/// The create answer, keys in the doc's order.
#[derive(Serialize)]
struct Created<'a> {
    id: &'a str,
    status: &'a str,
    amount: &'a str,
    checkout_url: &'a str,
}

async fn create(req: HttpRequest, body: web::Bytes, mount: web::Data<Mount>) -> HttpResponse {
    let reference = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v.get("order_id")?.as_str().map(str::to_owned));
    let fault = begin_call(&mount.sim, CallKind::Create, reference.as_deref());
    faults::respond(fault, || envelope::of(create_payment(&mount, &req, &body))).await
}

fn text<'a>(obj: &'a Map<String, Value>, field: &str) -> Result<Option<&'a str>, ApiError> {
    match obj.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(INVALID_REQUEST),
    }
}

/// `amount` must be a decimal STRING ("Money format"), positive, at most 2 decimals.
fn amount(value: &str) -> Result<Decimal, ApiError> {
    let (int, frac) = value.split_once('.').unwrap_or((value, "0"));
    let plain = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !plain(int) || !plain(frac) || frac.len() > 2 {
        return Err(INVALID_REQUEST);
    }
    let d = Decimal::from_str(value).map_err(|_| INVALID_REQUEST)?;
    if d <= Decimal::ZERO {
        return Err(INVALID_REQUEST);
    }
    Ok(d)
}

fn create_payment(mount: &Mount, req: &HttpRequest, body: &[u8]) -> Result<Answer, ApiError> {
    let sim = &mount.sim;
    let (key, _) = auth::authenticate(sim, req, body)?;
    let obj = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(o)) => o,
        _ => return Err(INVALID_REQUEST),
    };
    let amount_text = text(&obj, "amount")?.ok_or(INVALID_REQUEST)?;
    let value = amount(amount_text)?;
    let currency = text(&obj, "currency")?.ok_or(INVALID_REQUEST)?;
    if !sim.config.currencies.contains(&currency) {
        return Err(INVALID_REQUEST);
    }
    let order_id = text(&obj, "order_id")?;
    let callback_url = text(&obj, "callback_url")?;
    if let Some(cb) = callback_url {
        match reqwest::Url::parse(cb) {
            Ok(u) if matches!(u.scheme(), "http" | "https") => {}
            _ => return Err(INVALID_REQUEST),
        }
    }
    let idempotency_key = text(&obj, "idempotency_key")?;

    let now = Utc::now();
    let mut st = sim.lock();
    let ttl = sim.config.idempotency_ttl;
    st.idempotency.retain(|_, c| now - c.at < ttl);
    if let Some(cached) = idempotency_key.and_then(|k| st.idempotency.get(k)) {
        return Ok(Answer::ok(cached.body.clone()));
    }
    let token: String = {
        let mut rng = rand::thread_rng();
        (0..12)
            .map(|_| char::from(b"0123456789abcdefghijklmnopqrstuvwxyz"[rng.gen_range(0..36)]))
            .collect()
    };
    let id = format!("pay_{token}");
    let checkout_url = mount.checkout_url(req, &token);
    let answer = serde_json::to_vec(&Created {
        id: &id,
        status: PayStatus::Pending.as_str(),
        amount: amount_text,
        checkout_url: &checkout_url,
    })
    .expect("plain struct serialises");
    st.payments.insert(
        id.clone(),
        Payment {
            id,
            account: key,
            order_id: order_id.map(str::to_owned),
            idempotency_key: idempotency_key.map(str::to_owned),
            amount: value,
            paid: None,
            currency: currency.to_owned(),
            callback_url: callback_url.map(str::to_owned),
            status: PayStatus::Pending,
            external_id: None,
            created: now,
        },
    );
    if let Some(k) = idempotency_key {
        let cached = Cached {
            body: answer.clone(),
            at: now,
        };
        st.idempotency.insert(k.to_owned(), cached);
    }
    Ok(Answer::ok(answer))
}

#[derive(Clone, Copy)]
enum Read {
    Retrieve,
    Verify,
    Recheck,
}

async fn retrieve(
    req: HttpRequest,
    path: web::Path<String>,
    mount: web::Data<Mount>,
) -> HttpResponse {
    read(
        req,
        path.into_inner(),
        web::Bytes::new(),
        mount,
        Read::Retrieve,
    )
    .await
}

async fn verify(
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
    mount: web::Data<Mount>,
) -> HttpResponse {
    read(req, path.into_inner(), body, mount, Read::Verify).await
}

async fn recheck(
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
    mount: web::Data<Mount>,
) -> HttpResponse {
    read(req, path.into_inner(), body, mount, Read::Recheck).await
}

async fn read(
    req: HttpRequest,
    id: String,
    body: web::Bytes,
    mount: web::Data<Mount>,
    what: Read,
) -> HttpResponse {
    let reference = mount
        .sim
        .lock()
        .payment_mut(&id)
        .and_then(|p| p.order_id.clone());
    let fault = begin_call(&mount.sim, CallKind::Query, reference.as_deref());
    faults::respond(fault, || {
        envelope::of(read_payment(&mount, &req, &id, &body, what))
    })
    .await
}

fn read_payment(
    mount: &Mount,
    req: &HttpRequest,
    id: &str,
    body: &[u8],
    what: Read,
) -> Result<Answer, ApiError> {
    let (key, _) = auth::authenticate(&mount.sim, req, body)?;
    if !id.starts_with("pay_") {
        return Err(NOT_FOUND);
    }
    let p = mount
        .sim
        .lock()
        .payment_mut(id)
        .filter(|p| p.account == key)
        .cloned()
        .ok_or(NOT_FOUND)?;
    let now = Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true);
    let v = match what {
        Read::Retrieve => json!({
            "id": p.id, "status": p.status.as_str(), "amount": p.reported_amount(),
            "currency": p.currency,
            "created_at": p.created.to_rfc3339_opts(SecondsFormat::Secs, true),
        }),
        Read::Verify => json!({
            "id": p.id, "status": p.status.as_str(), "external_id": p.external_id,
            "verification_time": now,
        }),
        Read::Recheck => json!({
            "id": p.id, "status": p.status.as_str(), "reconciled": true,
            "external_id": p.external_id, "recheck_time": now,
            "amount": p.reported_amount(), "currency": p.currency,
        }),
    };
    Ok(Answer::ok(v.to_string().into_bytes()))
}
