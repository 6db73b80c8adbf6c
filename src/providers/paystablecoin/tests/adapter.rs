//! What the adapter declares about itself: credential checks and capabilities.

use super::super::PayStableCoin;
use super::credentials_json;
use crate::providers::{Method, ProviderAdapter};
use serde_json::json;

#[test]
fn credentials_are_checked_field_by_field() {
    let adapter = PayStableCoin::new(reqwest::Client::new());
    assert_eq!(adapter.validate_credentials(&credentials_json()), Ok(()));
    let with = |key: &str, value: serde_json::Value| {
        let mut c = credentials_json();
        c[key] = value;
        adapter.validate_credentials(&c)
    };
    assert_eq!(with("webhook_variant", json!("path")), Ok(()));
    assert_eq!(with("webhook_variant", json!("body")), Ok(()));
    assert_eq!(with("webhook_variant", json!(null)), Ok(()));
    assert_eq!(
        with("webhook_variant", json!("both")),
        Err("webhook_variant must be \"path\" or \"body\"".into())
    );
    assert_eq!(
        with("merchant_id", json!("")),
        Err("merchant_id must not be empty".into())
    );
    assert_eq!(
        with("api_key", json!(42)),
        Err("api_key must be a string".into())
    );
    assert_eq!(
        with("api_secret", json!("  ")),
        Err("api_secret must not be empty".into())
    );
    assert!(with("merchant_id", json!("10/00"))
        .unwrap_err()
        .starts_with("merchant_id"));
    assert!(with("api_key", json!("a b"))
        .unwrap_err()
        .starts_with("api_key"));
    let mut missing = credentials_json();
    missing.as_object_mut().unwrap().remove("api_secret");
    assert_eq!(
        adapter.validate_credentials(&missing),
        Err("api_secret is missing".into())
    );
    assert!(adapter.validate_credentials(&json!("x")).is_err());
}

#[test]
fn capabilities_and_identity() {
    let adapter = PayStableCoin::new(reqwest::Client::new());
    let caps = adapter.capabilities();
    assert_eq!(adapter.id(), crate::providers::paystablecoin::ID);
    assert!(caps.create && caps.query && caps.refund && !caps.cancel);
    assert_eq!(caps.currencies, &["USD"]);
    assert_eq!(caps.methods, &[Method::Crypto]);
    assert!(!caps.requires_customer);
    assert_eq!(
        caps.webhook_scheme,
        "Base64 HMAC-SHA256 of ts+body (A) or of the request-signing string (B)"
    );
}
