//! HimoSoft signing (docs/gateways/himosoft.md, "Signing"), written independently of the adapter.
//!
//! `X-HMAC-Signature` = lowercase hex HMAC-SHA256(secret's UTF-8 bytes, timestamp ‖ raw body).
//! The simulator checks requests and signs its callbacks with exactly these functions, which the
//! "Test vectors" pin down.

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

fn keyed(secret: &str, timestamp: &str, body: &[u8]) -> HmacSha256 {
    // HMAC takes keys of any length, so this cannot fail.
    let mut m = HmacSha256::new_from_slice(secret.as_bytes()).expect("any key length");
    m.update(timestamp.as_bytes());
    m.update(body);
    m
}

/// Lowercase hex of HMAC-SHA256(secret, timestamp ‖ body).
pub fn sign(secret: &str, timestamp: &str, body: &[u8]) -> String {
    hex::encode(keyed(secret, timestamp, body).finalize().into_bytes())
}

/// Checks a hex signature in constant time (decode, then `verify_slice`); anything that is not
/// hex of a 32-byte digest is refused.
pub fn verify(secret: &str, timestamp: &str, body: &[u8], signature: &str) -> bool {
    match hex::decode(signature) {
        Ok(raw) => keyed(secret, timestamp, body).verify_slice(&raw).is_ok(),
        Err(_) => false,
    }
}

/// The same signature with its first hex digit changed: well-formed, wrong.
pub fn tampered(signature: &str) -> String {
    let mut chars: Vec<char> = signature.chars().collect();
    match chars.first_mut() {
        Some(c) => *c = if *c == '0' { '1' } else { '0' },
        None => chars.push('0'),
    }
    chars.into_iter().collect()
}
