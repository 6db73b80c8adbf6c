//! Webhook verification (K1 of docs/gateways/pakhipay.md) and parsing, the acknowledgements, return
//! hints, and what the adapter declares about itself.

use super::super::signing::sign_hex;
use super::super::PakhiPay;
use super::vectors::{COMPACT, PYTHON, SIG_SORTED, WIRE};
use super::{account, KEY};
use crate::providers::{
    AckKind, GatewayReport, IncomingWebhook, Method, ParsedWebhook, ProviderAdapter,
    ReportedAmount, ReportedStatus, ReturnHints, WebhookAck, WebhookEvent, WebhookVerification,
};
use rust_decimal::Decimal;

fn adapter() -> PakhiPay {
    PakhiPay::new(reqwest::Client::new())
}

fn hook(body: &str) -> IncomingWebhook<'_> {
    IncomingWebhook {
        headers: &[],
        path: "/v1/webhooks/pakhipay/acc_test/",
        body: body.as_bytes(),
        now: chrono::Utc::now(),
    }
}

fn verify(body: &str) -> WebhookVerification {
    adapter().verify_webhook(&account("http://unused"), &hook(body))
}

fn verified(scheme: &'static str) -> WebhookVerification {
    WebhookVerification::Verified { scheme }
}

fn rejected(reason: &str) -> WebhookVerification {
    WebhookVerification::Rejected {
        reason: reason.into(),
    }
}

/// `unsigned` with `"signature":"<sig>"` appended as the last member, in `sep` spacing.
fn with_signature(unsigned: &str, sep: &str, sig: &str) -> String {
    let colon = if sep == "," { ":" } else { ": " };
    format!(
        "{}{sep}\"signature\"{colon}\"{sig}\"}}",
        &unsigned[..unsigned.len() - 1]
    )
}

#[test]
fn every_k1_reading_a_sender_could_use_is_accepted() {
    assert_eq!(verify(WIRE), verified("stripped"));
    let python = with_signature(PYTHON, ", ", &sign_hex(KEY, PYTHON.as_bytes()));
    assert_eq!(verify(&python), verified("stripped"));
    // Signed sorted, sent in documented order.
    assert_eq!(
        verify(&with_signature(COMPACT, ",", SIG_SORTED)),
        verified("sorted_php")
    );
    // Signature first, so the textual removal differs from what was signed; re-serialising works.
    let first = format!(
        r#"{{"signature":"{}", "status":"completed","transaction_id":"TRX1","amount":"5.00","order_id":"o"}}"#,
        sign_hex(
            KEY,
            br#"{"status":"completed","transaction_id":"TRX1","amount":"5.00","order_id":"o"}"#
        )
    );
    assert_eq!(verify(&first), verified("stripped"));
    // Signed with raw UTF-8 and unescaped slashes, sent PHP-escaped.
    let plain = r#"{"status":"completed","transaction_id":"T/1","amount":"5.00","order_id":"é"}"#;
    let sent = with_signature(
        r#"{"status":"completed","transaction_id":"T\/1","amount":"5.00","order_id":"\u00e9"}"#,
        ",",
        &sign_hex(KEY, plain.as_bytes()),
    );
    assert_eq!(verify(&sent), verified("plain"));
    // Upper-case hex is the same digest.
    let upper = WIRE.replace(
        "e800478659ffd96fd0c6efb3439281d20d79fa60d9fb5b6f7e7c131c08ee93d6",
        "E800478659FFD96FD0C6EFB3439281D20D79FA60D9FB5B6F7E7C131C08EE93D6",
    );
    assert_eq!(verify(&upper), verified("stripped"));
}

#[test]
fn forgeries_and_garbage_are_rejected() {
    let tampered = WIRE.replace("\"100.00\"", "\"900.00\"");
    assert_eq!(
        verify(&tampered),
        rejected("signature matches no candidate payload")
    );
    let flipped = WIRE.replace("e8004786", "e8004787");
    assert_eq!(
        verify(&flipped),
        rejected("signature matches no candidate payload")
    );
    let mut other_key = account("http://unused");
    other_key.credentials = serde_json::json!({ "api_key": "pk_someone_else" });
    assert_eq!(
        adapter().verify_webhook(&other_key, &hook(WIRE)),
        rejected("signature matches no candidate payload")
    );
    assert_eq!(verify(COMPACT), rejected("no signature member"));
    assert_eq!(verify("status=completed"), rejected("body is not JSON"));
    assert_eq!(verify("[1]"), rejected("body is not a JSON object"));
    assert_eq!(
        verify(&with_signature(COMPACT, ",", "zz")),
        rejected("signature is not hex")
    );
    assert_eq!(
        verify(&with_signature(COMPACT, ",", "e800")),
        rejected("signature is not 64 hex digits")
    );
    let mut broken = account("http://unused");
    broken.credentials = serde_json::json!({});
    assert_eq!(
        adapter().verify_webhook(&broken, &hook(WIRE)),
        rejected("account credentials unusable: api_key is missing")
    );
}

