//! PSC signing (docs/gateways/paystablecoin.md, "Signing" and "Webhook"), written independently of
//! the adapter.
//!
//! Kept apart from the HTTP code so the "Test vectors" can be replayed against exactly the
//! functions the simulator uses to check requests and to sign its webhooks. The secret is used as
//! its raw UTF-8 bytes, never base64-decoded (S10).

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

/// `Base64(SHA256(data))`, standard padded alphabet.
pub fn b64_sha256(data: &[u8]) -> String {
    STANDARD.encode(Sha256::digest(data))
}

/// String to sign of a request ("Signing"): the body form for POST/PUT/PATCH, the query form for a
/// GET/DELETE with a query string, otherwise `ts\nMETHOD\npath`. `method` is uppercased.
pub fn request_string_to_sign(
    timestamp: &str,
    method: &str,
    path: &str,
    query: &str,
    body: &[u8],
) -> String {
    let method = method.to_ascii_uppercase();
    match method.as_str() {
        "POST" | "PUT" | "PATCH" => {
            format!("{timestamp}\n{method}\n{path}\n{}", b64_sha256(body))
        }
        _ if !query.is_empty() => {
            format!(
                "{timestamp}\n{method}\n{path}\n{}",
                b64_sha256(query.as_bytes())
            )
        }
        _ => format!("{timestamp}\n{method}\n{path}"),
    }
}

/// Webhook string to sign, variant (A): `ts\nrawBody`.
pub fn webhook_string_a(timestamp: &str, body: &[u8]) -> Vec<u8> {
    let mut msg = Vec::with_capacity(timestamp.len() + 1 + body.len());
    msg.extend_from_slice(timestamp.as_bytes());
    msg.push(b'\n');
    msg.extend_from_slice(body);
    msg
}

/// Webhook string to sign, variant (B): the request scheme applied to PSC's own POST to the
/// callback URL's path.
pub fn webhook_string_b(timestamp: &str, callback_path: &str, body: &[u8]) -> Vec<u8> {
    request_string_to_sign(timestamp, "POST", callback_path, "", body).into_bytes()
}

fn mac(secret: &str) -> HmacSha256 {
    // HMAC accepts keys of any length, so this cannot fail.
    HmacSha256::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length")
}

/// `Base64(HMAC-SHA256(secret UTF-8 bytes, msg))`.
pub fn sign(secret: &str, msg: &[u8]) -> String {
    let mut m = mac(secret);
    m.update(msg);
    STANDARD.encode(m.finalize().into_bytes())
}

/// Checks a Base64 signature in constant time (decode, then `verify_slice`). Anything that is not
/// canonical standard Base64 of 32 bytes is refused.
pub fn verify(secret: &str, msg: &[u8], signature_b64: &str) -> bool {
    let Ok(raw) = STANDARD.decode(signature_b64.as_bytes()) else {
        return false;
    };
    let mut m = mac(secret);
    m.update(msg);
    m.verify_slice(&raw).is_ok()
}
