//! Test controls under `_sim/` (docs/sandbox.md, "Test controls"): accounts, faults, stats,
//! webhook re-send, reset. The labels K1–K7: docs/gateways/pakhipay.md.
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

use super::state::{Account, SignatureStyle};
use super::Mount;
use crate::sim::common::controls::{self, bad_request, parse, Resend};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/_sim/accounts", web::post().to(add_account))
        .route("/_sim/faults", web::post().to(controls::set_fault::<Mount>))
        .route("/_sim/stats", web::get().to(controls::stats::<Mount>))
        .route("/_sim/checkout/{id}/webhook", web::post().to(resend))
        .route("/_sim/reset", web::post().to(controls::reset::<Mount>));
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
    controls::ok()
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
    let hook = mount
        .sim
        .lock()
        .last_webhook
        .get(&path.into_inner())
        .cloned();
    let Some(hook) = hook else {
        return controls::not_found("no webhook sent for this payment");
    };
    let (hook, sim) = (&hook, &mount.sim);
    b.run(|tamper| async move { sim.send_webhook(hook, tamper).await.ok() })
        .await
}
