//! Every status word of every vocabulary (unknown ones never paid), HTTP classification, amounts.

use super::super::mapping::{
    charge_status, classify, payment_outcome, refund_status, request_status, webhook_status,
    Failure,
};
use super::super::report::{amount, parse_decimal, request_report};
use super::super::wire::PaymentRequestObj;
use crate::providers::http_call::GatewayResponse;
use crate::providers::{FailureKind, GatewayFailure};
use crate::providers::{Outcome, RefundStatus, ReportedStatus as S};
use rust_decimal::Decimal;

#[test]
fn payment_request_words() {
    for (word, want) in [
        ("pending", S::Pending),
        ("completed", S::Paid),
        ("failed", S::Failed),
        ("expired", S::Expired),
        ("canceled", S::Cancelled),
        ("cancelled", S::Cancelled),
        ("inactive", S::Cancelled),
    ] {
        assert_eq!(request_status(word), want, "{word}");
    }
    for unknown in ["succeeded", "COMPLETED", "paid", "", "refunded"] {
        assert_eq!(request_status(unknown), S::Unknown, "{unknown}");
    }
}

#[test]
fn legacy_webhook_words() {
    assert_eq!(webhook_status("completed"), S::Paid);
    assert_eq!(webhook_status("failed"), S::Failed);
    assert_eq!(webhook_status("pending"), S::Pending);
    for unknown in ["succeeded", "Completed", "expired", ""] {
        assert_eq!(webhook_status(unknown), S::Unknown, "{unknown}");
    }
}

#[test]
fn charge_words() {
    for (word, want) in [
        ("pending", S::Pending),
        ("requires_payment_method", S::Pending),
        ("requires_customer_action", S::Processing),
        ("succeeded_manually", S::Paid),
        ("succeeded", S::Paid),
        ("failed", S::Failed),
        ("canceled", S::Cancelled),
        ("void", S::Cancelled),
        ("refunded", S::Refunded),
        ("partially_refunded", S::PartiallyRefunded),
    ] {
        assert_eq!(charge_status(word), want, "{word}");
    }
    for unknown in ["completed", "SUCCEEDED", "authorized", ""] {
        assert_eq!(charge_status(unknown), S::Unknown, "{unknown}");
    }
}

#[test]
fn refund_words_and_outcomes() {
    assert_eq!(refund_status("succeeded"), RefundStatus::Completed);
    assert_eq!(refund_status("pending"), RefundStatus::Pending);
    assert_eq!(refund_status("failed"), RefundStatus::Failed);
    assert_eq!(refund_status("done"), RefundStatus::Unknown);
    for s in [S::Paid, S::Failed, S::Expired, S::Cancelled, S::Refunded] {
        assert_eq!(payment_outcome(s, 1), Outcome::Succeeded(1), "{s:?}");
    }
    for s in [S::Pending, S::Processing, S::Unknown] {
        assert_eq!(payment_outcome(s, 1), Outcome::Pending(1), "{s:?}");
    }
}

fn answer(status: u16, body: &str) -> GatewayResponse {
    GatewayResponse {
        status,
        body: bytes::Bytes::copy_from_slice(body.as_bytes()),
        retry_after: None,
    }
}

