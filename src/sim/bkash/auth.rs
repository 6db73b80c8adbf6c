//! The token calls (`/token/grant`, `/token/refresh`) and the check every other call passes.
//!
//! A grant takes the account's `username`/`password` headers and its `app_key`/`app_secret` in
//! the body and issues an `id_token` living the account's `token_ttl_secs` (an hour) plus a
//! `refresh_token`; a refresh issues a new `id_token` for a known refresh token. Both are
//! counted (`grants`, `refreshes` in `_sim/stats`) so tests can prove Payrail shares one token.
//! Every payment call must carry a live `id_token` as `Authorization` (the bare token) and the
//! token's own app key as `X-APP-Key`.
//!
//! | case | HTTP | body |
//! |---|---|---|
//! | unknown `username`/`password` [INFERRED] | 401 | `{"message":"Unauthorized"}` |
//! | wrong `app_key` or `app_secret` | 200 | `statusCode` `2001` Invalid App Key |
//! | unknown `refresh_token` [INFERRED] | 401 | `{"message":"Unauthorized"}` |
//! | no or unknown `Authorization` [INFERRED] | 401 | `{"message":"Unauthorized"}` |
//! | expired `id_token` [INFERRED] | 401 | `{"message":"The incoming token has expired"}` |
//! | `X-APP-Key` not the token's | 200 | `statusCode` `2001` Invalid App Key |

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Utc;
use serde::Deserialize;
use serde_json::json;

use super::faults::{code, json as respond_json, unauthorized, Answer};
use super::state::{Account, Token};
use super::{BkashSim, Mount};

#[derive(Deserialize)]
struct TokenBody {
    app_key: Option<String>,
    app_secret: Option<String>,
    refresh_token: Option<String>,
}

fn header<'a>(req: &'a HttpRequest, name: &str) -> &'a str {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

/// The account of the `username`/`password` headers and the body's app key and secret.
fn account_of(sim: &BkashSim, req: &HttpRequest, body: &TokenBody) -> Result<Account, Answer> {
    let st = sim.lock();
    let account = st
        .accounts
        .get(header(req, "username"))
        .filter(|a| a.password == header(req, "password"))
        .ok_or_else(|| unauthorized("Unauthorized"))?;
    let key_ok = body.app_key.as_deref() == Some(account.app_key.as_str());
    let secret_ok = body.app_secret.as_deref() == Some(account.app_secret.as_str());
    if !(key_ok && secret_ok) {
        return Err(code("2001", "Invalid App Key"));
    }
    Ok(account.clone())
}

fn random_token(prefix: &str) -> String {
    format!("{prefix}{:032x}", rand::random::<u128>())
}

/// Issues a new `id_token` for `account` (and a new refresh token when `refresh` is `None`).
fn issue(sim: &BkashSim, account: &Account, refresh: Option<String>) -> Answer {
    let id_token = random_token("eyJ");
    let refresh_token = refresh.unwrap_or_else(|| random_token("eyR"));
    let mut st = sim.lock();
    let expires_at = Utc::now() + chrono::Duration::seconds(account.token_ttl_secs);
    let token = Token {
        app_key: account.app_key.clone(),
        expires_at,
    };
    st.tokens.insert(id_token.clone(), token);
    st.refresh_tokens
        .insert(refresh_token.clone(), account.app_key.clone());
    let body = json!({
        "statusCode": "0000", "statusMessage": "Successful",
        "id_token": id_token, "token_type": "Bearer",
        "expires_in": account.token_ttl_secs, "refresh_token": refresh_token,
    });
    (200, body)
}

fn parse(body: &[u8]) -> Result<TokenBody, Answer> {
    serde_json::from_slice(body).map_err(|_| code("2025", "Invalid request body"))
}

pub async fn grant(req: HttpRequest, body: web::Bytes, mount: web::Data<Mount>) -> HttpResponse {
    let sim = &mount.sim;
    sim.lock().stats.grants += 1;
    let answer = parse(&body)
        .and_then(|b| account_of(sim, &req, &b))
        .map(|account| issue(sim, &account, None));
    respond_json(answer.unwrap_or_else(|a| a))
}

pub async fn refresh(req: HttpRequest, body: web::Bytes, mount: web::Data<Mount>) -> HttpResponse {
    let sim = &mount.sim;
    sim.lock().stats.refreshes += 1;
    let answer = parse(&body).and_then(|b| {
        let account = account_of(sim, &req, &b)?;
        let refresh = b.refresh_token.unwrap_or_default();
        let known = sim.lock().refresh_tokens.get(&refresh) == Some(&account.app_key);
        if !known {
            return Err(unauthorized("Unauthorized"));
        }
        Ok(issue(sim, &account, Some(refresh)))
    });
    respond_json(answer.unwrap_or_else(|a| a))
}

/// The account a payment call is made for, or the refusal it gets.
pub fn authenticate(sim: &BkashSim, req: &HttpRequest) -> Result<Account, Answer> {
    let st = sim.lock();
    let token = st
        .tokens
        .get(header(req, "authorization"))
        .ok_or_else(|| unauthorized("Unauthorized"))?;
    if token.expires_at <= Utc::now() {
        return Err(unauthorized("The incoming token has expired"));
    }
    if header(req, "x-app-key") != token.app_key {
        return Err(code("2001", "Invalid App Key"));
    }
    st.account_by_key(&token.app_key)
        .cloned()
        .ok_or_else(|| unauthorized("Unauthorized"))
}
