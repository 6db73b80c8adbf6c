//! The IPN signature (docs/gateways/paymento.md, "Webhook (IPN)"), written independently of the
//! adapter: HMAC-SHA256 keyed with the store's secret key (UTF-8 bytes) over the exact body bytes,
//! as UPPERCASE hex (P1: the docs, the official PRD and both official plugins agree on hex).

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// `X-HMAC-SHA256-Signature` for `body`.
pub fn ipn_signature(secret_key: &str, body: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret_key.as_bytes())
        .expect("HMAC takes keys of any length");
    mac.update(body);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect()
}

/// The same signature with its last digit changed: still 64 hex characters, wrong value.
pub fn tampered(signature: &str) -> String {
    let mut out = signature.to_owned();
    let last = out.pop().unwrap_or('0');
    out.push(if last == '0' { '1' } else { '0' });
    out
}
