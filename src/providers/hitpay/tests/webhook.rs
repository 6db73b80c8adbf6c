//! Webhook verification edge cases (T1–T3 of docs/gateways/hitpay.md), parsing and answers.

use super::super::signing::{hmac_hex, v1_message};
use super::super::HitPay;
use super::vectors::{hook, V1_BODY, V2_BODY, V2_SIG};
use super::{account, SALT};
use crate::providers::{AckKind, ProviderAdapter, ReportedStatus, WebhookEvent};
use crate::providers::{WebhookAck, WebhookVerification};

fn verify(
    credentials: serde_json::Value,
    headers: &[(&str, &str)],
    body: &str,
) -> WebhookVerification {
    let headers: Vec<(String, String)> = headers
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let mut acc = account("http://x");
    acc.credentials = credentials;
    HitPay::new(reqwest::Client::new()).verify_webhook(&acc, &hook(&headers, body))
}

fn creds() -> serde_json::Value {
    super::credentials_json()
}

fn rejected(v: &WebhookVerification) -> bool {
    matches!(v, WebhookVerification::Rejected { .. })
}

/// A v1 body for `fields` signed with `salt` (fields sent in the given order).
fn v1_signed(fields: &[(&str, &str)], salt: &str) -> String {
    let hmac = hmac_hex(salt, v1_message(fields.iter().copied()).as_bytes());
    let mut pairs: Vec<(&str, &str)> = fields.to_vec();
    pairs.push(("hmac", &hmac));
    serde_urlencoded::to_string(pairs).unwrap()
}

#[test]
fn v1_refusals() {
    let tampered = V1_BODY.replace("amount=599.00", "amount=1.00");
    assert!(rejected(&verify(creds(), &[], &tampered)));
    let wrong_salt = serde_json::json!({"api_key": "k", "salt": "other"});
    assert!(rejected(&verify(wrong_salt, &[], V1_BODY)));
    let no_hmac = V1_BODY.split("&hmac=").next().unwrap().to_string();
    assert_eq!(
        verify(creds(), &[], &no_hmac),
        WebhookVerification::Rejected {
            reason: "no Hitpay-Signature header and no hmac field".into()
        }
    );
    let doubled = format!("{V1_BODY}&status=failed");
    assert!(rejected(&verify(creds(), &[], &doubled)));
    assert!(rejected(&verify(
        creds(),
        &[],
        &V1_BODY.replace("hmac=aee1", "hmac=zzz1")
    )));
    assert!(rejected(&verify(creds(), &[], "")));
}

#[test]
fn v1_signs_every_received_field_decoded_and_accepts_upper_hex() {
    // A field HitPay may add later, and a value that needs URL-decoding ("+" and "%40").
    let body = v1_signed(
        &[
            ("status", "completed"),
            ("buyer_email", "a b@x.sg"),
            ("payment_id", "p1"),
            ("reference_number", "R1"),
        ],
        SALT,
    );
    assert!(body.contains("a+b%40x.sg"));
    assert_eq!(
        verify(creds(), &[], &body),
        WebhookVerification::Verified { scheme: "v1" }
    );
    let upper = body.split("&hmac=").collect::<Vec<_>>();
    let upper = format!("{}&hmac={}", upper[0], upper[1].to_uppercase());
    assert_eq!(
        verify(creds(), &[], &upper),
        WebhookVerification::Verified { scheme: "v1" }
    );
}

