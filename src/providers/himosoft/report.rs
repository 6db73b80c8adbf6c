//! Turning HimoSoft's payment objects into Payrail's reports, refusing what does not add up.
//!
//! Every rule errs towards "ask again": an answer about another payment id or another order, a
//! missing status, or an amount that is not a plain decimal is an error, which the caller turns
//! into `Unknown`.
//!
//! Ids: HimoSoft's `id` (`pay_…`) is the report's `external_id` (what `/recheck/` needs); its
//! `external_id` field is the upstream provider's reference (`ch_…`, `tr_bkash_…`) and becomes
//! the report's `charge_id`.
//!
//! Amounts: `amount` is taken with `currency` when the answer has it; the recheck and verify
//! answers are documented without a currency, and a HimoSoft payment has exactly one currency, so
//! an amount without one is read in the payment's own currency. That is what lets Payrail's
//! amount check catch a payment completed for less than was asked.

use super::mapping::payment_status;
use super::wire::PaymentObject;
use crate::providers::{CheckoutCreated, GatewayReport, ReportedAmount};
use rust_decimal::Decimal;
use std::str::FromStr;

pub fn read_object(body: &[u8]) -> Result<PaymentObject, String> {
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(v @ serde_json::Value::Object(_)) => {
            serde_json::from_value(v).map_err(|e| format!("unreadable HimoSoft payment: {e}"))
        }
        Ok(_) => Err("HimoSoft answer is not a JSON object".into()),
        Err(e) => Err(format!("unreadable answer from HimoSoft: {e}")),
    }
}

/// The checkout of the payment HimoSoft created (or replayed from its idempotency cache) for
/// `amount`.
pub fn checkout_created(obj: PaymentObject, amount: Decimal) -> Result<CheckoutCreated, String> {
    let id = obj
        .id
        .filter(|s| !s.trim().is_empty())
        .ok_or("answer has no id")?;
    if let Some(held) = obj.amount.as_deref() {
        let held =
            parse_decimal(held).ok_or_else(|| format!("amount {held:?} is not a decimal"))?;
        if held != amount {
            return Err(format!("payment {id} is held for {held}, not {amount}"));
        }
    }
    let checkout_url = obj.checkout_url.ok_or("answer has no checkout_url")?;
    match url::Url::parse(&checkout_url) {
        Ok(u) if matches!(u.scheme(), "https" | "http") => {}
        _ => {
            return Err(format!(
                "checkout_url {checkout_url:?} is not an http(s) URL"
            ))
        }
    }
    Ok(CheckoutCreated {
        external_id: Some(id),
        checkout_url,
        provider_status: obj
            .status
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "pending".to_string()),
    })
}

/// The report of payment `id` (asked for our `reference`, in `currency`).
pub fn payment_report(
    obj: PaymentObject,
    id: &str,
    reference: &str,
    currency: &str,
) -> Result<GatewayReport, String> {
    if let Some(echoed) = obj.id.as_deref().filter(|s| !s.is_empty()) {
        if echoed != id {
            return Err(format!("answer is about payment {echoed}, not {id}"));
        }
    }
    if let Some(order) = obj.order_id.as_deref().filter(|s| !s.is_empty()) {
        if order != reference {
            return Err(format!(
                "payment {id} belongs to order {order}, not {reference}"
            ));
        }
    }
    let amount = amount_of(&obj, currency)?;
    let provider_status = obj
        .status
        .filter(|s| !s.is_empty())
        .ok_or("answer has no status")?;
    Ok(GatewayReport {
        reference: Some(reference.to_string()),
        external_id: Some(id.to_string()),
        status: payment_status(&provider_status),
        provider_status,
        amount,
        underpaid: false,
        received: None,
        charge_id: obj.external_id.filter(|s| !s.is_empty()),
        refunded: None,
        extra_charges: vec![],
    })
}

/// `amount` (with `currency`, else the payment's own `currency`), when the object has one.
pub fn amount_of(obj: &PaymentObject, currency: &str) -> Result<Option<ReportedAmount>, String> {
    let Some(text) = obj.amount.as_deref() else {
        return Ok(None);
    };
    let value =
        parse_decimal(text).ok_or_else(|| format!("amount {text:?} is not a plain decimal"))?;
    let currency = obj
        .currency
        .clone()
        .filter(|c| !c.trim().is_empty())
        .unwrap_or_else(|| currency.to_string());
    Ok(Some(ReportedAmount { value, currency }))
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
