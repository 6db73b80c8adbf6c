//! Stripe webhooks: verify `Stripe-Signature`, parse the event, answer.
//!
//! Verification (`signing`, R6–R7): the raw body against every `v1` in the header with the
//! account's `webhook_secret`, then the timestamp against the server's clock (300 s either way).
//!
//! Events Payrail reads (R12–R14); every other type is verified but does not parse (it is
//! acknowledged and left in the journal):
//! * `checkout.session.completed` — paid, or for a delayed method still unpaid (Processing);
//! * `checkout.session.async_payment_succeeded` / `…_failed` — the delayed method settled;
//! * `checkout.session.expired`;
//! * `charge.refunded` — the charge's `amount_refunded`: refunds made in Stripe's dashboard
//!   become refund rows from this total (as HitPay's charge events do);
//! * `refund.created`, `refund.updated` — a refund's own state; Payrail's refunds carry
//!   `metadata.payrail_refund`, so they settle the row they name. A dashboard refund names none
//!   and the object names no session, so it is acknowledged unmatched (its money arrives through
//!   `charge.refunded`).
//!
//! The dedupe key is the event id (`evt_…`): Stripe resends an event under the same id.
//! Answers: 200 `{"received":true}`; a forged or stale one 400 (what Stripe's own examples
//! answer); a verified one Payrail could not finish 503, which Stripe retries.

use super::credentials::Credentials;
use super::report::{charge_report, refund_report, session_report};
use super::signing;
use super::wire::{Charge, Event, Refund, Session};
use crate::providers::{
    AccountContext, AckKind, IncomingWebhook, ParsedWebhook, WebhookAck, WebhookEvent,
    WebhookVerification,
};

pub const SIGNATURE_HEADER: &str = "stripe-signature";

pub fn verify_webhook(account: &AccountContext, hook: &IncomingWebhook<'_>) -> WebhookVerification {
    match check(account, hook) {
        Ok(()) => WebhookVerification::Verified { scheme: "v1" },
        Err(reason) => WebhookVerification::Rejected { reason },
    }
}

fn check(account: &AccountContext, hook: &IncomingWebhook<'_>) -> Result<(), String> {
    let creds = Credentials::parse(&account.credentials)
        .map_err(|e| format!("account credentials unusable: {e}"))?;
    let header = hook
        .header(SIGNATURE_HEADER)
        .ok_or("no Stripe-Signature header")?;
    signing::verify(
        &creds.webhook_secret,
        header,
        hook.body,
        hook.now.timestamp(),
    )
}

pub fn parse_webhook(hook: &IncomingWebhook<'_>) -> Result<ParsedWebhook, String> {
    let event: Event =
        serde_json::from_slice(hook.body).map_err(|e| format!("body is not a Stripe event: {e}"))?;
    let kind = event.kind.as_str();
    let object = event.data.object;
    let parsed = match kind {
        "checkout.session.completed"
        | "checkout.session.async_payment_succeeded"
        | "checkout.session.async_payment_failed"
        | "checkout.session.expired" => {
            let s: Session = serde_json::from_value(object)
                .map_err(|e| format!("unreadable checkout session in {kind}: {e}"))?;
            WebhookEvent::Payment(session_report(s, Some(kind))?)
        }
        "charge.refunded" => {
            let c: Charge = serde_json::from_value(object)
                .map_err(|e| format!("unreadable charge in {kind}: {e}"))?;
            WebhookEvent::Payment(charge_report(c, kind)?)
        }
        "refund.created" | "refund.updated" => {
            let r: Refund = serde_json::from_value(object)
                .map_err(|e| format!("unreadable refund in {kind}: {e}"))?;
            WebhookEvent::Refund(refund_report(r, None)?)
        }
        other => return Err(format!("event type {other:?} is not one Payrail reads")),
    };
    Ok(ParsedWebhook {
        dedupe_key: format!("evt:{}", event.id),
        event: parsed,
    })
}

pub fn webhook_ack(ack: AckKind) -> WebhookAck {
    let (status, body) = match ack {
        AckKind::Accepted => (200, r#"{"received":true}"#),
        AckKind::Rejected => (400, r#"{"error":"invalid signature"}"#),
        AckKind::RetryLater => (503, r#"{"error":"try again later"}"#),
    };
    WebhookAck {
        status,
        content_type: "application/json",
        body: body.to_string(),
    }
}
