//! Status words and the classification of answers into the five outcomes.

use super::super::mapping::Failure;
use super::super::mapping::{created, payment_outcome, payment_status, read_envelope, verified};
use crate::providers::http_call::GatewayResponse;
use crate::providers::GatewayFailure;
use crate::providers::{Outcome, ReportedStatus};

#[test]
fn every_status_word_and_unknown_ones() {
    let cases = [
        ("completed", ReportedStatus::Paid),
        ("pending", ReportedStatus::Pending),
        ("processing", ReportedStatus::Processing),
        ("failed", ReportedStatus::Failed),
        ("cancelled", ReportedStatus::Cancelled),
        ("canceled", ReportedStatus::Cancelled),
        ("expired", ReportedStatus::Expired),
        ("Completed", ReportedStatus::Unknown),
        ("COMPLETED", ReportedStatus::Unknown),
        ("success", ReportedStatus::Unknown),
        ("paid", ReportedStatus::Unknown),
        ("", ReportedStatus::Unknown),
    ];
    for (word, expected) in cases {
        assert_eq!(payment_status(word), expected, "{word:?}");
    }
    assert_eq!(
        payment_outcome(ReportedStatus::Paid, 1),
        Outcome::Succeeded(1)
    );
    assert_eq!(
        payment_outcome(ReportedStatus::Failed, 1),
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

fn create_answer(status: u16, body: &str) -> Result<String, Failure> {
    read_envelope(&resp(status, body)).and_then(created)
}

fn verify_answer(status: u16, body: &str) -> Result<(String, ReportedStatus), Failure> {
    read_envelope(&resp(status, body)).and_then(verified)
}

#[test]
fn create_answers() {
    assert_eq!(
        create_answer(
            200,
            r#"{"status":1,"payment_url":"https://pakhipay.com/pay/x"}"#
        ),
        Ok("https://pakhipay.com/pay/x".into())
    );
    assert_eq!(
        create_answer(
            200,
            r#"{"status":"1","payment_url":"http://h/p","extra":[1]}"#
        ),
        Ok("http://h/p".into())
    );
    assert_eq!(
        create_answer(200, r#"{"status":0,"message":"cus_email is required"}"#),
        Err(Failure::Declined("cus_email is required".into()))
    );
    assert_eq!(
        create_answer(200, r#"{"status":0}"#),
        Err(Failure::Declined("Pakhi Pay answered status 0".into()))
    );
    assert_eq!(
        create_answer(200, r#"{"status":0,"message":"Invalid API Key"}"#),
        Err(Failure::NotSent(GatewayFailure::refused(
            "refused before processing: Invalid API Key"
        )))
    );
    assert_eq!(
        create_answer(200, r#"{"status":1}"#),
        Err(Failure::Unknown(GatewayFailure::bad_answer(
            "answer has no payment_url"
        )))
    );
    assert_eq!(
        create_answer(200, r#"{"status":1,"payment_url":"javascript:alert(1)"}"#),
        Err(Failure::Unknown(GatewayFailure::bad_answer(
            r#"payment_url "javascript:alert(1)" is not an http(s) URL"#
        )))
    );
    assert_eq!(
        create_answer(200, "<html>oops</html>"),
        Err(Failure::Unknown(GatewayFailure::bad_answer(
            "unreadable answer from Pakhi Pay (HTTP 200)"
        )))
    );
    assert_eq!(
        create_answer(200, r#"{"payment_url":"https://x"}"#),
        Err(Failure::Unknown(GatewayFailure::bad_answer(
            "unreadable answer from Pakhi Pay (HTTP 200)"
        )))
    );
}

#[test]
fn http_statuses() {
    assert_eq!(
        create_answer(401, r#"{"status":0,"message":"Invalid API key"}"#),
        Err(Failure::NotSent(GatewayFailure::credentials_refused(
            "refused before processing: HTTP 401 from Pakhi Pay: Invalid API key"
        )))
    );
    assert_eq!(
        create_answer(403, ""),
        Err(Failure::NotSent(GatewayFailure::credentials_refused(
            "refused before processing: HTTP 403 from Pakhi Pay"
        )))
    );
    assert_eq!(
        create_answer(429, ""),
        Err(Failure::NotSent(GatewayFailure::status(
            429,
            "HTTP 429 from Pakhi Pay"
        )))
    );
    assert_eq!(
        create_answer(400, r#"{"status":0,"message":"amount is required"}"#),
        Err(Failure::Declined("amount is required".into()))
    );
    assert_eq!(
        create_answer(422, "not json"),
        Err(Failure::Declined("HTTP 422 from Pakhi Pay".into()))
    );
    assert_eq!(
        create_answer(404, "<html>Not Found</html>"),
        Err(Failure::NotSent(GatewayFailure::refused(
            "HTTP 404 from Pakhi Pay"
        )))
    );
    assert_eq!(
        verify_answer(404, r#"{"status":0,"message":"Invalid transaction"}"#),
        Err(Failure::Declined("Invalid transaction".into()))
    );
    for status in [500, 502, 503, 504, 302] {
        assert_eq!(
            create_answer(status, r#"{"status":1,"payment_url":"https://x"}"#),
            Err(Failure::Unknown(GatewayFailure::status(
                status,
                format!("HTTP {status} from Pakhi Pay")
            )))
        );
    }
}

#[test]
fn verify_answers_follow_k3() {
    assert_eq!(
        verify_answer(200, r#"{"status":1,"message":"completed"}"#),
        Ok(("completed".into(), ReportedStatus::Paid))
    );
    assert_eq!(
        verify_answer(200, r#"{"status":1,"message":"pending"}"#),
        Ok(("pending".into(), ReportedStatus::Pending))
    );
    assert_eq!(
        verify_answer(200, r#"{"status":1,"message":"Payment OK"}"#),
        Ok(("Payment OK".into(), ReportedStatus::Unknown))
    );
    assert_eq!(
        verify_answer(200, r#"{"status":0,"message":"completed"}"#),
        Err(Failure::Declined("completed".into())),
        "status 0 is never paid, whatever the message"
    );
    assert_eq!(
        verify_answer(200, r#"{"status":0,"message":"Invalid transaction"}"#),
        Err(Failure::Declined("Invalid transaction".into()))
    );
    assert_eq!(
        verify_answer(200, r#"{"status":0,"message":"Amount mismatch"}"#),
        Err(Failure::Declined("Amount mismatch".into()))
    );
    assert_eq!(
        verify_answer(200, r#"{"status":1}"#),
        Err(Failure::Unknown(GatewayFailure::bad_answer(
            "verify answered status 1 without a message"
        )))
    );
    assert_eq!(
        verify_answer(200, r#"{"status":2,"message":"completed"}"#),
        Err(Failure::Declined("completed".into()))
    );
}
