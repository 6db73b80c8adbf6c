//! Pakhi Pay's webhook signature (docs/gateways/pakhipay.md, "Webhook", K1) as pure functions, so
//! the "Test vectors" can be replayed byte for byte.
//!
//! The docs say the `signature` field is "HMAC-SHA256 of the JSON payload using your API key", and
//! every reference receiver hashes a payload that still contains that field: a fixed point no
//! sender can produce. What a real sender signs is therefore unknown, so K1 tries every reading a
//! plausible sender could have used, in this order, and accepts the first that matches:
//!
//! 1. `stripped`: the raw body with the `"signature":"…"` member and its adjacent comma removed
//!    textually (every other byte kept), which is what the sender had before appending it;
//! 2. the remaining members re-serialised in received order: `php` (compact, `\/`, `\uXXXX`),
//!    `plain` (compact, raw UTF-8) and `python` (`json.dumps` defaults: `", "`/`": "`, `\uXXXX`);
//! 3. the same three with keys sorted (`sorted_php`, `sorted_plain`, `sorted_python`);
//! 4. `raw`: the body as-is (the documented check, for a hypothetical non-self-referential sender).
//!
//! Digests are lowercase hex; the received value is hex-decoded (either case) and compared as raw
//! bytes in constant time with `Mac::verify_slice`.

use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Lowercase hex of HMAC-SHA256 keyed with the API key's UTF-8 bytes.
pub fn sign_hex(api_key: &str, message: &[u8]) -> String {
    hex::encode(mac(api_key, message).finalize().into_bytes())
}

/// Constant-time check of a raw (hex-decoded) digest.
pub fn verify(api_key: &str, message: &[u8], digest: &[u8]) -> bool {
    mac(api_key, message).verify_slice(digest).is_ok()
}

fn mac(api_key: &str, message: &[u8]) -> HmacSha256 {
    let mut mac =
        HmacSha256::new_from_slice(api_key.as_bytes()).expect("HMAC accepts keys of any length");
    mac.update(message);
    mac
}

/// How a sender may have serialised the unsigned payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// PHP `json_encode`: compact, `/` as `\/`, non-ASCII as `\uXXXX`.
    Php,
    /// Compact with raw UTF-8 (serde_json, JS `JSON.stringify`).
    Plain,
    /// Python `json.dumps` defaults: `", "` and `": "`, non-ASCII as `\uXXXX`.
    Python,
}

/// Every candidate message for a webhook body, each with the scheme name used for metrics.
/// Empty when the body is not a JSON object.
pub fn candidates(body: &[u8]) -> Vec<(&'static str, Vec<u8>)> {
    let mut out = Vec::new();
    if let Some(stripped) = strip_signature_member(body) {
        out.push(("stripped", stripped));
    }
    if let Ok(Value::Object(mut fields)) = serde_json::from_slice::<Value>(body) {
        fields.shift_remove("signature");
        let mut sorted: Vec<(&String, &Value)> = fields.iter().collect();
        sorted.sort_by(|a, b| a.0.cmp(b.0));
        let received: Vec<(&String, &Value)> = fields.iter().collect();
        for (names, members) in [
            (["php", "plain", "python"], &received),
            (["sorted_php", "sorted_plain", "sorted_python"], &sorted),
        ] {
            for (name, style) in names
                .into_iter()
                .zip([Style::Php, Style::Plain, Style::Python])
            {
                out.push((name, encode_object(members, style)));
            }
        }
    }
    out.push(("raw", body.to_vec()));
    out
}

/// Serialises members as one JSON object in `style`.
pub fn encode_object(members: &[(&String, &Value)], style: Style) -> Vec<u8> {
    let mut out = String::new();
    write_members(members.iter().copied(), style, &mut out);
    out.into_bytes()
}

fn separators(style: Style) -> (&'static str, &'static str) {
    match style {
        Style::Python => (", ", ": "),
        Style::Php | Style::Plain => (",", ":"),
    }
}

