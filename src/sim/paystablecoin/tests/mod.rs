//! Replays every PSC vector of docs/gateways/paystablecoin.md ("Test vectors") against the
//! simulator's own signing and webhook serialisation, byte for byte.

use chrono::{TimeZone, Utc};
use rust_decimal::Decimal;

use super::signing::{b64_sha256, request_string_to_sign, sign, verify};
use super::signing::{webhook_string_a, webhook_string_b};
use super::state::{Account, Order, OrderStatus, WebhookVariant};
use super::webhook::{payment_body, signature, tampered};

// The simulator's other tests, one file per surface (as the adapters' tests are laid out).
mod api;
mod chaos;
mod checkout;
mod refunds;
mod support;

const SECRET: &str = "MpkvVlXvYTZVPPJ0LReNA-g_yC7V7foe4UAj7tgWJSM";
const TS: &str = "1737554400000";
const CREATE_BODY: &str = r#"{"merchantOrderId":"ORDER_1737554400000","orderAmount":{"value":"99.99","currency":"USD"},"expiresAt":"2026-12-31T23:59:59Z","returnUrl":"https://yoursite.com/payment/success","callbackUrl":"https://yoursite.com/webhook/payment"}"#;
const REFUND_BODY: &str = r#"{"merchantRefundOrderId":"REFUND_1737554400000","acquiringOrderId":"ORDER_1737554400000","refundReason":"Customer request full refund"}"#;
const WEBHOOK_BODY: &str = r#"{"acquiringOrderId":"ORD_20240101_1234567890ABCDEF","paymentOrderId":"PAY_20240101_1234567890ABCDEF","merchantOrderId":"ORDER_1737554400000","status":"SUCCEEDED","orderAmount":{"value":"99.99","currency":"USD"},"cryptoPaymentAmount":{"value":"99.99","currency":"USDT"},"cryptoPaidAmount":{"value":"99.99","currency":"USDT"},"createdTime":"2025-01-22T14:00:00Z","paidTime":"2025-01-22T14:05:00Z"}"#;

#[test]
fn vector_1_create_order_body_hash_and_signature() {
    assert_eq!(
        b64_sha256(CREATE_BODY.as_bytes()),
        "cnjm14OC3exIV+fOQhtxd02vrWwgh2ZSJ60hSxn6uOs="
    );
    let s = request_string_to_sign(
        TS,
        "POST",
        "/api/v1/merchants/1000/orders",
        "",
        CREATE_BODY.as_bytes(),
    );
    assert_eq!(
        s,
        "1737554400000\nPOST\n/api/v1/merchants/1000/orders\ncnjm14OC3exIV+fOQhtxd02vrWwgh2ZSJ60hSxn6uOs="
    );
    assert_eq!(
        sign(SECRET, s.as_bytes()),
        "vUSuIRgZZR2nVziV4LRglUL3CN4vjSNRL4f/vir08hM="
    );
    assert!(verify(
        SECRET,
        s.as_bytes(),
        "vUSuIRgZZR2nVziV4LRglUL3CN4vjSNRL4f/vir08hM="
    ));
}

#[test]
fn vector_2_query_order_signature() {
    let s = request_string_to_sign(
        TS,
        "get",
        "/api/v1/merchants/1000/orders/ORDER_1737554400000",
        "",
        b"",
    );
    assert_eq!(
        s,
        "1737554400000\nGET\n/api/v1/merchants/1000/orders/ORDER_1737554400000"
    );
    assert_eq!(
        sign(SECRET, s.as_bytes()),
        "HXWYewUKqUSR+G/uL7OfcMHCrGM+wlKYrjsKrMI5WBI="
    );
}

#[test]
fn vector_3_query_refund_qs_hash_and_signature() {
    let qs = "merchantRefundOrderId=REFUND_1737554400000";
    assert_eq!(
        b64_sha256(qs.as_bytes()),
        "/fkPIfJBjQ1dagQRA5gAgOdvp6MUajCIvYUTcRidGZ4="
    );
    let s = request_string_to_sign(TS, "GET", "/api/v1/merchants/1000/refunds", qs, b"");
    assert_eq!(
        s,
        "1737554400000\nGET\n/api/v1/merchants/1000/refunds\n/fkPIfJBjQ1dagQRA5gAgOdvp6MUajCIvYUTcRidGZ4="
    );
    assert_eq!(
        sign(SECRET, s.as_bytes()),
        "+I8d18j3O+p0liLqsgdb/91S+5lDbmJi0xUnQ5q2Dfs="
    );
}

#[test]
fn vector_4_create_refund_hash_and_signature() {
    assert_eq!(
        b64_sha256(REFUND_BODY.as_bytes()),
        "ytWmh/mvFlrjEenj+ObeCxkdortbBc++JiDIkFe7mcg="
    );
    let s = request_string_to_sign(
        TS,
        "POST",
        "/api/v1/merchants/1000/refunds",
        "",
        REFUND_BODY.as_bytes(),
    );
    assert_eq!(
        sign(SECRET, s.as_bytes()),
        "ckYr/WnIDBWCy73sMQWBdHeYnL+R7pmxmTk6ZmHhqug="
    );
}

