//! The adapter over real HTTP against the shared scripted gateway (`test_gateway`): what it
//! sends, and how each kind of answer (or silence) is classified.

use super::super::signing::sign;
use super::super::HimoSoft;
use super::SECRET;
use super::{account, checkout_request, query, API_KEY, REF};
use crate::providers::test_gateway::{Gateway, Seen};
use crate::providers::{
    CheckoutCreated, GatewayReport, Outcome, ProviderAdapter, ReportedAmount,
    ReportedStatus,
};
use crate::providers::{FailureKind, GatewayFailure};
use rust_decimal::Decimal;

/// The signature HimoSoft would expect of a request the scripted gateway saw.
trait ExpectedSignature {
    fn expected_signature(&self) -> String;
}

impl ExpectedSignature for Seen {
    /// What HimoSoft would expect: hex HMAC of the sent timestamp ‖ the sent body.
    fn expected_signature(&self) -> String {
        sign(SECRET, self.header("x-timestamp"), &self.body)
    }
}

fn adapter() -> HimoSoft {
    HimoSoft::new(reqwest::Client::new())
}

fn bdt(minor: i64) -> Decimal {
    Decimal::new(minor, 2)
}

const CREATED: &str = r#"{"id":"pay_9k2l1","status":"pending","amount":"1500.00","checkout_url":"https://pay.devlab.himelrana.com/checkout/9k2l1"}"#;

#[actix_web::test]
async fn create_sends_the_signed_body_and_reads_the_checkout() {
    let gw = Gateway::start(crate::providers::himosoft::ID, &[(200, CREATED)]).await;
    let out = adapter()
        .create_checkout(&account(&gw.base), &checkout_request(REF, bdt(150_000)))
        .await;
    assert_eq!(
        out,
        Outcome::Pending(CheckoutCreated {
            external_id: Some("pay_9k2l1".into()),
            checkout_url: "https://pay.devlab.himelrana.com/checkout/9k2l1".into(),
            provider_status: "pending".into(),
        })
    );
    let seen = gw.seen();
    assert_eq!(seen.len(), 1);
    let post = &seen[0];
    assert_eq!(
        (post.method.as_str(), post.path.as_str()),
        ("POST", "/himosoft/v1/payments/")
    );
    assert_eq!(post.header("content-type"), "application/json");
    assert_eq!(post.header("x-api-key"), API_KEY);
    let ts: i64 = post.header("x-timestamp").parse().unwrap();
    assert!((chrono::Utc::now().timestamp() - ts).abs() < 60);
    assert_eq!(post.header("x-hmac-signature"), post.expected_signature());
    assert_eq!(post.header("x-hmac-signature").len(), 64);
    let body: serde_json::Value = serde_json::from_slice(&post.body).unwrap();
    assert_eq!(body["amount"], "1500.00");
    assert_eq!(body["order_id"], REF);
    assert_eq!(body["idempotency_key"], REF);
    gw.stop().await;
}

