//! The adapter over real HTTP against the shared scripted gateway (`test_gateway`): what it
//! sends, and how each kind of answer is classified (500 → Unknown, closed port → NotSent, auth
//! refused → NotSent, validation → Declined).

use super::super::PakhiPay;
use super::{account, checkout_request, query, CALLBACK, KEY, REF};
use crate::providers::test_gateway::Gateway;
use crate::providers::{
    CheckoutCreated, GatewayReport, Outcome, ProviderAdapter, ReportedStatus,
};
use crate::providers::{FailureKind, GatewayFailure};

fn adapter() -> PakhiPay {
    PakhiPay::new(reqwest::Client::new())
}

const CREATED: &str = r#"{"status":1,"payment_url":"https://pakhipay.com/checkout/PP123"}"#;

#[actix_web::test]
async fn create_sends_the_documented_request_and_reads_the_link() {
    let gw = Gateway::start(crate::providers::pakhipay::ID, &[(200, CREATED)]).await;
    let out = adapter()
        .create_checkout(&account(&gw.base), &checkout_request())
        .await;
    assert_eq!(
        out,
        Outcome::Pending(CheckoutCreated {
            external_id: None,
            checkout_url: "https://pakhipay.com/checkout/PP123".into(),
            provider_status: "pending".into(),
        })
    );
    let seen = gw.seen();
    assert_eq!(seen.len(), 1);
    let post = &seen[0];
    assert_eq!(post.method, "POST");
    assert_eq!(post.path, "/pakhipay/api/request/payment/create/");
    assert_eq!(post.header("api-key"), KEY);
    assert_eq!(post.header("content-type"), "application/json");
    assert_eq!(post.header("accept"), "application/json");
    assert_eq!(
        post.body_text(),
        format!(
            r#"{{"cus_name":"John Doe","cus_email":"john@example.com","amount":100.00,"success_url":"https://payrail.example/checkout/pay_1/return?t=abc","cancel_url":"https://payrail.example/checkout/pay_1/return?t=abc&intent=cancel","order_id":"{REF}","callback_url":"{CALLBACK}"}}"#
        )
    );
    gw.stop().await;
}