#[test]
fn http_statuses() {
    let c = |s, b: &str| classify(&answer(s, b)).map(|b| b.to_vec());
    assert_eq!(c(200, "{}"), Ok(b"{}".to_vec()));
    assert_eq!(c(201, "{}"), Ok(b"{}".to_vec()));
    assert_eq!(
        c(401, r#"{"message":"Unauthenticated."}"#),
        Err(Failure::NotSent(GatewayFailure::credentials_refused(
            "refused before processing: Unauthenticated. (HTTP 401 from HitPay)"
        )))
    );
    assert!(matches!(c(403, ""), Err(Failure::NotSent(_))));
    assert!(matches!(c(429, ""), Err(Failure::NotSent(_))));
    assert!(matches!(c(405, ""), Err(Failure::NotSent(_))));
    assert_eq!(
        c(
            422,
            r#"{"message":"The currency field is required.","errors":{"currency":["The currency field is required."]}}"#
        ),
        Err(Failure::Declined(
            "The currency field is required. (HTTP 422 from HitPay)".into()
        ))
    );
    assert_eq!(
        c(422, r#"{"message":"The given data was invalid.","errors":{"amount":["amount must be between 0.3 and 999999999.99"]}}"#),
        Err(Failure::Declined("The given data was invalid. (amount must be between 0.3 and 999999999.99) (HTTP 422 from HitPay)".into()))
    );
    assert!(matches!(
        c(400, r#"{"message":"no"}"#),
        Err(Failure::Declined(_))
    ));
    assert_eq!(
        c(404, r#"{"message":"No query results for model [App\\Business\\PaymentRequest] abc"}"#),
        Err(Failure::Declined("not found: No query results for model [App\\Business\\PaymentRequest] abc (HTTP 404 from HitPay)".into()))
    );
    assert!(
        matches!(c(404, "<html>Not Found</html>"), Err(Failure::NotSent(m)) if m.kind == FailureKind::Refused && m.reason.starts_with("no such route"))
    );
    for s in [500, 502, 503, 504, 302, 409] {
        assert_eq!(
            c(s, "x"),
            Err(Failure::Unknown(GatewayFailure::status(
                s,
                format!("HTTP {s} from HitPay")
            ))),
            "{s}"
        );
    }
}

#[test]
fn amounts_from_strings_or_numbers_any_currency_case() {
    let a = amount(Some("599.00"), Some("SGD")).unwrap().unwrap();
    assert_eq!(
        (a.value, a.currency.as_str()),
        (Decimal::new(59900, 2), "SGD")
    );
    let b = amount(Some("10.00"), Some("sgd")).unwrap().unwrap();
    assert_eq!(b.currency, "SGD");
    assert_eq!(amount(None, None), Ok(None));
    assert!(amount(Some("1"), None).is_err());
    assert!(amount(Some("1"), Some("SG")).is_err());
    for bad in ["1e2", "-1", " 1", "1,000.00", "", "1."] {
        assert_eq!(parse_decimal(bad), None, "{bad}");
    }
    assert_eq!(parse_decimal("1.11"), Some(Decimal::new(111, 2)));
}

fn request_report_of(obj: PaymentRequestObj) -> Result<crate::providers::GatewayReport, String> {
    request_report(obj, None)
}

#[test]
fn request_report_speaks_for_the_settled_charge_and_lists_the_other_paid_ones() {
    let obj: PaymentRequestObj = serde_json::from_value(serde_json::json!({
        "id": "req-1", "status": "completed", "amount": "25.00", "currency": "sgd",
        "payments": [
            {"id": "p-1", "status": "succeeded", "amount": "25.00", "refunded_amount": "0.00", "currency": "sgd"},
            {"id": "p-2", "status": "partially_refunded", "amount": "25.00", "refunded_amount": "5.00", "currency": "sgd"},
            {"id": "p-3", "status": "failed", "amount": "25.00", "currency": "sgd"}
        ]
    }))
    .unwrap();
    let first = request_report(obj, Some("p-2")).unwrap();
    assert_eq!(first.charge_id.as_deref(), Some("p-2"));
    assert_eq!(first.extra_charges, vec!["p-1".to_string()]);
    let refunded = first.refunded.unwrap();
    assert_eq!(
        (refunded.value, refunded.currency.as_str()),
        (Decimal::new(500, 2), "SGD")
    );
    assert!(!first.underpaid);
}

#[test]
fn request_report_picks_the_paid_payment_and_sees_underpayment() {
    let obj = |payments: serde_json::Value| -> PaymentRequestObj {
        serde_json::from_value(serde_json::json!({
            "id": "req-1", "status": "completed", "amount": "25.00", "currency": "sgd",
            "reference_number": "att_1", "payments": payments, "extra": {"x": 1}
        }))
        .unwrap()
    };
    let full = request_report_of(obj(serde_json::json!([
        {"id": "p-failed", "status": "failed", "amount": "25.00", "currency": "sgd"},
        {"id": "p-ok", "status": "succeeded", "amount": "25.00", "currency": "sgd"}
    ])))
    .unwrap();
    assert_eq!(full.charge_id.as_deref(), Some("p-ok"));
    assert_eq!(full.amount.unwrap().value, Decimal::new(2500, 2));
    assert!(!full.underpaid);
    let short = request_report_of(obj(serde_json::json!([
        {"id": "p-half", "status": "succeeded", "amount": 12.5, "currency": "sgd"}
    ])))
    .unwrap();
    assert!(short.underpaid);
    // What the short charge took is what arrived; the request's amount stays what was asked.
    assert_eq!(
        short.received.map(|r| (r.value, r.currency)),
        Some((Decimal::new(125, 1), "SGD".to_string()))
    );
    assert_eq!(short.amount.unwrap().value, Decimal::new(2500, 2));
    assert_eq!(full.received, None);
    let none = request_report_of(obj(serde_json::json!([]))).unwrap();
    assert_eq!((none.charge_id, none.underpaid), (None, false));
    let refunded = request_report_of(obj(serde_json::json!([
        {"id": "p-r", "status": "refunded", "amount": "25.00", "currency": "sgd"}
    ])))
    .unwrap();
    assert_eq!(
        (refunded.charge_id.as_deref(), refunded.underpaid),
        (Some("p-r"), false)
    );
    let no_status: PaymentRequestObj =
        serde_json::from_value(serde_json::json!({"id": "r"})).unwrap();
    assert!(request_report_of(no_status).is_err());
}
