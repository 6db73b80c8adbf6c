//! Request authentication (docs/gateways/himosoft.md, "Signing", H1–H3), answered the way HimoSoft
//! answers ("Answers and errors").
//!
//! 1. `X-API-Key` present → that account, unknown → 401 `invalid_signature`. Absent → the
//!    single-tenant account (H2), unless the simulator is configured to require a key.
//! 2. The timestamp: `X-Timestamp`, or the aliases `X-HMAC-Timestamp` / `Timestamp` (H1), Unix
//!    seconds as digits; missing or not digits → 401 `invalid_signature` (nothing to check).
//! 3. `X-HMAC-Signature` over timestamp ‖ raw body (a GET signs `""`, H3), constant time;
//!    missing or wrong → 401 `invalid_signature`.
//! 4. The timestamp within ±300 s (configurable) → else 401 `timestamp_expired`. Checked after
//!    the signature so only a genuinely signed but stale request is told it is stale.

use actix_web::HttpRequest;
use chrono::Utc;

use super::envelope::{ApiError, INVALID_SIGNATURE, TIMESTAMP_EXPIRED};
use super::signing;
use super::state::Account;
use super::HimoSoftSim;

fn header<'a>(req: &'a HttpRequest, name: &str) -> Option<&'a str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

/// Returns the account's key (`None`: single-tenant) and the account.
pub fn authenticate(
    sim: &HimoSoftSim,
    req: &HttpRequest,
    body: &[u8],
) -> Result<(Option<String>, Account), ApiError> {
    let key = header(req, "X-API-Key").map(str::to_owned);
    let account = {
        let st = sim.lock();
        match &key {
            Some(k) => st.accounts.get(k).cloned(),
            None if sim.config.require_api_key => None,
            None => Some(st.keyless.clone()),
        }
    }
    .ok_or(INVALID_SIGNATURE)?;

    let timestamp = sim
        .config
        .timestamp_headers
        .iter()
        .find_map(|h| header(req, h))
        .ok_or(INVALID_SIGNATURE)?;
    if timestamp.is_empty()
        || timestamp.len() > 12
        || !timestamp.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(INVALID_SIGNATURE);
    }
    let signature = header(req, "X-HMAC-Signature").ok_or(INVALID_SIGNATURE)?;
    if !signing::verify(&account.secret, timestamp, body, signature) {
        return Err(INVALID_SIGNATURE);
    }
    let ts: i64 = timestamp.parse().map_err(|_| INVALID_SIGNATURE)?;
    if Utc::now().timestamp().abs_diff(ts) > sim.config.timestamp_window_s.unsigned_abs() {
        return Err(TIMESTAMP_EXPIRED);
    }
    Ok((key, account))
}
