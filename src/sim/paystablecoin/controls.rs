//! Test controls under `_sim/` (docs/sandbox.md, "Test controls"): accounts, faults, stats, webhook
//! re-send, reset.
//!
//! These are not part of PSC's contract, so they answer plain JSON with ordinary HTTP statuses
//! (400 for a bad control request, 404 for an unknown order) rather than PSC's envelope.

use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::state::{Account, WebhookVariant};
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
struct AccountBody {
    merchant_id: String,
    api_key: String,
    api_secret: String,
    webhook_variant: Option<String>,
}

async fn add_account(body: web::Bytes, mount: web::Data<Mount>) -> HttpResponse {
    let b: AccountBody = match parse(&body) {
        Ok(b) => b,
        Err(e) => return bad_request(&e),
    };
    let variant = match b.webhook_variant.as_deref() {
        None => WebhookVariant::Path,
        Some(v) => match WebhookVariant::parse(v) {
            Some(v) => v,
            None => return bad_request("webhook_variant must be \"path\" or \"body\""),
        },
    };
    if b.merchant_id.is_empty() || b.api_key.is_empty() || b.api_secret.is_empty() {
        return bad_request("merchant_id, api_key and api_secret must not be empty");
    }
    mount.sim.add_account(Account {
        merchant_id: b.merchant_id,
        api_key: b.api_key,
        api_secret: b.api_secret,
        webhook_variant: variant,
    });
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
    let id = path.into_inner();
    let hook = mount.sim.lock().last_webhook.get(&id).cloned();
    let Some(hook) = hook else {
        return controls::not_found("no webhook sent for this order");
    };
    let (hook, sim) = (&hook, &mount.sim);
    b.run(|tamper| async move { sim.send_webhook(hook, tamper).await.ok() })
        .await
}
