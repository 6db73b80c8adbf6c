//! Vectors 1–4 of docs/gateways/paystablecoin.md ("Test vectors") rebuilt by the request builders,
//! plus the request shapes and pre-send refusals that protect them.

use super::super::requests::{self, DEFAULT_REFUND_REASON};
use super::super::signing::{body_hash_b64, sign, string_to_sign};
use super::{checkout_request, creds, refund_request, CALLBACK, SECRET, TS};
use rust_decimal::Decimal;
use std::str::FromStr;

const V1_BODY: &str = r#"{"merchantOrderId":"ORDER_1737554400000","orderAmount":{"value":"99.99","currency":"USD"},"expiresAt":"2026-12-31T23:59:59Z","returnUrl":"https://yoursite.com/payment/success","callbackUrl":"https://yoursite.com/webhook/payment"}"#;
const V4_BODY: &str = r#"{"merchantRefundOrderId":"REFUND_1737554400000","acquiringOrderId":"ORDER_1737554400000","refundReason":"Customer request full refund"}"#;

#[test]
fn vector1_create_order_body_hash_and_signature() {
    let req = checkout_request("ORDER_1737554400000");
    let signed = requests::create_order(&creds(), CALLBACK, &req, TS).unwrap();
    let body = signed.body.as_deref().unwrap();
    assert_eq!(std::str::from_utf8(body).unwrap(), V1_BODY);
    assert_eq!(
        body_hash_b64(body),
        "cnjm14OC3exIV+fOQhtxd02vrWwgh2ZSJ60hSxn6uOs="
    );
    assert_eq!(
        string_to_sign(
            "1737554400000",
            "POST",
            "/api/v1/merchants/1000/orders",
            Some("cnjm14OC3exIV+fOQhtxd02vrWwgh2ZSJ60hSxn6uOs=")
        ),
        "1737554400000\nPOST\n/api/v1/merchants/1000/orders\ncnjm14OC3exIV+fOQhtxd02vrWwgh2ZSJ60hSxn6uOs="
    );
    assert_eq!(signed.path, "/api/v1/merchants/1000/orders");
    assert_eq!(signed.query, None);
    assert_eq!(signed.timestamp, "1737554400000");
    assert_eq!(
        signed.signature,
        "vUSuIRgZZR2nVziV4LRglUL3CN4vjSNRL4f/vir08hM="
    );
}

#[test]
fn vector2_query_order_signature() {
    let signed = requests::query_order(&creds(), "ORDER_1737554400000", TS).unwrap();
    assert_eq!(signed.method, reqwest::Method::GET);
    assert_eq!(
        signed.path,
        "/api/v1/merchants/1000/orders/ORDER_1737554400000"
    );
    assert_eq!(signed.body, None);
    assert_eq!(
        signed.signature,
        "HXWYewUKqUSR+G/uL7OfcMHCrGM+wlKYrjsKrMI5WBI="
    );
}

#[test]
fn vector3_query_refund_query_hash_and_signature() {
    let signed = requests::query_refund(&creds(), "REFUND_1737554400000", TS).unwrap();
    assert_eq!(signed.path, "/api/v1/merchants/1000/refunds");
    let query = signed.query.as_deref().unwrap();
    assert_eq!(query, "merchantRefundOrderId=REFUND_1737554400000");
    assert_eq!(
        body_hash_b64(query.as_bytes()),
        "/fkPIfJBjQ1dagQRA5gAgOdvp6MUajCIvYUTcRidGZ4="
    );
    assert_eq!(
        signed.signature,
        "+I8d18j3O+p0liLqsgdb/91S+5lDbmJi0xUnQ5q2Dfs="
    );
}

#[test]
fn vector4_create_refund_body_hash_and_signature() {
    let signed = requests::create_refund(&creds(), &refund_request(), TS).unwrap();
    let body = signed.body.as_deref().unwrap();
    assert_eq!(std::str::from_utf8(body).unwrap(), V4_BODY);
    assert_eq!(
        body_hash_b64(body),
        "ytWmh/mvFlrjEenj+ObeCxkdortbBc++JiDIkFe7mcg="
    );
    assert_eq!(signed.path, "/api/v1/merchants/1000/refunds");
    assert_eq!(
        signed.signature,
        "ckYr/WnIDBWCy73sMQWBdHeYnL+R7pmxmTk6ZmHhqug="
    );
}

#[test]
fn secret_is_used_as_utf8_not_base64_decoded() {
    use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
    use hmac::{Hmac, Mac};
    let decoded = URL_SAFE_NO_PAD.decode(SECRET).unwrap();
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&decoded).unwrap();
    mac.update(b"1737554400000\nGET\n/api/v1/merchants/1000/orders/ORDER_1737554400000");
    let with_decoded_key =
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    let ours = sign(
        SECRET,
        "1737554400000\nGET\n/api/v1/merchants/1000/orders/ORDER_1737554400000",
    );
    assert_eq!(ours, "HXWYewUKqUSR+G/uL7OfcMHCrGM+wlKYrjsKrMI5WBI=");
    assert_ne!(ours, with_decoded_key);
}

