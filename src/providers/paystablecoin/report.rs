//! Turning PSC's order and refund objects into Payrail's reports, refusing what does not add up.
//!
//! Every rule here errs towards "ask again" rather than a guess: a missing status, an amount that
//! is not a plain decimal, or an answer about a different reference is an error, which the caller
//! turns into `Unknown` (for calls) or a rejected parse (for webhooks).
//!
//! `underpaid` is set when `cryptoPaidAmount` is below `cryptoPaymentAmount` in the same currency
//! and some money did arrive (or PSC calls the order paid anyway): a zero paid amount on an unpaid
//! order is just an order nobody has paid yet.

use super::mapping::{payment_status, refund_status};
use super::wire::{OrderData, RefundData, WireAmount};
use crate::providers::{
    CheckoutCreated, GatewayReport, RefundReport, ReportedAmount, ReportedStatus,
};
use rust_decimal::{Decimal, RoundingStrategy};
use std::str::FromStr;

pub fn order_data(data: Option<serde_json::Value>) -> Result<OrderData, String> {
    let data = data.ok_or("answer has no data")?;
    serde_json::from_value(data).map_err(|e| format!("unreadable order in answer: {e}"))
}

/// The refund named `reference`: `data` is one refund object, or a list that contains it.
pub fn refund_data(data: Option<serde_json::Value>, reference: &str) -> Result<RefundData, String> {
    let data = data.ok_or("answer has no data")?;
    let candidates = match data {
        serde_json::Value::Array(items) => items,
        other => vec![other],
    };
    for item in candidates {
        let refund: RefundData = serde_json::from_value(item)
            .map_err(|e| format!("unreadable refund in answer: {e}"))?;
        match refund.merchant_refund_order_id.as_deref() {
            Some(r) if r != reference => continue,
            _ => return Ok(refund),
        }
    }
    Err(format!("answer does not contain refund {reference}"))
}

pub fn payment_report(data: OrderData) -> Result<GatewayReport, String> {
    let provider_status = data
        .status
        .filter(|s| !s.is_empty())
        .ok_or("order has no status")?;
    let status = payment_status(&provider_status);
    let amount = data.order_amount.map(reported_amount).transpose()?;
    let asked = data
        .crypto_payment_amount
        .map(reported_amount)
        .transpose()?;
    let paid = data.crypto_paid_amount.map(reported_amount).transpose()?;
    let underpaid = match (&asked, &paid) {
        (Some(asked), Some(paid)) if asked.currency.eq_ignore_ascii_case(&paid.currency) => {
            paid.value < asked.value
                && (paid.value > Decimal::ZERO || status == ReportedStatus::Paid)
        }
        _ => false,
    };
    let received = match (&amount, asked, paid) {
        (Some(order), Some(asked), Some(paid)) if underpaid => received_of(order, &asked, &paid),
        _ => None,
    };
    Ok(GatewayReport {
        reference: data.merchant_order_id,
        external_id: data.acquiring_order_id,
        provider_status,
        status,
        amount,
        underpaid,
        received,
        charge_id: None,
        refunded: None,
        extra_charges: vec![],
    })
}

/// What arrived of an underpaid order, in the order's currency: the order amount in the
/// proportion the crypto paid bears to the crypto asked, rounded down to the order amount's
/// decimals (Payrail never counts more than arrived). `None` when the crypto asked is nothing.
fn received_of(
    order: &ReportedAmount,
    asked: &ReportedAmount,
    paid: &ReportedAmount,
) -> Option<ReportedAmount> {
    if asked.value <= Decimal::ZERO {
        return None;
    }
    let value = (order.value * paid.value / asked.value)
        .round_dp_with_strategy(order.value.scale(), RoundingStrategy::ToZero);
    Some(ReportedAmount {
        value,
        currency: order.currency.clone(),
    })
}

/// The checkout of an order PSC holds under `reference` for `value` `currency`.
pub fn checkout_created(
    data: OrderData,
    reference: &str,
    value: Decimal,
    currency: &str,
) -> Result<CheckoutCreated, String> {
    if let Some(echoed) = data.merchant_order_id.as_deref() {
        if echoed != reference {
            return Err(format!("answer is about order {echoed}, not {reference}"));
        }
    }
    if let Some(held) = data.order_amount {
        let held = reported_amount(held)?;
        if held.value != value || held.currency != currency {
            return Err(format!(
                "order {reference} is held for {} {}, not {value} {currency}",
                held.value, held.currency
            ));
        }
    }
    let checkout_url = data.checkout_url.ok_or("answer has no checkoutUrl")?;
    match url::Url::parse(&checkout_url) {
        Ok(u) if matches!(u.scheme(), "https" | "http") => {}
        _ => {
            return Err(format!(
                "checkoutUrl {checkout_url:?} is not an http(s) URL"
            ))
        }
    }
    Ok(CheckoutCreated {
        external_id: data.acquiring_order_id.filter(|s| !s.is_empty()),
        checkout_url,
        provider_status: data
            .status
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "INIT".to_string()),
    })
}

pub fn refund_report(data: RefundData) -> Result<RefundReport, String> {
    let provider_status = data
        .status
        .filter(|s| !s.is_empty())
        .ok_or("refund has no status")?;
    Ok(RefundReport {
        reference: data.merchant_refund_order_id,
        external_id: data.refund_order_id,
        status: refund_status(&provider_status),
        provider_status,
        payment_external_id: data.acquiring_order_id.filter(|s| !s.is_empty()),
        amount: data.refund_amount.map(reported_amount).transpose()?,
    })
}

fn reported_amount(wire: WireAmount) -> Result<ReportedAmount, String> {
    let value = parse_decimal(&wire.value)
        .ok_or_else(|| format!("amount {:?} is not a plain decimal", wire.value))?;
    Ok(ReportedAmount {
        value,
        currency: wire.currency,
    })
}

/// `digits[.digits]` only: no sign, exponent, separators or blanks are guessed at.
fn parse_decimal(text: &str) -> Option<Decimal> {
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
