//! The HitPay credential object, checked once so no call or webhook check runs half-configured.
//!
//! Shape: `{"api_key", "salt", "event_salt"?}` (docs/gateways/hitpay.md, "Authentication", T1).
//! * `api_key` goes into the `X-BUSINESS-API-KEY` header, so it must be visible ASCII.
//! * `salt` is the API-key salt (Dashboard › Settings › Payment Gateway › API Keys): it signs the
//!   v1 webhooks of payment requests, and is the fallback key for v2 event webhooks.
//! * `event_salt` is the salt of registered v2 event-webhook endpoints: one string or, since every
//!   endpoint has its own salt ("Webhook v2"), a list of them. Absent means only `salt` is tried.
//!
//! Salts are used as their UTF-8 bytes, never decoded.

use std::fmt;

#[derive(Clone)]
pub struct Credentials {
    pub api_key: String,
    pub salt: String,
    pub event_salts: Vec<String>,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("api_key", &"<redacted>")
            .field("salt", &"<redacted>")
            .field("event_salts", &self.event_salts.len())
            .finish()
    }
}

impl Credentials {
    pub fn parse(value: &serde_json::Value) -> Result<Self, String> {
        let obj = value
            .as_object()
            .ok_or_else(|| "credentials must be a JSON object".to_string())?;
        let api_key = required(obj, "api_key")?;
        if !api_key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err("api_key must be printable ASCII without spaces".into());
        }
        let salt = required(obj, "salt")?;
        let event_salts = match obj.get("event_salt") {
            None | Some(serde_json::Value::Null) => Vec::new(),
            Some(serde_json::Value::String(s)) if !s.trim().is_empty() => vec![s.clone()],
            Some(serde_json::Value::Array(items)) => items
                .iter()
                .map(|v| match v {
                    serde_json::Value::String(s) if !s.trim().is_empty() => Ok(s.clone()),
                    _ => Err("event_salt list may only hold non-empty strings".to_string()),
                })
                .collect::<Result<_, _>>()?,
            Some(_) => return Err("event_salt must be a non-empty string or a list of them".into()),
        };
        Ok(Self {
            api_key,
            salt,
            event_salts,
        })
    }

    /// Keys a v2 `Hitpay-Signature` may be made with, in the order they are tried.
    pub fn v2_keys(&self) -> impl Iterator<Item = &str> {
        self.event_salts
            .iter()
            .map(String::as_str)
            .chain(std::iter::once(self.salt.as_str()))
    }
}

fn required(
    obj: &serde_json::Map<String, serde_json::Value>,
    field: &str,
) -> Result<String, String> {
    match obj.get(field) {
        Some(serde_json::Value::String(s)) if !s.trim().is_empty() => Ok(s.clone()),
        Some(serde_json::Value::String(_)) => Err(format!("{field} must not be empty")),
        Some(_) => Err(format!("{field} must be a string")),
        None => Err(format!("{field} is missing")),
    }
}
