//! Test controls under `_sim/` (docs/sandbox.md): accounts (with the webhook endpoint Stripe keeps per
//! account), faults, stats, webhook re-send (tampered or signed in the past), loss and holding
//! back (delivered later, out of order), reset.
//!
//! Not part of Stripe's contract, so they answer plain JSON with ordinary statuses.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use super::state::Account;
use super::Mount;
use crate::sim::common::controls::{self, bad_request, parse};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/_sim/accounts", web::post().to(add_account))
        .route("/_sim/faults", web::post().to(controls::set_fault::<Mount>))
        .route("/_sim/stats", web::get().to(controls::stats::<Mount>))
        .route("/_sim/checkout/{id}/webhook", web::post().to(resend))
        .route("/_sim/webhooks", web::post().to(lose_webhooks))
        .route("/_sim/webhooks/release", web::post().to(release_webhooks))
        .route("/_sim/reset", web::post().to(controls::reset::<Mount>));
}

/// The credential object Payrail stores for Stripe, plus the account's endpoint and, while a
/// secret is rolled, the previous one.
#[derive(Deserialize)]
struct AccountBody {
    secret_key: String,
    webhook_secret: String,
    webhook_url: Option<String>,
    previous_webhook_secret: Option<String>,
    /// A restricted key's missing permissions (`state::Account::denied`).
    #[serde(default)]
    denied: Vec<String>,
}

async fn add_account(body: web::Bytes, mount: web::Data<Mount>) -> HttpResponse {
    let b: AccountBody = match parse(&body) {
        Ok(b) => b,
        Err(e) => return bad_request(&e),
    };
    let restricted = b.secret_key.starts_with("rk_");
    if !(restricted || b.secret_key.starts_with("sk_")) || !b.webhook_secret.starts_with("whsec_") {
        return bad_request("secret_key must start with sk_ or rk_ and webhook_secret with whsec_");
    }
    if !restricted && !b.denied.is_empty() {
        return bad_request("only a restricted key (rk_) can be denied resources");
    }
    if let Some(url) = &b.webhook_url {
        if url::Url::parse(url).is_err() {
            return bad_request("webhook_url must be a URL");
        }
    }
    mount.sim.add_account(Account {
        secret_key: b.secret_key,
        webhook_secret: b.webhook_secret,
        previous_webhook_secret: b.previous_webhook_secret.filter(|s| !s.is_empty()),
        webhook_url: b.webhook_url,
        denied: b.denied,
    });
    controls::ok()
}

/// `{"copies"?, "tamper"?, "age_secs"?}`.
#[derive(Deserialize)]
struct ResendBody {
    copies: Option<u32>,
    #[serde(default)]
    tamper: bool,
    #[serde(default)]
    age_secs: i64,
}

/// Re-sends the session's last event `copies` times (each a single delivery, no retries), signed
/// `age_secs` ago (to prove a stale signature is refused) and optionally tampered.
async fn resend(
    path: web::Path<String>,
    body: web::Bytes,
    mount: web::Data<Mount>,
) -> HttpResponse {
    let b: ResendBody = match parse(&body) {
        Ok(b) => b,
        Err(e) => return bad_request(&e),
    };
    let hook = mount.sim.lock().last_webhook.get(path.as_str()).cloned();
    let Some(hook) = hook else {
        return controls::not_found("no webhook sent for this checkout session");
    };
    let copies = b.copies.unwrap_or(1).min(100);
    let mut statuses = Vec::new();
    for _ in 0..copies {
        statuses.push(mount.sim.send_webhook(&hook, b.tamper, b.age_secs).await.ok());
    }
    HttpResponse::Ok().json(json!({ "sent": copies, "statuses": statuses }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LoseBody {
    #[serde(default)]
    drop: u32,
    #[serde(default)]
    hold: u32,
}

/// `{"drop": N, "hold": M}`: the next N webhooks are lost (neither sent nor retried), and the M
/// after them are held until `_sim/webhooks/release`.
async fn lose_webhooks(body: web::Bytes, mount: web::Data<Mount>) -> HttpResponse {
    let b: LoseBody = match parse(&body) {
        Ok(b) => b,
        Err(e) => return bad_request(&e),
    };
    let mut st = mount.sim.lock();
    st.drop_webhooks = b.drop;
    st.hold_webhooks = b.hold;
    HttpResponse::Ok().json(json!({ "ok": true, "drop": b.drop, "hold": b.hold }))
}

/// Sends the held webhooks now, oldest first, each awaited.
async fn release_webhooks(mount: web::Data<Mount>) -> HttpResponse {
    let released = mount.sim.release_held().await;
    HttpResponse::Ok().json(json!({ "ok": true, "released": released }))
}
