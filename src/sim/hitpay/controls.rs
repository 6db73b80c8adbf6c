//! Test controls under `_sim/` (design §6): accounts, faults, stats, webhook re-send and loss,
//! reset.
//!
//! Not part of HitPay's contract, so they answer plain JSON with ordinary statuses (400 for a bad
//! control request, 404 for an unknown payment request).

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use super::state::{Account, Fault, FaultMode};
use super::Mount;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/_sim/accounts", web::post().to(add_account))
        .route("/_sim/faults", web::post().to(set_fault))
        .route("/_sim/stats", web::get().to(stats))
        .route("/_sim/checkout/{id}/webhook", web::post().to(resend))
        .route("/_sim/webhooks", web::post().to(lose_webhooks))
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

/// Re-sends the request's last webhook `copies` times (each a single delivery, no retries).
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
    let hook = mount.sim.lock().last_webhook.get(path.as_str()).cloned();
    let Some(hook) = hook else {
        return HttpResponse::NotFound()
            .json(json!({ "error": "no webhook sent for this payment request" }));
    };
    let mut statuses = Vec::new();
    for _ in 0..copies {
        statuses.push(mount.sim.send_webhook(&hook, b.tamper).await.ok());
    }
    HttpResponse::Ok().json(json!({ "sent": copies, "statuses": statuses }))
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

async fn reset(mount: web::Data<Mount>) -> HttpResponse {
    mount.sim.reset();
    HttpResponse::Ok().json(json!({ "ok": true }))
}
