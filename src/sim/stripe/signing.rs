//! The simulator's own `Stripe-Signature` (written apart from the adapter's; both replay the
//! vectors of `docs/gateways/stripe.md`): `t=<unix>,v1=<hex>` where `v1` is the lowercase hex
//! HMAC-SHA256 of `"<t>.<body>"` keyed with the endpoint secret's bytes. While a secret is
//! rolled, the previous secret's `v1` comes first.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Lowercase hex HMAC-SHA256 of `t.body` with `secret`.
pub fn v1(secret: &str, t: i64, body: &[u8]) -> String {
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The header for `body` at `t`, with the previous secret's signature first when rolling.
pub fn header(secret: &str, previous: Option<&str>, t: i64, body: &[u8]) -> String {
    let mut out = format!("t={t}");
    for key in previous.into_iter().chain(std::iter::once(secret)) {
        out.push_str(&format!(",v1={}", v1(key, t, body)));
    }
    out
}

/// A signature with its last hex digit changed: well-formed, wrong.
pub fn tampered(header: &str) -> String {
    let mut s = header.to_owned();
    let last = s.pop().unwrap_or('0');
    s.push(if last == '0' { '1' } else { '0' });
    s
}
