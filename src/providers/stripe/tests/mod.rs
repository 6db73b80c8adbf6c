//! Unit tests for the Stripe adapter: the note's signature vectors byte for byte, amounts in every
//! currency (JPY, ISK, KWD, …), the request bytes, the mappings and errors, webhook parsing, and
//! real HTTP against a scripted local gateway.

mod amounts;
mod credentials;
mod http;
mod mapping;
mod requests;
mod vectors;
mod webhook;

use crate::providers::{AccountContext, CheckoutRequest, Customer, QueryRequest};
use chrono::TimeZone;
use rust_decimal::Decimal;

pub const SECRET_KEY: &str = "sk_test_payrail_0001";
/// The endpoint secret of the note's vectors.
pub const WEBHOOK_SECRET: &str = "whsec_payrail_test_secret";
pub const REF: &str = "att_01JD3ZK2Q4X8V9N6B5M7C1T0RA";
pub const WEBHOOK: &str = "https://payrail.example/v1/webhooks/stripe/acc_test/";

pub fn credentials_json() -> serde_json::Value {
    serde_json::json!({ "secret_key": SECRET_KEY, "webhook_secret": WEBHOOK_SECRET })
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
        account_return_url: "https://payrail.example/checkout/return/stripe/acc_test".into(),
        expires_at: chrono::Utc.with_ymd_and_hms(2026, 1, 31, 16, 30, 0).unwrap(),
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
