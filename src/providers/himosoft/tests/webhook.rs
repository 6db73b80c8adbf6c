//! Callbacks: hints verified only when signed, parsed without trusting their status.

use super::super::signing::sign;
use super::super::webhook::{parse_webhook, verify_webhook, webhook_ack};
use super::{account, SECRET};
use crate::providers::{
    AckKind, GatewayReport, IncomingWebhook, ParsedWebhook, ReportedStatus, WebhookEvent,
    WebhookVerification,
};
use sha2::{Digest, Sha256};

const BODY: &str = r#"{"id":"pay_1","status":"completed","order_id":"att_1","amount":"1500.00","currency":"BDT","external_id":"ch_9"}"#;

fn hook<'a>(headers: &'a [(String, String)], body: &'a str) -> IncomingWebhook<'a> {
    IncomingWebhook {
        headers,
        path: "/v1/webhooks/himosoft/acc_test/",
        body: body.as_bytes(),
        now: chrono::Utc::now(),
    }
}

fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn unsigned_is_a_hint_signed_must_match() {
    let acc = account("http://unused");
    let hint = WebhookVerification::Verified { scheme: "hint" };
    assert_eq!(verify_webhook(&acc, &hook(&[], BODY)), hint);
    let ts = "1714764000";
    let good = sign(SECRET, ts, BODY.as_bytes());
    for ts_header in ["x-timestamp", "x-hmac-timestamp", "timestamp"] {
        let headers = h(&[(ts_header, ts), ("x-hmac-signature", &good)]);
        assert_eq!(
            verify_webhook(&acc, &hook(&headers, BODY)),
            hint,
            "{ts_header}"
        );
    }
    let upper = good.to_uppercase();
    let headers = h(&[("x-timestamp", ts), ("x-hmac-signature", &upper)]);
    assert_eq!(verify_webhook(&acc, &hook(&headers, BODY)), hint);
    let rejected = WebhookVerification::Rejected {
        reason: "X-HMAC-Signature does not match".into(),
    };
    let wrong = sign("himo_sk_other", ts, BODY.as_bytes());
    for headers in [
        h(&[("x-timestamp", ts), ("x-hmac-signature", &wrong)]),
        h(&[("x-timestamp", "1714764001"), ("x-hmac-signature", &good)]),
        h(&[("x-hmac-signature", &good)]),
        h(&[("x-timestamp", ts), ("x-hmac-signature", "")]),
    ] {
        assert_eq!(
            verify_webhook(&acc, &hook(&headers, BODY)),
            rejected,
            "{headers:?}"
        );
    }
    // A signed callback over a different body does not match.
    let headers = h(&[("x-timestamp", ts), ("x-hmac-signature", &good)]);
    assert_eq!(
        verify_webhook(&acc, &hook(&headers, &BODY.replace("1500", "1501"))),
        rejected
    );
}

fn parsed(report: GatewayReport, body: &str) -> ParsedWebhook {
    ParsedWebhook {
        dedupe_key: format!("sha256:{}", hex::encode(Sha256::digest(body.as_bytes()))),
        event: WebhookEvent::Payment(report),
    }
}

#[test]
fn the_status_is_never_trusted_and_unsigned_ids_are_not_passed_on() {
    let signed = h(&[("x-timestamp", "1"), ("x-hmac-signature", "ab")]);
    let base = GatewayReport {
        reference: Some("att_1".into()),
        external_id: Some("pay_1".into()),
        provider_status: "completed".into(),
        status: ReportedStatus::Unknown,
        amount: None,
        underpaid: false,
        received: None,
        charge_id: Some("ch_9".into()),
        refunded: None,
        extra_charges: vec![],
    };
    assert_eq!(
        parse_webhook(&hook(&signed, BODY)),
        Ok(parsed(base.clone(), BODY))
    );
    let unsigned = GatewayReport {
        external_id: None,
        charge_id: None,
        refunded: None,
        extra_charges: vec![],
        ..base
    };
    assert_eq!(parse_webhook(&hook(&[], BODY)), Ok(parsed(unsigned, BODY)));
    // Only an id: found by the id the attempt already holds.
    let only_id = r#"{"id":"pay_1","status":"weird"}"#;
    let report = GatewayReport {
        reference: None,
        external_id: Some("pay_1".into()),
        provider_status: "weird".into(),
        status: ReportedStatus::Unknown,
        amount: None,
        underpaid: false,
        received: None,
        charge_id: None,
        refunded: None,
        extra_charges: vec![],
    };
    assert_eq!(
        parse_webhook(&hook(&[], only_id)),
        Ok(parsed(report, only_id))
    );
    let numeric = parse_webhook(&hook(&[], r#"{"id":42}"#)).unwrap();
    match numeric.event {
        WebhookEvent::Payment(r) => assert_eq!(
            (r.external_id.as_deref(), r.provider_status.as_str()),
            (Some("42"), "callback")
        ),
        other => panic!("{other:?}"),
    }
    for bad in [
        "",
        "[]",
        "not json",
        r#"{"status":"completed"}"#,
        r#"{"id":"","order_id":" "}"#,
    ] {
        assert!(parse_webhook(&hook(&[], bad)).is_err(), "{bad}");
    }
}

#[test]
fn a_redelivery_has_the_same_key_and_another_body_another() {
    let a = parse_webhook(&hook(&[], BODY)).unwrap().dedupe_key;
    assert_eq!(a, parse_webhook(&hook(&[], BODY)).unwrap().dedupe_key);
    let forged = BODY.replace("ch_9", "ch_8");
    assert_ne!(a, parse_webhook(&hook(&[], &forged)).unwrap().dedupe_key);
}

#[test]
fn acks() {
    let ok = webhook_ack(AckKind::Accepted);
    assert_eq!(
        (ok.status, ok.body.as_str(), ok.content_type),
        (200, r#"{"status":"received"}"#, "application/json")
    );
    let no = webhook_ack(AckKind::Rejected);
    assert_eq!(no.status, 401);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&no.body).unwrap(),
        serde_json::json!({"error": "invalid_signature", "message": "HMAC validation failed. Check credentials."})
    );
    assert_eq!(webhook_ack(AckKind::RetryLater).status, 503);
}
