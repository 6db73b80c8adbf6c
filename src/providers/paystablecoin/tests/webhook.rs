//! Vector 5 of docs/gateways/paystablecoin.md ("Test vectors") and webhook verification,
//! parsing and answers.

use super::super::signing::{body_hash_b64, sign, webhook_message_a, webhook_message_b};
use super::super::PayStableCoin;
use super::{account, SECRET};
use crate::providers::{
    AccountContext, AckKind, IncomingWebhook, ProviderAdapter, RefundReport, RefundStatus,
    ReportedAmount, ReportedStatus, WebhookAck, WebhookEvent, WebhookVerification,
};
use chrono::TimeZone;
use rust_decimal::Decimal;

const V5_TS: &str = "1737554700000";
const V5_BODY: &str = r#"{"acquiringOrderId":"ORD_20240101_1234567890ABCDEF","paymentOrderId":"PAY_20240101_1234567890ABCDEF","merchantOrderId":"ORDER_1737554400000","status":"SUCCEEDED","orderAmount":{"value":"99.99","currency":"USD"},"cryptoPaymentAmount":{"value":"99.99","currency":"USDT"},"cryptoPaidAmount":{"value":"99.99","currency":"USDT"},"createdTime":"2025-01-22T14:00:00Z","paidTime":"2025-01-22T14:05:00Z"}"#;
const V5_SIG_A: &str = "fr01CowcZIGpWLSiT380vIMDjUblP/31sScu0UfOZ7E=";
const V5_SIG_B: &str = "HP/HTEfQpu4GFqiMesE31T59/K0WsLNmXZYypEKQDHM=";
const RECEIVED_ON: &str = "/v1/webhooks/paystablecoin/acc_test/";

fn adapter() -> PayStableCoin {
    PayStableCoin::new(reqwest::Client::new())
}

fn at(ms: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::Utc.timestamp_millis_opt(ms).unwrap()
}

fn verify_with(
    acc: &AccountContext,
    headers: &[(&str, &str)],
    path: &str,
    body: &str,
    now_ms: i64,
) -> WebhookVerification {
    let headers: Vec<(String, String)> = headers
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let hook = IncomingWebhook {
        headers: &headers,
        path,
        body: body.as_bytes(),
        now: at(now_ms),
    };
    adapter().verify_webhook(acc, &hook)
}

fn verify(sig: &str, body: &str, now_ms: i64) -> WebhookVerification {
    let acc = account("http://unused");
    let headers = [("x-timestamp", V5_TS), ("x-signature", sig)];
    verify_with(&acc, &headers, RECEIVED_ON, body, now_ms)
}

fn rejected(v: &WebhookVerification) -> bool {
    matches!(v, WebhookVerification::Rejected { .. })
}

const NOW: i64 = 1_737_554_700_000;

#[test]
fn vector5_signatures_both_variants() {
    let body = V5_BODY.as_bytes();
    assert_eq!(sign(SECRET, webhook_message_a(V5_TS, body)), V5_SIG_A);
    assert_eq!(
        body_hash_b64(body),
        "Q21dMfShm+Xkrs6e+d2IJZi3+cVpda/bK223tO1q2Qs="
    );
    let message_b = webhook_message_b(V5_TS, "/webhook/payment", body);
    assert_eq!(
        message_b,
        "1737554700000\nPOST\n/webhook/payment\nQ21dMfShm+Xkrs6e+d2IJZi3+cVpda/bK223tO1q2Qs="
    );
    assert_eq!(sign(SECRET, message_b), V5_SIG_B);
}

#[test]
fn vector5_verifies_with_either_variant() {
    assert_eq!(
        verify(V5_SIG_A, V5_BODY, NOW),
        WebhookVerification::Verified { scheme: "A" }
    );
    assert_eq!(
        verify(V5_SIG_B, V5_BODY, NOW),
        WebhookVerification::Verified { scheme: "B" }
    );
}

