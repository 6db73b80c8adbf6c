//! Status words and errors (R9, R10): every word of each vocabulary, and how each error answer
//! becomes Declined / NotSent / Unknown.

use super::super::mapping::{classify, intent_status, refund_status, session_status, Call};
use crate::providers::http_call::GatewayResponse;
use crate::providers::{FailureKind, RefundStatus as R, ReportedStatus as S};
use crate::providers::failure::Failure;

#[test]
fn session_words() {
    let cases = [
        ("open", "unpaid", None, S::Pending),
        ("complete", "paid", None, S::Paid),
        ("expired", "paid", None, S::Paid),
        ("expired", "unpaid", None, S::Expired),
        ("complete", "unpaid", None, S::Processing),
        ("complete", "unpaid", Some("processing"), S::Processing),
        ("complete", "unpaid", Some("requires_payment_method"), S::Failed),
        ("complete", "unpaid", Some("canceled"), S::Failed),
        ("complete", "unpaid", Some("succeeded"), S::Paid),
        ("complete", "unpaid", Some("new_word"), S::Unknown),
        ("complete", "no_payment_required", None, S::Unknown),
        ("mystery", "unpaid", None, S::Unknown),
    ];
    for (status, paid, intent, expected) in cases {
        assert_eq!(session_status(status, paid, intent), expected, "{status}/{paid}/{intent:?}");
    }
    assert_eq!(intent_status("requires_action"), S::Processing);
}

#[test]
fn refund_words() {
    for (word, expected) in [
        ("succeeded", R::Completed),
        ("pending", R::Pending),
        ("requires_action", R::Pending),
        ("failed", R::Failed),
        ("canceled", R::Failed),
        ("reversed", R::Unknown),
    ] {
        assert_eq!(refund_status(word), expected, "{word}");
    }
}

fn answer(status: u16, body: &str, call: Call) -> Failure {
    let resp = GatewayResponse {
        status,
        body: bytes::Bytes::copy_from_slice(body.as_bytes()),
        retry_after: None,
    };
    classify(&resp, call).unwrap_err()
}

fn error(kind: &str, code: &str) -> String {
    format!(r#"{{"error":{{"type":"{kind}","code":"{code}","message":"m","param":"amount"}}}}"#)
}

fn kind_of(f: &Failure) -> (&'static str, FailureKind) {
    match f {
        Failure::Declined(_) => ("declined", FailureKind::Refused),
        Failure::NotSent(g) => ("not_sent", g.kind),
        Failure::Unknown(g) => ("unknown", g.kind),
    }
}

#[test]
fn errors_by_status_type_and_call() {
    let invalid = error("invalid_request_error", "parameter_invalid_integer");
    let cases = [
        (400, invalid.as_str(), Call::Create, ("not_sent", FailureKind::Refused)),
        (400, invalid.as_str(), Call::Refund, ("declined", FailureKind::Refused)),
        (400, invalid.as_str(), Call::Expire, ("declined", FailureKind::Refused)),
        (401, r#"{"error":{"type":"invalid_request_error","message":"Invalid API Key provided"}}"#, Call::Create, ("not_sent", FailureKind::CredentialsRefused)),
        (403, "", Call::Read, ("not_sent", FailureKind::CredentialsRefused)),
        (402, &error("card_error", "card_declined"), Call::Refund, ("declined", FailureKind::Refused)),
        (404, &error("invalid_request_error", "resource_missing"), Call::Read, ("declined", FailureKind::Refused)),
        (404, "<html>nginx</html>", Call::Read, ("not_sent", FailureKind::Refused)),
        (409, &error("idempotency_error", "idempotency_key_in_use"), Call::Create, ("unknown", FailureKind::Refused)),
        (409, &error("invalid_request_error", "lock_timeout"), Call::Refund, ("unknown", FailureKind::Refused)),
        (429, &error("invalid_request_error", "rate_limit"), Call::Create, ("not_sent", FailureKind::RateLimited)),
        (500, &error("api_error", ""), Call::Create, ("unknown", FailureKind::Refused)),
        (503, &error("card_error", "card_declined"), Call::Create, ("unknown", FailureKind::Refused)),
        (424, "", Call::Create, ("unknown", FailureKind::Refused)),
    ];
    for (status, body, call, expected) in cases {
        assert_eq!(kind_of(&answer(status, body, call)), expected, "{status} {body} {call:?}");
    }
}

#[test]
fn an_idempotency_error_is_unknown_whatever_the_call_and_says_so() {
    let body = error("idempotency_error", "");
    for call in [Call::Create, Call::Refund, Call::Expire] {
        let f = answer(400, &body, call);
        assert_eq!(kind_of(&f).0, "unknown", "{call:?}");
        assert!(f.reason().contains("idempotency_error"), "{}", f.reason());
    }
}

#[test]
fn the_reason_quotes_stripes_message_type_code_and_param() {
    let f = answer(400, &error("invalid_request_error", "amount_too_small"), Call::Create);
    assert_eq!(
        f.reason(),
        "m [invalid_request_error/amount_too_small] (param amount) (HTTP 400 from Stripe)"
    );
    assert_eq!(answer(500, "", Call::Read).reason(), "HTTP 500 from Stripe");
}
