//! HimoSoft request signing (docs/gateways/himosoft.md, "Signing"), as pure functions so the
//! "Test vectors" can be replayed byte for byte.
//!
//! `X-HMAC-Signature` = lowercase hex of HMAC-SHA256(key = the secret's UTF-8 bytes,
//! message = timestamp ‖ raw body), plain concatenation with no separator. A bodyless GET signs
//! `timestamp ‖ ""` (H3). This is NOT Payrail's own merchant-API scheme, which signs the request
//! target for bodyless requests. Checking decodes the hex first and compares raw digests in
//! constant time (`Mac::verify_slice`), so upper- and lowercase hex both verify.

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

fn mac(secret: &str, timestamp: &str, body: &[u8]) -> HmacSha256 {
    let mut mac =
        HmacSha256::new_from_slice(secret.as_bytes()).expect("HMAC accepts keys of any length");
    mac.update(timestamp.as_bytes());
    mac.update(body);
    mac
}

/// Lowercase hex HMAC-SHA256(secret, timestamp ‖ body): 64 characters.
pub fn sign(secret: &str, timestamp: &str, body: &[u8]) -> String {
    hex::encode(mac(secret, timestamp, body).finalize().into_bytes())
}

/// Constant-time check of a hex signature; anything that is not hex of 32 bytes fails.
pub fn verify(secret: &str, timestamp: &str, body: &[u8], signature_hex: &str) -> bool {
    let Ok(raw) = hex::decode(signature_hex.trim()) else {
        return false;
    };
    mac(secret, timestamp, body).verify_slice(&raw).is_ok()
}
