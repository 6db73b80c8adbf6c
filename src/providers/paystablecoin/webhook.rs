//! PSC webhooks (docs/gateways/paystablecoin.md, "Webhook"): verify, parse, answer.
//!
//! Verification, in order: `X-Timestamp` (Unix ms, digits only) within ±5 minutes of our clock
//! (replay window); `X-Signature` standard Base64; then the digest, compared in constant time.
//! PSC documents two signatures that contradict each other (S1), so both are tried unless the
//! account pins one (`webhook_variant`):
//! * A: `ts \n rawBody`;
//! * B: `ts \n POST \n path \n Base64(SHA256(rawBody))`, with `path` first the path of the account's
//!   configured callback URL (what PSC was told), then the path the request arrived on (covers
//!   proxies that rewrite prefixes).
//!
//! The scheme that matched is returned for metrics. Reasons never go back to the sender.
//!
//! Parsing: a body with `merchantRefundOrderId` is a refund webhook (body shape inferred, S8),
//! anything else is a payment webhook, which must name `acquiringOrderId` and `status`.
//! Dedupe keys: `{acquiringOrderId}:{status}` and `refund:{merchantRefundOrderId}:{status}`, so a
//! PROCESSING then SUCCEEDED pair is two events but a redelivery is one.
//!
//! Answer (S3): 200 `{"code":"00000"}` satisfies both the "empty 200" and the "code" readings;
//! a rejected webhook gets 401 in PSC's own envelope shape.

use super::credentials::{Credentials, WebhookVariant};
use super::report::{payment_report, refund_report};
use super::signing::{verify, webhook_message_a, webhook_message_b};
use super::wire::{OrderData, RefundData};
use crate::providers::{
    AccountContext, AckKind, IncomingWebhook, ParsedWebhook, WebhookAck, WebhookEvent,
    WebhookVerification,
};
use base64::{engine::general_purpose::STANDARD, Engine};

/// ±5 minutes, in milliseconds.
pub const TIMESTAMP_TOLERANCE_MS: i64 = 300_000;

pub fn verify_webhook(account: &AccountContext, hook: &IncomingWebhook<'_>) -> WebhookVerification {
    match check(account, hook) {
        Ok(scheme) => WebhookVerification::Verified { scheme },
        Err(reason) => WebhookVerification::Rejected { reason },
    }
}

fn check(account: &AccountContext, hook: &IncomingWebhook<'_>) -> Result<&'static str, String> {
    let creds = Credentials::parse(&account.credentials)
        .map_err(|e| format!("account credentials unusable: {e}"))?;
    let ts = hook.header("x-timestamp").ok_or("missing X-Timestamp")?;
    let ts_ms: i64 = match ts.len() {
        1..=16 if ts.bytes().all(|b| b.is_ascii_digit()) => {
            ts.parse().map_err(|_| "X-Timestamp is not a number")?
        }
        _ => return Err("X-Timestamp is not Unix milliseconds".into()),
    };
    let skew = (hook.now.timestamp_millis() - ts_ms).abs();
    if skew > TIMESTAMP_TOLERANCE_MS {
        return Err(format!("X-Timestamp is {skew} ms away from now"));
    }
    let signature = hook.header("x-signature").ok_or("missing X-Signature")?;
    let signature = STANDARD
        .decode(signature.trim())
        .map_err(|_| "X-Signature is not Base64")?;
    let secret = &creds.api_secret;

    if creds.webhook_variant != Some(WebhookVariant::Path)
        && verify(secret, &webhook_message_a(ts, hook.body), &signature)
    {
        return Ok("A");
    }
    if creds.webhook_variant != Some(WebhookVariant::Body) {
        let configured = url::Url::parse(&account.webhook_url)
            .ok()
            .map(|u| u.path().to_string());
        let paths = configured
            .iter()
            .map(String::as_str)
            .chain(std::iter::once(hook.path));
        for path in paths {
            if verify(
                secret,
                webhook_message_b(ts, path, hook.body).as_bytes(),
                &signature,
            ) {
                return Ok("B");
            }
        }
    }
    Err("X-Signature does not match".into())
}

pub fn parse_webhook(hook: &IncomingWebhook<'_>) -> Result<ParsedWebhook, String> {
    let value: serde_json::Value =
        serde_json::from_slice(hook.body).map_err(|e| format!("body is not JSON: {e}"))?;
    let is_refund = value
        .as_object()
        .ok_or("body is not a JSON object")?
        .contains_key("merchantRefundOrderId");
    if is_refund {
        let data: RefundData =
            serde_json::from_value(value).map_err(|e| format!("unreadable refund webhook: {e}"))?;
        let reference = data
            .merchant_refund_order_id
            .clone()
            .filter(|r| !r.is_empty())
            .ok_or("refund webhook has no merchantRefundOrderId")?;
        let report = refund_report(data)?;
        Ok(ParsedWebhook {
            dedupe_key: format!("refund:{reference}:{}", report.provider_status),
            event: WebhookEvent::Refund(report),
        })
    } else {
        let data: OrderData = serde_json::from_value(value)
            .map_err(|e| format!("unreadable payment webhook: {e}"))?;
        let report = payment_report(data)?;
        let order = report
            .external_id
            .clone()
            .filter(|id| !id.is_empty())
            .ok_or("payment webhook has no acquiringOrderId")?;
        Ok(ParsedWebhook {
            dedupe_key: format!("{order}:{}", report.provider_status),
            event: WebhookEvent::Payment(report),
        })
    }
}

/// S3: `{"code":"00000"}` satisfies both documented acks. A verified webhook Payrail could not
/// finish answers 503 so PayStableCoin sends it again.
pub fn webhook_ack(ack: AckKind) -> WebhookAck {
    let (status, body) = match ack {
        AckKind::Accepted => (200, r#"{"code":"00000"}"#),
        AckKind::Rejected => (401, r#"{"code":"50001","message":"Invalid signature"}"#),
        AckKind::RetryLater => (503, r#"{"code":"99999","message":"Try again later"}"#),
    };
    WebhookAck {
        status,
        content_type: "application/json",
        body: body.to_string(),
    }
}
