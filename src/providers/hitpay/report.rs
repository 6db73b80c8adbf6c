//! Turning HitPay's objects (payment request, v1 webhook fields, v2 charge, refund) into Payrail's
//! reports, refusing what does not add up (the labels T1–T10: docs/gateways/hitpay.md).
//!
//! Errors here become `Unknown` for calls and a rejected parse for webhooks: a missing status, an
//! amount that is not a plain decimal, an answer about another reference is never guessed at.
//!
//! Amounts: the request report carries the request's amount (what HitPay holds) and sets
//! `underpaid` when the payments that took money add up to less in the request's currency. The
//! v1 webhook and the v2 charge carry the payment's own amount, which Payrail compares with the
//! payment (an underpayment there shows as an amount mismatch). Currencies are upper-cased (T6).
//! `charge_id` is the payment that took money (the one Payrail already settled on, when it is
//! among them), else the latest payment (T7: refunds need it); the others that took money are
//! `extra_charges`, and `refunded` is what HitPay says is refunded of `charge_id`.

use super::mapping::webhook_status;
use super::mapping::{charge_status, charge_took_money, refund_status, request_status};
use super::wire::{ChargeObj, PaymentObj, PaymentRequestObj, RefundObj};
use crate::providers::{
    CheckoutCreated, CheckoutRequest, GatewayReport, RefundReport, ReportedAmount, ReportedStatus,
};
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::str::FromStr;

fn present(v: Option<String>) -> Option<String> {
    v.filter(|s| !s.trim().is_empty())
}

pub fn checkout_created(
    obj: PaymentRequestObj,
    req: &CheckoutRequest,
) -> Result<CheckoutCreated, String> {
    check_reference(obj.reference_number.as_deref(), &req.reference)?;
    if let Some(held) = amount(obj.amount.as_deref(), obj.currency.as_deref())? {
        if held.value != req.amount || !held.currency.eq_ignore_ascii_case(&req.currency) {
            return Err(format!(
                "payment request is for {} {}, not {} {}",
                held.value, held.currency, req.amount, req.currency
            ));
        }
    }
    let id = present(obj.id).ok_or("answer has no payment request id")?;
    let url = present(obj.url).ok_or("answer has no checkout url")?;
    match url::Url::parse(&url) {
        Ok(u) if matches!(u.scheme(), "https" | "http") => {}
        _ => return Err(format!("checkout url {url:?} is not an http(s) URL")),
    }
    Ok(CheckoutCreated {
        external_id: Some(id),
        checkout_url: url,
        provider_status: present(obj.status).unwrap_or_else(|| "pending".into()),
    })
}

/// The GET answer (or a v2 `payment_request` event) as a report. `settled` is the payment
/// (charge) Payrail already holds as the one that took money, if any: the report speaks for it,
/// and every other payment that took money is a duplicate (`extra_charges`).
pub fn request_report(
    obj: PaymentRequestObj,
    settled: Option<&str>,
) -> Result<GatewayReport, String> {
    let provider_status = present(obj.status).ok_or("payment request has no status")?;
    let held = amount(obj.amount.as_deref(), obj.currency.as_deref())?;
    let payments = obj.payments.unwrap_or_default();
    let paid: Vec<&PaymentObj> = payments
        .iter()
        .filter(|p| p.status.as_deref().is_some_and(charge_took_money))
        .collect();
    let main = paid
        .iter()
        .find(|p| settled.is_some() && p.id.as_deref() == settled)
        .or(paid.first())
        .copied()
        .or(payments.last());
    let charge_id = main.and_then(|p| present(p.id.clone()));
    // Money taken outweighs the request's word: a charge can succeed on a request already
    // canceled or expired (a late transfer), and that money is the customer's payment.
    let status = if paid.is_empty() {
        request_status(&provider_status)
    } else {
        ReportedStatus::Paid
    };
    let extra_charges = paid
        .iter()
        .filter_map(|p| present(p.id.clone()))
        .filter(|id| Some(id) != charge_id.as_ref())
        .collect();
    let currency_of = |p: &PaymentObj| {
        p.currency
            .clone()
            .or_else(|| held.as_ref().map(|h| h.currency.clone()))
    };
    // What the charge that took money says is refunded of it (T5: a string in REST objects).
    let refunded = match main {
        Some(p) if p.status.as_deref().is_some_and(charge_took_money) => {
            refunded_amount(p.refunded_amount.as_deref(), currency_of(p).as_deref())?
        }
        _ => None,
    };
    // Short only when the charge that speaks for the request took less than the request asks
    // (a duplicate payment is not a top-up). What it took is then what arrived.
    let short = match (&held, main) {
        (Some(held), Some(p)) if p.status.as_deref().is_some_and(charge_took_money) => {
            match amount(p.amount.as_deref(), currency_of(p).as_deref())? {
                Some(a) if a.currency == held.currency => (a.value < held.value).then_some(a),
                _ => return Err("a payment's amount cannot be compared".into()),
            }
        }
        _ => None,
    };
    Ok(GatewayReport {
        reference: present(obj.reference_number),
        external_id: present(obj.id),
        provider_status,
        status,
        amount: held,
        underpaid: short.is_some(),
        received: short,
        charge_id,
        refunded,
        extra_charges,
    })
}