fn parsed(body: &str) -> Result<ParsedWebhook, String> {
    adapter().parse_webhook(&hook(body))
}

#[test]
fn the_webhook_reports_order_transaction_and_amount() {
    let expected = |amount: Decimal| ParsedWebhook {
        dedupe_key: "TRX123456789:completed".into(),
        event: WebhookEvent::Payment(GatewayReport {
            reference: Some("your-order-id".into()),
            external_id: None,
            provider_status: "completed".into(),
            status: ReportedStatus::Paid,
            amount: Some(ReportedAmount {
                value: amount,
                currency: "BDT".into(),
            }),
            underpaid: false,
            received: None,
            charge_id: Some("TRX123456789".into()),
            refunded: None,
            extra_charges: vec![],
        }),
    };
    assert_eq!(parsed(WIRE), Ok(expected(Decimal::new(10000, 2))));
    let legacy = WIRE.replace(
        r#""signature""#,
        r#""token":"abc","future":{"x":1},"signature""#,
    );
    assert_eq!(parsed(&legacy), Ok(expected(Decimal::new(10000, 2))));
    let number = WIRE.replace(r#""100.00""#, "100.5");
    assert_eq!(parsed(&number), Ok(expected(Decimal::new(1005, 1))));

    let odd = r#"{"status":"weird","transaction_id":42,"amount":"1.00","order_id":null}"#;
    let ParsedWebhook { dedupe_key, event } = parsed(odd).unwrap();
    assert_eq!(dedupe_key, "42:weird");
    let WebhookEvent::Payment(report) = event else {
        panic!("payment event expected")
    };
    assert_eq!(
        (report.status, report.reference),
        (ReportedStatus::Unknown, None)
    );

    let no_tx = r#"{"status":"completed","amount":"1.00","order_id":"o"}"#;
    assert_eq!(parsed(no_tx), Err("webhook has no transaction_id".into()));
    let no_status = r#"{"transaction_id":"T","amount":"1.00"}"#;
    assert_eq!(parsed(no_status), Err("webhook has no status".into()));
    let bad_amount = r#"{"status":"completed","transaction_id":"T","amount":"1e2"}"#;
    assert_eq!(
        parsed(bad_amount),
        Err(r#"amount "1e2" is not a plain decimal"#.into())
    );
    assert!(parsed("nope")
        .unwrap_err()
        .starts_with("unreadable webhook"));
}

#[test]
fn acks_are_what_pakhi_pay_expects() {
    let ack = |status, body: &str| WebhookAck {
        status,
        content_type: "text/plain; charset=utf-8",
        body: body.into(),
    };
    let a = adapter();
    assert_eq!(a.webhook_ack(AckKind::Accepted), ack(200, "OK"));
    assert_eq!(
        a.webhook_ack(AckKind::Rejected),
        ack(403, "Invalid signature")
    );
    assert_eq!(
        a.webhook_ack(AckKind::RetryLater),
        ack(503, "Try again later")
    );
}

#[test]
fn the_return_url_may_carry_the_transaction_id() {
    let q = |pairs: &[(&str, &str)]| {
        let owned: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        adapter().parse_return(&owned)
    };
    assert_eq!(
        q(&[("t", "tok"), ("transaction_id", "TRX9")]),
        ReturnHints {
            external_id: None,
            charge_id: Some("TRX9".into())
        }
    );
    assert_eq!(q(&[("t", "tok")]), ReturnHints::default());
    assert_eq!(q(&[("transaction_id", " ")]), ReturnHints::default());
    assert_eq!(
        q(&[("transaction_id", &"x".repeat(129))]),
        ReturnHints::default()
    );
}

#[test]
fn capabilities_identity_and_credentials() {
    let a = adapter();
    let caps = a.capabilities();
    assert_eq!(a.id(), crate::providers::pakhipay::ID);
    assert!(caps.create && caps.query && !caps.refund && !caps.cancel);
    assert_eq!(caps.currencies, &["BDT"]);
    assert_eq!(caps.methods, &[Method::MobileBanking]);
    assert!(caps.requires_customer && caps.confirm_webhooks && !caps.partial_refund);
    assert_eq!(
        a.validate_credentials(&serde_json::json!({ "api_key": KEY })),
        Ok(())
    );
    let err = |v| a.validate_credentials(&v).unwrap_err();
    assert_eq!(err(serde_json::json!({})), "api_key is missing");
    assert_eq!(
        err(serde_json::json!({ "api_key": 5 })),
        "api_key must be a string"
    );
    assert_eq!(
        err(serde_json::json!({ "api_key": " " })),
        "api_key must not be empty"
    );
    assert_eq!(
        err(serde_json::json!({ "api_key": "a b" })),
        "api_key must be printable ASCII without spaces"
    );
    assert_eq!(
        err(serde_json::json!("x")),
        "credentials must be a JSON object"
    );
}