#[actix_web::test]
async fn create_on_http_500_is_unknown() {
    let gw = Gateway::start(
        crate::providers::pakhipay::ID,
        &[(500, r#"{"status":0,"message":"Server Error"}"#)],
    )
    .await;
    let out = adapter()
        .create_checkout(&account(&gw.base), &checkout_request())
        .await;
    assert_eq!(
        out,
        Outcome::Unknown(GatewayFailure::refused("HTTP 500 from Pakhi Pay"))
    );
    gw.stop().await;
}

#[actix_web::test]
async fn create_on_a_closed_port_is_not_sent() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let base = format!("http://127.0.0.1:{port}/pakhipay");
    let out = adapter()
        .create_checkout(&account(&base), &checkout_request())
        .await;
    assert!(
        matches!(&out, Outcome::NotSent(m) if m.kind == FailureKind::Connect && m.reason.starts_with("could not connect")),
        "{out:?}"
    );
}

#[actix_web::test]
async fn create_refusals_auth_and_validation() {
    let gw = Gateway::start(
        crate::providers::pakhipay::ID,
        &[
            (401, r#"{"status":0,"message":"Invalid API key"}"#),
            (200, r#"{"status":0,"message":"Invalid API Key"}"#),
            (200, r#"{"status":0,"message":"cus_email is required"}"#),
            (200, "<html>garbage"),
            (200, r#"{"status":1}"#),
        ],
    )
    .await;
    let (a, acc, req) = (adapter(), account(&gw.base), checkout_request());
    assert_eq!(
        a.create_checkout(&acc, &req).await,
        Outcome::NotSent(GatewayFailure::credentials_refused(
            "refused before processing: HTTP 401 from Pakhi Pay: Invalid API key"
        ))
    );
    assert_eq!(
        a.create_checkout(&acc, &req).await,
        Outcome::NotSent(GatewayFailure::refused(
            "refused before processing: Invalid API Key"
        ))
    );
    assert_eq!(
        a.create_checkout(&acc, &req).await,
        Outcome::Declined("cus_email is required".into())
    );
    assert_eq!(
        a.create_checkout(&acc, &req).await,
        Outcome::Unknown(GatewayFailure::bad_answer(
            "unreadable answer from Pakhi Pay (HTTP 200)"
        ))
    );
    assert_eq!(
        a.create_checkout(&acc, &req).await,
        Outcome::Unknown(GatewayFailure::bad_answer("answer has no payment_url"))
    );
    assert_eq!(gw.seen().len(), 5);
    gw.stop().await;
}

#[actix_web::test]
async fn nothing_is_sent_without_usable_credentials_or_customer() {
    let gw = Gateway::start(crate::providers::pakhipay::ID, &[(200, CREATED)]).await;
    let mut acc = account(&gw.base);
    acc.credentials = serde_json::json!({ "api_key": "" });
    assert_eq!(
        adapter().create_checkout(&acc, &checkout_request()).await,
        Outcome::NotSent(GatewayFailure::unsendable(
            "Pakhi Pay credentials: api_key must not be empty"
        ))
    );
    let mut req = checkout_request();
    req.customer.name = None;
    assert_eq!(
        adapter().create_checkout(&account(&gw.base), &req).await,
        Outcome::NotSent(GatewayFailure::unsendable(
            "Pakhi Pay needs the customer's name (cus_name)"
        ))
    );
    assert!(gw.seen().is_empty());
    gw.stop().await;
}

fn report(word: &str, status: ReportedStatus) -> GatewayReport {
    GatewayReport {
        reference: None,
        external_id: None,
        provider_status: word.into(),
        status,
        amount: None,
        underpaid: false,
        received: None,
        charge_id: Some("TRX123456789".into()),
        refunded: None,
        extra_charges: vec![],
    }
}

#[actix_web::test]
async fn query_is_verify_with_the_transaction_id_and_amount() {
    let gw = Gateway::start(
        crate::providers::pakhipay::ID,
        &[
            (200, r#"{"status":1,"message":"completed"}"#),
            (200, r#"{"status":1,"message":"pending"}"#),
            (200, r#"{"status":0,"message":"Invalid transaction"}"#),
            (200, r#"{"status":0,"message":"Amount mismatch"}"#),
            (200, r#"{"status":1,"message":"refunded-ish"}"#),
            (503, ""),
        ],
    )
    .await;
    let (a, acc, q) = (adapter(), account(&gw.base), query(Some("TRX123456789")));
    assert_eq!(
        a.query(&acc, &q).await,
        Outcome::Succeeded(report("completed", ReportedStatus::Paid))
    );
    assert_eq!(
        a.query(&acc, &q).await,
        Outcome::Pending(report("pending", ReportedStatus::Pending))
    );
    assert_eq!(
        a.query(&acc, &q).await,
        Outcome::Declined("Invalid transaction".into())
    );
    assert_eq!(
        a.query(&acc, &q).await,
        Outcome::Declined("Amount mismatch".into())
    );
    assert_eq!(
        a.query(&acc, &q).await,
        Outcome::Pending(report("refunded-ish", ReportedStatus::Unknown))
    );
    assert_eq!(
        a.query(&acc, &q).await,
        Outcome::Unknown(GatewayFailure::refused("HTTP 503 from Pakhi Pay"))
    );
    let seen = gw.seen();
    assert_eq!(seen.len(), 6);
    assert_eq!(seen[0].path, "/pakhipay/api/request/payment/verify/");
    assert_eq!(seen[0].header("api-key"), KEY);
    assert_eq!(
        seen[0].body_text(),
        r#"{"transaction_id":"TRX123456789","amount":100.00}"#
    );
    gw.stop().await;
}

#[actix_web::test]
async fn query_without_a_transaction_id_asks_nothing() {
    let gw = Gateway::start(crate::providers::pakhipay::ID, &[]).await;
    let a = adapter();
    for q in [query(None), query(Some(""))] {
        assert_eq!(
            a.query(&account(&gw.base), &q).await,
            Outcome::Declined("no transaction id yet".into())
        );
    }
    assert!(gw.seen().is_empty());
    gw.stop().await;
}

#[actix_web::test]
async fn refund_and_cancel_do_not_exist() {
    let gw = Gateway::start(crate::providers::pakhipay::ID, &[]).await;
    let (a, acc) = (adapter(), account(&gw.base));
    let refund = crate::providers::RefundRequest {
        reference: "rfd_1".into(),
        payment_external_id: REF.into(),
        payment_charge_id: Some("TRX1".into()),
        amount: rust_decimal::Decimal::ONE,
        currency: "BDT".into(),
        reason: None,
    };
    let no_refund = Outcome::Declined("Pakhi Pay has no refund API".into());
    assert_eq!(a.refund(&acc, &refund).await, no_refund);
    assert_eq!(a.query_refund(&acc, "rfd_1", None).await, no_refund);
    assert_eq!(
        a.cancel(&acc, &query(Some("TRX1"))).await,
        Outcome::Declined("Pakhi Pay has no cancel API".into())
    );
    assert!(gw.seen().is_empty());
    gw.stop().await;
}
