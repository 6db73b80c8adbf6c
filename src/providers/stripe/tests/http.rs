//! The adapter over real HTTP against the scripted gateway: what it sends (Bearer key, pinned
//! version, Idempotency-Key on every POST, the expansion on reads) and what each answer becomes.

use super::super::{Stripe, ID};
use super::{account, checkout_request, query, REF, SECRET_KEY};
use crate::providers::test_gateway::Gateway;
use crate::providers::{
    CheckoutCreated, FailureKind, GatewayFailure, Outcome, ProviderAdapter, RefundRequest,
    RefundStatus, ReportedAmount, ReportedStatus,
};
use rust_decimal::Decimal;

fn adapter() -> Stripe {
    Stripe::new(reqwest::Client::new())
}

const CREATED: &str = r#"{"id":"cs_test_a1","object":"checkout.session","status":"open","payment_status":"unpaid","amount_total":2500,"currency":"sgd","client_reference_id":"att_01JD3ZK2Q4X8V9N6B5M7C1T0RA","url":"https://checkout.stripe.com/c/pay/cs_test_a1","payment_intent":null}"#;

const PAID: &str = r#"{"id":"cs_test_a1","object":"checkout.session","status":"complete","payment_status":"paid","amount_total":2500,"currency":"sgd","client_reference_id":"att_01JD3ZK2Q4X8V9N6B5M7C1T0RA","url":null,"payment_intent":{"id":"pi_1","object":"payment_intent","status":"succeeded","latest_charge":{"id":"ch_1","object":"charge","status":"succeeded","amount":2500,"amount_refunded":700,"refunded":false,"currency":"sgd","payment_intent":"pi_1"}}}"#;

fn refund_req() -> RefundRequest {
    RefundRequest {
        reference: "rfd_1".into(),
        payment_external_id: "cs_test_a1".into(),
        payment_charge_id: None,
        amount: Decimal::new(500, 2),
        currency: "SGD".into(),
        reason: None,
    }
}

#[actix_web::test]
async fn create_posts_the_form_with_stripes_headers_and_reads_the_session() {
    let gw = Gateway::start(ID, &[(200, CREATED)]).await;
    let out = adapter().create_checkout(&account(&gw.base), &checkout_request(REF)).await;
    assert_eq!(
        out,
        Outcome::Pending(CheckoutCreated {
            external_id: Some("cs_test_a1".into()),
            checkout_url: "https://checkout.stripe.com/c/pay/cs_test_a1".into(),
            provider_status: "open".into(),
        })
    );
    let post = &gw.seen()[0];
    assert_eq!((post.method.as_str(), post.path.as_str()), ("POST", "/stripe/v1/checkout/sessions"));
    assert_eq!(post.header("authorization"), format!("Bearer {SECRET_KEY}"));
    assert_eq!(post.header("idempotency-key"), REF);
    assert_eq!(post.header("stripe-version"), "2024-06-20");
    assert_eq!(post.header("content-type"), "application/x-www-form-urlencoded");
    assert!(post.body_text().starts_with("mode=payment&client_reference_id="));
    gw.stop().await;
}

