//! The simulator's own HitPay signing (docs/gateways/hitpay.md, "Webhook v1" and "Webhook v2"),
//! written independently of the adapter's: both are checked against the "Test vectors", so they
//! cannot agree while both wrong.
//!
//! v1: drop `hmac`, sort the remaining fields by key (byte order), concatenate key then value,
//! HMAC-SHA256 with the salt, lowercase hex. v2: lowercase hex HMAC-SHA256 of the raw body.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The v1 string to sign for `fields` (decoded values).
pub fn v1_source(fields: &[(String, String)]) -> String {
    let mut pairs: Vec<&(String, String)> = fields.iter().filter(|(k, _)| k != "hmac").collect();
    pairs.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut out = String::new();
    for (k, v) in pairs {
        out += k;
        out += v;
    }
    out
}

/// Lowercase hex HMAC-SHA256 of `message` keyed with `salt`'s bytes.
pub fn sign_hex(salt: &str, message: &[u8]) -> String {
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(salt.as_bytes()).expect("HMAC takes any key length");
    mac.update(message);
    let digest = mac.finalize().into_bytes();
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The v1 `hmac` of a webhook's fields.
pub fn v1_hmac(salt: &str, fields: &[(String, String)]) -> String {
    sign_hex(salt, v1_source(fields).as_bytes())
}

/// The v1 wire body: the fields in their order, then `hmac`, form-urlencoded.
pub fn v1_body(fields: &[(String, String)], hmac: &str) -> String {
    let mut ser = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in fields {
        ser.append_pair(k, v);
    }
    ser.append_pair("hmac", hmac);
    ser.finish()
}

/// A signature with its last hex digit changed: well-formed, wrong.
pub fn tampered(sig: &str) -> String {
    let mut s = sig.to_owned();
    let last = s.pop().unwrap_or('0');
    s.push(if last == '0' { '1' } else { '0' });
    s
}
