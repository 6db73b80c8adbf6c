//! The simulator's own Pakhi Pay webhook signing (docs/gateways/pakhipay.md, "Webhook" and
//! "Test vectors", K1), written independently of the adapter: only the note's vectors make the two
//! agree.
//!
//! What the simulator emits (K1, the simulator's part): the unsigned members `status,
//! transaction_id, amount, order_id` (plus the legacy `token` when switched on, K5) serialised
//! the way PHP's `json_encode` does (no spaces, `/` as `\/`, non-ASCII as `\uXXXX`), signed with
//! lowercase hex HMAC-SHA256 keyed by the API key, then `"signature"` appended as the LAST
//! member of that same text. The Python flag uses `json.dumps` spacing instead.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::state::SignatureStyle;

/// Lowercase hex HMAC-SHA256 of `message` keyed with the API key's bytes.
pub fn hmac_hex(api_key: &str, message: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(api_key.as_bytes())
        .expect("any key length is fine for HMAC");
    mac.update(message);
    let digest = mac.finalize().into_bytes();
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The webhook's members before signing.
#[derive(Clone, Debug)]
pub struct Fields<'a> {
    pub status: &'a str,
    pub transaction_id: &'a str,
    /// Two decimals, sent as a string ("Webhook", K4).
    pub amount: &'a str,
    pub order_id: Option<&'a str>,
    pub token: Option<&'a str>,
}

/// A JSON string literal as PHP (`\/`) or Python (`/`) writes it; both escape non-ASCII.
fn quote(s: &str, style: SignatureStyle) -> String {
    let mut out = String::from("\"");
    for ch in s.chars() {
        match ch {
            '"' => out += "\\\"",
            '\\' => out += "\\\\",
            '/' if style == SignatureStyle::Php => out += "\\/",
            '\u{8}' => out += "\\b",
            '\u{c}' => out += "\\f",
            '\n' => out += "\\n",
            '\r' => out += "\\r",
            '\t' => out += "\\t",
            ch if ch < ' ' || !ch.is_ascii() => {
                let mut buf = [0u16; 2];
                for unit in ch.encode_utf16(&mut buf).iter() {
                    out += &format!("\\u{unit:04x}");
                }
            }
            ch => out.push(ch),
        }
    }
    out.push('"');
    out
}

fn separators(style: SignatureStyle) -> (&'static str, &'static str) {
    match style {
        SignatureStyle::Php => (",", ":"),
        SignatureStyle::Python => (", ", ": "),
    }
}

/// The text that gets signed.
pub fn unsigned_payload(f: &Fields<'_>, style: SignatureStyle) -> String {
    let (comma, colon) = separators(style);
    let mut members = vec![
        ("status", quote(f.status, style)),
        ("transaction_id", quote(f.transaction_id, style)),
        ("amount", quote(f.amount, style)),
        (
            "order_id",
            f.order_id
                .map_or_else(|| "null".to_owned(), |o| quote(o, style)),
        ),
    ];
    if let Some(token) = f.token {
        members.push(("token", quote(token, style)));
    }
    let inner: Vec<String> = members
        .into_iter()
        .map(|(k, v)| format!("{}{colon}{v}", quote(k, style)))
        .collect();
    format!("{{{}}}", inner.join(comma))
}

/// The unsigned text with `"signature":"<hex>"` appended as the last member.
pub fn wire_body(unsigned: &str, signature: &str, style: SignatureStyle) -> String {
    let (comma, colon) = separators(style);
    let open = unsigned.strip_suffix('}').unwrap_or(unsigned);
    let sep = if open.ends_with('{') { "" } else { comma };
    format!("{open}{sep}\"signature\"{colon}\"{signature}\"}}")
}

/// The signature and the exact wire bytes of one webhook.
pub fn signed_webhook(api_key: &str, f: &Fields<'_>, style: SignatureStyle) -> (String, String) {
    let unsigned = unsigned_payload(f, style);
    let signature = hmac_hex(api_key, unsigned.as_bytes());
    let body = wire_body(&unsigned, &signature, style);
    (signature, body)
}

/// The same signature with its last hex digit changed: still 64 hex digits, wrong value.
pub fn tampered(signature: &str) -> String {
    let mut s = signature.to_owned();
    let last = s.pop().unwrap_or('0');
    s.push(if last == '0' { '1' } else { '0' });
    s
}
