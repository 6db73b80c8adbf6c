//! Unit tests for the Pakhi Pay adapter: the vectors of docs/gateways/pakhipay.md ("Test vectors")
//! byte for byte, the mappings, webhook verification and parsing, and real HTTP against a scripted
//! local gateway.

mod http;
mod mapping;
mod vectors;
mod webhook;

use crate::providers::{AccountContext, CheckoutRequest, Customer, QueryRequest};
use chrono::TimeZone;
use rust_decimal::Decimal;

/// The key of the "Test vectors".
pub const KEY: &str = "pk_test_api_key_123";
pub const REF: &str = "att_01JD3ZK2Q4X8V9N6B5M7C1T0RA";
pub const CALLBACK: &str = "https://payrail.example/v1/webhooks/pakhipay/acc_test/";

pub fn account(base_url: &str) -> AccountContext {
    AccountContext {
        account_id: "acc_test".into(),
        credentials: serde_json::json!({ "api_key": KEY }),
        base_url: base_url.into(),
        webhook_url: CALLBACK.into(),
    }
}

pub fn checkout_request() -> CheckoutRequest {
    CheckoutRequest {
        reference: REF.into(),
        amount: Decimal::new(10000, 2),
        currency: "BDT".into(),
        description: None,
        customer: Customer {
            name: Some("John Doe".into()),
            email: Some("john@example.com".into()),
            phone: None,
        },
        method: None,
        return_url: "https://payrail.example/checkout/pay_1/return?t=abc".into(),
        cancel_url: "https://payrail.example/checkout/pay_1/return?t=abc&intent=cancel".into(),
        account_return_url: "https://payrail.example/checkout/return/pakhipay/acc_test".into(),
        expires_at: chrono::Utc
            .with_ymd_and_hms(2026, 12, 31, 23, 59, 59)
            .unwrap(),
    }
}

pub fn query(charge_id: Option<&str>) -> QueryRequest {
    QueryRequest {
        reference: REF.into(),
        external_id: None,
        charge_id: charge_id.map(Into::into),
        amount: Decimal::new(10000, 2),
        currency: "BDT".into(),
    }
}