fn write_members<'a>(
    members: impl Iterator<Item = (&'a String, &'a Value)>,
    style: Style,
    out: &mut String,
) {
    let (item, kv) = separators(style);
    out.push('{');
    for (i, (k, v)) in members.enumerate() {
        if i > 0 {
            out.push_str(item);
        }
        write_string(k, style, out);
        out.push_str(kv);
        write_value(v, style, out);
    }
    out.push('}');
}

fn write_value(v: &Value, style: Style, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => write_string(s, style, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(separators(style).0);
                }
                write_value(item, style, out);
            }
            out.push(']');
        }
        Value::Object(map) => write_members(map.iter(), style, out),
    }
}

fn write_string(s: &str, style: Style, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '/' if style == Style::Php => out.push_str("\\/"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if !c.is_ascii() && style != Style::Plain => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The body with its top-level `"signature"` member removed textually: with the comma before it
/// (and the whitespace between), or, when it is the first member, with the comma and whitespace
/// after it. `None` unless the body is a JSON object with exactly one such member.
pub fn strip_signature_member(body: &[u8]) -> Option<Vec<u8>> {
    let members = top_level_members(body)?;
    let mut found = members
        .iter()
        .enumerate()
        .filter(|(_, m)| &body[m.key_start + 1..m.key_end - 1] == b"signature");
    let (k, member) = found.next()?;
    if found.next().is_some() {
        return None;
    }
    let (from, to) = if k > 0 {
        (members[k - 1].value_end, member.value_end)
    } else if let Some(next) = members.get(1) {
        (member.key_start, next.key_start)
    } else {
        (member.key_start, member.value_end)
    };
    let mut out = body[..from].to_vec();
    out.extend_from_slice(&body[to..]);
    Some(out)
}

/// Byte spans of one `"key": value` member.
#[derive(Debug)]
struct Member {
    key_start: usize,
    key_end: usize,
    value_end: usize,
}

fn top_level_members(b: &[u8]) -> Option<Vec<Member>> {
    let mut i = skip_ws(b, 0);
    if b.get(i) != Some(&b'{') {
        return None;
    }
    i = skip_ws(b, i + 1);
    let mut members = Vec::new();
    if b.get(i) == Some(&b'}') {
        return Some(members);
    }
    loop {
        let key_start = i;
        let key_end = skip_string(b, i)?;
        i = skip_ws(b, key_end);
        if b.get(i) != Some(&b':') {
            return None;
        }
        let value_end = skip_value(b, skip_ws(b, i + 1))?;
        members.push(Member {
            key_start,
            key_end,
            value_end,
        });
        i = skip_ws(b, value_end);
        match b.get(i) {
            Some(b',') => i = skip_ws(b, i + 1),
            Some(b'}') => return Some(members),
            _ => return None,
        }
    }
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        i += 1;
    }
    i
}

/// `b[i]` opens a string: the index just after its closing quote.
fn skip_string(b: &[u8], i: usize) -> Option<usize> {
    if b.get(i) != Some(&b'"') {
        return None;
    }
    let mut j = i + 1;
    loop {
        match b.get(j)? {
            b'\\' => j += 2,
            b'"' => return Some(j + 1),
            _ => j += 1,
        }
    }
}

/// The index just after the value starting at `i` (string, object, array or scalar).
fn skip_value(b: &[u8], i: usize) -> Option<usize> {
    match b.get(i)? {
        b'"' => skip_string(b, i),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut j = i;
            loop {
                match b.get(j)? {
                    b'"' => {
                        j = skip_string(b, j)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(j + 1);
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
        }
        _ => {
            let mut j = i;
            while let Some(c) = b.get(j) {
                if matches!(c, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r') {
                    break;
                }
                j += 1;
            }
            (j > i).then_some(j)
        }
    }
}
