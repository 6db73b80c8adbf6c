//! Field checks shared by the order and refund endpoints (docs/gateways/paystablecoin.md,
//! "Endpoints" and "Refunds").
//!
//! Maps each kind of bad input to PSC's 10xxx code, so a malformed request is refused with the
//! gateway's code instead of an actix error page.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde_json::{Map, Value};

use super::envelope::{
    ApiError, AMOUNT_NOT_POSITIVE, AMOUNT_OUT_OF_RANGE, AMOUNT_PRECISION, INVALID_ARGUMENT,
    INVALID_FORMAT, MISSING_PARAMETER,
};

/// The body as a JSON object (`10001` otherwise).
pub fn object(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    match serde_json::from_slice(body) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(INVALID_ARGUMENT),
    }
}

/// A string field of the body, best effort, for the call counters.
pub fn body_field(body: &[u8], field: &str) -> Option<String> {
    object(body).ok()?.get(field)?.as_str().map(str::to_owned)
}

/// A required string: absent, null or empty → `10002`; not a string → `10003`.
pub fn required<'a>(obj: &'a Map<String, Value>, field: &str) -> Result<&'a str, ApiError> {
    optional(obj, field)?.ok_or(MISSING_PARAMETER)
}

/// An optional string: absent, null or empty → `None`; not a string → `10003`.
pub fn optional<'a>(obj: &'a Map<String, Value>, field: &str) -> Result<Option<&'a str>, ApiError> {
    match obj.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(INVALID_FORMAT),
    }
}

/// `[A-Za-z0-9_-]` with a length in `min..=max`.
pub fn reference(s: &str, min: usize, max: usize) -> bool {
    (min..=max).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// A money `value` string: plain decimal notation (`10003`), greater than 0 (`10004`), at most
/// two decimals as written (`10009`), representable (`10008`).
pub fn amount(value: &str) -> Result<Decimal, ApiError> {
    let (int, frac) = value.split_once('.').unwrap_or((value, "0"));
    let digits = int.strip_prefix('-').unwrap_or(int);
    let plain = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !plain(digits) || !plain(frac) {
        return Err(INVALID_FORMAT);
    }
    let d = Decimal::from_str(value).map_err(|_| AMOUNT_OUT_OF_RANGE)?;
    if d <= Decimal::ZERO {
        return Err(AMOUNT_NOT_POSITIVE);
    }
    if d.scale() > 2 {
        return Err(AMOUNT_PRECISION);
    }
    Ok(d)
}

/// An absolute `http`/`https` URL of at most 2048 characters (`10003`).
pub fn url(s: &str) -> Result<(), ApiError> {
    if s.len() > 2048 {
        return Err(INVALID_FORMAT);
    }
    match reqwest::Url::parse(s) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => Ok(()),
        _ => Err(INVALID_FORMAT),
    }
}
