//! docs/gateways/himosoft.md, "Test vectors": every vector rebuilt by the adapter's own signing and
//! request builders.

use super::super::requests::{self, Read};
use super::super::signing::{sign, verify};
use super::{checkout_request, CALLBACK, REF, SECRET, TS};
use crate::providers::himosoft::credentials::Credentials;
use rust_decimal::Decimal;

const V1_SIG: &str = "bc4726ec92ee45e147e81260d9e10755f9207fbbf41c61b5bfdf1b2318c14173";
const V2_SIG: &str = "74150ad7663b962c4fe3497280dbfa02c9372626a6ca87ae20a71f2585d3bab8";
const V3_BODY: &str = r#"{"amount":"1500.00","currency":"BDT","order_id":"TRANS_001","callback_url":"https://yoursite.com/hook","idempotency_key":"unique_8822"}"#;
const V3_SIG: &str = "f14e66a80a604e6d140e70407f29a391ee09f08a210c0760fb383bd994361fad";
const V4_SIG: &str = "c03995aa40c466f5c7057a75fb42a96621b0e7e861f1e68b3d3616ff984d3cf4";

fn creds() -> Credentials {
    Credentials::parse(&super::credentials_json()).unwrap()
}

#[test]
fn vector1_the_docs_placeholder_secret() {
    assert_eq!(
        sign("himo_sk_...", "1714764000", br#"{"amount": "10.00"}"#),
        V1_SIG
    );
}

#[test]
fn vector2_python_json_dumps_spacing_is_signed_as_sent() {
    assert_eq!(
        sign(SECRET, "1714764000", br#"{"amount": "10.00"}"#),
        V2_SIG
    );
    // One byte less (no space after the colon) is another signature.
    assert_ne!(sign(SECRET, "1714764000", br#"{"amount":"10.00"}"#), V2_SIG);
}

#[test]
fn vector3_create_body_byte_for_byte_and_its_signature() {
    let body = requests::create_body(
        "1500.00",
        "BDT",
        "TRANS_001",
        "https://yoursite.com/hook",
        "unique_8822",
    );
    assert_eq!(std::str::from_utf8(&body).unwrap(), V3_BODY);
    assert_eq!(sign(SECRET, "1714764000", &body), V3_SIG);
    assert_eq!(
        requests::amount_text(Decimal::new(150_000, 2)).unwrap(),
        "1500.00"
    );
}

#[test]
fn vector4_a_get_signs_the_empty_body() {
    let signed = requests::read(&creds(), "pay_9k2l1", Read::Recheck, TS).unwrap();
    assert_eq!(signed.method, reqwest::Method::GET);
    assert_eq!(signed.path, "/v1/payments/pay_9k2l1/recheck/");
    assert_eq!(signed.body, None);
    assert_eq!(signed.timestamp, "1714764000");
    assert_eq!(signed.signature, V4_SIG);
    for (what, path) in [
        (Read::Verify, "/v1/payments/pay_9k2l1/verify/"),
        (Read::Retrieve, "/v1/payments/pay_9k2l1/"),
    ] {
        let s = requests::read(&creds(), "pay_9k2l1", what, TS).unwrap();
        assert_eq!((s.path.as_str(), s.signature.as_str()), (path, V4_SIG));
    }
}

#[test]
fn verification_accepts_every_vector_in_either_case_and_nothing_else() {
    assert!(verify(
        "himo_sk_...",
        "1714764000",
        br#"{"amount": "10.00"}"#,
        V1_SIG
    ));
    assert!(verify(SECRET, "1714764000", V3_BODY.as_bytes(), V3_SIG));
    assert!(verify(SECRET, "1714764000", b"", &V4_SIG.to_uppercase()));
    assert!(!verify(SECRET, "1714764001", b"", V4_SIG));
    assert!(!verify("himo_sk_test_124", "1714764000", b"", V4_SIG));
    assert!(!verify(SECRET, "1714764000", b"", &V4_SIG[..62]));
    assert!(!verify(SECRET, "1714764000", b"", "not hex"));
}

#[test]
fn the_create_request_uses_our_reference_for_order_id_and_idempotency_key() {
    let req = checkout_request(REF, Decimal::new(150_000, 2));
    let signed = requests::create(&creds(), CALLBACK, &req, TS).unwrap();
    let body = signed.body.as_deref().unwrap();
    assert_eq!(
        std::str::from_utf8(body).unwrap(),
        format!(
            r#"{{"amount":"1500.00","currency":"BDT","order_id":"{REF}","callback_url":"{CALLBACK}","idempotency_key":"{REF}"}}"#
        )
    );
    assert_eq!(signed.path, "/v1/payments/");
    assert_eq!(signed.signature, sign(SECRET, "1714764000", body));
}

#[test]
fn amounts_and_ids_that_cannot_be_sent_are_refused_before_sending() {
    assert_eq!(requests::amount_text(Decimal::new(15, 0)).unwrap(), "15.00");
    assert_eq!(
        requests::amount_text(Decimal::new(15_000, 3)).unwrap(),
        "15.00"
    );
    assert!(requests::amount_text(Decimal::new(15_001, 3)).is_err());
    assert!(requests::amount_text(Decimal::ZERO).is_err());
    assert!(requests::amount_text(Decimal::new(-100, 2)).is_err());
    for bad in ["", "pay_1/../x", "pay 1", "pay_1?x=1"] {
        assert!(
            requests::read(&creds(), bad, Read::Recheck, TS).is_err(),
            "{bad}"
        );
    }
}
