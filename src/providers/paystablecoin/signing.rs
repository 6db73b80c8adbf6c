//! PSC's HMAC scheme (docs/gateways/paystablecoin.md, "Signing" and "Webhook"), as pure
//! functions so the "Test vectors" can be replayed byte for byte.
//!
//! The key is the API secret's UTF-8 bytes, never base64-decoded although it looks like base64url
//! (S10). Signatures are standard, padded Base64. Checking compares raw digests in constant time
//! (`Mac::verify_slice`) after the caller has decoded the Base64 it received.

use base64::{engine::general_purpose::STANDARD, Engine};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

/// `Base64(SHA256(bytes))`: the body hash for POSTs, the query-string hash for GETs with a query.
pub fn body_hash_b64(bytes: &[u8]) -> String {
    STANDARD.encode(Sha256::digest(bytes))
}

/// `ts \n METHOD \n path [\n hash]`, LF-joined, no trailing newline.
pub fn string_to_sign(ts: &str, method: &str, path: &str, hash: Option<&str>) -> String {
    let mut out = format!("{ts}\n{method}\n{path}");
    if let Some(hash) = hash {
        out.push('\n');
        out.push_str(hash);
    }
    out
}

/// `Base64(HMAC-SHA256(key = secret's UTF-8 bytes, message))`.
pub fn sign(secret: &str, message: impl AsRef<[u8]>) -> String {
    STANDARD.encode(mac(secret, message.as_ref()).finalize().into_bytes())
}

/// Constant-time check of a raw (already Base64-decoded) signature.
pub fn verify(secret: &str, message: &[u8], signature: &[u8]) -> bool {
    mac(secret, message).verify_slice(signature).is_ok()
}

/// Webhook variant A message: `ts \n rawBody` (raw bytes, the body need not be UTF-8).
pub fn webhook_message_a(ts: &str, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(ts.len() + 1 + body.len());
    out.extend_from_slice(ts.as_bytes());
    out.push(b'\n');
    out.extend_from_slice(body);
    out
}

/// Webhook variant B message: the request-signing string of PSC's own POST to `path`.
pub fn webhook_message_b(ts: &str, path: &str, body: &[u8]) -> String {
    string_to_sign(ts, "POST", path, Some(&body_hash_b64(body)))
}

fn mac(secret: &str, message: &[u8]) -> HmacSha256 {
    let mut mac =
        HmacSha256::new_from_slice(secret.as_bytes()).expect("HMAC accepts keys of any length");
    mac.update(message);
    mac
}