#[actix_web::test]
async fn create_outcomes_by_answer() {
    let gw = Gateway::start(ID, &[
        (500, r#"{"error":{"type":"api_error","message":"boom"}}"#),
        (401, r#"{"error":{"type":"invalid_request_error","message":"Invalid API Key provided: sk_test_****0001"}}"#),
        (400, r#"{"error":{"type":"invalid_request_error","code":"parameter_invalid_integer","message":"Invalid integer","param":"expires_at"}}"#),
        (400, r#"{"error":{"type":"idempotency_error","message":"Keys for idempotent requests can only be used with the same parameters they were first used with."}}"#),
        (200, "<html>oops"),
        (200, &CREATED.replace("2500", "250")),
    ])
    .await;
    let (acc, req, a) = (account(&gw.base), checkout_request(REF), adapter());
    let kinds = [
        ("unknown", FailureKind::Refused),
        ("not_sent", FailureKind::CredentialsRefused),
        ("not_sent", FailureKind::Refused),
        ("unknown", FailureKind::Refused),
        ("unknown", FailureKind::BadAnswer),
        ("unknown", FailureKind::BadAnswer),
    ];
    for expected in kinds {
        let got = match a.create_checkout(&acc, &req).await {
            Outcome::NotSent(f) => ("not_sent", f.kind),
            Outcome::Unknown(f) => ("unknown", f.kind),
            other => panic!("{other:?}"),
        };
        assert_eq!(got, expected);
    }
    gw.stop().await;
}

#[actix_web::test]
async fn a_closed_port_is_not_sent_and_bad_credentials_never_leave() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}/stripe", listener.local_addr().unwrap());
    drop(listener);
    let out = adapter().create_checkout(&account(&base), &checkout_request(REF)).await;
    assert!(matches!(out, Outcome::NotSent(GatewayFailure { kind: FailureKind::Connect, .. })), "{out:?}");
    let mut acc = account(&base);
    acc.credentials = serde_json::json!({ "secret_key": "pk_test_1", "webhook_secret": "whsec_1" });
    let out = adapter().create_checkout(&acc, &checkout_request(REF)).await;
    assert!(matches!(out, Outcome::NotSent(GatewayFailure { kind: FailureKind::Unsendable, .. })), "{out:?}");
}

#[actix_web::test]
async fn query_expands_the_intent_and_reads_paid_with_the_refunded_total() {
    let gw = Gateway::start(ID, &[(200, PAID), (404, r#"{"error":{"type":"invalid_request_error","code":"resource_missing","message":"No such checkout.session"}}"#)]).await;
    let acc = account(&gw.base);
    let report = match adapter().query(&acc, &query(Some("cs_test_a1"))).await {
        Outcome::Succeeded(r) => r,
        other => panic!("{other:?}"),
    };
    assert_eq!((report.status, report.provider_status.as_str()), (ReportedStatus::Paid, "complete/paid"));
    assert_eq!(report.charge_id.as_deref(), Some("pi_1"));
    assert_eq!(
        report.refunded,
        Some(ReportedAmount { value: Decimal::new(700, 2), currency: "SGD".into() })
    );
    let seen = &gw.seen()[0];
    assert_eq!((seen.method.as_str(), seen.path.as_str()), ("GET", "/stripe/v1/checkout/sessions/cs_test_a1"));
    assert_eq!(seen.query, "expand%5B%5D=payment_intent.latest_charge");
    assert_eq!(seen.header("idempotency-key"), "", "no key on a GET");
    assert!(matches!(adapter().query(&acc, &query(Some("cs_test_a1"))).await, Outcome::Declined(_)));
    assert!(matches!(adapter().query(&acc, &query(None)).await, Outcome::Declined(_)));
    gw.stop().await;
}

#[actix_web::test]
async fn a_refund_finds_the_intent_posts_with_its_key_and_reads_the_refund() {
    let refund = r#"{"id":"re_1","object":"refund","amount":500,"currency":"sgd","status":"pending","payment_intent":"pi_1","metadata":{"payrail_refund":"rfd_1"}}"#;
    let gw = Gateway::start(ID, &[(200, PAID), (200, refund)]).await;
    let out = adapter().refund(&account(&gw.base), &refund_req()).await;
    match out {
        Outcome::Pending(r) => {
            assert_eq!((r.status, r.external_id.as_deref()), (RefundStatus::Pending, Some("re_1")));
            assert_eq!(r.reference.as_deref(), Some("rfd_1"));
        }
        other => panic!("{other:?}"),
    }
    let post = &gw.seen()[1];
    assert_eq!((post.method.as_str(), post.path.as_str()), ("POST", "/stripe/v1/refunds"));
    assert_eq!(post.header("idempotency-key"), "rfd_1");
    assert_eq!(post.body_text(), "payment_intent=pi_1&amount=500&metadata%5Bpayrail_refund%5D=rfd_1");
    gw.stop().await;
}

#[actix_web::test]
async fn a_refund_beyond_what_is_left_is_declined_and_an_unpaid_session_has_nothing_to_refund() {
    let too_much = r#"{"error":{"type":"invalid_request_error","code":"amount_too_large","message":"Refund amount is greater than unrefunded amount","param":"amount"}}"#;
    let gw = Gateway::start(ID, &[(400, too_much), (200, CREATED)]).await;
    let mut req = refund_req();
    req.payment_charge_id = Some("pi_1".into());
    assert!(matches!(adapter().refund(&account(&gw.base), &req).await, Outcome::Declined(_)));
    assert!(matches!(adapter().refund(&account(&gw.base), &refund_req()).await, Outcome::Declined(_)));
    assert_eq!(gw.seen().len(), 2, "no refund is posted for an unpaid session");
    gw.stop().await;
}

#[actix_web::test]
async fn cancel_expires_the_session_and_an_expired_one_is_already_done() {
    let expired = CREATED.replace(r#""status":"open""#, r#""status":"expired""#);
    let refused = r#"{"error":{"type":"invalid_request_error","message":"Only Checkout Sessions with a status in [\"open\"] can be expired."}}"#;
    let complete = PAID;
    let gw = Gateway::start(ID, &[(200, &expired), (400, refused), (200, &expired), (400, refused), (200, complete)]).await;
    let acc = account(&gw.base);
    let q = query(Some("cs_test_a1"));
    assert_eq!(adapter().cancel(&acc, &q).await, Outcome::Succeeded(()));
    let post = &gw.seen()[0];
    assert_eq!(post.path, "/stripe/v1/checkout/sessions/cs_test_a1/expire");
    assert_eq!(post.header("idempotency-key"), format!("{REF}:expire"));
    assert_eq!(adapter().cancel(&acc, &q).await, Outcome::Succeeded(()), "already expired");
    assert!(matches!(adapter().cancel(&acc, &q).await, Outcome::Declined(_)), "paid");
    assert_eq!(adapter().cancel(&acc, &query(None)).await, Outcome::Succeeded(()));
    gw.stop().await;
}

#[actix_web::test]
async fn query_refund_reads_by_stripes_id_only() {
    let refund = r#"{"id":"re_1","object":"refund","amount":500,"currency":"sgd","status":"succeeded","payment_intent":"pi_1","metadata":{"payrail_refund":"rfd_1"}}"#;
    let gw = Gateway::start(ID, &[(200, refund)]).await;
    let acc = account(&gw.base);
    match adapter().query_refund(&acc, "rfd_1", Some("re_1")).await {
        Outcome::Succeeded(r) => assert_eq!(r.status, RefundStatus::Completed),
        other => panic!("{other:?}"),
    }
    assert_eq!(gw.seen()[0].path, "/stripe/v1/refunds/re_1");
    assert!(matches!(adapter().query_refund(&acc, "rfd_1", None).await, Outcome::Declined(_)));
    gw.stop().await;
}

#[test]
fn the_return_names_the_session_only_when_it_looks_like_one() {
    let q = |v: &str| vec![("t".to_owned(), "tok".to_owned()), ("session_id".to_owned(), v.to_owned())];
    assert_eq!(adapter().parse_return(&q("cs_test_a1")).external_id.as_deref(), Some("cs_test_a1"));
    assert_eq!(adapter().parse_return(&q("{CHECKOUT_SESSION_ID}")).external_id, None);
    assert_eq!(adapter().parse_return(&q("pi_1")).external_id, None);
}
