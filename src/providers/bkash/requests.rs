//! Building bKash's requests as exact bytes: the paths, the two header sets, the bodies.
//!
//! Every call is a JSON `POST` under the account's base URL, which carries the API version
//! (`https://tokenized.pay.bka.sh/v1.2.0-beta`, or the simulator's `…/bkash/v1.2.0-beta`). The
//! token calls authenticate with `username`/`password` headers and `app_key`/`app_secret` in the
//! body; every other call with `Authorization: <id_token>` (the bare token, no `Bearer`) and
//! `X-APP-Key`. Amounts are decimal strings with exactly two decimals, never rounded: an amount
//! that does not fit is refused here, before anything is sent. bKash takes BDT only.

use super::credentials::Credentials;
use super::wire::{CreateBody, GrantBody, PaymentBody, RefreshBody, RefundBody};
use crate::providers::http_call::join;
use crate::providers::CheckoutRequest;
use rust_decimal::Decimal;

pub const GRANT: &str = "/tokenized/checkout/token/grant";
pub const REFRESH: &str = "/tokenized/checkout/token/refresh";
pub const CREATE: &str = "/tokenized/checkout/create";
pub const EXECUTE: &str = "/tokenized/checkout/execute";
pub const STATUS: &str = "/tokenized/checkout/payment/status";
pub const REFUND: &str = "/tokenized/checkout/payment/refund";

/// Tokenized checkout without an agreement: the customer pays on bKash's page (URL based).
pub const MODE: &str = "0011";
pub const INTENT: &str = "sale";
/// What the refund's `sku` says when Payrail has no item code (bKash requires one).
pub const REFUND_SKU: &str = "payrail";
/// The longest refund `reason` sent (bKash documents 255 characters).
const REASON_MAX: usize = 255;

pub fn grant_body(creds: &Credentials) -> Vec<u8> {
    to_vec(&GrantBody {
        app_key: &creds.app_key,
        app_secret: &creds.app_secret,
    })
}

pub fn refresh_body(creds: &Credentials, refresh_token: &str) -> Vec<u8> {
    to_vec(&RefreshBody {
        app_key: &creds.app_key,
        app_secret: &creds.app_secret,
        refresh_token,
    })
}

/// The create body (B3, B4): our reference as `merchantInvoiceNumber`, the customer's wallet
/// number as `payerReference` when the merchant gave one (bKash pre-fills it), else our
/// reference; Payrail's account-level return as `callbackURL` (B2).
pub fn create_body(req: &CheckoutRequest) -> Result<Vec<u8>, String> {
    check_currency(&req.currency)?;
    let wallet = req
        .customer
        .phone
        .as_deref()
        .map(str::trim)
        .filter(|p| is_wallet_number(p));
    Ok(to_vec(&CreateBody {
        mode: MODE,
        payer_reference: wallet.unwrap_or(&req.reference),
        callback_url: &req.account_return_url,
        amount: amount_text(req.amount)?,
        currency: "BDT",
        intent: INTENT,
        merchant_invoice_number: &req.reference,
    }))
}

pub fn payment_body(payment_id: &str) -> Vec<u8> {
    to_vec(&PaymentBody { payment_id })
}

pub fn refund_body(
    payment_id: &str,
    trx_id: &str,
    amount: Decimal,
    currency: &str,
    reason: Option<&str>,
) -> Result<Vec<u8>, String> {
    check_currency(currency)?;
    let reason: String = reason
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .unwrap_or("Refund")
        .chars()
        .take(REASON_MAX)
        .collect();
    Ok(to_vec(&RefundBody {
        payment_id,
        amount: amount_text(amount)?,
        trx_id,
        sku: REFUND_SKU,
        reason: &reason,
    }))
}

/// A token call: `username` and `password` as headers.
pub fn token_call(
    client: &reqwest::Client,
    base_url: &str,
    path: &str,
    creds: &Credentials,
    body: Vec<u8>,
) -> reqwest::RequestBuilder {
    json_post(client, base_url, path, body)
        .header("username", &creds.username)
        .header("password", &creds.password)
}

/// An API call: the bare `id_token` as `Authorization`, and `X-APP-Key`.
pub fn api_call(
    client: &reqwest::Client,
    base_url: &str,
    path: &str,
    (id_token, app_key): (&str, &str),
    body: Vec<u8>,
) -> reqwest::RequestBuilder {
    json_post(client, base_url, path, body)
        .header(reqwest::header::AUTHORIZATION, id_token)
        .header("X-APP-Key", app_key)
}

fn json_post(
    client: &reqwest::Client,
    base_url: &str,
    path: &str,
    body: Vec<u8>,
) -> reqwest::RequestBuilder {
    client
        .post(join(base_url, path))
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(reqwest::header::ACCEPT, "application/json")
        .body(body)
}

fn to_vec<T: serde::Serialize>(body: &T) -> Vec<u8> {
    // Structs of strings: serialising them cannot fail.
    serde_json::to_vec(body).unwrap_or_default()
}

fn check_currency(currency: &str) -> Result<(), String> {
    if currency == "BDT" {
        Ok(())
    } else {
        Err(format!("bKash only accepts BDT, not {currency}"))
    }
}

/// `01XXXXXXXXX`: a Bangladeshi mobile wallet number (11 digits, starting 01).
fn is_wallet_number(s: &str) -> bool {
    s.len() == 11 && s.starts_with("01") && s.bytes().all(|b| b.is_ascii_digit())
}

/// `"100.00"`: a positive amount as a string with exactly two decimals.
pub fn amount_text(amount: Decimal) -> Result<String, String> {
    let mut value = amount.normalize();
    if value <= Decimal::ZERO || value.scale() > 2 {
        return Err(format!(
            "amount {amount} is not a positive amount with at most 2 decimals"
        ));
    }
    value.rescale(2);
    Ok(value.to_string())
}
