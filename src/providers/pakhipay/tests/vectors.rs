//! docs/gateways/pakhipay.md, "Test vectors", byte for byte: every signed string and digest, and
//! the request bodies.

use super::super::requests::{create_body, verify_body};
use super::super::signing::{candidates, sign_hex, strip_signature_member};
use super::{checkout_request, CALLBACK, KEY};
use rust_decimal::Decimal;

pub const COMPACT: &str = r#"{"status":"completed","transaction_id":"TRX123456789","amount":"100.00","order_id":"your-order-id"}"#;
pub const PYTHON: &str = r#"{"status": "completed", "transaction_id": "TRX123456789", "amount": "100.00", "order_id": "your-order-id"}"#;
pub const SORTED: &str = r#"{"amount":"100.00","order_id":"your-order-id","status":"completed","transaction_id":"TRX123456789"}"#;
pub const WIRE: &str = r#"{"status":"completed","transaction_id":"TRX123456789","amount":"100.00","order_id":"your-order-id","signature":"e800478659ffd96fd0c6efb3439281d20d79fa60d9fb5b6f7e7c131c08ee93d6"}"#;

pub const SIG_COMPACT: &str = "e800478659ffd96fd0c6efb3439281d20d79fa60d9fb5b6f7e7c131c08ee93d6";
pub const SIG_PYTHON: &str = "2368a7210d796d4cfffb3324d167da0b831fbeb8aed8fba7fe500d1e9d6831dd";
pub const SIG_SORTED: &str = "5fd4913957fc0bbe6d9be53e4cc38ab120d4bc6ff769a5062379a54ec5b72b71";
pub const SIG_WIRE: &str = "3a9dfef7b3da96d1f22d73059deac77e919c4fc40c5d38d21aa77c1a8a4087e3";

#[test]
fn the_four_digests_of_section_4_6() {
    assert_eq!(sign_hex(KEY, COMPACT.as_bytes()), SIG_COMPACT);
    assert_eq!(sign_hex(KEY, PYTHON.as_bytes()), SIG_PYTHON);
    assert_eq!(sign_hex(KEY, SORTED.as_bytes()), SIG_SORTED);
    assert_eq!(sign_hex(KEY, WIRE.as_bytes()), SIG_WIRE);
    assert_ne!(
        SIG_WIRE, SIG_COMPACT,
        "K1: the documented check cannot pass"
    );
}

#[test]
fn candidates_rebuild_every_signed_string_from_the_wire_body() {
    let all = candidates(WIRE.as_bytes());
    let text = |name: &str| {
        let (_, bytes) = all.iter().find(|(n, _)| *n == name).unwrap();
        String::from_utf8(bytes.clone()).unwrap()
    };
    let names: Vec<&str> = all.iter().map(|(n, _)| *n).collect();
    assert_eq!(
        names,
        [
            "stripped",
            "php",
            "plain",
            "python",
            "sorted_php",
            "sorted_plain",
            "sorted_python",
            "raw"
        ]
    );
    assert_eq!(text("stripped"), COMPACT);
    assert_eq!(text("php"), COMPACT);
    assert_eq!(text("plain"), COMPACT);
    assert_eq!(text("python"), PYTHON);
    assert_eq!(text("sorted_php"), SORTED);
    assert_eq!(text("sorted_plain"), SORTED);
    assert_eq!(
        text("sorted_python"),
        r#"{"amount": "100.00", "order_id": "your-order-id", "status": "completed", "transaction_id": "TRX123456789"}"#
    );
    assert_eq!(text("raw"), WIRE);
}

#[test]
fn textual_removal_keeps_every_other_byte() {
    let python_wire = format!(
        r#"{}, "signature": "{SIG_PYTHON}"}}"#,
        &PYTHON[..PYTHON.len() - 1]
    );
    assert_eq!(
        strip_signature_member(python_wire.as_bytes()).unwrap(),
        PYTHON.as_bytes()
    );
    let first = format!(r#"{{"signature":"{SIG_COMPACT}", "a":"x\"}}","b":[1,{{"c":2}}]}}"#);
    assert_eq!(
        strip_signature_member(first.as_bytes()).unwrap(),
        br#"{"a":"x\"}","b":[1,{"c":2}]}"#
    );
    let pretty = "{\n  \"a\": 1,\n  \"signature\": \"00\"\n}";
    assert_eq!(
        strip_signature_member(pretty.as_bytes()).unwrap(),
        b"{\n  \"a\": 1\n}"
    );
    assert_eq!(
        strip_signature_member(br#"{"signature":"00"}"#).unwrap(),
        b"{}"
    );
    assert_eq!(strip_signature_member(br#"{"a":1}"#), None);
    assert_eq!(
        strip_signature_member(br#"{"signature":1,"signature":2}"#),
        None
    );
    assert_eq!(strip_signature_member(br#"["signature"]"#), None);
    assert_eq!(strip_signature_member(br#"{"a":1"#), None);
}

#[test]
fn php_style_escapes_slashes_and_non_ascii() {
    let body = r#"{"status":"completed","order_id":"a/b é 😀","signature":"00"}"#;
    let all = candidates(body.as_bytes());
    let get = |name: &str| all.iter().find(|(n, _)| *n == name).unwrap().1.clone();
    assert_eq!(
        get("php"),
        br#"{"status":"completed","order_id":"a\/b \u00e9 \ud83d\ude00"}"#
    );
    assert_eq!(
        get("plain"),
        r#"{"status":"completed","order_id":"a/b é 😀"}"#.as_bytes()
    );
    assert_eq!(
        get("python"),
        br#"{"status": "completed", "order_id": "a/b \u00e9 \ud83d\ude00"}"#
    );
}

#[test]
fn create_and_verify_bodies_are_exact() {
    let body = create_body(&checkout_request(), CALLBACK).unwrap();
    assert_eq!(
        String::from_utf8(body).unwrap(),
        format!(
            r#"{{"cus_name":"John Doe","cus_email":"john@example.com","amount":100.00,"success_url":"https://payrail.example/checkout/pay_1/return?t=abc","cancel_url":"https://payrail.example/checkout/pay_1/return?t=abc&intent=cancel","order_id":"att_01JD3ZK2Q4X8V9N6B5M7C1T0RA","callback_url":"{CALLBACK}"}}"#
        )
    );
    assert_eq!(
        verify_body("TRX123456", Decimal::new(1005, 1), "BDT").unwrap(),
        br#"{"transaction_id":"TRX123456","amount":100.50}"#
    );
    assert_eq!(
        verify_body("TRX1", Decimal::new(7, 0), "BDT").unwrap(),
        br#"{"transaction_id":"TRX1","amount":7.00}"#
    );
}

#[test]
fn requests_that_cannot_be_built_are_refused_before_sending() {
    let mut req = checkout_request();
    req.amount = Decimal::new(10001, 3);
    assert_eq!(
        create_body(&req, CALLBACK).unwrap_err(),
        "amount 10.001 is not a positive amount with at most 2 decimals"
    );
    let mut req = checkout_request();
    req.currency = "USD".into();
    assert_eq!(
        create_body(&req, CALLBACK).unwrap_err(),
        "Pakhi Pay only accepts BDT, not USD"
    );
    let mut req = checkout_request();
    req.customer.email = Some("  ".into());
    assert_eq!(
        create_body(&req, CALLBACK).unwrap_err(),
        "Pakhi Pay needs the customer's email (cus_email)"
    );
    assert!(verify_body("T", Decimal::ZERO, "BDT").is_err());
}
