//! Test controls under `_sim/` (design §6): accounts, faults, stats, webhook re-send, reset.
//!
//! These are not part of Pakhi Pay's contract, so they answer plain JSON with ordinary HTTP
//! statuses (400 for a bad control request, 404 for an unknown payment).
//!
//! `POST /_sim/accounts` takes the credential object Payrail stores (`{"api_key"}`) plus the
//! [INFERRED] behaviours as switches: `append_transaction_id` (K6, default false),
//! `send_webhooks` (default true), `signature_style` `"php"`|`"python"` (K1, default php),
//! `include_token` (K5, default false), `webhook_attempts` (K7, default 3).

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use super::state::{Account, Fault, FaultMode, SignatureStyle};
use super::Mount;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/_sim/accounts", web::post().to(add_account))
        .route("/_sim/faults", web::post().to(set_fault))
        .route("/_sim/stats", web::get().to(stats))
        .route("/_sim/checkout/{id}/webhook", web::post().to(resend))
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AccountBody {
    api_key: String,
    append_transaction_id: Option<bool>,
    send_webhooks: Option<bool>,
    signature_style: Option<String>,
    include_token: Option<bool>,
    webhook_attempts: Option<u32>,
}

async fn add_account(body: web::Bytes, mount: web::Data<Mount>) -> HttpResponse {
    let b: AccountBody = match parse(&body) {
        Ok(b) => b,
        Err(e) => return bad_request(&e),
    };
    if b.api_key.is_empty() || !b.api_key.bytes().all(|c| c.is_ascii_graphic()) {
        return bad_request("api_key must be printable ASCII without spaces");
    }
    let mut account = Account::new(&b.api_key);
    account.signature_style = match b.signature_style.as_deref() {
        None | Some("php") => SignatureStyle::Php,
        Some("python") => SignatureStyle::Python,
        Some(_) => return bad_request("signature_style must be \"php\" or \"python\""),
    };
    account.append_transaction_id = b.append_transaction_id.unwrap_or(false);
    account.send_webhooks = b.send_webhooks.unwrap_or(true);
    account.include_token = b.include_token.unwrap_or(false);
    account.webhook_attempts = b.webhook_attempts.unwrap_or(3).clamp(1, 10);
    mount.sim.add_account(account);
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
    let hook = mount
        .sim
        .lock()
        .last_webhook
        .get(&path.into_inner())
        .cloned();
    let Some(hook) = hook else {
        return HttpResponse::NotFound()
            .json(json!({ "error": "no webhook sent for this payment" }));
    };
    let mut statuses = Vec::new();
    for _ in 0..copies {
        statuses.push(mount.sim.send_webhook(&hook, b.tamper).await.ok());
    }
    HttpResponse::Ok().json(json!({ "sent": copies, "statuses": statuses }))
}

async fn reset(mount: web::Data<Mount>) -> HttpResponse {
    mount.sim.reset();
    HttpResponse::Ok().json(json!({ "ok": true }))
}
