//! Every status value (number, numeric string, name, unknown) and every HTTP answer class.

use super::super::mapping::{
    map_status, payment_outcome, provider_status, read_answer, refusal, Failure, OrderStatus,
};
use super::super::wire::{Envelope, WireStatus};
use crate::providers::http_call::GatewayResponse;
use crate::providers::{FailureKind, GatewayFailure};
use crate::providers::{Outcome, ReportedStatus};

fn mapped(text: &str) -> (ReportedStatus, bool) {
    map_status(OrderStatus::from_wire(&WireStatus::read(text)))
}

#[test]
fn every_status_number() {
    use ReportedStatus::*;
    let expected = [
        ("0", (Pending, false), "Initialize"),
        ("1", (Pending, false), "Pending"),
        ("2", (Paid, true), "PartialPaid"),
        ("3", (Processing, false), "WaitingToConfirm"),
        ("4", (Expired, false), "Timeout"),
        ("5", (Cancelled, false), "UserCanceled"),
        ("6", (Unknown, false), "6"),
        ("7", (Paid, false), "Paid"),
        ("8", (Paid, false), "Approve"),
        ("9", (Failed, false), "Reject"),
    ];
    for (code, mapping, name) in expected {
        assert_eq!(mapped(code), mapping, "{code}");
        assert_eq!(provider_status(&WireStatus::read(code)), name, "{code}");
    }
}

#[test]
fn every_status_name_case_insensitively() {
    use ReportedStatus::*;
    for (name, mapping) in [
        ("Initialize", (Pending, false)),
        ("pending", (Pending, false)),
        ("PARTIALPAID", (Paid, true)),
        ("WaitingToConfirm", (Processing, false)),
        ("Timeout", (Expired, false)),
        ("UserCanceled", (Cancelled, false)),
        ("Paid", (Paid, false)),
        ("approve", (Paid, false)),
        ("Reject", (Failed, false)),
    ] {
        assert_eq!(mapped(name), mapping, "{name}");
    }
}

#[test]
fn unknown_values_are_never_paid() {
    for unknown in [
        "10",
        "-1",
        "6",
        "Approved",
        "PAID_OUT",
        "",
        "UserCancelled",
        "7.0",
        "99999999999999999999",
    ] {
        assert_eq!(
            mapped(unknown),
            (ReportedStatus::Unknown, false),
            "{unknown:?}"
        );
    }
    assert_eq!(provider_status(&WireStatus::read("Approved")), "Approved");
    assert_eq!(provider_status(&WireStatus::read("10")), "10");
}

#[test]
fn final_statuses_succeed_moving_ones_and_partial_payments_stay_pending() {
    use ReportedStatus::*;
    for s in [Paid, Failed, Expired, Cancelled] {
        assert_eq!(payment_outcome(s, false, 1), Outcome::Succeeded(1), "{s:?}");
    }
    for s in [Pending, Processing, Unknown] {
        assert_eq!(payment_outcome(s, false, 1), Outcome::Pending(1), "{s:?}");
    }
    assert_eq!(payment_outcome(Paid, true, 1), Outcome::Pending(1));
}

fn answer(status: u16, body: &str) -> Result<Envelope, Failure> {
    read_answer(&GatewayResponse {
        status,
        body: bytes::Bytes::from(body.to_owned()),
        retry_after: None,
    })
}

#[test]
fn http_answers_are_classified() {
    let ok = answer(200, r#"{"success":true,"message":"","body":"t"}"#).unwrap();
    assert!(ok.success);
    assert!(
        matches!(answer(200, "<html>oops"), Err(Failure::Unknown(m)) if m.kind == FailureKind::BadAnswer && m.reason.starts_with("unreadable answer from Paymento"))
    );
    assert_eq!(
        answer(
            400,
            r#"{"success":false,"message":"API_KEY_MISSING","body":null}"#
        )
        .unwrap_err(),
        Failure::NotSent(GatewayFailure::refused(
            "refused before processing: HTTP 400 API_KEY_MISSING from Paymento"
        ))
    );
    assert_eq!(
        answer(400, "API_KEY_MISSING").unwrap_err(),
        Failure::NotSent(GatewayFailure::refused(
            "refused before processing: HTTP 400 API_KEY_MISSING from Paymento"
        ))
    );
    assert_eq!(
        answer(
            400,
            r#"{"success":false,"message":"Invalid fiat currency","body":null}"#
        )
        .unwrap_err(),
        Failure::Declined("HTTP 400 from Paymento: Invalid fiat currency".into())
    );
    assert_eq!(
        answer(400, r#"{"error":"Invalid request"}"#).unwrap_err(),
        Failure::Declined("HTTP 400 from Paymento: Invalid request".into())
    );
    assert_eq!(
        answer(
            401,
            r#"{"success":false,"message":"Invalid API key","body":null}"#
        )
        .unwrap_err(),
        Failure::NotSent(GatewayFailure::credentials_refused(
            "refused before processing: HTTP 401 from Paymento: Invalid API key"
        ))
    );
    assert_eq!(
        answer(403, "").unwrap_err(),
        Failure::NotSent(GatewayFailure::credentials_refused(
            "refused before processing: HTTP 403 from Paymento: (empty body)"
        ))
    );
    assert!(matches!(
        answer(404, "no route").unwrap_err(),
        Failure::NotSent(_)
    ));
    assert!(matches!(
        answer(429, "slow down").unwrap_err(),
        Failure::NotSent(_)
    ));
    for status in [500, 502, 503, 504, 302, 409, 422] {
        assert_eq!(
            answer(status, "{}").unwrap_err(),
            Failure::Unknown(GatewayFailure::status(
                status,
                format!("HTTP {status} from Paymento")
            )),
            "{status}"
        );
    }
}

#[test]
fn a_readable_refusal_is_declined_with_the_gateways_words() {
    let env = |b: &str| Envelope::parse(b.as_bytes()).unwrap();
    assert_eq!(
        refusal(&env(
            r#"{"success":false,"message":"Only HTTPS URLs are allowed. Provided scheme: http","body":null}"#
        )),
        Failure::Declined("Only HTTPS URLs are allowed. Provided scheme: http".into())
    );
    assert_eq!(
        refusal(&env(
            r#"{"success":false,"message":"","error":"Invalid request"}"#
        )),
        Failure::Declined("Invalid request".into())
    );
    assert_eq!(
        refusal(&env(r#"{"Success":"false"}"#)),
        Failure::Declined("Paymento answered success:false without a message".into())
    );
}