#[test]
fn variant_b_falls_back_to_the_path_the_request_arrived_on() {
    let mut acc = account("http://unused");
    acc.webhook_url = "https://payrail.example/v1/webhooks/paystablecoin/acc_test/".into();
    let headers = [("X-Timestamp", V5_TS), ("X-Signature", V5_SIG_B)];
    assert_eq!(
        verify_with(&acc, &headers, "/webhook/payment", V5_BODY, NOW),
        WebhookVerification::Verified { scheme: "B" }
    );
    assert!(rejected(&verify_with(
        &acc,
        &headers,
        "/elsewhere",
        V5_BODY,
        NOW
    )));
}

#[test]
fn pinned_variant_accepts_only_that_variant() {
    let mut acc = account("http://unused");
    acc.credentials["webhook_variant"] = "body".into();
    let a = [("x-timestamp", V5_TS), ("x-signature", V5_SIG_A)];
    let b = [("x-timestamp", V5_TS), ("x-signature", V5_SIG_B)];
    assert_eq!(
        verify_with(&acc, &a, RECEIVED_ON, V5_BODY, NOW),
        WebhookVerification::Verified { scheme: "A" }
    );
    assert!(rejected(&verify_with(&acc, &b, RECEIVED_ON, V5_BODY, NOW)));
    acc.credentials["webhook_variant"] = "path".into();
    assert!(rejected(&verify_with(&acc, &a, RECEIVED_ON, V5_BODY, NOW)));
    assert_eq!(
        verify_with(&acc, &b, RECEIVED_ON, V5_BODY, NOW),
        WebhookVerification::Verified { scheme: "B" }
    );
}

#[test]
fn tampered_body_is_rejected() {
    let tampered = V5_BODY.replace("99.99", "9.99");
    assert!(rejected(&verify(V5_SIG_A, &tampered, NOW)));
    assert!(rejected(&verify(V5_SIG_B, &tampered, NOW)));
    assert!(rejected(&verify(V5_SIG_A, &format!("{V5_BODY} "), NOW)));
}

#[test]
fn wrong_secret_is_rejected() {
    let mut acc = account("http://unused");
    acc.credentials["api_secret"] = "MpkvVlXvYTZVPPJ0LReNA-g_yC7V7foe4UAj7tgWJSN".into();
    for sig in [V5_SIG_A, V5_SIG_B] {
        let headers = [("x-timestamp", V5_TS), ("x-signature", sig)];
        assert!(rejected(&verify_with(
            &acc,
            &headers,
            RECEIVED_ON,
            V5_BODY,
            NOW
        )));
    }
}

#[test]
fn timestamp_window_is_five_minutes_either_way() {
    assert!(!rejected(&verify(V5_SIG_A, V5_BODY, NOW + 300_000)));
    assert!(!rejected(&verify(V5_SIG_A, V5_BODY, NOW - 300_000)));
    assert_eq!(
        verify(V5_SIG_A, V5_BODY, NOW + 300_001),
        WebhookVerification::Rejected {
            reason: "X-Timestamp is 300001 ms away from now".into()
        }
    );
    assert!(rejected(&verify(V5_SIG_B, V5_BODY, NOW - 300_001)));
}

#[test]
fn missing_or_malformed_headers_are_rejected() {
    let acc = account("http://unused");
    let cases: [(&[(&str, &str)], &str); 6] = [
        (&[("x-signature", V5_SIG_A)], "missing X-Timestamp"),
        (&[("x-timestamp", V5_TS)], "missing X-Signature"),
        (&[], "missing X-Timestamp"),
        (
            &[("x-timestamp", "1737554700"), ("x-signature", V5_SIG_A)],
            "X-Timestamp is 1735817145300 ms away from now",
        ),
        (
            &[("x-timestamp", "-1737554700000"), ("x-signature", V5_SIG_A)],
            "X-Timestamp is not Unix milliseconds",
        ),
        (
            &[("x-timestamp", V5_TS), ("x-signature", "not base64!")],
            "X-Signature is not Base64",
        ),
    ];
    for (headers, reason) in cases {
        assert_eq!(
            verify_with(&acc, headers, RECEIVED_ON, V5_BODY, NOW),
            WebhookVerification::Rejected {
                reason: reason.into()
            }
        );
    }
    let empty_sig = [("x-timestamp", V5_TS), ("x-signature", "")];
    assert!(rejected(&verify_with(
        &acc,
        &empty_sig,
        RECEIVED_ON,
        V5_BODY,
        NOW
    )));
}

