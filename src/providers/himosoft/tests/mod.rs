//! Unit tests for the HimoSoft adapter: the vectors of docs/gateways/himosoft.md ("Test vectors")
//! byte for byte, the mappings, callback verification, and real HTTP against a scripted local
//! gateway.

mod adapter;
mod http;
mod mapping;
mod vectors;
mod webhook;

use crate::providers::{AccountContext, CheckoutRequest, Customer, QueryRequest};
use chrono::TimeZone;
use rust_decimal::Decimal;

/// The vectors' secret ("Test vectors", rows 2–4).
pub const SECRET: &str = "himo_sk_test_123";
pub const API_KEY: &str = "himo_pk_test_123";
pub const TS: i64 = 1_714_764_000;
pub const CALLBACK: &str = "https://payrail.example/v1/webhooks/himosoft/acc_test/";
pub const REF: &str = "att_01JD3ZK2Q4X8V9N6B5M7C1T0RA";

pub fn credentials_json() -> serde_json::Value {
    serde_json::json!({ "secret": SECRET, "api_key": API_KEY })
}

pub fn account(base_url: &str) -> AccountContext {
    AccountContext {
        account_id: "acc_test".into(),
        credentials: credentials_json(),
        base_url: base_url.into(),
        webhook_url: CALLBACK.into(),
    }
}

pub fn checkout_request(reference: &str, amount: Decimal) -> CheckoutRequest {
    CheckoutRequest {
        reference: reference.into(),
        amount,
        currency: "BDT".into(),
        description: None,
        customer: Customer::default(),
        method: None,
        return_url: "https://payrail.example/checkout/pay_1/return?t=x".into(),
        cancel_url: "https://payrail.example/checkout/pay_1/return?t=x&intent=cancel".into(),
        account_return_url: "https://payrail.example/checkout/return/himosoft/acc_test".into(),
        expires_at: chrono::Utc
            .with_ymd_and_hms(2026, 12, 31, 23, 59, 59)
            .unwrap(),
    }
}

pub fn query(external_id: Option<&str>) -> QueryRequest {
    QueryRequest {
        reference: REF.into(),
        external_id: external_id.map(Into::into),
        charge_id: None,
        amount: Decimal::new(150_000, 2),
        currency: "BDT".into(),
    }
}