#[test]
fn http_request_joins_base_prefix_but_signs_gateway_path_only() {
    let client = reqwest::Client::new();
    let signed = requests::create_order(
        &creds(),
        CALLBACK,
        &checkout_request("ORDER_1737554400000"),
        TS,
    )
    .unwrap();
    let request = signed
        .into_builder(
            &client,
            "http://127.0.0.1:9100/paystablecoin/",
            "PSTG6ELOB2YXKO4ZHRQ6NKTSBY",
        )
        .build()
        .unwrap();
    assert_eq!(request.method(), reqwest::Method::POST);
    assert_eq!(
        request.url().as_str(),
        "http://127.0.0.1:9100/paystablecoin/api/v1/merchants/1000/orders"
    );
    let h = request.headers();
    assert_eq!(h["x-api-key"], "PSTG6ELOB2YXKO4ZHRQ6NKTSBY");
    assert_eq!(h["x-timestamp"], "1737554400000");
    assert_eq!(
        h["x-signature"],
        "vUSuIRgZZR2nVziV4LRglUL3CN4vjSNRL4f/vir08hM="
    );
    assert_eq!(h["content-type"], "application/json");
    assert_eq!(
        request.body().unwrap().as_bytes().unwrap(),
        V1_BODY.as_bytes()
    );

    let get = requests::query_refund(&creds(), "REFUND_1737554400000", TS)
        .unwrap()
        .into_builder(&client, "https://api.paystablecoin.global", "k")
        .build()
        .unwrap();
    assert_eq!(
        get.url().as_str(),
        "https://api.paystablecoin.global/api/v1/merchants/1000/refunds?merchantRefundOrderId=REFUND_1737554400000"
    );
    assert!(get.headers().get("content-type").is_none());
    assert!(get.body().is_none());
}

#[test]
fn amount_gets_exactly_two_decimals_and_is_never_rounded() {
    let mut req = checkout_request("att_01JD3ZK2Q4X8V9N6B5M7C1T0RA");
    let value = |req: &crate::providers::CheckoutRequest| {
        let body = requests::create_order_body(req, CALLBACK)?;
        let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
        Ok::<_, String>(json["orderAmount"]["value"].as_str().unwrap().to_string())
    };
    req.amount = Decimal::from(100);
    assert_eq!(value(&req).unwrap(), "100.00");
    req.amount = Decimal::from_str("5.5").unwrap();
    assert_eq!(value(&req).unwrap(), "5.50");
    req.amount = Decimal::from_str("12.3400").unwrap();
    assert_eq!(value(&req).unwrap(), "12.34");
    req.amount = Decimal::from_str("12.345").unwrap();
    assert!(value(&req).is_err());
    req.amount = Decimal::ZERO;
    assert!(value(&req).is_err());
    req.amount = Decimal::from_str("-1.00").unwrap();
    assert!(value(&req).is_err());
}

#[test]
fn references_outside_psc_rule_are_refused_before_sending() {
    for bad in [
        "ORDER_123",
        "ORDER/1737554400000",
        "ORDER 1737554400000",
        &"A".repeat(65),
    ] {
        let err = requests::create_order(&creds(), CALLBACK, &checkout_request(bad), TS);
        assert!(err.is_err(), "{bad} accepted");
        assert!(
            requests::query_order(&creds(), bad, TS).is_err(),
            "{bad} accepted"
        );
        assert!(
            requests::query_refund(&creds(), bad, TS).is_err(),
            "{bad} accepted"
        );
    }
    let ok = "att_01JD3ZK2Q4X8V9N6B5M7C1T0RA";
    assert_eq!(ok.len(), 30);
    assert!(requests::create_order(&creds(), CALLBACK, &checkout_request(ok), TS).is_ok());
    assert!(
        requests::create_order(&creds(), CALLBACK, &checkout_request(&"A".repeat(64)), TS).is_ok()
    );
    assert!(
        requests::create_order(&creds(), CALLBACK, &checkout_request(&"A".repeat(16)), TS).is_ok()
    );
}

#[test]
fn refund_reason_defaults_and_amount_is_never_sent() {
    let mut req = refund_request();
    req.reason = None;
    let body = requests::refund_body(&req).unwrap();
    assert_eq!(
        std::str::from_utf8(&body).unwrap(),
        format!(
            r#"{{"merchantRefundOrderId":"REFUND_1737554400000","acquiringOrderId":"ORDER_1737554400000","refundReason":"{DEFAULT_REFUND_REASON}"}}"#
        )
    );
    assert_eq!(DEFAULT_REFUND_REASON, "Customer request");
    req.reason = Some("  ".into());
    assert!(std::str::from_utf8(&requests::refund_body(&req).unwrap())
        .unwrap()
        .ends_with(r#""refundReason":"Customer request"}"#));
    req.payment_external_id = String::new();
    assert!(requests::refund_body(&req).is_err());
}
