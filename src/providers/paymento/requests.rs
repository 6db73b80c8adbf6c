//! Building Paymento's three requests and the hosted checkout URL (docs/gateways/paymento.md,
//! "Endpoints").
//!
//! Bodies are serialised once, compactly, from the `wire` structs, so tests can compare the exact
//! bytes. A request that cannot be built (an amount Paymento cannot take) is refused here, before
//! anything is sent, so it is NotSent, never Unknown.

use super::credentials::Credentials;
use super::wire::{PaymentRequestBody, SettingsBody, VerifyBody};
use crate::providers::http_call::join;
use crate::providers::CheckoutRequest;
use rust_decimal::Decimal;

pub const REQUEST_PATH: &str = "/v1/payment/request";
pub const VERIFY_PATH: &str = "/v1/payment/verify";
pub const SETTINGS_PATH: &str = "/v1/payment/settings";

/// The production API host; its checkout lives on another host ("Endpoints").
pub const PRODUCTION_API_HOST: &str = "api.paymento.io";
pub const PRODUCTION_GATEWAY: &str = "https://app.paymento.io/gateway";

/// `IPN_Method`: 1 = HTTP POST ("Endpoints"; Payrail's receiver takes POST).
pub const IPN_METHOD_POST: u8 = 1;

/// The create body: `fiatAmount` as a string with the currency's digits (`"25.00"`), our
/// attempt reference as `orderId`, Payrail's return interceptor as `returnUrl`.
pub fn payment_request_body(creds: &Credentials, req: &CheckoutRequest) -> Result<Vec<u8>, String> {
    if req.amount <= Decimal::ZERO {
        return Err(format!("amount {} is not positive", req.amount));
    }
    if req.reference.trim().is_empty() {
        return Err("the attempt has no reference".into());
    }
    let body = PaymentRequestBody {
        fiat_amount: req.amount.to_string(),
        fiat_currency: &req.currency,
        return_url: &req.return_url,
        order_id: &req.reference,
        risk_speed: creds.risk_speed,
    };
    serde_json::to_vec(&body).map_err(|e| format!("request body not serialisable: {e}"))
}

pub fn verify_body(token: &str) -> Vec<u8> {
    serde_json::to_vec(&VerifyBody { token }).expect("plain struct serialises")
}

pub fn settings_body(ipn_url: &str) -> Vec<u8> {
    serde_json::to_vec(&SettingsBody {
        ipn_url,
        ipn_method: IPN_METHOD_POST,
    })
    .expect("plain struct serialises")
}

/// `POST {base}{path}` with `Api-Key`, JSON in, JSON out ("Authentication").
pub fn post(
    client: &reqwest::Client,
    base_url: &str,
    path: &str,
    api_key: &str,
    body: Vec<u8>,
) -> reqwest::RequestBuilder {
    client
        .post(join(base_url, path))
        .header("Api-Key", api_key)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(reqwest::header::ACCEPT, "application/json")
        .body(body)
}

/// Where the customer pays: `https://app.paymento.io/gateway?token=…` for the production API,
/// `{base_url}/gateway?token=…` for any other base (the simulator serves the page there).
pub fn checkout_url(base_url: &str, token: &str) -> String {
    let production = url::Url::parse(base_url)
        .ok()
        .and_then(|u| {
            u.host_str()
                .map(|h| h.eq_ignore_ascii_case(PRODUCTION_API_HOST))
        })
        .unwrap_or(false);
    let page = if production {
        PRODUCTION_GATEWAY.to_owned()
    } else {
        join(base_url, "/gateway")
    };
    let token: String = url::form_urlencoded::byte_serialize(token.as_bytes()).collect();
    format!("{page}?token={token}")
}
