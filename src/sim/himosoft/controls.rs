//! Test controls under `_sim/` (design §6): accounts, faults, stats, callback re-send and drop,
//! reset.
//!
//! Not part of HimoSoft's contract, so they answer plain JSON with ordinary HTTP statuses (400 for
//! a bad control request, 404 for an unknown payment). `POST /_sim/webhooks/drop {"count": N}`
//! is this simulator's addition: the next N callbacks are never sent (a callback lost on the way),
//! since `_sim/faults` only touches API calls.

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
        .route("/_sim/webhooks/drop", web::post().to(drop_webhooks))
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

/// Re-sends the last callback of payment `id` (`pay_…` or the checkout token).
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
    let hook = {
        let mut st = mount.sim.lock();
        let id = st.payment_mut(&path).map(|p| p.id.clone());
        id.and_then(|id| st.last_webhook.get(&id).cloned())
    };
    let Some(hook) = hook else {
        return HttpResponse::NotFound()
            .json(json!({ "error": "no callback sent for this payment" }));
    };
    let mut statuses = Vec::new();
    for _ in 0..copies {
        statuses.push(mount.sim.deliver(&hook, b.tamper).await);
    }
    HttpResponse::Ok().json(json!({ "sent": copies, "statuses": statuses }))
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

async fn reset(mount: web::Data<Mount>) -> HttpResponse {
    mount.sim.reset();
    HttpResponse::Ok().json(json!({ "ok": true }))
}
