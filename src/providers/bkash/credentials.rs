//! The bKash credential object, checked once so no call goes out with a half-filled account.
//!
//! Shape: `{"app_key", "app_secret", "username", "password"}`, all four non-empty strings, as
//! bKash issues them per merchant. `username` and `password` travel as headers of the token grant
//! and `app_key` as the `X-APP-Key` header of every call, so those three must be printable ASCII
//! (a header cannot carry anything else); `app_secret` travels in a JSON body. Other members are
//! ignored, so a credential object written for a later version still loads. None of them is ever
//! logged: `Debug` redacts them all.

use sha2::{Digest, Sha256};
use std::fmt;

#[derive(Clone)]
pub struct Credentials {
    pub app_key: String,
    pub app_secret: String,
    pub username: String,
    pub password: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("app_key", &"<redacted>")
            .field("app_secret", &"<redacted>")
            .field("username", &"<redacted>")
            .field("password", &"<redacted>")
            .finish()
    }
}

impl Credentials {
    pub fn parse(value: &serde_json::Value) -> Result<Self, String> {
        let obj = value
            .as_object()
            .ok_or_else(|| "credentials must be a JSON object".to_string())?;
        let field = |name: &str, header: bool| -> Result<String, String> {
            let text = match obj.get(name) {
                Some(serde_json::Value::String(s)) if !s.trim().is_empty() => s.clone(),
                Some(serde_json::Value::String(_)) => return Err(format!("{name} must not be empty")),
                Some(_) => return Err(format!("{name} must be a string")),
                None => return Err(format!("{name} is missing")),
            };
            if header && !text.bytes().all(|b| (0x20..0x7f).contains(&b)) {
                return Err(format!("{name} must be printable ASCII"));
            }
            Ok(text)
        };
        Ok(Self {
            app_key: field("app_key", true)?,
            app_secret: field("app_secret", false)?,
            username: field("username", true)?,
            password: field("password", true)?,
        })
    }

    /// Names the token of these credentials at `base_url` (a digest: the cache holds no copy of
    /// a secret, and new credentials for the same account get a token of their own).
    pub fn token_key(&self, base_url: &str) -> String {
        let mut hash = Sha256::new();
        for part in [
            base_url,
            &self.app_key,
            &self.app_secret,
            &self.username,
            &self.password,
        ] {
            hash.update(part.as_bytes());
            hash.update([0]);
        }
        hex::encode(hash.finalize())
    }
}
