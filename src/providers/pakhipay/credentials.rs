//! The Pakhi Pay credential object, checked once so no call goes out with a half-filled account.
//!
//! Shape: `{"api_key"}` (docs/gateways/pakhipay.md, "Authentication"). The brand API key travels in
//! the `api-key` header, so it must be visible ASCII without spaces; it is also the webhook HMAC
//! key (its UTF-8 bytes). Other members are ignored, so a credential object written for a later
//! version still loads.

use std::fmt;

#[derive(Clone)]
pub struct Credentials {
    pub api_key: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("api_key", &"<redacted>")
            .finish()
    }
}

impl Credentials {
    pub fn parse(value: &serde_json::Value) -> Result<Self, String> {
        let obj = value
            .as_object()
            .ok_or_else(|| "credentials must be a JSON object".to_string())?;
        let api_key = match obj.get("api_key") {
            Some(serde_json::Value::String(s)) if !s.trim().is_empty() => s.clone(),
            Some(serde_json::Value::String(_)) => return Err("api_key must not be empty".into()),
            Some(_) => return Err("api_key must be a string".into()),
            None => return Err("api_key is missing".into()),
        };
        if !api_key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err("api_key must be printable ASCII without spaces".into());
        }
        Ok(Self { api_key })
    }
}
