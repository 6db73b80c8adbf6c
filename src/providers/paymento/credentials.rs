//! The Paymento credential object, checked once so no call goes out with a half-filled account.
//!
//! Shape: `{"api_key", "secret_key", "risk_speed"?: 0|1}` (docs/gateways/paymento.md,
//! "Authentication", P6).
//! * `api_key` travels in the `Api-Key` header, so it must be visible ASCII.
//! * `secret_key` only keys the IPN HMAC (its UTF-8 bytes); it is only required to be non-blank.
//! * `risk_speed` is sent as `riskSpeed` on every create. P6: the docs disagree on what `0` means
//!   (act on the mempool, or only redirect early), so the default is `1` (wait for confirmations),
//!   the safe choice for unattended fulfilment; Payrail fulfils only on 7/8 after verify anyway.

use std::fmt;

/// P6 default: wait for block confirmations.
pub const DEFAULT_RISK_SPEED: u8 = 1;

#[derive(Clone)]
pub struct Credentials {
    pub api_key: String,
    pub secret_key: String,
    pub risk_speed: u8,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("api_key", &"<redacted>")
            .field("secret_key", &"<redacted>")
            .field("risk_speed", &self.risk_speed)
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
        let secret_key = required(obj, "secret_key")?;
        let risk_speed = match obj.get("risk_speed") {
            None | Some(serde_json::Value::Null) => DEFAULT_RISK_SPEED,
            Some(v) => match v.as_u64() {
                Some(0) => 0,
                Some(1) => 1,
                _ => return Err("risk_speed must be 0 or 1".into()),
            },
        };
        Ok(Self {
            api_key,
            secret_key,
            risk_speed,
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
