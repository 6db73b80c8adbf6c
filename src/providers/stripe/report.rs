//! Turning Stripe's objects (Checkout Session, Charge, Refund) into Payrail's reports, refusing
//! what does not add up.
//!
//! Errors here become `Unknown` for calls and a rejected parse for webhooks: a missing status, a
//! currency Stripe does not take, an answer about another reference is never guessed at.
//!
//! The attempt is named by `client_reference_id` (sessions) or `metadata.payrail_reference`
//! (charges, which inherit their PaymentIntent's metadata). `charge_id` is always the
//! PaymentIntent id: it is what refunds take (R11). Amounts are converted from Stripe's integers
//! with Stripe's exponent for the currency (`amounts`), so ¥500 reads 500 and 5 ISK (`500` on
//! the wire) reads 5.00; currencies are upper-cased.

use super::amounts;
use super::mapping::{refund_status, session_status};
use super::wire::{Charge, Refund, Session};
use crate::providers::{
    CheckoutCreated, CheckoutRequest, GatewayReport, RefundReport, ReportedAmount, ReportedStatus,
};

/// The metadata key carrying the attempt's reference (sessions, PaymentIntents, charges).
pub const REFERENCE_KEY: &str = "payrail_reference";
/// The metadata key carrying Payrail's refund reference.
pub const REFUND_KEY: &str = "payrail_refund";

fn present(v: Option<&str>) -> Option<String> {
    v.map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

/// Stripe's integer `minor` of `currency` as a reported amount.
pub fn amount(minor: Option<i64>, currency: Option<&str>) -> Result<Option<ReportedAmount>, String> {
    match (minor, currency.filter(|c| !c.is_empty())) {
        (None, None) => Ok(None),
        (Some(m), Some(c)) => Ok(Some(ReportedAmount {
            value: amounts::from_stripe(m, c)?,
            currency: c.to_ascii_uppercase(),
        })),
        (Some(_), None) => Err("amount without a currency".into()),
        (None, Some(_)) => Err("currency without an amount".into()),
    }
}

/// Checks an echoed reference against ours (absent is tolerated).
pub fn check_reference(echoed: Option<&str>, ours: &str) -> Result<(), String> {
    match echoed.filter(|e| !e.is_empty()) {
        Some(e) if e != ours => Err(format!("answer is about reference {e}, not {ours}")),
        _ => Ok(()),
    }
}

pub fn checkout_created(s: Session, req: &CheckoutRequest) -> Result<CheckoutCreated, String> {
    check_reference(s.client_reference_id.as_deref(), &req.reference)?;
    if let Some(held) = amount(s.amount_total, s.currency.as_deref())? {
        if held.value != req.amount || !held.currency.eq_ignore_ascii_case(&req.currency) {
            return Err(format!(
                "session is for {} {}, not {} {}",
                held.value, held.currency, req.amount, req.currency
            ));
        }
    }
    let url = present(s.url.as_deref()).ok_or("answer has no checkout url")?;
    match url::Url::parse(&url) {
        Ok(u) if matches!(u.scheme(), "https" | "http") => {}
        _ => return Err(format!("checkout url {url:?} is not an http(s) URL")),
    }
    Ok(CheckoutCreated {
        external_id: Some(s.id),
        checkout_url: url,
        provider_status: present(s.status.as_deref()).unwrap_or_else(|| "open".into()),
    })
}

/// A session (read with its PaymentIntent and charge expanded, or from a webhook with ids only)
/// as a report. `event` is the webhook's type, which decides the status when given (R12).
pub fn session_report(s: Session, event: Option<&str>) -> Result<GatewayReport, String> {
    let status_word = present(s.status.as_deref()).ok_or("session has no status")?;
    let paid_word = present(s.payment_status.as_deref()).ok_or("session has no payment_status")?;
    let intent = s.payment_intent.as_ref().and_then(|p| p.object());
    let intent_word = intent.and_then(|i| i.status.as_deref());
    let status = match event {
        Some("checkout.session.async_payment_succeeded") => ReportedStatus::Paid,
        Some("checkout.session.async_payment_failed") => ReportedStatus::Failed,
        Some("checkout.session.expired") => ReportedStatus::Expired,
        _ => session_status(&status_word, &paid_word, intent_word),
    };
    let provider_status = match (event, intent_word) {
        (Some(e), _) => e.to_owned(),
        (None, Some(i)) if paid_word == "unpaid" && status_word == "complete" => {
            format!("{status_word}/{paid_word}/{i}")
        }
        _ => format!("{status_word}/{paid_word}"),
    };
    let charge = intent
        .and_then(|i| i.latest_charge.as_ref())
        .and_then(|c| c.object());
    let refunded = match charge {
        Some(c) if status == ReportedStatus::Paid && c.status.as_deref() == Some("succeeded") => {
            amount(c.amount_refunded, c.currency.as_deref())?
        }
        _ => None,
    };
    let reference = present(s.client_reference_id.as_deref()).or_else(|| {
        s.metadata
            .as_ref()
            .and_then(|m| present(m.get(REFERENCE_KEY).map(String::as_str)))
    });
    Ok(GatewayReport {
        reference,
        external_id: Some(s.id),
        provider_status,
        status,
        amount: amount(s.amount_total, s.currency.as_deref())?,
        underpaid: false,
        received: None,
        charge_id: s.payment_intent.as_ref().map(|p| p.id().to_owned()),
        refunded,
        extra_charges: vec![],
    })
}

/// A `charge.refunded` event's charge: the payment still took money; `refunded` is its
/// `amount_refunded`, which a refund made in Stripe's dashboard shows in (R13).
pub fn charge_report(c: Charge, event: &str) -> Result<GatewayReport, String> {
    let reference = c
        .metadata
        .as_ref()
        .and_then(|m| present(m.get(REFERENCE_KEY).map(String::as_str)));
    let intent = present(c.payment_intent.as_deref()).ok_or("charge has no payment_intent")?;
    if reference.is_none() {
        return Err("charge carries no payrail_reference (not a Payrail payment)".into());
    }
    let status = match (c.status.as_deref(), c.refunded) {
        (Some("succeeded"), Some(true)) => ReportedStatus::Refunded,
        (Some("succeeded"), _) => ReportedStatus::PartiallyRefunded,
        _ => ReportedStatus::Unknown,
    };
    Ok(GatewayReport {
        reference,
        external_id: None,
        provider_status: event.to_owned(),
        status,
        amount: amount(c.amount, c.currency.as_deref())?,
        underpaid: false,
        received: None,
        charge_id: Some(intent),
        refunded: amount(c.amount_refunded, c.currency.as_deref())?,
        extra_charges: vec![],
    })
}

/// A refund object; `reference` is ours when Payrail made the call, else the metadata's.
pub fn refund_report(r: Refund, reference: Option<&str>) -> Result<RefundReport, String> {
    let provider_status = present(r.status.as_deref()).ok_or("refund has no status")?;
    let echoed = r
        .metadata
        .as_ref()
        .and_then(|m| present(m.get(REFUND_KEY).map(String::as_str)));
    if let Some(ours) = reference {
        check_reference(echoed.as_deref(), ours)?;
    }
    Ok(RefundReport {
        reference: reference.map(str::to_owned).or(echoed),
        external_id: Some(r.id),
        status: refund_status(&provider_status),
        provider_status,
        payment_external_id: None,
        amount: amount(r.amount, r.currency.as_deref())?,
    })
}
