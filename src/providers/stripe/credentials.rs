//! The Stripe credential object, checked once so no call or webhook check runs half-configured.
//!
//! Shape: `{"secret_key": "sk_…" or "rk_…", "webhook_secret": "whsec_…"}` (R1).
//! * `secret_key` goes into `Authorization: Bearer …`, so it must be a secret key (`sk_test_…`,
//!   `sk_live_…`) or a restricted key (`rk_test_…`, `rk_live_…`: only the permissions Payrail
//!   needs, docs/gateways/stripe.md R1) of visible ASCII without spaces. A publishable key
//!   (`pk_…`) is refused here rather than by Stripe at the first payment.
//! * `webhook_secret` is the signing secret of Payrail's webhook endpoint at Stripe. It keys the
//!   `Stripe-Signature` HMAC as the bytes of the whole string, prefix included (R6).
//!
//! Neither value is ever logged: `Debug` redacts both.

use std::fmt;

#[derive(Clone)]
pub struct Credentials {
    pub secret_key: String,
    pub webhook_secret: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("secret_key", &"<redacted>")
            .field("webhook_secret", &"<redacted>")
            .finish()
    }
}

impl Credentials {
    pub fn parse(value: &serde_json::Value) -> Result<Self, String> {
        let obj = value
            .as_object()
            .ok_or_else(|| "credentials must be a JSON object".to_string())?;
        if let Some(extra) = obj
            .keys()
            .find(|k| !["secret_key", "webhook_secret"].contains(&k.as_str()))
        {
            return Err(format!("unknown field {extra:?}"));
        }
        Ok(Self {
            secret_key: keyed(obj, "secret_key", &["sk_", "rk_"])?,
            webhook_secret: keyed(obj, "webhook_secret", &["whsec_"])?,
        })
    }
}

/// A string field that starts with one of `prefixes`, has more after it, and is visible ASCII.
fn keyed(
    obj: &serde_json::Map<String, serde_json::Value>,
    field: &str,
    prefixes: &[&str],
) -> Result<String, String> {
    let value = match obj.get(field) {
        Some(serde_json::Value::String(s)) => s,
        Some(_) => return Err(format!("{field} must be a string")),
        None => return Err(format!("{field} is missing")),
    };
    if !value.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(format!("{field} must be printable ASCII without spaces"));
    }
    let prefixed = |p: &&str| value.starts_with(p) && value.len() > p.len();
    if !prefixes.iter().any(prefixed) {
        let prefixes = prefixes.join(" or ");
        return Err(format!("{field} must be a Stripe key starting with {prefixes}"));
    }
    Ok(value.clone())
}
