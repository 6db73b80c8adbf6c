//! Replays the Paymento vector of docs/gateways/paymento.md ("Test vectors") against the
//! simulator's own signing and IPN serialisation, byte for byte, and checks the envelope shapes it
//! answers in.

use base64::{engine::general_purpose::STANDARD, Engine};
use chrono::Utc;
use rust_decimal::Decimal;

use super::envelope::{failure, ok, INVALID_API_KEY, INVALID_TOKEN};
use super::ipn::ipn_body;
use super::signing::{ipn_signature, tampered};
use super::state::{Order, Status};

// The simulator's other tests, one file per surface (as the adapters' tests are laid out).
mod api;
mod chaos;
mod checkout;
mod support;

const SECRET: &str = "paymento_test_secret";
const BODY: &str = r#"{"Token":"d1179e54e58d4e51a285a5c659a2b7ef","PaymentId":20016,"OrderId":"etp-3900","OrderStatus":3,"AdditionalData":[]}"#;
const UPPER: &str = "5D838764F144F9E3441760C7B125A8F9773A1D431BAB305040FCE93047669235";
const LOWER: &str = "5d838764f144f9e3441760c7b125a8f9773a1d431bab305040fce93047669235";
const BASE64: &str = "XYOHZPFE+eNEF2DHsSWo+Xc6HUMbqzBQQPzpMEdmkjU=";

fn vector_order() -> Order {
    Order {
        token: "d1179e54e58d4e51a285a5c659a2b7ef".into(),
        payment_id: 20016,
        api_key: "k".into(),
        order_id: "etp-3900".into(),
        fiat_amount: Decimal::new(2500, 2),
        fiat_currency: "USD".into(),
        return_url: "https://shop.example/r".into(),
        risk_speed: 0,
        status: Status::WaitingToConfirm,
        received: Decimal::new(2500, 2),
        confirmed: Decimal::ZERO,
        additional_data: vec![],
        created: Utc::now(),
    }
}

#[test]
fn vector_ipn_body_and_signature() {
    let body = ipn_body(&vector_order());
    assert_eq!(std::str::from_utf8(&body).unwrap(), BODY);
    assert_eq!(ipn_signature(SECRET, &body), UPPER);
    assert_eq!(ipn_signature(SECRET, BODY.as_bytes()).to_lowercase(), LOWER);
    let raw = hex::decode(ipn_signature(SECRET, BODY.as_bytes())).unwrap();
    assert_eq!(STANDARD.encode(raw), BASE64);
}

#[test]
fn the_docs_curl_signature_matches_none_of_the_obvious_keys() {
    let doc = STANDARD
        .decode("vBvDwCix13cq7anuf5eleiOXjFApBLxEWC2G2lgnJTU=")
        .unwrap();
    assert_eq!(doc.len(), 32);
    for key in ["", "secret", "Your-Secret-Key-From-Paymento-Dashboard"] {
        assert_ne!(
            ipn_signature(key, BODY.as_bytes()),
            hex::encode_upper(&doc),
            "{key:?}"
        );
    }
}

#[test]
fn additional_data_is_echoed_in_pascal_case() {
    let mut order = vector_order();
    order.additional_data = vec![("invoice".into(), "A-1".into())];
    order.status = Status::Paid;
    assert_eq!(
        String::from_utf8(ipn_body(&order)).unwrap(),
        r#"{"Token":"d1179e54e58d4e51a285a5c659a2b7ef","PaymentId":20016,"OrderId":"etp-3900","OrderStatus":7,"AdditionalData":[{"Key":"invoice","Value":"A-1"}]}"#
    );
}

#[test]
fn a_tampered_signature_is_well_formed_and_wrong() {
    let t = tampered(UPPER);
    assert_eq!(t.len(), 64);
    assert!(t.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_ne!(t, UPPER);
    assert_eq!(&t[..63], &UPPER[..63]);
}

#[test]
fn envelopes() {
    assert_eq!(ok("tok").1, r#"{"success":true,"message":"","body":"tok"}"#);
    let (status, body) = failure(INVALID_API_KEY);
    assert_eq!(status.as_u16(), 401);
    assert_eq!(
        body,
        r#"{"success":false,"message":"Invalid API key","body":null}"#
    );
    let (status, body) = failure(INVALID_TOKEN);
    assert_eq!(status.as_u16(), 200);
    assert_eq!(
        body,
        r#"{"success":false,"message":"Invalid Token","body":null}"#
    );
}

#[test]
fn status_codes_are_the_documented_numbers() {
    let all = [
        (Status::Initialize, 0, "Initialize"),
        (Status::Pending, 1, "Pending"),
        (Status::PartialPaid, 2, "PartialPaid"),
        (Status::WaitingToConfirm, 3, "WaitingToConfirm"),
        (Status::Timeout, 4, "Timeout"),
        (Status::UserCanceled, 5, "UserCanceled"),
        (Status::Paid, 7, "Paid"),
        (Status::Approve, 8, "Approve"),
        (Status::Reject, 9, "Reject"),
    ];
    for (s, code, name) in all {
        assert_eq!((s.code(), s.name()), (code, name));
    }
}
