//! Status words, business codes, HTTP statuses and reports.

use super::super::mapping::{
    classify_code, payment_outcome, payment_status, read_envelope, refund_status, Failure, Op,
    Verdict,
};
use super::super::report::{checkout_created, order_data, payment_report, refund_data};
use crate::providers::http_call::{GatewayResponse, HttpFailure};
use crate::providers::GatewayFailure;
use crate::providers::{Outcome, RefundStatus, ReportedAmount, ReportedStatus};
use rust_decimal::Decimal;
use serde_json::json;
use std::str::FromStr;

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

#[test]
fn every_payment_status_word() {
    assert_eq!(payment_status("INIT"), ReportedStatus::Pending);
    assert_eq!(payment_status("PROCESSING"), ReportedStatus::Processing);
    assert_eq!(payment_status("SUCCEEDED"), ReportedStatus::Paid);
    assert_eq!(payment_status("FAILED"), ReportedStatus::Failed);
    assert_eq!(payment_status("CLOSED"), ReportedStatus::Expired);
    for unknown in ["PAID", "succeeded", "SUCCESS", "", "REFUNDED"] {
        assert_eq!(
            payment_status(unknown),
            ReportedStatus::Unknown,
            "{unknown}"
        );
    }
}

#[test]
fn every_refund_status_word() {
    assert_eq!(refund_status("PROCESSING"), RefundStatus::Pending);
    assert_eq!(refund_status("SUCCEEDED"), RefundStatus::Completed);
    assert_eq!(refund_status("FAILED"), RefundStatus::Failed);
    assert_eq!(refund_status("CLOSED"), RefundStatus::Failed);
    assert_eq!(refund_status("INIT"), RefundStatus::Unknown);
    assert_eq!(refund_status("DONE"), RefundStatus::Unknown);
}

#[test]
fn final_statuses_succeed_moving_ones_stay_pending() {
    use ReportedStatus::*;
    for s in [Paid, Failed, Expired, Cancelled] {
        assert_eq!(payment_outcome(s, 1), Outcome::Succeeded(1), "{s:?}");
    }
    for s in [Pending, Processing, Unknown] {
        assert_eq!(payment_outcome(s, 1), Outcome::Pending(1), "{s:?}");
    }
}

