//! What the adapter declares about itself: credential checks, capabilities, return hints.

use super::super::HitPay;
use super::credentials_json;
use crate::providers::{Method, ProviderAdapter, ReturnHints};
use serde_json::json;

#[test]
fn credentials_are_checked_field_by_field() {
    let adapter = HitPay::new(reqwest::Client::new());
    assert_eq!(adapter.validate_credentials(&credentials_json()), Ok(()));
    let with = |key: &str, value: serde_json::Value| {
        let mut c = credentials_json();
        c[key] = value;
        adapter.validate_credentials(&c)
    };
    assert_eq!(with("event_salt", json!("s2")), Ok(()));
    assert_eq!(with("event_salt", json!(["s2", "s3"])), Ok(()));
    assert_eq!(with("event_salt", json!(null)), Ok(()));
    assert!(with("event_salt", json!([""])).is_err());
    assert!(with("event_salt", json!(5)).is_err());
    assert_eq!(
        with("api_key", json!("")),
        Err("api_key must not be empty".into())
    );
    assert_eq!(
        with("api_key", json!("a b")),
        Err("api_key must be printable ASCII without spaces".into())
    );
    assert_eq!(with("salt", json!(1)), Err("salt must be a string".into()));
    let mut missing = credentials_json();
    missing.as_object_mut().unwrap().remove("salt");
    assert_eq!(
        adapter.validate_credentials(&missing),
        Err("salt is missing".into())
    );
    assert!(adapter.validate_credentials(&json!([])).is_err());
}

#[test]
fn capabilities_and_identity() {
    let adapter = HitPay::new(reqwest::Client::new());
    let caps = adapter.capabilities();
    assert_eq!(adapter.id(), crate::providers::hitpay::ID);
    assert!(caps.create && caps.query && caps.refund && caps.cancel);
    assert!(caps.partial_refund);
    assert!(!caps.confirm_webhooks);
    assert!(!caps.requires_customer);
    assert_eq!(caps.currencies, &["SGD", "MYR", "PHP", "USD", "BDT"]);
    assert_eq!(
        caps.methods,
        &[Method::Card, Method::Paynow, Method::Wallet]
    );
}

#[test]
fn the_return_url_gives_the_payment_request_id_only() {
    let adapter = HitPay::new(reqwest::Client::new());
    let q = |pairs: &[(&str, &str)]| {
        let owned: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        adapter.parse_return(&owned)
    };
    assert_eq!(
        q(&[
            ("t", "tok"),
            ("reference", "9a1b-22"),
            ("status", "completed")
        ]),
        ReturnHints {
            external_id: Some("9a1b-22".into()),
            charge_id: None
        }
    );
    assert_eq!(
        q(&[("t", "tok"), ("status", "completed")]),
        ReturnHints::default()
    );
    assert_eq!(q(&[("reference", "../v1/refund")]), ReturnHints::default());
}
