//! Test controls under `_sim/` (docs/sandbox.md, "Test controls"): accounts, faults, stats, webhook
//! re-send and loss, reset.
//!
//! Not part of HitPay's contract, so they answer plain JSON with ordinary statuses (400 for a bad
//! control request, 404 for an unknown payment request).

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use super::state::Account;
use super::Mount;
use crate::sim::common::controls::{self, bad_request, parse, Resend};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/_sim/accounts", web::post().to(add_account))
        .route("/_sim/faults", web::post().to(controls::set_fault::<Mount>))
        .route("/_sim/stats", web::get().to(controls::stats::<Mount>))
        .route("/_sim/checkout/{id}/webhook", web::post().to(resend))
        .route("/_sim/webhooks", web::post().to(lose_webhooks))
        .route("/_sim/reset", web::post().to(controls::reset::<Mount>));
}

/// The credential object Payrail stores for HitPay.
#[derive(Deserialize)]
struct AccountBody {
    api_key: String,
    salt: String,
    event_salt: Option<String>,
}

async fn add_account(body: web::Bytes, mount: web::Data<Mount>) -> HttpResponse {
    let b: AccountBody = match parse(&body) {
        Ok(b) => b,
        Err(e) => return bad_request(&e),
    };
    if b.api_key.trim().is_empty() || b.salt.trim().is_empty() {
        return bad_request("api_key and salt must not be empty");
    }
    mount.sim.add_account(Account {
        api_key: b.api_key,
        salt: b.salt,
        event_salt: b.event_salt.filter(|s| !s.is_empty()),
    });
    controls::ok()
}

/// Re-sends the request's last webhook `copies` times (each a single delivery, no retries).
async fn resend(
    path: web::Path<String>,
    body: web::Bytes,
    mount: web::Data<Mount>,
) -> HttpResponse {
    let b: Resend = match parse(&body) {
        Ok(b) => b,
        Err(e) => return bad_request(&e),
    };
    let hook = mount.sim.lock().last_webhook.get(path.as_str()).cloned();
    let Some(hook) = hook else {
        return controls::not_found("no webhook sent for this payment request");
    };
    let (hook, sim) = (&hook, &mount.sim);
    b.run(|tamper| async move { sim.send_webhook(hook, tamper).await.ok() })
        .await
}

#[derive(Deserialize)]
struct LoseBody {
    drop: u32,
}

/// `{"drop": N}`: the next N outcome webhooks are lost (neither sent nor retried).
async fn lose_webhooks(body: web::Bytes, mount: web::Data<Mount>) -> HttpResponse {
    let b: LoseBody = match parse(&body) {
        Ok(b) => b,
        Err(e) => return bad_request(&e),
    };
    mount.sim.lock().drop_webhooks = b.drop;
    HttpResponse::Ok().json(json!({ "ok": true, "drop": b.drop }))
}
