//! Test controls under `_sim/` (design §6): accounts, faults, stats, IPN settings, orders, IPN
//! re-send, reset.
//!
//! Not part of Paymento's contract, so they answer plain JSON with ordinary HTTP statuses (400 for
//! a bad control request, 404 for an unknown order) rather than Paymento's envelope.

use std::collections::BTreeMap;

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use super::state::{Fault, FaultMode};
use super::Mount;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/_sim/accounts", web::post().to(add_account))
        .route("/_sim/faults", web::post().to(set_fault))
        .route("/_sim/stats", web::get().to(stats))
        .route("/_sim/settings", web::get().to(settings))
        .route("/_sim/orders/{token}", web::get().to(order))
        .route("/_sim/checkout/{token}/webhook", web::post().to(resend))
        .route("/_sim/reset", web::post().to(reset));
}

fn bad_request(msg: &str) -> HttpResponse {
    HttpResponse::BadRequest().json(json!({ "error": msg }))
}

/// Parses a control body; an empty body means "all defaults".
fn parse<T: for<'de> Deserialize<'de>>(body: &[u8]) -> Result<T, String> {
    let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        body
    };
    serde_json::from_slice(body).map_err(|e| e.to_string())
}

/// The credential object Payrail stores; `risk_speed` is the adapter's business and ignored.
#[derive(Deserialize)]
struct AccountBody {
    api_key: String,
    secret_key: String,
}

async fn add_account(body: web::Bytes, mount: web::Data<Mount>) -> HttpResponse {
    let b: AccountBody = match parse(&body) {
        Ok(b) => b,
        Err(e) => return bad_request(&e),
    };
    if b.api_key.trim().is_empty() || b.secret_key.is_empty() {
        return bad_request("api_key and secret_key must not be empty");
    }
    mount.sim.add_account(b.api_key.trim(), &b.secret_key);
    HttpResponse::Ok().json(json!({ "ok": true }))
}

#[derive(Deserialize)]
struct FaultBody {
    mode: String,
    count: Option<u32>,
    delay_ms: Option<u64>,
}

async fn set_fault(body: web::Bytes, mount: web::Data<Mount>) -> HttpResponse {
    let b: FaultBody = match parse(&body) {
        Ok(b) => b,
        Err(e) => return bad_request(&e),
    };
    let count = b.count.unwrap_or(1);
    let fault = if b.mode == "none" || count == 0 {
        None
    } else {
        let Some(mode) = FaultMode::parse(&b.mode) else {
            return bad_request("mode must be timeout, http_500, malformed, slow, refuse or none");
        };
        Some(Fault {
            mode,
            remaining: count,
            delay_ms: b.delay_ms.unwrap_or(mode.default_delay_ms()),
        })
    };
    mount.sim.lock().fault = fault;
    HttpResponse::Ok().json(json!({
        "ok": true,
        "mode": fault.map_or("none", |_| b.mode.as_str()),
        "count": fault.map_or(0, |f| f.remaining),
        "delay_ms": fault.map_or(0, |f| f.delay_ms),
    }))
}

async fn stats(mount: web::Data<Mount>) -> HttpResponse {
    HttpResponse::Ok().json(mount.sim.stats())
}

/// Every account's store-level IPN settings, by api key.
async fn settings(mount: web::Data<Mount>) -> HttpResponse {
    let all: BTreeMap<String, serde_json::Value> = mount
        .sim
        .lock()
        .accounts
        .values()
        .map(|a| {
            let view = json!({
                "ipn_url": a.ipn_url,
                "ipn_method": a.ipn_method,
                "updates": a.settings_updates,
            });
            (a.api_key.clone(), view)
        })
        .collect();
    HttpResponse::Ok().json(all)
}

/// An order as the simulator holds it (read-only: unlike verify, it never approves).
async fn order(path: web::Path<String>, mount: web::Data<Mount>) -> HttpResponse {
    let st = mount.sim.lock();
    match st.orders.get(path.as_str()) {
        Some(o) => HttpResponse::Ok().json(json!({
            "token": o.token,
            "payment_id": o.payment_id,
            "order_id": o.order_id,
            "order_status": o.status.code(),
            "status_name": o.status.name(),
            "fiat_amount": o.fiat_amount.to_string(),
            "fiat_currency": o.fiat_currency,
            "risk_speed": o.risk_speed,
            "return_url": o.return_url,
            "created": o.created.to_rfc3339(),
        })),
        None => HttpResponse::NotFound().json(json!({ "error": "no such order" })),
    }
}

#[derive(Deserialize)]
struct ResendBody {
    copies: Option<u32>,
    #[serde(default)]
    tamper: bool,
}

async fn resend(
    path: web::Path<String>,
    body: web::Bytes,
    mount: web::Data<Mount>,
) -> HttpResponse {
    let b: ResendBody = match parse(&body) {
        Ok(b) => b,
        Err(e) => return bad_request(&e),
    };
    let copies = b.copies.unwrap_or(1).min(100);
    let hook = mount.sim.lock().last_ipn.get(path.as_str()).cloned();
    let Some(hook) = hook else {
        return HttpResponse::NotFound().json(json!({ "error": "no IPN sent for this order" }));
    };
    let mut statuses = Vec::new();
    for _ in 0..copies {
        statuses.push(mount.sim.deliver(&hook, b.tamper).await.ok());
    }
    HttpResponse::Ok().json(json!({ "sent": copies, "statuses": statuses }))
}

async fn reset(mount: web::Data<Mount>) -> HttpResponse {
    mount.sim.reset();
    HttpResponse::Ok().json(json!({ "ok": true }))
}
