//! Pakhi Pay webhooks (docs/gateways/pakhipay.md, "Webhook"): verify (K1), parse, answer.
//!
//! Verification: the body must be a JSON object whose `signature` member is 64 hex digits; it is
//! accepted when ANY K1 candidate message (see `signing`) has that HMAC under the account's API
//! key, compared in constant time. The scheme that matched is returned for metrics. Because the
//! same key sits in the browser when a merchant uses the hosted-checkout SDK (K2), a valid
//! signature is weak evidence only: the capability `confirm_webhooks` makes Payrail call verify
//! with the transaction id and its stored amount before anything is applied.
//!
//! Parsing: `order_id` is our reference (to find the attempt), `transaction_id` is the charge id
//! that verify needs, `amount` (a string, or a number, K4) is reported in BDT, `token` and any
//! other unknown member are ignored (K5). Dedupe key `{transaction_id}:{status}`: the gateway's
//! retries of one notification are one event (K7).
//!
//! Answer: 200 `OK` as text (the PHP and Express receivers), 403 on a bad signature (all three
//! receivers), 503 when Payrail could not finish so Pakhi Pay sends it again.

use super::credentials::Credentials;
use super::mapping::payment_status;
use super::signing::{candidates, verify};
use super::wire::WebhookBody;
use crate::providers::{
    AccountContext, AckKind, GatewayReport, IncomingWebhook, ParsedWebhook, ReportedAmount,
    WebhookAck, WebhookEvent, WebhookVerification,
};
use rust_decimal::Decimal;
use std::str::FromStr;

pub fn verify_webhook(account: &AccountContext, hook: &IncomingWebhook<'_>) -> WebhookVerification {
    match check(account, hook.body) {
        Ok(scheme) => WebhookVerification::Verified { scheme },
        Err(reason) => WebhookVerification::Rejected { reason },
    }
}

fn check(account: &AccountContext, body: &[u8]) -> Result<&'static str, String> {
    let creds = Credentials::parse(&account.credentials)
        .map_err(|e| format!("account credentials unusable: {e}"))?;
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|_| "body is not JSON".to_string())?;
    let signature = value
        .as_object()
        .ok_or("body is not a JSON object")?
        .get("signature")
        .and_then(|s| s.as_str())
        .ok_or("no signature member")?;
    let digest = hex::decode(signature.trim()).map_err(|_| "signature is not hex")?;
    if digest.len() != 32 {
        return Err("signature is not 64 hex digits".into());
    }
    candidates(body)
        .into_iter()
        .find(|(_, message)| verify(&creds.api_key, message, &digest))
        .map(|(scheme, _)| scheme)
        .ok_or_else(|| "signature matches no candidate payload".into())
}

pub fn parse_webhook(hook: &IncomingWebhook<'_>) -> Result<ParsedWebhook, String> {
    let body: WebhookBody =
        serde_json::from_slice(hook.body).map_err(|e| format!("unreadable webhook: {e}"))?;
    let transaction_id = body
        .transaction_id
        .filter(|t| !t.trim().is_empty())
        .ok_or("webhook has no transaction_id")?;
    let provider_status = body
        .status
        .filter(|s| !s.is_empty())
        .ok_or("webhook has no status")?;
    let amount = match body.amount {
        Some(text) => Some(ReportedAmount {
            value: parse_decimal(&text)
                .ok_or_else(|| format!("amount {text:?} is not a plain decimal"))?,
            currency: "BDT".into(),
        }),
        None => None,
    };
    let report = GatewayReport {
        reference: body.order_id.filter(|o| !o.is_empty()),
        external_id: None,
        status: payment_status(&provider_status),
        provider_status,
        amount,
        underpaid: false,
        received: None,
        charge_id: Some(transaction_id),
        refunded: None,
        extra_charges: vec![],
    };
    Ok(ParsedWebhook {
        dedupe_key: format!(
            "{}:{}",
            report.charge_id.as_deref().unwrap_or_default(),
            report.provider_status
        ),
        event: WebhookEvent::Payment(report),
    })
}

pub fn webhook_ack(ack: AckKind) -> WebhookAck {
    let (status, body) = match ack {
        AckKind::Accepted => (200, "OK"),
        AckKind::Rejected => (403, "Invalid signature"),
        AckKind::RetryLater => (503, "Try again later"),
    };
    WebhookAck {
        status,
        content_type: "text/plain; charset=utf-8",
        body: body.to_string(),
    }
}

/// `digits[.digits]` only: no sign, exponent, separators or blanks are guessed at.
pub fn parse_decimal(text: &str) -> Option<Decimal> {
    let (whole, frac) = match text.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (text, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || !frac.is_none_or(digits) {
        return None;
    }
    Decimal::from_str(text).ok()
}
