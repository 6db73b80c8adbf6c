//! HitPay's two webhook signatures (docs/gateways/hitpay.md, "Webhook v1" and "Webhook v2"), as
//! pure functions so the "Test vectors" can be replayed byte for byte.
//!
//! * v1 (form webhooks of payment requests): every received field except `hmac`, URL-decoded,
//!   sorted by key in byte order, concatenated as `key‖value` with no separators (T2: the PHP code
//!   is normative, not the prose), HMAC-SHA256 with the API-key salt, lowercase hex.
//! * v2 (event webhooks): HMAC-SHA256 of the raw JSON body, lowercase hex.
//!
//! Checking decodes the hex first and compares raw digests in constant time
//! (`Mac::verify_slice`), so upper-case hex is accepted and nothing leaks through timing.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::collections::BTreeMap;

type HmacSha256 = Hmac<Sha256>;

/// The v1 string to sign: `hmac` dropped, keys in byte order, `key‖value` concatenated.
/// `String`'s ordering is byte order, which is what PHP's `ksort` gives for these keys.
pub fn v1_message<'a>(fields: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let sorted: BTreeMap<&str, &str> = fields.into_iter().filter(|(k, _)| *k != "hmac").collect();
    sorted.into_iter().fold(String::new(), |mut out, (k, v)| {
        out.push_str(k);
        out.push_str(v);
        out
    })
}

/// Lowercase hex HMAC-SHA256 (key = the salt's UTF-8 bytes).
pub fn hmac_hex(key: &str, message: &[u8]) -> String {
    hex::encode(mac(key, message).finalize().into_bytes())
}

/// Constant-time check of a hex signature (either case); malformed hex never matches.
pub fn verify_hex(key: &str, message: &[u8], signature_hex: &str) -> bool {
    match hex::decode(signature_hex.trim()) {
        Ok(raw) => mac(key, message).verify_slice(&raw).is_ok(),
        Err(_) => false,
    }
}

fn mac(key: &str, message: &[u8]) -> HmacSha256 {
    let mut mac =
        HmacSha256::new_from_slice(key.as_bytes()).expect("HMAC accepts keys of any length");
    mac.update(message);
    mac
}
