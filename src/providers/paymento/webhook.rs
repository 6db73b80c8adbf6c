//! Paymento IPNs (docs/gateways/paymento.md, "Webhook (IPN)"): verify, parse, answer.
//!
//! Verification (P1, P2): the signature header is looked up as `X-HMAC-SHA256-Signature` (header
//! names are case-insensitive), then `HMAC_SHA256_SIGNATURE` (the docs' curl example; nginx drops
//! it unless `underscores_in_headers on`), then `HMAC-SHA256-SIGNATURE`. Its value is decoded as hex
//! of either case, else as standard Base64 of 32 bytes (accepted with a warning: only the curl
//! example shows it), and compared in constant time with HMAC-SHA256(secret_key, raw body). The
//! IPN carries no timestamp, so there is no replay window: replays are caught by the dedupe key
//! and are harmless anyway, because Payrail confirms every IPN with verify (`confirm_webhooks`).
//!
//! Answer: any 2xx stops Paymento's retries, so an accepted IPN gets 200; a forged one 401;
//! one Payrail could not finish 503, which Paymento retries (P9, the WHMCS plugin's practice).

use super::credentials::Credentials;
use super::report::ipn_report;
use super::signing::{decode_signature, verify, Encoding};
use super::wire::Ipn;
use crate::providers::{
    AccountContext, AckKind, IncomingWebhook, ParsedWebhook, WebhookAck, WebhookEvent,
    WebhookVerification,
};

/// Header names tried in order (P2).
pub const SIGNATURE_HEADERS: [&str; 3] = [
    "x-hmac-sha256-signature",
    "hmac_sha256_signature",
    "hmac-sha256-signature",
];

pub fn verify_webhook(account: &AccountContext, hook: &IncomingWebhook<'_>) -> WebhookVerification {
    match check(account, hook) {
        Ok(scheme) => WebhookVerification::Verified { scheme },
        Err(reason) => WebhookVerification::Rejected { reason },
    }
}

fn check(account: &AccountContext, hook: &IncomingWebhook<'_>) -> Result<&'static str, String> {
    let creds = Credentials::parse(&account.credentials)
        .map_err(|e| format!("account credentials unusable: {e}"))?;
    let value = SIGNATURE_HEADERS
        .iter()
        .find_map(|name| hook.header(name))
        .ok_or("missing X-HMAC-SHA256-Signature")?;
    let (digest, encoding) =
        decode_signature(value).ok_or("signature is neither 64 hex characters nor Base64")?;
    if !verify(&creds.secret_key, hook.body, &digest) {
        return Err("signature does not match".into());
    }
    Ok(match encoding {
        Encoding::Hex => "hex",
        Encoding::Base64 => {
            tracing::warn!(
                account_id = %account.account_id,
                "Paymento IPN signed in Base64, not the documented hex (P1)"
            );
            "base64"
        }
    })
}

pub fn parse_webhook(hook: &IncomingWebhook<'_>) -> Result<ParsedWebhook, String> {
    let ipn = Ipn::parse(hook.body).map_err(|e| format!("unreadable IPN: {e}"))?;
    let (report, dedupe_key) = ipn_report(ipn)?;
    Ok(ParsedWebhook {
        dedupe_key,
        event: WebhookEvent::Payment(report),
    })
}

pub fn webhook_ack(ack: AckKind) -> WebhookAck {
    let (status, body) = match ack {
        AckKind::Accepted => (200, r#"{"success":true}"#),
        AckKind::Rejected => (401, r#"{"success":false,"message":"Invalid signature"}"#),
        AckKind::RetryLater => (503, r#"{"success":false,"message":"Try again later"}"#),
    };
    WebhookAck {
        status,
        content_type: "application/json",
        body: body.to_string(),
    }
}