#[test]
fn v2_uses_event_salts_then_the_salt_and_wins_over_a_form_hmac() {
    let event_sig = hmac_hex("endpoint_salt", V2_BODY.as_bytes());
    let with_event =
        serde_json::json!({"api_key": "k", "salt": "x", "event_salt": ["other", "endpoint_salt"]});
    assert_eq!(
        verify(
            with_event.clone(),
            &[("hitpay-signature", &event_sig)],
            V2_BODY
        ),
        WebhookVerification::Verified { scheme: "v2" }
    );
    assert!(rejected(&verify(
        with_event,
        &[("hitpay-signature", V2_SIG)],
        V2_BODY
    )));
    let one = serde_json::json!({"api_key": "k", "salt": SALT, "event_salt": "endpoint_salt"});
    assert_eq!(
        verify(one, &[("Hitpay-Signature", V2_SIG)], V2_BODY),
        WebhookVerification::Verified { scheme: "v2" },
        "falls back to the API-key salt"
    );
    assert!(rejected(&verify(
        creds(),
        &[("hitpay-signature", V2_SIG)],
        &V2_BODY.replace("1.11", "9.11")
    )));
    assert!(rejected(&verify(
        creds(),
        &[("hitpay-signature", "not-hex")],
        V2_BODY
    )));
    // The header decides: a valid v1 body with a bogus v2 header is not verified as v1.
    assert!(rejected(&verify(
        creds(),
        &[("hitpay-signature", V2_SIG)],
        V1_BODY
    )));
}

#[test]
fn parsing_statuses_events_and_refusals() {
    let adapter = HitPay::new(reqwest::Client::new());
    let parse = |headers: &[(&str, &str)], body: &str| {
        let headers: Vec<(String, String)> = headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        adapter.parse_webhook(&hook(&headers, body))
    };
    let failed = parse(&[], &V1_BODY.replace("status=completed", "status=failed")).unwrap();
    assert_eq!(
        failed.dedupe_key,
        "v1:92965a2d-ece3-4ace-1245-494050c9a3c1:failed"
    );
    let WebhookEvent::Payment(r) = failed.event else {
        panic!()
    };
    assert_eq!(r.status, ReportedStatus::Failed);
    let pending = parse(&[], &V1_BODY.replace("status=completed", "status=pending")).unwrap();
    let WebhookEvent::Payment(r) = pending.event else {
        panic!()
    };
    assert_eq!(r.status, ReportedStatus::Pending);
    let odd = parse(&[], &V1_BODY.replace("status=completed", "status=paid")).unwrap();
    let WebhookEvent::Payment(r) = odd.event else {
        panic!()
    };
    assert_eq!(
        (r.status, r.provider_status.as_str()),
        (ReportedStatus::Unknown, "paid")
    );

    let request = r#"{"id":"req-1","status":"completed","amount":"25.00","currency":"sgd","reference_number":"att_1","payments":[{"id":"pay-1","status":"succeeded","amount":"25.00","currency":"sgd"}]}"#;
    let parsed = parse(
        &[
            ("hitpay-signature", "x"),
            ("hitpay-event-object", "payment_request"),
            ("hitpay-event-type", "completed"),
        ],
        request,
    )
    .unwrap();
    assert_eq!(
        parsed.dedupe_key,
        "v2:payment_request:req-1:completed:completed"
    );
    let WebhookEvent::Payment(r) = parsed.event else {
        panic!()
    };
    assert_eq!(
        (
            r.reference.as_deref(),
            r.external_id.as_deref(),
            r.charge_id.as_deref(),
            r.status
        ),
        (
            Some("att_1"),
            Some("req-1"),
            Some("pay-1"),
            ReportedStatus::Paid
        )
    );
    assert!(parse(
        &[("hitpay-signature", "x"), ("hitpay-event-object", "payout")],
        r#"{"id":"po"}"#
    )
    .is_err());
    assert!(parse(&[("hitpay-signature", "x")], "not json").is_err());
    assert!(parse(&[], "status=completed&amount=1.00&currency=SGD&hmac=00").is_err());
    assert!(parse(&[], &V1_BODY.replace("amount=599.00", "amount=5e2")).is_err());
}

#[test]
fn answers() {
    let adapter = HitPay::new(reqwest::Client::new());
    let ack = |k| adapter.webhook_ack(k);
    assert_eq!(
        ack(AckKind::Accepted),
        WebhookAck {
            status: 200,
            content_type: "text/plain; charset=utf-8",
            body: "OK".into()
        }
    );
    assert_eq!(ack(AckKind::Rejected).status, 401);
    assert_eq!(ack(AckKind::RetryLater).status, 503);
}
