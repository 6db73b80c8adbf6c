//! IPN verification (the signature of docs/gateways/paymento.md, "Test vectors", in every accepted
//! form and header), parsing and answers.

use super::super::Paymento;
use super::account;
use super::vectors::{V_BASE64, V_BODY, V_LOWER, V_UPPER};
use crate::providers::{
    AckKind, GatewayReport, IncomingWebhook, ParsedWebhook, ProviderAdapter, ReportedStatus,
    WebhookAck, WebhookEvent, WebhookVerification,
};

fn adapter() -> Paymento {
    Paymento::new(reqwest::Client::new())
}

fn hook<'a>(headers: &'a [(String, String)], body: &'a str) -> IncomingWebhook<'a> {
    IncomingWebhook {
        headers,
        path: "/v1/webhooks/paymento/acc_test/",
        body: body.as_bytes(),
        now: chrono::Utc::now(),
    }
}

fn verify(header: &str, value: &str, body: &str) -> WebhookVerification {
    let headers = vec![(header.to_owned(), value.to_owned())];
    adapter().verify_webhook(&account("http://unused"), &hook(&headers, body))
}

fn verified(scheme: &'static str) -> WebhookVerification {
    WebhookVerification::Verified { scheme }
}

fn rejected(reason: &str) -> WebhookVerification {
    WebhookVerification::Rejected {
        reason: reason.into(),
    }
}

#[test]
fn the_vector_verifies_in_every_form_and_header() {
    for header in [
        "x-hmac-sha256-signature",
        "X-HMAC-SHA256-SIGNATURE",
        "hmac_sha256_signature",
        "hmac-sha256-signature",
    ] {
        assert_eq!(verify(header, V_UPPER, V_BODY), verified("hex"), "{header}");
    }
    assert_eq!(
        verify("x-hmac-sha256-signature", V_LOWER, V_BODY),
        verified("hex")
    );
    let mixed = format!("{}{}", &V_UPPER[..32], &V_LOWER[32..]);
    assert_eq!(
        verify("x-hmac-sha256-signature", &mixed, V_BODY),
        verified("hex")
    );
    assert_eq!(
        verify("x-hmac-sha256-signature", &format!(" {V_UPPER} "), V_BODY),
        verified("hex")
    );
    assert_eq!(
        verify("x-hmac-sha256-signature", V_BASE64, V_BODY),
        verified("base64")
    );
}

#[test]
fn anything_else_is_rejected() {
    let body_changed = V_BODY.replace("\"OrderStatus\":3", "\"OrderStatus\":7");
    assert_eq!(
        verify("x-hmac-sha256-signature", V_UPPER, &body_changed),
        rejected("signature does not match")
    );
    let mut wrong = V_UPPER.to_owned();
    wrong.replace_range(63.., "6");
    assert_eq!(
        verify("x-hmac-sha256-signature", &wrong, V_BODY),
        rejected("signature does not match")
    );
    assert_eq!(
        verify("x-hmac-sha256-signature", "sig", V_BODY),
        rejected("signature is neither 64 hex characters nor Base64")
    );
    assert_eq!(
        verify("x-signature", V_UPPER, V_BODY),
        rejected("missing X-HMAC-SHA256-Signature")
    );
    let mut acc = account("http://unused");
    acc.credentials["secret_key"] = "another_secret".into();
    let headers = vec![("x-hmac-sha256-signature".to_owned(), V_UPPER.to_owned())];
    assert_eq!(
        adapter().verify_webhook(&acc, &hook(&headers, V_BODY)),
        rejected("signature does not match")
    );
    acc.credentials = serde_json::json!({});
    assert_eq!(
        adapter().verify_webhook(&acc, &hook(&headers, V_BODY)),
        rejected("account credentials unusable: api_key is missing")
    );
}

fn parse(body: &str) -> Result<ParsedWebhook, String> {
    adapter().parse_webhook(&hook(&[], body))
}

#[test]
fn the_vector_body_parses_into_a_report() {
    assert_eq!(
        parse(V_BODY),
        Ok(ParsedWebhook {
            dedupe_key: "d1179e54e58d4e51a285a5c659a2b7ef:3".into(),
            event: WebhookEvent::Payment(GatewayReport {
                reference: Some("etp-3900".into()),
                external_id: Some("d1179e54e58d4e51a285a5c659a2b7ef".into()),
                provider_status: "WaitingToConfirm".into(),
                status: ReportedStatus::Processing,
                amount: None,
                underpaid: false,
                received: None,
                charge_id: Some("20016".into()),
                refunded: None,
                extra_charges: vec![],
            }),
        })
    );
}

#[test]
fn casing_and_status_forms_do_not_matter() {
    let key = |body: &str| parse(body).map(|p| p.dedupe_key);
    let expected = Ok("tok:7".to_owned());
    assert_eq!(
        key(r#"{"Token":"tok","OrderId":"o","OrderStatus":7}"#),
        expected
    );
    assert_eq!(
        key(r#"{"token":"tok","orderId":"o","orderStatus":"7"}"#),
        expected
    );
    assert_eq!(key(r#"{"TOKEN":" tok ","ORDERSTATUS":"Paid"}"#), expected);
    let partial = parse(r#"{"Token":"tok","OrderStatus":"PartialPaid","PaymentId":"9"}"#).unwrap();
    let WebhookEvent::Payment(r) = partial.event else {
        panic!("a payment IPN")
    };
    assert_eq!(
        (r.status, r.underpaid, r.reference),
        (ReportedStatus::Paid, true, None)
    );
    assert_eq!(partial.dedupe_key, "tok:2");
    let odd = parse(r#"{"Token":"tok","OrderStatus":6}"#).unwrap();
    assert_eq!(odd.dedupe_key, "tok:6");
    let WebhookEvent::Payment(r) = odd.event else {
        panic!("a payment IPN")
    };
    assert_eq!(
        (r.status, r.provider_status.as_str()),
        (ReportedStatus::Unknown, "6")
    );
}

#[test]
fn unusable_ipns_are_refused() {
    assert_eq!(
        parse(r#"{"OrderStatus":7}"#),
        Err("IPN has no Token".into())
    );
    assert_eq!(
        parse(r#"{"Token":"t"}"#),
        Err("IPN has no OrderStatus".into())
    );
    assert_eq!(
        parse(r#"{"Token":"t","OrderStatus":true}"#),
        Err("unreadable IPN: orderstatus is neither a string nor a number".into())
    );
    assert!(parse("[1]").unwrap_err().starts_with("unreadable IPN"));
}

#[test]
fn answers() {
    let ack = |k| adapter().webhook_ack(k);
    let json = |status, body: &str| WebhookAck {
        status,
        content_type: "application/json",
        body: body.into(),
    };
    assert_eq!(ack(AckKind::Accepted), json(200, r#"{"success":true}"#));
    assert_eq!(
        ack(AckKind::Rejected),
        json(401, r#"{"success":false,"message":"Invalid signature"}"#)
    );
    assert_eq!(
        ack(AckKind::RetryLater),
        json(503, r#"{"success":false,"message":"Try again later"}"#)
    );
}
