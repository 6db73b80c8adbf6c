//! The adapter over real HTTP against the scripted gateway: what it sends, and how every kind of
//! answer is classified (HTTP 500 → Unknown, closed port → NotSent, auth refused → NotSent,
//! validation → Declined, not found → Declined).

use super::super::HitPay;
use super::{account, checkout_request, query, REF};
use crate::providers::test_gateway::Gateway;
use crate::providers::{
    CheckoutCreated, GatewayReport, Outcome, ProviderAdapter, RefundReport,
    RefundRequest, RefundStatus, ReportedAmount, ReportedStatus,
};
use crate::providers::{FailureKind, GatewayFailure};
use rust_decimal::Decimal;

fn adapter() -> HitPay {
    HitPay::new(reqwest::Client::new())
}

const CREATED: &str = r#"{"id":"9ef6957e-0001","name":"Tan Ah Kow","amount":"25.00","currency":"sgd","status":"pending","reference_number":"att_01JD3ZK2Q4X8V9N6B5M7C1T0RA","url":"https://securecheckout.sandbox.hit-pay.com/payment-request/@shop/9ef6957e-0001/checkout","payments":[],"created_at":"2025-05-21T16:57:25"}"#;

#[actix_web::test]
async fn create_sends_the_form_with_hitpay_headers_and_reads_the_checkout() {
    let gw = Gateway::start(crate::providers::hitpay::ID, &[(200, CREATED)]).await;
    let out = adapter()
        .create_checkout(&account(&gw.base), &checkout_request(REF))
        .await;
    assert_eq!(
        out,
        Outcome::Pending(CheckoutCreated {
            external_id: Some("9ef6957e-0001".into()),
            checkout_url: "https://securecheckout.sandbox.hit-pay.com/payment-request/@shop/9ef6957e-0001/checkout".into(),
            provider_status: "pending".into(),
        })
    );
    let seen = gw.seen();
    assert_eq!(seen.len(), 1);
    let post = &seen[0];
    assert_eq!(
        (post.method.as_str(), post.path.as_str()),
        ("POST", "/hitpay/v1/payment-requests")
    );
    assert_eq!(post.header("x-business-api-key"), super::API_KEY);
    assert_eq!(post.header("x-requested-with"), "XMLHttpRequest");
    assert_eq!(
        post.header("content-type"),
        "application/x-www-form-urlencoded"
    );
    assert!(post
        .body_text()
        .starts_with("amount=25.00&currency=SGD&reference_number=att_01JD3ZK2Q4X8V9N6B5M7C1T0RA&"));
    gw.stop().await;
}

