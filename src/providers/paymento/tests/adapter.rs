//! What the adapter declares about itself: credentials, capabilities, the customer's return.

use super::super::Paymento;
use super::credentials_json;
use crate::providers::{Method, ProviderAdapter, ReturnHints};
use serde_json::json;

fn adapter() -> Paymento {
    Paymento::new(reqwest::Client::new())
}

#[test]
fn credentials_are_checked_field_by_field() {
    let a = adapter();
    assert_eq!(a.validate_credentials(&credentials_json()), Ok(()));
    let with = |key: &str, value: serde_json::Value| {
        let mut c = credentials_json();
        c[key] = value;
        a.validate_credentials(&c)
    };
    assert_eq!(with("risk_speed", json!(0)), Ok(()));
    assert_eq!(with("risk_speed", json!(1)), Ok(()));
    assert_eq!(with("risk_speed", json!(null)), Ok(()));
    assert_eq!(
        with("risk_speed", json!(2)),
        Err("risk_speed must be 0 or 1".into())
    );
    assert_eq!(
        with("risk_speed", json!("1")),
        Err("risk_speed must be 0 or 1".into())
    );
    assert_eq!(
        with("api_key", json!("")),
        Err("api_key must not be empty".into())
    );
    assert_eq!(
        with("api_key", json!("a b")),
        Err("api_key must be printable ASCII without spaces".into())
    );
    assert_eq!(
        with("secret_key", json!(7)),
        Err("secret_key must be a string".into())
    );
    let mut missing = credentials_json();
    missing.as_object_mut().unwrap().remove("secret_key");
    assert_eq!(
        a.validate_credentials(&missing),
        Err("secret_key is missing".into())
    );
    assert!(a.validate_credentials(&json!(["x"])).is_err());
}

#[test]
fn capabilities_and_identity() {
    let a = adapter();
    let caps = a.capabilities();
    assert_eq!(a.id(), crate::providers::paymento::ID);
    assert!(caps.create && caps.query && !caps.refund && !caps.cancel);
    assert!(caps.confirm_webhooks && !caps.partial_refund && !caps.requires_customer);
    assert_eq!(caps.currencies, &["USD", "EUR", "GBP"]);
    assert_eq!(caps.methods, &[Method::Crypto]);
    assert_eq!(
        caps.webhook_scheme,
        "hex HMAC-SHA256 of the raw body in X-HMAC-SHA256-Signature"
    );
}

#[test]
fn the_return_gives_the_token_in_any_casing_and_nothing_else() {
    let q = |pairs: &[(&str, &str)]| {
        let owned: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        adapter().parse_return(&owned)
    };
    let hinted = |t: &str| ReturnHints {
        external_id: Some(t.into()),
        charge_id: None,
    };
    assert_eq!(
        q(&[
            ("t", "x"),
            ("token", "abc"),
            ("orderId", "att_1"),
            ("status", "7")
        ]),
        hinted("abc")
    );
    assert_eq!(q(&[("Token", " abc "), ("OrderId", "1")]), hinted("abc"));
    assert_eq!(q(&[("t", "x"), ("status", "8")]), ReturnHints::default());
    assert_eq!(q(&[("token", "")]), ReturnHints::default());
}