#[actix_web::test]
async fn create_error_classification() {
    let gw = Gateway::start(crate::providers::himosoft::ID, &[
        (500, r#"{"error":"server_error"}"#),
        (401, r#"{"error":"invalid_signature","message":"HMAC validation failed. Check credentials."}"#),
        (400, r#"{"error":"invalid_request","message":"Missing parameters or malformed payload."}"#),
        (200, "<html>oops</html>"),
        (200, r#"{"id":"pay_1","status":"pending","amount":"15.00","checkout_url":"https://x.example/c/1"}"#),
        (201, r#"{"id":"pay_1","status":"pending"}"#),
    ])
    .await;
    let (a, acc, req) = (
        adapter(),
        account(&gw.base),
        checkout_request(REF, bdt(150_000)),
    );
    assert_eq!(
        a.create_checkout(&acc, &req).await,
        Outcome::Unknown(GatewayFailure::refused("HTTP 500 from HimoSoft"))
    );
    assert_eq!(
        a.create_checkout(&acc, &req).await,
        Outcome::NotSent(GatewayFailure::credentials_refused("refused before processing: HMAC validation failed. Check credentials. (HimoSoft invalid_signature, HTTP 401)"))
    );
    assert_eq!(
        a.create_checkout(&acc, &req).await,
        Outcome::Declined(
            "Missing parameters or malformed payload. (HimoSoft invalid_request, HTTP 400)".into()
        )
    );
    assert!(
        matches!(a.create_checkout(&acc, &req).await, Outcome::Unknown(m) if m.reason.starts_with("unreadable answer"))
    );
    assert_eq!(
        a.create_checkout(&acc, &req).await,
        Outcome::Unknown(GatewayFailure::bad_answer(
            "payment pay_1 is held for 15.00, not 1500.00"
        ))
    );
    assert_eq!(
        a.create_checkout(&acc, &req).await,
        Outcome::Unknown(GatewayFailure::bad_answer("answer has no checkout_url"))
    );
    gw.stop().await;
}

#[actix_web::test]
async fn create_on_a_closed_port_is_not_sent() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let out = adapter()
        .create_checkout(
            &account(&format!("http://127.0.0.1:{port}/himosoft")),
            &checkout_request(REF, bdt(150_000)),
        )
        .await;
    assert!(
        matches!(&out, Outcome::NotSent(m) if m.kind == FailureKind::Connect && m.reason.starts_with("could not connect")),
        "{out:?}"
    );
}

#[actix_web::test]
async fn nothing_is_sent_with_bad_credentials_or_no_payment_id() {
    let gw = Gateway::start(crate::providers::himosoft::ID, &[]).await;
    let mut acc = account(&gw.base);
    acc.credentials["secret"] = "".into();
    assert_eq!(
        adapter()
            .create_checkout(&acc, &checkout_request(REF, bdt(100)))
            .await,
        Outcome::NotSent(GatewayFailure::unsendable(
            "HimoSoft credentials: secret must not be empty"
        ))
    );
    let out = adapter().query(&account(&gw.base), &query(None)).await;
    assert!(matches!(out, Outcome::Declined(m) if m.starts_with("no HimoSoft payment id")));
    let out = adapter()
        .query(&account(&gw.base), &query(Some("../x")))
        .await;
    assert_eq!(
        out,
        Outcome::Declined("\"../x\" is not a HimoSoft payment id".into())
    );
    assert!(gw.seen().is_empty());
    gw.stop().await;
}

fn report(
    status: &str,
    mapped: ReportedStatus,
    amount: Option<i64>,
    charge: Option<&str>,
) -> GatewayReport {
    GatewayReport {
        reference: Some(REF.into()),
        external_id: Some("pay_1".into()),
        provider_status: status.into(),
        status: mapped,
        amount: amount.map(|m| ReportedAmount {
            value: bdt(m),
            currency: "BDT".into(),
        }),
        underpaid: false,
        received: None,
        charge_id: charge.map(Into::into),
        refunded: None,
        extra_charges: vec![],
    }
}

#[actix_web::test]
async fn query_is_a_signed_get_of_recheck() {
    let paid = r#"{"id":"pay_1","status":"completed","reconciled":true,"external_id":"tr_bkash_9281","recheck_time":"2026-05-18T10:46:00Z","amount":"750.00","currency":"BDT"}"#;
    let gw = Gateway::start(
        crate::providers::himosoft::ID,
        &[
            (200, paid),
            (200, r#"{"id":"pay_1","status":"pending","amount":1500}"#),
        ],
    )
    .await;
    let (a, acc) = (adapter(), account(&gw.base));
    assert_eq!(
        a.query(&acc, &query(Some("pay_1"))).await,
        Outcome::Succeeded(report(
            "completed",
            ReportedStatus::Paid,
            Some(75_000),
            Some("tr_bkash_9281")
        ))
    );
    assert_eq!(
        a.query(&acc, &query(Some("pay_1"))).await,
        Outcome::Pending(report(
            "pending",
            ReportedStatus::Pending,
            Some(150_000),
            None
        ))
    );
    let seen = gw.seen();
    assert_eq!(
        (seen[0].method.as_str(), seen[0].path.as_str()),
        ("GET", "/himosoft/v1/payments/pay_1/recheck/")
    );
    assert!(seen[0].body.is_empty());
    assert_eq!(seen[0].header("content-type"), "");
    assert!(seen
        .iter()
        .all(|s| s.header("x-hmac-signature") == s.expected_signature()));
    gw.stop().await;
}

#[actix_web::test]
async fn a_failed_recheck_falls_back_to_verify_and_a_bare_completed_reads_the_amount() {
    let verify = r#"{"id":"pay_1","status":"completed","external_id":"ch_3O2","verification_time":"2026-05-04T01:40:00Z"}"#;
    let retrieve = r#"{"id":"pay_1","status":"completed","amount":"1500.00","currency":"BDT","created_at":"2026-05-03T19:30:00Z"}"#;
    let gw = Gateway::start(
        crate::providers::himosoft::ID,
        &[(502, ""), (200, verify), (200, retrieve)],
    )
    .await;
    let out = adapter()
        .query(&account(&gw.base), &query(Some("pay_1")))
        .await;
    assert_eq!(
        out,
        Outcome::Succeeded(report(
            "completed",
            ReportedStatus::Paid,
            Some(150_000),
            Some("ch_3O2")
        ))
    );
    let paths: Vec<String> = gw.seen().into_iter().map(|s| s.path).collect();
    assert_eq!(
        paths,
        [
            "/himosoft/v1/payments/pay_1/recheck/",
            "/himosoft/v1/payments/pay_1/verify/",
            "/himosoft/v1/payments/pay_1/"
        ]
    );
    gw.stop().await;

    // Both failing: the recheck's failure is what the caller learns.
    let gw = Gateway::start(crate::providers::himosoft::ID, &[(500, ""), (500, "")]).await;
    let out = adapter()
        .query(&account(&gw.base), &query(Some("pay_1")))
        .await;
    assert_eq!(
        out,
        Outcome::Unknown(GatewayFailure::refused("HTTP 500 from HimoSoft"))
    );
    gw.stop().await;
}

#[actix_web::test]
async fn query_refuses_answers_that_do_not_add_up() {
    let gw = Gateway::start(
        crate::providers::himosoft::ID,
        &[
            (
                404,
                r#"{"error":"not_found","message":"Transaction not found."}"#,
            ),
            (200, r#"{"id":"pay_2","status":"completed"}"#),
            (
                200,
                r#"{"id":"pay_1","status":"completed","order_id":"att_other"}"#,
            ),
            (200, r#"{"id":"pay_1"}"#),
            (200, r#"{"id":"pay_1","status":"weird","amount":"1,500"}"#),
        ],
    )
    .await;
    let (a, acc) = (adapter(), account(&gw.base));
    let q = query(Some("pay_1"));
    assert_eq!(
        a.query(&acc, &q).await,
        Outcome::Declined(
            "not found: Transaction not found. (HimoSoft not_found, HTTP 404)".into()
        )
    );
    assert_eq!(
        a.query(&acc, &q).await,
        Outcome::Unknown(GatewayFailure::bad_answer(
            "answer is about payment pay_2, not pay_1"
        ))
    );
    assert_eq!(
        a.query(&acc, &q).await,
        Outcome::Unknown(GatewayFailure::bad_answer(format!(
            "payment pay_1 belongs to order att_other, not {REF}"
        )))
    );
    assert_eq!(
        a.query(&acc, &q).await,
        Outcome::Unknown(GatewayFailure::bad_answer("answer has no status"))
    );
    assert_eq!(
        a.query(&acc, &q).await,
        Outcome::Unknown(GatewayFailure::bad_answer(
            "amount \"1,500\" is not a plain decimal"
        ))
    );
    assert_eq!(
        gw.seen().len(),
        5,
        "a Declined or readable recheck asks nothing else"
    );
    gw.stop().await;
}
