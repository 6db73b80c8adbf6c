//! What the adapter declares about itself: credential checks, capabilities, missing APIs.

use super::super::HimoSoft;
use super::{account, credentials_json, query};
use crate::providers::{Method, Outcome, ProviderAdapter, RefundRequest};
use rust_decimal::Decimal;
use serde_json::json;

#[test]
fn credentials_are_checked_field_by_field() {
    let adapter = HimoSoft::new(reqwest::Client::new());
    assert_eq!(adapter.validate_credentials(&credentials_json()), Ok(()));
    assert_eq!(
        adapter.validate_credentials(&json!({"secret": "himo_sk_x"})),
        Ok(())
    );
    assert_eq!(
        adapter.validate_credentials(
            &json!({"secret": "s", "api_key": null, "timestamp_header": "X-HMAC-Timestamp"})
        ),
        Ok(())
    );
    let cases = [
        (json!({}), "secret is missing"),
        (json!({"secret": " "}), "secret must not be empty"),
        (json!({"secret": 1}), "secret must be a string"),
        (
            json!({"secret": "s", "api_key": ""}),
            "api_key must not be empty",
        ),
        (
            json!({"secret": "s", "api_key": "a b"}),
            "api_key must be printable ASCII without spaces",
        ),
        (
            json!({"secret": "s", "timestamp_header": "X:T"}),
            "timestamp_header must be a header name (letters, digits, - _)",
        ),
        (json!("x"), "credentials must be a JSON object"),
    ];
    for (creds, error) in cases {
        assert_eq!(
            adapter.validate_credentials(&creds),
            Err(error.to_string()),
            "{creds}"
        );
    }
}

#[test]
fn capabilities_and_identity() {
    let adapter = HimoSoft::new(reqwest::Client::new());
    let caps = adapter.capabilities();
    assert_eq!(adapter.id(), crate::providers::himosoft::ID);
    assert!(caps.create && caps.query && !caps.refund && !caps.cancel);
    assert!(caps.confirm_webhooks && !caps.partial_refund && !caps.requires_customer);
    assert_eq!(caps.currencies, &["BDT", "USD"]);
    assert_eq!(
        caps.methods,
        &[Method::Card, Method::MobileBanking, Method::Crypto]
    );
}

#[actix_web::test]
async fn refund_and_cancel_are_declined_without_a_call() {
    let a = HimoSoft::new(reqwest::Client::new());
    let acc = account("http://127.0.0.1:9/himosoft");
    let refund = RefundRequest {
        reference: "rfd_1".into(),
        payment_external_id: "pay_1".into(),
        payment_charge_id: None,
        amount: Decimal::ONE,
        currency: "BDT".into(),
        reason: None,
    };
    assert_eq!(
        a.refund(&acc, &refund).await,
        Outcome::Declined("HimoSoft has no refund API".into())
    );
    assert_eq!(
        a.query_refund(&acc, "rfd_1", None).await,
        Outcome::Declined("HimoSoft has no refund API".into())
    );
    assert_eq!(
        a.cancel(&acc, &query(Some("pay_1"))).await,
        Outcome::Declined("HimoSoft has no cancel API".into())
    );
}
