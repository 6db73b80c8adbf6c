//! Request authentication of the Hosted Payments API (docs/gateways/paystablecoin.md, "Signing" and
//! "Simulator").
//!
//! Refuses a request the way the gateway would (HTTP 200 with a 50xxx code, see the module doc
//! of `paystablecoin`) so the adapter's error handling is exercised, and checks the signature over
//! PSC's real path, never the simulator's mount prefix.

use actix_web::HttpRequest;
use chrono::Utc;

use super::envelope::{ApiError, BAD_API_KEY, BAD_SIGNATURE, BAD_TIMESTAMP};
use super::signing;
use super::state::Account;
use super::PscSim;

fn header<'a>(req: &'a HttpRequest, name: &str) -> Option<&'a str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

/// Checks `X-Api-Key` (must belong to `merchant_id`), `X-Timestamp` (ms, within the window) and
/// `X-Signature` over `real_path`, the raw query string and the raw body. Returns the account.
pub fn authenticate(
    sim: &PscSim,
    req: &HttpRequest,
    merchant_id: &str,
    real_path: &str,
    body: &[u8],
) -> Result<Account, ApiError> {
    let api_key = header(req, "X-Api-Key").ok_or(BAD_API_KEY)?;
    let account = sim
        .lock()
        .accounts
        .get(api_key)
        .cloned()
        .ok_or(BAD_API_KEY)?;
    if account.merchant_id != merchant_id {
        return Err(BAD_API_KEY);
    }

    let timestamp = header(req, "X-Timestamp").ok_or(BAD_TIMESTAMP)?;
    if timestamp.is_empty() || !timestamp.bytes().all(|b| b.is_ascii_digit()) {
        return Err(BAD_TIMESTAMP);
    }
    let ts: i64 = timestamp.parse().map_err(|_| BAD_TIMESTAMP)?;
    let now = Utc::now().timestamp_millis();
    if now.abs_diff(ts) > sim.config.timestamp_window_ms.unsigned_abs() {
        return Err(BAD_TIMESTAMP);
    }

    let signature = header(req, "X-Signature").ok_or(BAD_SIGNATURE)?;
    let to_sign = signing::request_string_to_sign(
        timestamp,
        req.method().as_str(),
        real_path,
        req.query_string(),
        body,
    );
    if !signing::verify(&account.api_secret, to_sign.as_bytes(), signature) {
        return Err(BAD_SIGNATURE);
    }
    Ok(account)
}
