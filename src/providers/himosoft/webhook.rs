//! HimoSoft callbacks (docs/gateways/himosoft.md, "Callback", H5): a callback is a HINT, never a
//! fact.
//!
//! HimoSoft documents nothing about its `callback_url` POST (transport, headers, fields,
//! signature), so, as the note decides:
//! * Verification: any POST is accepted as a hint (scheme `hint`) UNLESS it carries an
//!   `X-HMAC-Signature` that does not match hex(HMAC(secret, timestamp ‖ raw body)), then it is
//!   rejected. The timestamp comes from `X-Timestamp` (or the aliases `X-HMAC-Timestamp`,
//!   `Timestamp`, and the account's configured header). No clock window is enforced: a replayed
//!   hint only makes Payrail ask HimoSoft again.
//! * Parsing: `id` → `external_id`, `order_id` → `reference`, the status word → `provider_status`,
//!   but the report's `status` is always `Unknown` and carries no amount: Payrail confirms with
//!   `/recheck/` (`confirm_webhooks`) and applies only that answer.
//! * An UNSIGNED hint that names our `order_id` does not pass its `id` on: Payrail would remember
//!   it on an attempt that has none, and `/recheck/` of somebody else's paid payment would then
//!   complete ours. The reference alone finds the attempt, whose own id is used. (A signed hint
//!   reaching `parse_webhook` has passed `verify_webhook`, so its ids are HimoSoft's.)
//! * Dedupe key: `sha256:` + hex SHA-256 of the raw body. A redelivery is the same bytes; a forged
//!   hint that claims a status the gateway has not reached cannot use up the key of the genuine
//!   callback that follows (an `id:status` key could).
//!
//! Answer: 200 `{"status":"received"}`; a rejected callback gets 401 in HimoSoft's own error
//! envelope; a verified one Payrail could not confirm gets 503 so HimoSoft sends it again.

use super::credentials::Credentials;
use super::signing::verify;
use super::wire::PaymentObject;
use crate::providers::{
    AccountContext, AckKind, GatewayReport, IncomingWebhook, ParsedWebhook, ReportedStatus,
    WebhookAck, WebhookEvent, WebhookVerification,
};
use sha2::{Digest, Sha256};

pub const SIGNATURE_HEADER: &str = "x-hmac-signature";
const TIMESTAMP_HEADERS: [&str; 3] = ["x-timestamp", "x-hmac-timestamp", "timestamp"];

pub fn verify_webhook(account: &AccountContext, hook: &IncomingWebhook<'_>) -> WebhookVerification {
    let Some(signature) = hook.header(SIGNATURE_HEADER) else {
        return WebhookVerification::Verified { scheme: "hint" };
    };
    let creds = match Credentials::parse(&account.credentials) {
        Ok(c) => c,
        Err(e) => {
            return WebhookVerification::Rejected {
                reason: format!("signed callback, but the account credentials are unusable: {e}"),
            }
        }
    };
    let configured = creds.timestamp_header.to_ascii_lowercase();
    let ts = std::iter::once(configured.as_str())
        .chain(TIMESTAMP_HEADERS)
        .find_map(|h| hook.header(h))
        .unwrap_or("");
    if verify(&creds.secret, ts.trim(), hook.body, signature) {
        WebhookVerification::Verified { scheme: "hint" }
    } else {
        WebhookVerification::Rejected {
            reason: "X-HMAC-Signature does not match".into(),
        }
    }
}

pub fn parse_webhook(hook: &IncomingWebhook<'_>) -> Result<ParsedWebhook, String> {
    let value: serde_json::Value =
        serde_json::from_slice(hook.body).map_err(|e| format!("callback is not JSON: {e}"))?;
    if !value.is_object() {
        return Err("callback is not a JSON object".into());
    }
    let obj: PaymentObject =
        serde_json::from_value(value).map_err(|e| format!("unreadable callback: {e}"))?;
    let non_empty = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
    let reference = non_empty(obj.order_id);
    let id = non_empty(obj.id);
    if reference.is_none() && id.is_none() {
        return Err("callback names neither id nor order_id".into());
    }
    let signed = hook.header(SIGNATURE_HEADER).is_some();
    let trusted_ids = signed || reference.is_none();
    let report = GatewayReport {
        reference,
        external_id: id.filter(|_| trusted_ids),
        provider_status: non_empty(obj.status).unwrap_or_else(|| "callback".into()),
        status: ReportedStatus::Unknown,
        amount: None,
        underpaid: false,
        received: None,
        charge_id: non_empty(obj.external_id).filter(|_| signed),
        refunded: None,
        extra_charges: vec![],
    };
    Ok(ParsedWebhook {
        dedupe_key: format!("sha256:{}", hex::encode(Sha256::digest(hook.body))),
        event: WebhookEvent::Payment(report),
    })
}

pub fn webhook_ack(ack: AckKind) -> WebhookAck {
    let (status, body) = match ack {
        AckKind::Accepted => (200, r#"{"status":"received"}"#),
        AckKind::Rejected => (
            401,
            r#"{"error":"invalid_signature","message":"HMAC validation failed. Check credentials."}"#,
        ),
        AckKind::RetryLater => (
            503,
            r#"{"error":"unavailable","message":"Could not confirm the payment. Try again later."}"#,
        ),
    };
    WebhookAck {
        status,
        content_type: "application/json",
        body: body.to_string(),
    }
}
