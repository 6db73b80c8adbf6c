//! Building Pakhi Pay's two requests (docs/gateways/pakhipay.md, "Endpoints"): create and verify,
//! as exact bytes.
//!
//! Both are `POST` JSON with the `api-key` header, to paths with a trailing slash under the
//! account's base URL (`https://pakhipay.com`, or the simulator's `…/pakhipay`). Bodies follow the
//! documented field order. `amount` is a JSON number with exactly two decimals, never rounded: an
//! amount that does not fit is refused here, before anything is sent. Pakhi Pay only takes BDT.

use super::wire::{CreateBody, VerifyBody};
use crate::providers::http_call::join;
use crate::providers::CheckoutRequest;
use rust_decimal::Decimal;
use serde_json::value::RawValue;

pub const CREATE_PATH: &str = "/api/request/payment/create/";
pub const VERIFY_PATH: &str = "/api/request/payment/verify/";

/// The create body: customer, amount, Payrail's return and cancel URLs, our reference as
/// `order_id`, and Payrail's webhook URL for this account as `callback_url`.
pub fn create_body(req: &CheckoutRequest, callback_url: &str) -> Result<Vec<u8>, String> {
    check_currency(&req.currency)?;
    let name = non_blank(req.customer.name.as_deref())
        .ok_or("Pakhi Pay needs the customer's name (cus_name)")?;
    let email = non_blank(req.customer.email.as_deref())
        .ok_or("Pakhi Pay needs the customer's email (cus_email)")?;
    let body = CreateBody {
        cus_name: name,
        cus_email: email,
        amount: amount_number(req.amount)?,
        success_url: &req.return_url,
        cancel_url: &req.cancel_url,
        order_id: &req.reference,
        callback_url,
    };
    serde_json::to_vec(&body).map_err(|e| format!("create body not serialisable: {e}"))
}

/// The verify body: the transaction id and the exact amount we expect ("Endpoints", K4).
pub fn verify_body(
    transaction_id: &str,
    amount: Decimal,
    currency: &str,
) -> Result<Vec<u8>, String> {
    check_currency(currency)?;
    let body = VerifyBody {
        transaction_id,
        amount: amount_number(amount)?,
    };
    serde_json::to_vec(&body).map_err(|e| format!("verify body not serialisable: {e}"))
}

/// A POST of `body` to `path` under `base_url`, authenticated with the brand API key.
pub fn post(
    client: &reqwest::Client,
    base_url: &str,
    path: &str,
    api_key: &str,
    body: Vec<u8>,
) -> reqwest::RequestBuilder {
    client
        .post(join(base_url, path))
        .header("api-key", api_key)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(reqwest::header::ACCEPT, "application/json")
        .body(body)
}

fn non_blank(s: Option<&str>) -> Option<&str> {
    s.filter(|s| !s.trim().is_empty())
}

fn check_currency(currency: &str) -> Result<(), String> {
    if currency == "BDT" {
        Ok(())
    } else {
        Err(format!("Pakhi Pay only accepts BDT, not {currency}"))
    }
}

/// `100.00`: a positive amount as a JSON number with exactly two decimals.
pub fn amount_number(amount: Decimal) -> Result<Box<RawValue>, String> {
    let mut value = amount.normalize();
    if value <= Decimal::ZERO || value.scale() > 2 {
        return Err(format!(
            "amount {amount} is not a positive amount with at most 2 decimals"
        ));
    }
    value.rescale(2);
    RawValue::from_string(value.to_string()).map_err(|e| format!("amount {value}: {e}"))
}
