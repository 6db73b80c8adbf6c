//! Unit tests for the HitPay adapter: the vectors of docs/gateways/hitpay.md ("Test vectors") byte
//! for byte, the mappings, webhook verification, and real HTTP against a scripted local server and
//! against the simulator.

mod adapter;
mod http;
mod mapping;
mod requests;
mod vectors;
mod webhook;
mod with_sim;

use crate::providers::{AccountContext, CheckoutRequest, Customer, QueryRequest};
use chrono::TimeZone;
use rust_decimal::Decimal;

/// The salt of the "Test vectors".
pub const SALT: &str = "hitpay_test_salt";
pub const API_KEY: &str = "hitpay_test_api_key";
pub const REF: &str = "att_01JD3ZK2Q4X8V9N6B5M7C1T0RA";
pub const WEBHOOK: &str = "https://payrail.example/v1/webhooks/hitpay/acc_test/";

pub fn credentials_json() -> serde_json::Value {
    serde_json::json!({ "api_key": API_KEY, "salt": SALT })
}

pub fn account(base_url: &str) -> AccountContext {
    AccountContext {
        account_id: "acc_test".into(),
        credentials: credentials_json(),
        base_url: base_url.into(),
        webhook_url: WEBHOOK.into(),
    }
}

pub fn checkout_request(reference: &str) -> CheckoutRequest {
    CheckoutRequest {
        reference: reference.into(),
        amount: Decimal::new(2500, 2),
        currency: "SGD".into(),
        description: Some("Order #1 & more".into()),
        customer: Customer {
            name: Some("Tan Ah Kow".into()),
            email: Some("tan@example.com".into()),
            phone: None,
        },
        method: None,
        return_url: "https://payrail.example/checkout/pay_1/return?t=tok".into(),
        cancel_url: "https://payrail.example/checkout/pay_1/return?t=tok&intent=cancel".into(),
        account_return_url: "https://payrail.example/checkout/return/hitpay/acc_test".into(),
        expires_at: chrono::Utc
            .with_ymd_and_hms(2026, 1, 31, 16, 30, 0)
            .unwrap(),
    }
}

pub fn query(external_id: Option<&str>) -> QueryRequest {
    QueryRequest {
        reference: REF.into(),
        external_id: external_id.map(Into::into),
        charge_id: None,
        amount: Decimal::new(2500, 2),
        currency: "SGD".into(),
    }
}
