//! Test controls under `_sim/` (docs/sandbox.md, "Test controls"): accounts, faults, stats, IPN
//! settings, orders, IPN re-send, reset.
//!
//! Not part of Paymento's contract, so they answer plain JSON with ordinary HTTP statuses (400 for
//! a bad control request, 404 for an unknown order) rather than Paymento's envelope.

use std::collections::BTreeMap;

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use super::Mount;
use crate::sim::common::controls::{self, bad_request, parse, Resend};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/_sim/accounts", web::post().to(add_account))
        .route("/_sim/faults", web::post().to(controls::set_fault::<Mount>))
        .route("/_sim/stats", web::get().to(controls::stats::<Mount>))
        .route("/_sim/settings", web::get().to(settings))
        .route("/_sim/orders/{token}", web::get().to(order))
        .route("/_sim/checkout/{token}/webhook", web::post().to(resend))
        .route("/_sim/reset", web::post().to(controls::reset::<Mount>));
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
    controls::ok()
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

async fn resend(
    path: web::Path<String>,
    body: web::Bytes,
    mount: web::Data<Mount>,
) -> HttpResponse {
    let b: Resend = match parse(&body) {
        Ok(b) => b,
        Err(e) => return bad_request(&e),
    };
    let hook = mount.sim.lock().last_ipn.get(path.as_str()).cloned();
    let Some(hook) = hook else {
        return controls::not_found("no IPN sent for this order");
    };
    let (hook, sim) = (&hook, &mount.sim);
    b.run(|tamper| async move { sim.deliver(hook, tamper).await.ok() })
        .await
}