/// The vector's order, as the simulator would hold it.
fn vector_order() -> Order {
    Order {
        merchant_id: "1000".into(),
        api_key: "PSTG6ELOB2YXKO4ZHRQ6NKTSBY".into(),
        acquiring_order_id: "ORD_20240101_1234567890ABCDEF".into(),
        payment_order_id: "PAY_20240101_1234567890ABCDEF".into(),
        merchant_order_id: "ORDER_1737554400000".into(),
        status: OrderStatus::Succeeded,
        amount_value: "99.99".into(),
        amount: Decimal::new(9999, 2),
        currency: "USD".into(),
        crypto_payment: Decimal::new(9999, 2),
        crypto_paid: Decimal::new(9999, 2),
        created: Utc.with_ymd_and_hms(2025, 1, 22, 14, 0, 0).unwrap(),
        paid: Some(Utc.with_ymd_and_hms(2025, 1, 22, 14, 5, 0).unwrap()),
        expires_at: Utc.with_ymd_and_hms(2026, 12, 31, 23, 59, 59).unwrap(),
        return_url: "https://yoursite.com/payment/success".into(),
        callback_url: Some("https://yoursite.com/webhook/payment".into()),
        refunded: Decimal::ZERO,
    }
}

#[test]
fn vector_5_webhook_body_bytes_from_serializer() {
    let body = payment_body(&vector_order());
    assert_eq!(String::from_utf8(body).unwrap(), WEBHOOK_BODY);
}

#[test]
fn webhook_body_has_null_paid_time_until_paid() {
    let mut order = vector_order();
    order.status = OrderStatus::Processing;
    order.paid = None;
    let body = String::from_utf8(payment_body(&order)).unwrap();
    assert!(
        body.ends_with(r#""createdTime":"2025-01-22T14:00:00Z","paidTime":null}"#),
        "{body}"
    );
}

#[test]
fn vector_5_webhook_variant_a() {
    let msg = webhook_string_a("1737554700000", WEBHOOK_BODY.as_bytes());
    assert_eq!(
        sign(SECRET, &msg),
        "fr01CowcZIGpWLSiT380vIMDjUblP/31sScu0UfOZ7E="
    );
    let mut account = Account::default_account();
    account.webhook_variant = WebhookVariant::Body;
    let url = "https://yoursite.com/webhook/payment";
    assert_eq!(
        signature(&account, url, WEBHOOK_BODY.as_bytes(), "1737554700000"),
        "fr01CowcZIGpWLSiT380vIMDjUblP/31sScu0UfOZ7E="
    );
}

#[test]
fn vector_5_webhook_variant_b() {
    assert_eq!(
        b64_sha256(WEBHOOK_BODY.as_bytes()),
        "Q21dMfShm+Xkrs6e+d2IJZi3+cVpda/bK223tO1q2Qs="
    );
    let msg = webhook_string_b("1737554700000", "/webhook/payment", WEBHOOK_BODY.as_bytes());
    assert_eq!(
        msg,
        b"1737554700000\nPOST\n/webhook/payment\nQ21dMfShm+Xkrs6e+d2IJZi3+cVpda/bK223tO1q2Qs="
    );
    assert_eq!(
        sign(SECRET, &msg),
        "HP/HTEfQpu4GFqiMesE31T59/K0WsLNmXZYypEKQDHM="
    );
    // The default account signs variant B over the callback URL's path (query left out).
    let account = Account::default_account();
    let url = "https://yoursite.com/webhook/payment?x=1";
    assert_eq!(
        signature(&account, url, WEBHOOK_BODY.as_bytes(), "1737554700000"),
        "HP/HTEfQpu4GFqiMesE31T59/K0WsLNmXZYypEKQDHM="
    );
}

#[test]
fn docs_example_body_hash_is_reproduced() {
    let body = r#"{"merchantOrderId":"M_ORD_123","orderAmount":{"value":"0.1","currency":"USD"}}"#;
    assert_eq!(
        b64_sha256(body.as_bytes()),
        "6qgpZvYT+PPATjpDhSem7jS56eLB3MDbjEN9Jlau+Zs="
    );
}

#[test]
fn verify_refuses_wrong_garbled_and_tampered_signatures() {
    let msg = b"1737554400000\nGET\n/api/v1/merchants/1000/orders/ORDER_1737554400000";
    let good = "HXWYewUKqUSR+G/uL7OfcMHCrGM+wlKYrjsKrMI5WBI=";
    assert!(verify(SECRET, msg, good));
    assert!(!verify("other-secret", msg, good));
    assert!(!verify(SECRET, msg, "not base64!"));
    assert!(!verify(SECRET, msg, ""));
    assert!(!verify(
        SECRET,
        msg,
        "HXWYewUKqUSR-G_uL7OfcMHCrGM-wlKYrjsKrMI5WBI="
    ));
    let bad = tampered(good);
    assert_ne!(bad, good);
    assert!(!verify(SECRET, msg, &bad));
}
