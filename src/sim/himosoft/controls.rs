//! Test controls under `_sim/` (docs/sandbox.md, "Test controls"): accounts, faults, stats,
//! callback re-send and drop, reset.
//!
//! Not part of HimoSoft's contract, so they answer plain JSON with ordinary HTTP statuses (400 for
//! a bad control request, 404 for an unknown payment). `POST /_sim/webhooks/drop {"count": N}`
//! is this simulator's addition: the next N callbacks are never sent (a callback lost on the way),
//! since `_sim/faults` only touches API calls.

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
        .route("/_sim/webhooks/drop", web::post().to(drop_webhooks))
        .route("/_sim/reset", web::post().to(controls::reset::<Mount>));
}

/// The credential object Payrail stores (`secret`, `api_key`?) plus `return_url`?.
#[derive(Deserialize)]
struct AccountBody {
    secret: String,
    api_key: Option<String>,
    return_url: Option<String>,
}

async fn add_account(body: web::Bytes, mount: web::Data<Mount>) -> HttpResponse {
    let b: AccountBody = match parse(&body) {
        Ok(b) => b,
        Err(e) => return bad_request(&e),
    };
    if b.secret.trim().is_empty() || b.api_key.as_deref().is_some_and(|k| k.trim().is_empty()) {
        return bad_request("secret and api_key must not be empty");
    }
    if let Some(u) = &b.return_url {
        if !matches!(reqwest::Url::parse(u), Ok(p) if matches!(p.scheme(), "http" | "https")) {
            return bad_request("return_url must be an absolute http(s) URL");
        }
    }
    mount.sim.add_account(Account {
        secret: b.secret,
        api_key: b.api_key,
        return_url: b.return_url,
    });
    controls::ok()
}

/// Re-sends the last callback of payment `id` (`pay_…` or the checkout token).
async fn resend(
    path: web::Path<String>,
    body: web::Bytes,
    mount: web::Data<Mount>,
) -> HttpResponse {
    let b: Resend = match parse(&body) {
        Ok(b) => b,
        Err(e) => return bad_request(&e),
    };
    let hook = {
        let mut st = mount.sim.lock();
        let id = st.payment_mut(&path).map(|p| p.id.clone());
        id.and_then(|id| st.last_webhook.get(&id).cloned())
    };
    let Some(hook) = hook else {
        return controls::not_found("no callback sent for this payment");
    };
    let (hook, sim) = (&hook, &mount.sim);
    b.run(|tamper| async move { sim.deliver(hook, tamper).await })
        .await
}

#[derive(Deserialize)]
struct DropBody {
    count: Option<u32>,
}

async fn drop_webhooks(body: web::Bytes, mount: web::Data<Mount>) -> HttpResponse {
    let b: DropBody = match parse(&body) {
        Ok(b) => b,
        Err(e) => return bad_request(&e),
    };
    let count = b.count.unwrap_or(1);
    mount.sim.lock().drop_webhooks = count;
    HttpResponse::Ok().json(json!({ "ok": true, "count": count }))
}
