//! Unit tests for the Paymento adapter: the vectors of docs/gateways/paymento.md ("Test vectors":
//! the IPN signature and the official plugin's create and verify bodies) byte for byte, the status
//! mapping and error classification, IPN verification, and real HTTP against throwaway local
//! servers.

mod adapter;
mod http;
mod mapping;
mod vectors;
mod webhook;

use crate::providers::{AccountContext, CheckoutRequest, Customer, QueryRequest};
use chrono::TimeZone;
use rust_decimal::Decimal;

/// The secret of the "Test vectors".
pub const SECRET: &str = "paymento_test_secret";
pub const API_KEY: &str = "pk_live_abc123";
pub const IPN_URL: &str = "https://payrail.example/v1/webhooks/paymento/acc_test/";
pub const REF: &str = "att_01JD3ZK2Q4X8V9N6B5M7C1T0RA";
pub const TOKEN: &str = "3256e147c6fe4d36a9341a5112ed2214";

pub fn credentials_json() -> serde_json::Value {
    serde_json::json!({ "api_key": API_KEY, "secret_key": SECRET })
}

pub fn account(base_url: &str) -> AccountContext {
    AccountContext {
        account_id: "acc_test".into(),
        credentials: credentials_json(),
        base_url: base_url.into(),
        webhook_url: IPN_URL.into(),
    }
}

/// 25.00 USD for `reference`, returning to `return_url`.
pub fn checkout_request(reference: &str, return_url: &str) -> CheckoutRequest {
    CheckoutRequest {
        reference: reference.into(),
        amount: Decimal::new(2500, 2),
        currency: "USD".into(),
        description: None,
        customer: Customer::default(),
        method: None,
        return_url: return_url.into(),
        cancel_url: format!("{return_url}&intent=cancel"),
        account_return_url: "https://payrail.example/checkout/return/paymento/acc_test".into(),
        expires_at: chrono::Utc
            .with_ymd_and_hms(2026, 12, 31, 23, 59, 59)
            .unwrap(),
    }
}

pub fn query(token: Option<&str>) -> QueryRequest {
    QueryRequest {
        reference: REF.into(),
        external_id: token.map(Into::into),
        charge_id: None,
        amount: Decimal::new(2500, 2),
        currency: "USD".into(),
    }
}
