//! The PSC credential object, checked once so no call signs with a half-filled account.
//!
//! Shape: `{"merchant_id", "api_key", "api_secret", "webhook_variant"?: "path"|"body"}`
//! (docs/gateways/paystablecoin.md, "Signing"; the labels S1–S10 are its ambiguities).
//! * `merchant_id` is opaque (S7) but goes into the signed path, so it is limited to URL-unreserved
//!   characters: anything that an HTTP client would percent-encode would make the path we sign
//!   differ from the path PSC receives.
//! * `api_key` travels in a header, so it must be visible ASCII.
//! * `api_secret` is used as its UTF-8 bytes (S10); it is only required to be non-blank.
//! * `webhook_variant` pins the webhook signature variant once real traffic has shown which one
//!   PSC uses: `"body"` = variant A (`ts\nbody`), `"path"` = variant B (request-signing string).
//!   Absent means both are accepted (S1).

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WebhookVariant {
    /// Variant A: `timestamp \n rawBody`.
    Body,
    /// Variant B: `timestamp \n POST \n path \n Base64(SHA256(rawBody))`.
    Path,
}

#[derive(Clone)]
pub struct Credentials {
    pub merchant_id: String,
    pub api_key: String,
    pub api_secret: String,
    pub webhook_variant: Option<WebhookVariant>,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("merchant_id", &self.merchant_id)
            .field("api_key", &"<redacted>")
            .field("api_secret", &"<redacted>")
            .field("webhook_variant", &self.webhook_variant)
            .finish()
    }
}

impl Credentials {
    pub fn parse(value: &serde_json::Value) -> Result<Self, String> {
        let obj = value
            .as_object()
            .ok_or_else(|| "credentials must be a JSON object".to_string())?;
        let merchant_id = required(obj, "merchant_id")?;
        if !merchant_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~'))
        {
            return Err("merchant_id may only contain letters, digits and - _ . ~".into());
        }
        let api_key = required(obj, "api_key")?;
        if !api_key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err("api_key must be printable ASCII without spaces".into());
        }
        let api_secret = required(obj, "api_secret")?;
        let webhook_variant = match obj.get("webhook_variant") {
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::String(s)) if s == "path" => Some(WebhookVariant::Path),
            Some(serde_json::Value::String(s)) if s == "body" => Some(WebhookVariant::Body),
            Some(_) => return Err("webhook_variant must be \"path\" or \"body\"".into()),
        };
        Ok(Self {
            merchant_id,
            api_key,
            api_secret,
            webhook_variant,
        })
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