#[actix_web::test]
async fn create_outcomes_by_answer() {
    let gw = Gateway::start(crate::providers::hitpay::ID, &[
        (500, r#"{"message":"Server Error"}"#),
        (401, r#"{"message":"Unauthenticated."}"#),
        (422, r#"{"message":"The currency field is required.","errors":{"currency":["The currency field is required."]}}"#),
        (200, "<html>oops"),
        (200, &CREATED.replace("25.00", "2.50")),
    ])
    .await;
    let (acc, req, a) = (account(&gw.base), checkout_request(REF), adapter());
    assert_eq!(
        a.create_checkout(&acc, &req).await,
        Outcome::Unknown(GatewayFailure::refused(
            "Server Error (HTTP 500 from HitPay)"
        ))
    );
    assert_eq!(
        a.create_checkout(&acc, &req).await,
        Outcome::NotSent(GatewayFailure::credentials_refused(
            "refused before processing: Unauthenticated. (HTTP 401 from HitPay)"
        ))
    );
    assert_eq!(
        a.create_checkout(&acc, &req).await,
        Outcome::Declined("The currency field is required. (HTTP 422 from HitPay)".into())
    );
    assert!(
        matches!(a.create_checkout(&acc, &req).await, Outcome::Unknown(m) if m.reason.starts_with("unreadable answer"))
    );
    assert_eq!(
        a.create_checkout(&acc, &req).await,
        Outcome::Unknown(GatewayFailure::bad_answer(
            "payment request is for 2.50 SGD, not 25.00 SGD"
        ))
    );
    gw.stop().await;
}

#[actix_web::test]
async fn a_closed_port_is_not_sent() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let out = adapter()
        .create_checkout(
            &account(&format!("http://127.0.0.1:{port}/hitpay")),
            &checkout_request(REF),
        )
        .await;
    assert!(
        matches!(&out, Outcome::NotSent(m) if m.kind == FailureKind::Connect && m.reason.starts_with("could not connect")),
        "{out:?}"
    );
}

#[actix_web::test]
async fn query_reads_the_request_and_its_payments() {
    let paid = r#"{"id":"req-1","status":"completed","amount":"25.00","currency":"sgd","reference_number":"att_01JD3ZK2Q4X8V9N6B5M7C1T0RA","payments":[{"id":"pay-9","status":"succeeded","amount":"25.00","currency":"sgd"}]}"#;
    let other = r#"{"id":"req-1","status":"completed","reference_number":"att_OTHER"}"#;
    let missing =
        r#"{"message":"No query results for model [App\\Business\\PaymentRequest] req-1"}"#;
    let gw = Gateway::start(
        crate::providers::hitpay::ID,
        &[(200, paid), (200, other), (404, missing)],
    )
    .await;
    let (acc, a) = (account(&gw.base), adapter());
    assert_eq!(
        a.query(&acc, &query(Some("req-1"))).await,
        Outcome::Succeeded(GatewayReport {
            reference: Some(REF.into()),
            external_id: Some("req-1".into()),
            provider_status: "completed".into(),
            status: ReportedStatus::Paid,
            amount: Some(ReportedAmount {
                value: Decimal::new(2500, 2),
                currency: "SGD".into()
            }),
            underpaid: false,
            received: None,
            charge_id: Some("pay-9".into()),
            refunded: None,
            extra_charges: vec![],
        })
    );
    assert_eq!(
        a.query(&acc, &query(Some("req-1"))).await,
        Outcome::Unknown(GatewayFailure::bad_answer(format!(
            "answer is about reference att_OTHER, not {REF}"
        )))
    );
    assert!(
        matches!(a.query(&acc, &query(Some("req-1"))).await, Outcome::Declined(m) if m.starts_with("not found: No query results"))
    );
    assert!(
        matches!(a.query(&acc, &query(None)).await, Outcome::Declined(m) if m.starts_with("no HitPay request id known"))
    );
    let seen = gw.seen();
    assert_eq!(seen.len(), 3, "no call without a request id");
    assert_eq!(
        (seen[0].method.as_str(), seen[0].path.as_str()),
        ("GET", "/hitpay/v1/payment-requests/req-1")
    );
    assert_eq!(seen[0].header("content-type"), "");
    gw.stop().await;
}

#[actix_web::test]
async fn cancel_deletes_and_a_completed_request_is_declined() {
    let gw = Gateway::start(
        crate::providers::hitpay::ID,
        &[
            (200, r#"{"success":true}"#),
            (
                400,
                r#"{"message":"A completed payment request cannot be deleted."}"#,
            ),
            (200, r#"{"success":false}"#),
        ],
    )
    .await;
    let (acc, a) = (account(&gw.base), adapter());
    assert_eq!(
        a.cancel(&acc, &query(Some("req-1"))).await,
        Outcome::Succeeded(())
    );
    assert_eq!(
        a.cancel(&acc, &query(Some("req-1"))).await,
        Outcome::Declined(
            "A completed payment request cannot be deleted. (HTTP 400 from HitPay)".into()
        )
    );
    assert!(matches!(
        a.cancel(&acc, &query(Some("req-1"))).await,
        Outcome::Unknown(_)
    ));
    assert_eq!(a.cancel(&acc, &query(None)).await, Outcome::Succeeded(()));
    let seen = gw.seen();
    assert_eq!(seen.len(), 3);
    assert_eq!(
        (seen[0].method.as_str(), seen[0].path.as_str()),
        ("DELETE", "/hitpay/v1/payment-requests/req-1")
    );
    gw.stop().await;
}

#[actix_web::test]
async fn refund_by_the_payment_id_found_on_the_request_when_unknown() {
    let paid = r#"{"id":"req-1","status":"completed","amount":"25.00","currency":"sgd","payments":[{"id":"pay-9","status":"succeeded","amount":"25.00","currency":"sgd"}]}"#;
    let refunded = r#"{"id":"rf-1","refunded_by":"QA SG","payment_id":"pay-9","amount_refunded":10,"total_amount":25,"currency":"sgd","status":"succeeded"}"#;
    let gw = Gateway::start(
        crate::providers::hitpay::ID,
        &[(200, paid), (200, refunded), (200, refunded)],
    )
    .await;
    let (acc, a) = (account(&gw.base), adapter());
    let mut req = RefundRequest {
        reference: "rfd_1".into(),
        payment_external_id: "req-1".into(),
        payment_charge_id: None,
        amount: Decimal::new(1000, 2),
        currency: "SGD".into(),
        reason: None,
    };
    let done = Outcome::Succeeded(RefundReport {
        reference: Some("rfd_1".into()),
        external_id: Some("rf-1".into()),
        provider_status: "succeeded".into(),
        status: RefundStatus::Completed,
        payment_external_id: None,
        amount: None,
    });
    assert_eq!(a.refund(&acc, &req).await, done);
    let seen = gw.seen();
    assert_eq!(seen[0].path, "/hitpay/v1/payment-requests/req-1");
    assert_eq!(
        (seen[1].path.as_str(), seen[1].body_text()),
        ("/hitpay/v1/refund", "amount=10.00&payment_id=pay-9")
    );
    req.payment_charge_id = Some("pay-9".into());
    assert_eq!(a.refund(&acc, &req).await, done);
    assert_eq!(gw.seen().len(), 3, "a known charge id needs no lookup");
    gw.stop().await;
}
