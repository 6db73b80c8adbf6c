//! `POST /v1/checkout/sessions` as Stripe validates it (payment mode, one line item with
//! `price_data`): required parameters, integers, URLs, the currency's amount rules (`money`) and
//! `expires_at` between 30 minutes and 24 hours from now. Errors are Stripe's
//! `invalid_request_error` naming the parameter.

use chrono::Utc;

use super::errors::ApiError;
use super::input::{self, Form};
use super::money;
use super::state::{new_id, Session, SessionStatus};

/// Payment method types the simulator knows (a sample of Stripe's).
const METHOD_TYPES: [&str; 6] = ["card", "link", "us_bank_account", "sepa_debit", "ideal", "paynow"];

const PRICE: &str = "line_items[0][price_data]";

/// A new open session from the create form of account `secret_key`.
pub fn new_session(form: &Form, secret_key: &str) -> Result<Session, ApiError> {
    match form.get("mode") {
        Some("payment") => {}
        Some(_) => return Err(ApiError::invalid("mode", "The simulator takes only mode=payment.")),
        None => return Err(ApiError::invalid("mode", "Missing required param: mode.")),
    }
    let now = Utc::now().timestamp();
    let currency = form
        .get(&format!("{PRICE}[currency]"))
        .ok_or_else(|| ApiError::invalid("line_items", "Missing required param: line_items[0][price_data][currency]."))?
        .to_owned();
    let unit = form
        .int("line_items[0][price_data][unit_amount]")?
        .ok_or_else(|| ApiError::invalid("line_items", "Missing required param: line_items[0][price_data][unit_amount]."))?;
    let quantity = form.int("line_items[0][quantity]")?.unwrap_or(0);
    if quantity < 1 {
        return Err(ApiError::invalid("line_items", "Quantity is required and must be at least 1."));
    }
    let amount = unit
        .checked_mul(quantity)
        .ok_or_else(|| ApiError::invalid("line_items", "Amount is too large."))?;
    if let Some(message) = money::refusal(amount, &currency) {
        return Err(ApiError::invalid("line_items", message));
    }
    let product_name = form
        .get(&format!("{PRICE}[product_data][name]"))
        .ok_or_else(|| ApiError::invalid("line_items", "Missing required param: line_items[0][price_data][product_data][name]."))?
        .to_owned();
    let success_url = input::url("success_url", form.required("success_url")?)?;
    let cancel_url = form.get("cancel_url").map(|u| input::url("cancel_url", u)).transpose()?;
    let method_types = form.list("payment_method_types");
    if let Some(bad) = method_types.iter().find(|m| !METHOD_TYPES.contains(&m.as_str())) {
        return Err(ApiError::invalid("payment_method_types", format!("Invalid payment_method_types[0]: must be one of card, link, …; got {bad}")));
    }
    let reference = form.get("client_reference_id").map(str::to_owned);
    if reference.as_ref().is_some_and(|r| r.chars().count() > 200) {
        return Err(ApiError::invalid("client_reference_id", "client_reference_id must be at most 200 characters."));
    }
    Ok(Session {
        id: new_id("cs_test_"),
        secret_key: secret_key.to_owned(),
        amount,
        currency,
        client_reference_id: reference,
        metadata: form.hash("metadata"),
        intent_metadata: form.hash("payment_intent_data[metadata]"),
        product_name,
        success_url,
        cancel_url,
        customer_email: form.get("customer_email").map(str::to_owned),
        method_types: if method_types.is_empty() { vec!["card".into()] } else { method_types },
        status: SessionStatus::Open,
        paid: false,
        intent: None,
        expires_at: expires_at(form, now)?,
        created: now,
    })
}

/// `expires_at`: 30 minutes to 24 hours after creation; 24 hours when absent.
fn expires_at(form: &Form, now: i64) -> Result<i64, ApiError> {
    let Some(at) = form.int("expires_at")? else {
        return Ok(now + 24 * 3600);
    };
    if at < now + 30 * 60 {
        return Err(ApiError::invalid("expires_at", "The `expires_at` timestamp must be at least 30 minutes from Checkout Session creation."));
    }
    if at > now + 24 * 3600 {
        return Err(ApiError::invalid("expires_at", "The `expires_at` timestamp must be less than 24 hours from Checkout Session creation."));
    }
    Ok(at)
}
