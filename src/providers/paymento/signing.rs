//! Paymento's IPN signature (docs/gateways/paymento.md, "Webhook (IPN)", P1): HMAC-SHA256 keyed
//! with the store's secret key (UTF-8), over the raw request body, rendered as UPPERCASE hex.
//!
//! Pure functions so the "Test vectors" signature can be replayed byte for byte. Checking never
//! compares strings: the received value is decoded to its 32 raw bytes (hex of either case, or, as
//! the docs' curl example suggests, standard Base64) and compared with `Mac::verify_slice`, which
//! is constant-time.

use base64::{engine::general_purpose::STANDARD, Engine};
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// How a received signature was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Hex,
    Base64,
}

/// `UPPER(hex(HMAC-SHA256(secret, body)))`: what Paymento sends (canonical form).
pub fn sign_upper_hex(secret: &str, body: &[u8]) -> String {
    hex::encode_upper(mac(secret, body).finalize().into_bytes())
}

/// The raw digest a received header value stands for: 64 hex characters (any case) first, else
/// standard Base64 of exactly 32 bytes (P1). `None` when it is neither.
pub fn decode_signature(value: &str) -> Option<(Vec<u8>, Encoding)> {
    let v = value.trim();
    if v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()) {
        return hex::decode(v).ok().map(|d| (d, Encoding::Hex));
    }
    match STANDARD.decode(v) {
        Ok(d) if d.len() == 32 => Some((d, Encoding::Base64)),
        _ => None,
    }
}

/// Constant-time check of a decoded digest against the body.
pub fn verify(secret: &str, body: &[u8], digest: &[u8]) -> bool {
    mac(secret, body).verify_slice(digest).is_ok()
}

fn mac(secret: &str, body: &[u8]) -> HmacSha256 {
    let mut mac =
        HmacSha256::new_from_slice(secret.as_bytes()).expect("HMAC accepts keys of any length");
    mac.update(body);
    mac
}
