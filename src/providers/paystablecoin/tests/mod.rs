//! Unit tests for the PSC adapter: the vectors of docs/gateways/paystablecoin.md ("Test vectors")
//! byte for byte, the mappings, webhook verification, and real HTTP against throwaway local
//! servers.

mod adapter;
mod http;
mod mapping;
mod vectors;
mod webhook;

use super::credentials::Credentials;
use crate::providers::{AccountContext, CheckoutRequest, Customer, RefundRequest};
use chrono::TimeZone;
use rust_decimal::Decimal;
use std::str::FromStr;

/// The placeholder secret printed in PSC's own docs (the "Test vectors" use it).
pub const SECRET: &str = "MpkvVlXvYTZVPPJ0LReNA-g_yC7V7foe4UAj7tgWJSM";
pub const TS: i64 = 1_737_554_400_000;
pub const CALLBACK: &str = "https://yoursite.com/webhook/payment";

pub fn credentials_json() -> serde_json::Value {
    serde_json::json!({
        "merchant_id": "1000",
        "api_key": "PSTG6ELOB2YXKO4ZHRQ6NKTSBY",
        "api_secret": SECRET,
    })
}

pub fn creds() -> Credentials {
    Credentials::parse(&credentials_json()).unwrap()
}

pub fn account(base_url: &str) -> AccountContext {
    AccountContext {
        account_id: "acc_test".into(),
        credentials: credentials_json(),
        base_url: base_url.into(),
        webhook_url: CALLBACK.into(),
    }
}

/// The inputs of vector 1.
pub fn checkout_request(reference: &str) -> CheckoutRequest {
    CheckoutRequest {
        reference: reference.into(),
        amount: Decimal::from_str("99.99").unwrap(),
        currency: "USD".into(),
        description: None,
        customer: Customer::default(),
        method: None,
        return_url: "https://yoursite.com/payment/success".into(),
        cancel_url: "https://yoursite.com/payment/cancel".into(),
        account_return_url: "https://payrail.example/checkout/return/paystablecoin/acc_test".into(),
        expires_at: chrono::Utc
            .with_ymd_and_hms(2026, 12, 31, 23, 59, 59)
            .unwrap(),
    }
}

/// The inputs of vector 4.
pub fn refund_request() -> RefundRequest {
    RefundRequest {
        reference: "REFUND_1737554400000".into(),
        payment_external_id: "ORDER_1737554400000".into(),
        payment_charge_id: None,
        amount: Decimal::from_str("99.99").unwrap(),
        currency: "USD".into(),
        reason: Some("Customer request full refund".into()),
    }
}