#[test]
fn vector5_body_parses_to_a_payment_report() {
    let hook = IncomingWebhook {
        headers: &[],
        path: RECEIVED_ON,
        body: V5_BODY.as_bytes(),
        now: at(NOW),
    };
    let parsed = adapter().parse_webhook(&hook).unwrap();
    assert_eq!(parsed.dedupe_key, "ORD_20240101_1234567890ABCDEF:SUCCEEDED");
    let WebhookEvent::Payment(report) = parsed.event else {
        panic!("not a payment event: {:?}", parsed.event);
    };
    assert_eq!(report.reference.as_deref(), Some("ORDER_1737554400000"));
    assert_eq!(
        report.external_id.as_deref(),
        Some("ORD_20240101_1234567890ABCDEF")
    );
    assert_eq!(report.provider_status, "SUCCEEDED");
    assert_eq!(report.status, ReportedStatus::Paid);
    assert_eq!(
        report.amount,
        Some(ReportedAmount {
            value: Decimal::new(9999, 2),
            currency: "USD".into()
        })
    );
    assert!(!report.underpaid);
}

#[test]
fn refund_webhook_and_bad_bodies() {
    let parse = |body: &str| {
        let hook = IncomingWebhook {
            headers: &[],
            path: RECEIVED_ON,
            body: body.as_bytes(),
            now: at(NOW),
        };
        adapter().parse_webhook(&hook)
    };
    let refund = parse(
        r#"{"merchantRefundOrderId":"REFUND_1737554400000","acquiringOrderId":"ORD_1","status":"SUCCEEDED","refundAmount":{"value":"99.99","currency":"USD"}}"#,
    )
    .unwrap();
    assert_eq!(refund.dedupe_key, "refund:REFUND_1737554400000:SUCCEEDED");
    assert_eq!(
        refund.event,
        WebhookEvent::Refund(RefundReport {
            reference: Some("REFUND_1737554400000".into()),
            external_id: None,
            provider_status: "SUCCEEDED".into(),
            status: RefundStatus::Completed,
            payment_external_id: Some("ORD_1".into()),
            amount: Some(ReportedAmount {
                value: Decimal::new(9999, 2),
                currency: "USD".into(),
            }),
        })
    );
    let processing = parse(r#"{"acquiringOrderId":"ORD_1","merchantOrderId":"ORDER_1737554400000","status":"PROCESSING"}"#).unwrap();
    assert_eq!(processing.dedupe_key, "ORD_1:PROCESSING");
    for bad in [
        "",
        "[]",
        "not json",
        r#"{"merchantOrderId":"ORDER_1737554400000","status":"SUCCEEDED"}"#,
        r#"{"acquiringOrderId":"ORD_1"}"#,
        r#"{"acquiringOrderId":"ORD_1","status":"SUCCEEDED","orderAmount":{"value":"abc","currency":"USD"}}"#,
        r#"{"merchantRefundOrderId":"","status":"SUCCEEDED"}"#,
        r#"{"merchantRefundOrderId":"REFUND_1737554400000"}"#,
    ] {
        assert!(parse(bad).is_err(), "{bad} parsed");
    }
}

#[test]
fn acks() {
    assert_eq!(
        adapter().webhook_ack(AckKind::Accepted),
        WebhookAck {
            status: 200,
            content_type: "application/json",
            body: r#"{"code":"00000"}"#.into()
        }
    );
    assert_eq!(
        adapter().webhook_ack(AckKind::Rejected),
        WebhookAck {
            status: 401,
            content_type: "application/json",
            body: r#"{"code":"50001","message":"Invalid signature"}"#.into()
        }
    );
}
