//! Test controls under `_sim/` (design §6): accounts, faults, stats, reset, and expiring every
//! token (so tests reach the renewal path without waiting an hour).
//!
//! These are not part of bKash's contract, so they answer plain JSON with ordinary HTTP
//! statuses (400 for a bad control request).
//!
//! `POST /_sim/accounts` takes the credential object Payrail stores (`{"app_key", "app_secret",
//! "username", "password"}`) plus switches: `token_ttl_secs` (default 3600), `already_executed`
//! (`"2062"` or `"2117"`, the default), `execute_refusal` (a code execute answers instead of
//! moving money, e.g. `"2023"`; default none).

use actix_web::{web, HttpResponse};
use chrono::Utc;
use serde::Deserialize;

use super::state::{Account, ALREADY_EXECUTED};
use super::Mount;
use crate::sim::common::controls::{self, bad_request, parse};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/_sim/accounts", web::post().to(add_account))
        .route("/_sim/faults", web::post().to(controls::set_fault::<Mount>))
        .route("/_sim/stats", web::get().to(controls::stats::<Mount>))
        .route("/_sim/tokens/expire", web::post().to(expire_tokens))
        .route("/_sim/reset", web::post().to(controls::reset::<Mount>));
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AccountBody {
    app_key: String,
    app_secret: String,
    username: String,
    password: String,
    token_ttl_secs: Option<i64>,
    already_executed: Option<String>,
    execute_refusal: Option<String>,
}

async fn add_account(body: web::Bytes, mount: web::Data<Mount>) -> HttpResponse {
    let b: AccountBody = match parse(&body) {
        Ok(b) => b,
        Err(e) => return bad_request(&e),
    };
    let fields = [&b.app_key, &b.app_secret, &b.username, &b.password];
    if fields.iter().any(|f| f.trim().is_empty()) {
        return bad_request("app_key, app_secret, username and password must not be empty");
    }
    let already = b.already_executed.as_deref().unwrap_or(ALREADY_EXECUTED);
    if !matches!(already, "2062" | "2117") {
        return bad_request("already_executed must be \"2062\" or \"2117\"");
    }
    let mut account = Account::new(&b.app_key, &b.app_secret, &b.username, &b.password);
    account.token_ttl_secs = b.token_ttl_secs.unwrap_or(3600).clamp(1, 86_400);
    account.already_executed = already.to_owned();
    account.execute_refusal = b.execute_refusal;
    let mut st = mount.sim.lock();
    st.accounts.retain(|_, a| a.app_key != account.app_key);
    st.accounts.insert(account.username.clone(), account);
    controls::ok()
}

async fn expire_tokens(mount: web::Data<Mount>) -> HttpResponse {
    let now = Utc::now();
    for token in mount.sim.lock().tokens.values_mut() {
        token.expires_at = now;
    }
    controls::ok()
}