/// A v1 form webhook (fields already URL-decoded; `hmac` may still be among them).
pub fn webhook_v1_report(fields: &BTreeMap<String, String>) -> Result<GatewayReport, String> {
    let get = |k: &str| present(fields.get(k).cloned());
    let provider_status = get("status").ok_or("webhook has no status")?;
    let report = GatewayReport {
        reference: get("reference_number"),
        external_id: get("payment_request_id"),
        status: webhook_status(&provider_status),
        provider_status,
        amount: amount(
            fields.get("amount").map(String::as_str),
            fields.get("currency").map(String::as_str),
        )?,
        underpaid: false,
        received: None,
        charge_id: get("payment_id"),
        refunded: None,
        extra_charges: vec![],
    };
    if report.reference.is_none() && report.external_id.is_none() {
        return Err("webhook names neither reference_number nor payment_request_id".into());
    }
    Ok(report)
}

/// A v2 `charge` event.
pub fn charge_report(obj: ChargeObj) -> Result<GatewayReport, String> {
    let refunded = charge_refunded(&obj)?;
    let provider_status = present(obj.status).ok_or("charge has no status")?;
    Ok(GatewayReport {
        reference: present(obj.reference_number),
        external_id: present(obj.payment_request_id),
        status: charge_status(&provider_status),
        provider_status,
        amount: amount(obj.amount.as_deref(), obj.currency.as_deref())?,
        underpaid: false,
        received: None,
        charge_id: Some(present(obj.id).ok_or("charge has no id")?),
        refunded,
        extra_charges: vec![],
    })
}

/// What a charge event says is refunded of it: `refunded_amount` when present, else all of it
/// for a `refunded` charge (a `partially_refunded` one without a figure says nothing usable).
fn charge_refunded(obj: &ChargeObj) -> Result<Option<ReportedAmount>, String> {
    if let Some(r) = refunded_amount(obj.refunded_amount.as_deref(), obj.currency.as_deref())? {
        return Ok(Some(r));
    }
    if obj.status.as_deref() == Some("refunded") {
        return amount(obj.amount.as_deref(), obj.currency.as_deref());
    }
    Ok(None)
}

pub fn refund_report(obj: RefundObj, reference: Option<&str>) -> Result<RefundReport, String> {
    let provider_status = present(obj.status).ok_or("refund has no status")?;
    Ok(RefundReport {
        reference: reference.map(str::to_owned),
        external_id: present(obj.id),
        status: refund_status(&provider_status),
        provider_status,
        payment_external_id: None,
        amount: None,
    })
}

/// A refunded figure in `currency`; no figure is `None` (the object's currency is there anyway).
fn refunded_amount(
    value: Option<&str>,
    currency: Option<&str>,
) -> Result<Option<ReportedAmount>, String> {
    match value.filter(|v| !v.is_empty()) {
        Some(v) => amount(Some(v), currency),
        None => Ok(None),
    }
}

/// Checks an echoed `reference_number` against ours (absent is tolerated).
pub fn check_reference(echoed: Option<&str>, ours: &str) -> Result<(), String> {
    match echoed.filter(|e| !e.is_empty()) {
        Some(e) if e != ours => Err(format!("answer is about reference {e}, not {ours}")),
        _ => Ok(()),
    }
}

/// `amount` + `currency` → a reported amount; both absent → None; one without the other → error.
pub fn amount(
    value: Option<&str>,
    currency: Option<&str>,
) -> Result<Option<ReportedAmount>, String> {
    let value = value.filter(|v| !v.is_empty());
    let currency = currency.filter(|c| !c.is_empty());
    match (value, currency) {
        (None, None) => Ok(None),
        (Some(v), Some(c)) => {
            let value =
                parse_decimal(v).ok_or_else(|| format!("amount {v:?} is not a plain decimal"))?;
            if c.len() != 3 || !c.bytes().all(|b| b.is_ascii_alphabetic()) {
                return Err(format!("currency {c:?} is not a 3-letter code"));
            }
            Ok(Some(ReportedAmount {
                value,
                currency: c.to_ascii_uppercase(),
            }))
        }
        (Some(_), None) => Err("amount without a currency".into()),
        (None, Some(_)) => Err("currency without an amount".into()),
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
