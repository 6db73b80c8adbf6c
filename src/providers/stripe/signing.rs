//! Stripe's webhook signature (`Stripe-Signature`, R6), as pure functions so the vectors in
//! `docs/gateways/stripe.md` can be replayed byte for byte.
//!
//! The header is a comma-separated list of `key=value` items: one `t` (Unix seconds) and one or
//! more `v1` (lowercase hex HMAC-SHA256 over `"{t}.{raw body}"`, keyed with the endpoint secret's
//! bytes, `whsec_` prefix included). While a secret is being rolled Stripe sends a `v1` for each
//! live secret, so any `v1` may match. Other schemes (`v0`, test-mode leftovers) are ignored.
//!
//! A signature is checked before its age: a forged one says "does not match" whatever its `t`.
//! Then `t` must be within [`TOLERANCE_SECS`] of the server's clock, either way (R7: Stripe's
//! libraries only refuse old ones; a time in the future is just as replayable). Digests are
//! compared as raw bytes in constant time (`Mac::verify_slice`).

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Stripe's libraries' default tolerance: five minutes.
pub const TOLERANCE_SECS: i64 = 300;

/// The parts of a `Stripe-Signature` header Payrail uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureHeader {
    pub timestamp: i64,
    /// Every `v1` value, as sent (hex).
    pub v1: Vec<String>,
}

/// Parses `t=…,v1=…[,v1=…]`; exactly one `t`, at least one `v1`.
pub fn parse_header(header: &str) -> Result<SignatureHeader, String> {
    let mut timestamp = None;
    let mut v1 = Vec::new();
    for item in header.split(',') {
        let (key, value) = item
            .trim()
            .split_once('=')
            .ok_or_else(|| format!("Stripe-Signature item {item:?} is not key=value"))?;
        match key {
            "t" if timestamp.is_some() => return Err("Stripe-Signature has two t".into()),
            "t" => {
                let t = value
                    .parse::<i64>()
                    .map_err(|_| format!("Stripe-Signature t={value:?} is not a number"))?;
                timestamp = Some(t);
            }
            "v1" => v1.push(value.to_owned()),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or("Stripe-Signature has no t")?;
    if v1.is_empty() {
        return Err("Stripe-Signature has no v1 signature".into());
    }
    Ok(SignatureHeader { timestamp, v1 })
}

/// The signed payload: `"{t}.{body}"`.
fn mac(secret: &str, timestamp: i64, body: &[u8]) -> HmacSha256 {
    let mut mac =
        HmacSha256::new_from_slice(secret.as_bytes()).expect("HMAC accepts keys of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// Lowercase hex `v1` for `body` signed at `timestamp`.
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    hex::encode(mac(secret, timestamp, body).finalize().into_bytes())
}

/// Checks `header` over `body` at server time `now` (Unix seconds).
pub fn verify(secret: &str, header: &str, body: &[u8], now: i64) -> Result<(), String> {
    let parsed = parse_header(header)?;
    let matches = parsed.v1.iter().any(|sig| match hex::decode(sig.trim()) {
        Ok(raw) => mac(secret, parsed.timestamp, body)
            .verify_slice(&raw)
            .is_ok(),
        Err(_) => false,
    });
    if !matches {
        return Err("no v1 signature in Stripe-Signature matches".into());
    }
    let off = now
        .checked_sub(parsed.timestamp)
        .and_then(i64::checked_abs)
        .filter(|off| *off <= TOLERANCE_SECS);
    match off {
        Some(_) => Ok(()),
        None => Err(format!(
            "Stripe-Signature t={} is more than {TOLERANCE_SECS}s from the server's clock",
            parsed.timestamp
        )),
    }
}
