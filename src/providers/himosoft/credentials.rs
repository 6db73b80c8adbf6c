//! The HimoSoft credential object, checked once so no call signs with a half-filled account.
//!
//! Shape: `{"secret", "api_key"?, "timestamp_header"?}` (docs/gateways/himosoft.md, "Signing";
//! the labels H1–H6 are its ambiguities).
//! * `secret` (`himo_sk_…`) keys the HMAC as its UTF-8 bytes; it only has to be non-blank.
//! * `api_key` is sent as `X-API-Key` when present (H2: HimoSoft names no key-id header, so a
//!   merchant without one issued simply leaves it out). It travels in a header: visible ASCII.
//! * `timestamp_header` renames the `X-Timestamp` header (H1 says the name is a configurable
//!   assumption); it must be a plain header token.

use std::fmt;

pub const DEFAULT_TIMESTAMP_HEADER: &str = "X-Timestamp";

#[derive(Clone)]
pub struct Credentials {
    pub secret: String,
    pub api_key: Option<String>,
    pub timestamp_header: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("secret", &"<redacted>")
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("timestamp_header", &self.timestamp_header)
            .finish()
    }
}

impl Credentials {
    pub fn parse(value: &serde_json::Value) -> Result<Self, String> {
        let obj = value
            .as_object()
            .ok_or_else(|| "credentials must be a JSON object".to_string())?;
        let secret = match obj.get("secret") {
            Some(serde_json::Value::String(s)) if !s.trim().is_empty() => s.clone(),
            Some(serde_json::Value::String(_)) => return Err("secret must not be empty".into()),
            Some(_) => return Err("secret must be a string".into()),
            None => return Err("secret is missing".into()),
        };
        let api_key = match optional(obj, "api_key")? {
            Some(k) if !k.bytes().all(|b| b.is_ascii_graphic()) => {
                return Err("api_key must be printable ASCII without spaces".into())
            }
            other => other,
        };
        let timestamp_header = match optional(obj, "timestamp_header")? {
            Some(h)
                if !h
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') =>
            {
                return Err("timestamp_header must be a header name (letters, digits, - _)".into())
            }
            Some(h) => h,
            None => DEFAULT_TIMESTAMP_HEADER.to_string(),
        };
        Ok(Self {
            secret,
            api_key,
            timestamp_header,
        })
    }
}

/// Absent or null → `None`; a non-empty string → `Some`; anything else is an error.
fn optional(
    obj: &serde_json::Map<String, serde_json::Value>,
    field: &str,
) -> Result<Option<String>, String> {
    match obj.get(field) {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(s)) if !s.trim().is_empty() => Ok(Some(s.clone())),
        Some(serde_json::Value::String(_)) => Err(format!("{field} must not be empty")),
        Some(_) => Err(format!("{field} must be a string")),
    }
}
