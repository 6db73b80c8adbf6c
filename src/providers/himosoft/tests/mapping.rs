//! The status words and the HTTP classification, case by case.

use super::super::mapping::{check_http, payment_outcome, payment_status, Failure, Op};
use crate::providers::http_call::GatewayResponse;
use crate::providers::GatewayFailure;
use crate::providers::{Outcome, ReportedStatus};

#[test]
fn every_status_word() {
    let cases = [
        ("pending", ReportedStatus::Pending),
        ("completed", ReportedStatus::Paid),
        ("COMPLETED", ReportedStatus::Paid),
        ("failed", ReportedStatus::Failed),
        ("cancelled", ReportedStatus::Cancelled),
        ("canceled", ReportedStatus::Cancelled),
        ("expired", ReportedStatus::Expired),
        ("processing", ReportedStatus::Unknown),
        ("paid", ReportedStatus::Unknown),
        ("success", ReportedStatus::Unknown),
        ("complete", ReportedStatus::Unknown),
        ("", ReportedStatus::Unknown),
    ];
    for (word, expected) in cases {
        assert_eq!(payment_status(word), expected, "{word:?}");
    }
}

#[test]
fn final_words_succeed_and_moving_ones_are_pending() {
    assert_eq!(
        payment_outcome(ReportedStatus::Paid, 1),
        Outcome::Succeeded(1)
    );
    assert_eq!(
        payment_outcome(ReportedStatus::Expired, 1),
        Outcome::Succeeded(1)
    );
    assert_eq!(
        payment_outcome(ReportedStatus::Pending, 1),
        Outcome::Pending(1)
    );
    assert_eq!(
        payment_outcome(ReportedStatus::Unknown, 1),
        Outcome::Pending(1)
    );
}

fn resp(status: u16, body: &str) -> GatewayResponse {
    GatewayResponse {
        status,
        body: bytes::Bytes::from(body.to_owned()),
        retry_after: None,
    }
}

#[test]
fn http_statuses() {
    let sig =
        r#"{"error":"invalid_signature","message":"HMAC validation failed. Check credentials."}"#;
    let bad = r#"{"error":"invalid_request","message":"Missing parameters or malformed payload."}"#;
    assert_eq!(check_http(&resp(200, "{}"), Op::Create), Ok(()));
    assert_eq!(check_http(&resp(201, "{}"), Op::Create), Ok(()));
    assert_eq!(
        check_http(&resp(400, bad), Op::Create),
        Err(Failure::Declined(
            "Missing parameters or malformed payload. (HimoSoft invalid_request, HTTP 400)".into()
        ))
    );
    assert_eq!(
        check_http(&resp(401, sig), Op::Query),
        Err(Failure::NotSent(GatewayFailure::credentials_refused("refused before processing: HMAC validation failed. Check credentials. (HimoSoft invalid_signature, HTTP 401)")))
    );
    assert_eq!(
        check_http(&resp(404, r#"{"error":"not_found"}"#), Op::Query),
        Err(Failure::Declined(
            "not found: HimoSoft not_found, HTTP 404".into()
        ))
    );
    assert_eq!(
        check_http(&resp(404, "<html>"), Op::Create),
        Err(Failure::NotSent(GatewayFailure::refused(
            "no create route at this base URL: HTTP 404 from HimoSoft"
        )))
    );
    assert!(matches!(
        check_http(&resp(403, ""), Op::Create),
        Err(Failure::NotSent(_))
    ));
    assert!(matches!(
        check_http(&resp(429, ""), Op::Query),
        Err(Failure::NotSent(_))
    ));
    for status in [500, 502, 503, 504, 301, 409] {
        assert_eq!(
            check_http(&resp(status, "{}"), Op::Create),
            Err(Failure::Unknown(GatewayFailure::status(
                status,
                format!("HTTP {status} from HimoSoft")
            )))
        );
    }
}