#[test]
fn business_codes() {
    let declined = |m: &str| Verdict::Fail(Failure::Declined(m.into()));
    assert_eq!(
        classify_code("00000", "Success", Op::CreateOrder),
        Verdict::Ok
    );
    assert_eq!(
        classify_code("10006", "Currency not supported", Op::CreateOrder),
        declined("Currency not supported (PayStableCoin code 10006)")
    );
    assert_eq!(
        classify_code("20001", "", Op::CreateOrder),
        Verdict::AlreadyExists
    );
    assert_eq!(
        classify_code("20001", "", Op::CreateRefund),
        Verdict::AlreadyExists
    );
    assert_eq!(
        classify_code("20001", "", Op::QueryOrder),
        declined("PayStableCoin code 20001")
    );
    assert_eq!(
        classify_code("20002", "Order already paid", Op::CreateRefund),
        declined("Order already paid (PayStableCoin code 20002)")
    );
    assert_eq!(
        classify_code("40001", "Order not found", Op::QueryOrder),
        declined("not found: Order not found (PayStableCoin code 40001)")
    );
    assert_eq!(
        classify_code("50001", "Invalid signature", Op::CreateOrder),
        Verdict::Fail(Failure::NotSent(GatewayFailure::refused(
            "refused before processing: Invalid signature (PayStableCoin code 50001)"
        )))
    );
    for code in ["99999", "30001", "60000"] {
        assert_eq!(
            classify_code(code, "", Op::CreateOrder),
            Verdict::Fail(Failure::Unknown(GatewayFailure::refused(format!(
                "PayStableCoin code {code}"
            )))),
        );
    }
    for code in ["0", "000000", "ABCDE", ""] {
        assert!(matches!(
            classify_code(code, "", Op::CreateOrder),
            Verdict::Fail(Failure::Unknown(_))
        ));
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
fn http_statuses_and_envelopes() {
    let ok = read_envelope(&answer(
        200,
        r#"{"code":"00000","msg":"OK","data":{},"x":1}"#,
    ))
    .unwrap();
    assert_eq!((ok.code.as_str(), ok.text()), ("00000", "OK"));
    let numeric = read_envelope(&answer(200, r#"{"code":20001,"message":"dup"}"#)).unwrap();
    assert_eq!((numeric.code.as_str(), numeric.text()), ("20001", "dup"));
    for s in [401, 403, 404, 429] {
        assert_eq!(
            read_envelope(&answer(s, "")).unwrap_err(),
            HttpFailure::NotSent(GatewayFailure::status(
                s,
                format!("HTTP {s} from PayStableCoin")
            ))
        );
    }
    for s in [500, 502, 503, 504, 201, 302, 400, 409] {
        assert_eq!(
            read_envelope(&answer(s, r#"{"code":"00000"}"#)).unwrap_err(),
            HttpFailure::Unknown(GatewayFailure::status(
                s,
                format!("HTTP {s} from PayStableCoin")
            ))
        );
    }
    for garbage in ["", "<html>", r#"{"message":"no code"}"#, r#"{"code":null}"#] {
        assert!(matches!(
            read_envelope(&answer(200, garbage)),
            Err(HttpFailure::Unknown(_))
        ));
    }
}

#[test]
fn order_report_with_amounts_and_underpayment() {
    let data = |paid: &str, status: &str| {
        order_data(Some(json!({
            "merchantOrderId": "ORDER_1737554400000", "acquiringOrderId": "ORD_1",
            "status": status, "orderAmount": {"value": "99.99", "currency": "USD"},
            "cryptoPaymentAmount": {"value": "99.99", "currency": "USDT"},
            "cryptoPaidAmount": {"value": paid, "currency": "USDT"}
        })))
        .unwrap()
    };
    let report = payment_report(data("99.99", "SUCCEEDED")).unwrap();
    assert_eq!(report.reference.as_deref(), Some("ORDER_1737554400000"));
    assert_eq!(report.external_id.as_deref(), Some("ORD_1"));
    assert_eq!(report.provider_status, "SUCCEEDED");
    assert_eq!(report.status, ReportedStatus::Paid);
    assert_eq!(
        report.amount,
        Some(ReportedAmount {
            value: dec("99.99"),
            currency: "USD".into()
        })
    );
    assert!(!report.underpaid);
    assert_eq!(report.received, None);
    // What arrived of an underpaid order, in its own currency, rounded down.
    let short = payment_report(data("33.33", "SUCCEEDED")).unwrap();
    assert!(short.underpaid);
    assert_eq!(
        short.received,
        Some(ReportedAmount {
            value: dec("33.33"),
            currency: "USD".into()
        })
    );
    let crumbs = payment_report(data("0.005", "SUCCEEDED")).unwrap();
    assert_eq!(crumbs.received.map(|r| r.value), Some(dec("0.00")));
    assert!(
        payment_report(data("50.00", "PROCESSING"))
            .unwrap()
            .underpaid
    );
    assert!(payment_report(data("0", "SUCCEEDED")).unwrap().underpaid);
    assert!(!payment_report(data("0", "INIT")).unwrap().underpaid);
    assert!(
        !payment_report(data("100.00", "SUCCEEDED"))
            .unwrap()
            .underpaid
    );
    assert!(payment_report(data("1e2", "SUCCEEDED")).is_err());
    assert!(payment_report(data("-1", "SUCCEEDED")).is_err());
    assert!(
        payment_report(order_data(Some(json!({"acquiringOrderId": "ORD_1"}))).unwrap()).is_err()
    );
    assert!(order_data(None).is_err());
}

#[test]
fn checkout_must_match_reference_amount_and_have_a_url() {
    let data = |v: serde_json::Value| order_data(Some(v)).unwrap();
    let made = checkout_created(
        data(json!({"checkoutUrl": "https://pay.example/c/ORD_1", "acquiringOrderId": "ORD_1"})),
        "ORDER_1737554400000",
        dec("99.99"),
        "USD",
    )
    .unwrap();
    assert_eq!(made.external_id.as_deref(), Some("ORD_1"));
    assert_eq!(made.checkout_url, "https://pay.example/c/ORD_1");
    assert_eq!(made.provider_status, "INIT");
    let check = |v| checkout_created(data(v), "ORDER_1737554400000", dec("99.99"), "USD");
    assert!(check(json!({"acquiringOrderId": "ORD_1"})).is_err());
    assert!(check(json!({"checkoutUrl": "javascript:alert(1)"})).is_err());
    assert!(
        check(json!({"checkoutUrl": "https://x/c", "merchantOrderId": "ORDER_OTHER_000000"}))
            .is_err()
    );
    assert!(check(
        json!({"checkoutUrl": "https://x/c", "orderAmount": {"value": "9.99", "currency": "USD"}})
    )
    .is_err());
    assert!(check(
        json!({"checkoutUrl": "https://x/c", "orderAmount": {"value": "99.990", "currency": "USD"}})
    )
    .is_ok());
}

#[test]
fn refund_data_picks_our_refund_from_object_or_list() {
    let ours = "REFUND_1737554400000";
    let one = refund_data(
        Some(json!({"merchantRefundOrderId": ours, "status": "SUCCEEDED"})),
        ours,
    );
    assert_eq!(one.unwrap().status.as_deref(), Some("SUCCEEDED"));
    let list = refund_data(
        Some(
            json!([{"merchantRefundOrderId": "REFUND_OTHER_00000000", "status": "FAILED"},
                    {"merchantRefundOrderId": ours, "status": "PROCESSING"}]),
        ),
        ours,
    );
    assert_eq!(list.unwrap().status.as_deref(), Some("PROCESSING"));
    assert!(refund_data(
        Some(json!({"merchantRefundOrderId": "REFUND_OTHER_00000000"})),
        ours
    )
    .is_err());
    assert!(refund_data(Some(json!([])), ours).is_err());
    assert!(refund_data(None, ours).is_err());
}
