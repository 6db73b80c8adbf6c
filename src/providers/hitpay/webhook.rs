//! HitPay webhooks (docs/gateways/hitpay.md, "Webhook v1" and "Webhook v2", T1): verify, parse,
//! answer.
//!
//! Dispatch (T1), the same for verifying and parsing:
//! * a `Hitpay-Signature` header → v2 event webhook: lowercase hex HMAC-SHA256 of the raw body,
//!   keyed with an event salt (each configured one is tried), falling back to the API-key salt;
//! * else a form field `hmac` → v1 payment-request webhook: HMAC of the sorted, URL-decoded
//!   `key‖value` pairs (every received field but `hmac`, T3) with the API-key salt;
//! * else rejected.
//!
//! A form with a repeated field is rejected: PHP would keep only the last copy, so what we would
//! sign and what HitPay signed could differ. Comparisons are constant-time on raw digests.
//!
//! Parsing: v1 → a payment report with `payment_id` as `charge_id` (refunds need it, T7). v2 →
//! by `Hitpay-Event-Object`: `charge` or `payment_request`; other objects (payouts, invoices, …)
//! are not about a payment and do not parse. Dedupe keys: v1 `v1:{payment_id}:{status}` (T9:
//! idempotent on `payment_id`, and a pending→completed pair is two events); v2
//! `v2:{object}:{id}:{event type}:{status}`.
//!
//! Answer: 200 `OK` (HitPay only asks for a 200); a forged webhook 401; a verified one Payrail
//! could not finish 503, which HitPay retries (T9).

use super::credentials::Credentials;
use super::report::{charge_report, request_report, webhook_v1_report};
use super::signing::{v1_message, verify_hex};
use super::wire::{ChargeObj, PaymentRequestObj};
use crate::providers::{
    AccountContext, AckKind, IncomingWebhook, ParsedWebhook, WebhookAck, WebhookEvent,
    WebhookVerification,
};
use std::collections::BTreeMap;

pub const V2_HEADER: &str = "hitpay-signature";

/// The body's form fields, URL-decoded; a repeated key is an error.
pub fn form_fields(body: &[u8]) -> Result<BTreeMap<String, String>, String> {
    let mut fields = BTreeMap::new();
    for (k, v) in url::form_urlencoded::parse(body) {
        if fields.insert(k.to_string(), v.to_string()).is_some() {
            return Err(format!("form field {k:?} appears more than once"));
        }
    }
    Ok(fields)
}

pub fn verify_webhook(account: &AccountContext, hook: &IncomingWebhook<'_>) -> WebhookVerification {
    match check(account, hook) {
        Ok(scheme) => WebhookVerification::Verified { scheme },
        Err(reason) => WebhookVerification::Rejected { reason },
    }
}

fn check(account: &AccountContext, hook: &IncomingWebhook<'_>) -> Result<&'static str, String> {
    let creds = Credentials::parse(&account.credentials)
        .map_err(|e| format!("account credentials unusable: {e}"))?;
    if let Some(signature) = hook.header(V2_HEADER) {
        let ok = creds
            .v2_keys()
            .any(|key| verify_hex(key, hook.body, signature));
        return if ok {
            Ok("v2")
        } else {
            Err("Hitpay-Signature does not match".into())
        };
    }
    let fields = form_fields(hook.body)?;
    let received = fields
        .get("hmac")
        .ok_or("no Hitpay-Signature header and no hmac field")?;
    let message = v1_message(fields.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    if verify_hex(&creds.salt, message.as_bytes(), received) {
        Ok("v1")
    } else {
        Err("hmac does not match".into())
    }
}

pub fn parse_webhook(hook: &IncomingWebhook<'_>) -> Result<ParsedWebhook, String> {
    if hook.header(V2_HEADER).is_some() {
        return parse_v2(hook);
    }
    let fields = form_fields(hook.body)?;
    let report = webhook_v1_report(&fields)?;
    let id = report
        .charge_id
        .clone()
        .or_else(|| report.external_id.clone())
        .ok_or("webhook has no payment_id")?;
    Ok(ParsedWebhook {
        dedupe_key: format!("v1:{id}:{}", report.provider_status),
        event: WebhookEvent::Payment(report),
    })
}

fn parse_v2(hook: &IncomingWebhook<'_>) -> Result<ParsedWebhook, String> {
    let value: serde_json::Value =
        serde_json::from_slice(hook.body).map_err(|e| format!("body is not JSON: {e}"))?;
    let object = value.as_object().ok_or("body is not a JSON object")?;
    // Without the header, a body listing `payments` or carrying a checkout `url` is a request.
    let kind = match hook.header("hitpay-event-object") {
        Some(k) => k.trim().to_ascii_lowercase(),
        None if object.contains_key("payments") || object.contains_key("url") => {
            "payment_request".into()
        }
        None => "charge".into(),
    };
    let event_type = hook.header("hitpay-event-type").unwrap_or("").trim();
    let report = match kind.as_str() {
        "charge" => {
            let obj: ChargeObj = serde_json::from_value(value)
                .map_err(|e| format!("unreadable charge event: {e}"))?;
            charge_report(obj)?
        }
        "payment_request" => {
            let obj: PaymentRequestObj = serde_json::from_value(value)
                .map_err(|e| format!("unreadable payment_request event: {e}"))?;
            request_report(obj, None)?
        }
        other => return Err(format!("event object {other:?} is not about a payment")),
    };
    let id = match kind.as_str() {
        "charge" => report.charge_id.clone(),
        _ => report.external_id.clone(),
    }
    .ok_or("event has no id")?;
    Ok(ParsedWebhook {
        dedupe_key: format!("v2:{kind}:{id}:{event_type}:{}", report.provider_status),
        event: WebhookEvent::Payment(report),
    })
}

pub fn webhook_ack(ack: AckKind) -> WebhookAck {
    let (status, body) = match ack {
        AckKind::Accepted => (200, "OK"),
        AckKind::Rejected => (401, "Invalid signature"),
        AckKind::RetryLater => (503, "Try again later"),
    };
    WebhookAck {
        status,
        content_type: "text/plain; charset=utf-8",
        body: body.to_string(),
    }
}
