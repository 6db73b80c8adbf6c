//! Both signatures of a merchant webhook (docs/operations.md, "Signatures") at once, so a merchant
//! can verify with the HMAC code it already signs requests with, or with any Standard Webhooks
//! library:
//! - `X-Timestamp` + `X-HMAC-Signature` = hex HMAC-SHA256(secret, timestamp ‖ body), newest secret;
//! - `webhook-id`, `webhook-timestamp`, `webhook-signature` = `v1,<base64 HMAC-SHA256 of
//!   id.timestamp.body>` keyed with the secret's UTF-8 bytes, one entry per active secret.

use crate::crypto::{hmac_hex, hmac_raw};
use base64::Engine;
use secrecy::{ExposeSecret, SecretString};

pub struct EventHeaders {
    pub x_timestamp: String,
    pub x_hmac_signature: String,
    pub webhook_id: String,
    pub webhook_timestamp: String,
    pub webhook_signature: String,
}

impl EventHeaders {
    pub fn pairs(&self) -> [(&'static str, &str); 5] {
        [
            ("X-Timestamp", &self.x_timestamp),
            ("X-HMAC-Signature", &self.x_hmac_signature),
            ("webhook-id", &self.webhook_id),
            ("webhook-timestamp", &self.webhook_timestamp),
            ("webhook-signature", &self.webhook_signature),
        ]
    }
}

/// The Standard Webhooks signature value for one key: `v1,<base64>`.
pub fn standard_signature(key: &[u8], id: &str, timestamp: i64, body: &[u8]) -> String {
    let mac = hmac_raw(
        key,
        &[
            id.as_bytes(),
            b".",
            timestamp.to_string().as_bytes(),
            b".",
            body,
        ],
    );
    format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(mac)
    )
}

/// Signs `body` for delivery at `timestamp` (seconds). `secrets` are newest first.
pub fn sign_event(
    event_id: &str,
    timestamp: i64,
    body: &[u8],
    secrets: &[SecretString],
) -> EventHeaders {
    let ts = timestamp.to_string();
    let newest = secrets
        .first()
        .map(|s| s.expose_secret().as_bytes())
        .unwrap_or_default();
    let webhook_signature = secrets
        .iter()
        .map(|s| standard_signature(s.expose_secret().as_bytes(), event_id, timestamp, body))
        .collect::<Vec<_>>()
        .join(" ");
    EventHeaders {
        x_hmac_signature: hmac_hex(newest, &[ts.as_bytes(), body]),
        x_timestamp: ts.clone(),
        webhook_id: event_id.to_owned(),
        webhook_timestamp: ts,
        webhook_signature,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_webhooks_reference_vector() {
        // The example in the Standard Webhooks spec: key = base64 part of
        // whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw.
        let key = base64::engine::general_purpose::STANDARD
            .decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
            .unwrap();
        assert_eq!(
            standard_signature(
                &key,
                "msg_p5jXN8AQM9LWM0D4loKWxJek",
                1614265330,
                br#"{"test": 2432232314}"#
            ),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn one_standard_entry_per_active_secret_and_hex_with_the_newest() {
        let secrets = [SecretString::from("new"), SecretString::from("old")];
        let h = sign_event("evt_1", 1714764000, b"{}", &secrets);
        assert_eq!(
            h.x_hmac_signature,
            hmac_hex(b"new", &[b"1714764000", b"{}"])
        );
        let entries: Vec<&str> = h.webhook_signature.split(' ').collect();
        assert_eq!(
            entries,
            [
                standard_signature(b"new", "evt_1", 1714764000, b"{}"),
                standard_signature(b"old", "evt_1", 1714764000, b"{}")
            ]
        );
    }
}
