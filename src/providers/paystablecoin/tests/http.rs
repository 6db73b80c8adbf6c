//! The adapter over real HTTP against the shared scripted gateway (`test_gateway`).

use super::super::signing::{body_hash_b64, sign, string_to_sign};
use super::super::PayStableCoin;
use super::SECRET;
use super::{account, checkout_request, refund_request};
use crate::providers::test_gateway::{Gateway, Seen};
use crate::providers::{
    CheckoutCreated, GatewayReport, Outcome, ProviderAdapter, RefundReport,
    RefundStatus, ReportedAmount, ReportedStatus,
};
use crate::providers::{FailureKind, GatewayFailure};
use rust_decimal::Decimal;

/// The signature PSC would expect of a request the scripted gateway saw.
trait ExpectedSignature {
    fn expected_signature(&self) -> String;
}

impl ExpectedSignature for Seen {
    /// Recomputes the signature PSC would expect over the gateway path (prefix stripped).
    fn expected_signature(&self) -> String {
        let path = self.path.strip_prefix("/paystablecoin").unwrap();
        let hash = if !self.body.is_empty() {
            Some(body_hash_b64(&self.body))
        } else if !self.query.is_empty() {
            Some(body_hash_b64(self.query.as_bytes()))
        } else {
            None
        };
        let ts = self.header("x-timestamp");
        sign(
            SECRET,
            string_to_sign(ts, &self.method, path, hash.as_deref()),
        )
    }
}

const REF: &str = "att_01JD3ZK2Q4X8V9N6B5M7C1T0RA";

fn adapter() -> PayStableCoin {
    PayStableCoin::new(reqwest::Client::new())
}

const CREATED: &str = r#"{"code":"00000","message":"Success","data":{"acquiringOrderId":"ORD_20260101_ABCDEF0123456789","merchantOrderId":"att_01JD3ZK2Q4X8V9N6B5M7C1T0RA","checkoutUrl":"https://checkout.example/c/ORD_20260101_ABCDEF0123456789","status":"INIT","orderAmount":{"value":"99.99","currency":"USD"}}}"#;

fn created() -> CheckoutCreated {
    CheckoutCreated {
        external_id: Some("ORD_20260101_ABCDEF0123456789".into()),
        checkout_url: "https://checkout.example/c/ORD_20260101_ABCDEF0123456789".into(),
        provider_status: "INIT".into(),
    }
}

#[actix_web::test]
async fn create_checkout_on_http_500_is_unknown() {
    let gw = Gateway::start(crate::providers::paystablecoin::ID, &[(500, r#"{"code":"99999"}"#)]).await;
    let out = adapter()
        .create_checkout(&account(&gw.base), &checkout_request(REF))
        .await;
    assert_eq!(
        out,
        Outcome::Unknown(GatewayFailure::refused("HTTP 500 from PayStableCoin"))
    );
    assert_eq!(gw.seen().len(), 1);
    gw.stop().await;
}

#[actix_web::test]
async fn create_checkout_on_closed_port_is_not_sent() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let base = format!("http://127.0.0.1:{port}/paystablecoin");
    let out = adapter()
        .create_checkout(&account(&base), &checkout_request(REF))
        .await;
    assert!(
        matches!(&out, Outcome::NotSent(m) if m.kind == FailureKind::Connect && m.reason.starts_with("could not connect")),
        "{out:?}"
    );
}

#[actix_web::test]
async fn create_checkout_sends_a_signed_request_and_reads_the_checkout() {
    let gw = Gateway::start(crate::providers::paystablecoin::ID, &[(200, CREATED)]).await;
    let out = adapter()
        .create_checkout(&account(&gw.base), &checkout_request(REF))
        .await;
    assert_eq!(out, Outcome::Pending(created()));
    let seen = gw.seen();
    assert_eq!(seen.len(), 1);
    let post = &seen[0];
    assert_eq!(post.method, "POST");
    assert_eq!(post.path, "/paystablecoin/api/v1/merchants/1000/orders");
    assert_eq!(post.header("x-api-key"), "PSTG6ELOB2YXKO4ZHRQ6NKTSBY");
    assert_eq!(post.header("content-type"), "application/json");
    let ts: i64 = post.header("x-timestamp").parse().unwrap();
    assert!((chrono::Utc::now().timestamp_millis() - ts).abs() < 60_000);
    assert_eq!(post.header("x-signature"), post.expected_signature());
    assert_eq!(
        std::str::from_utf8(&post.body).unwrap(),
        r#"{"merchantOrderId":"att_01JD3ZK2Q4X8V9N6B5M7C1T0RA","orderAmount":{"value":"99.99","currency":"USD"},"expiresAt":"2026-12-31T23:59:59Z","returnUrl":"https://yoursite.com/payment/success","callbackUrl":"https://yoursite.com/webhook/payment"}"#
    );
    gw.stop().await;
}

#[actix_web::test]
async fn duplicate_order_is_looked_up_and_its_checkout_returned() {
    let duplicate = r#"{"code":"20001","message":"Order already exists"}"#;
    let gw = Gateway::start(
        crate::providers::paystablecoin::ID,
        &[(200, duplicate), (200, CREATED)],
    )
    .await;
    let out = adapter()
        .create_checkout(&account(&gw.base), &checkout_request(REF))
        .await;
    assert_eq!(out, Outcome::Pending(created()));
    let seen = gw.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[1].method, "GET");
    assert_eq!(
        seen[1].path,
        format!("/paystablecoin/api/v1/merchants/1000/orders/{REF}")
    );
    assert_eq!(seen[1].header("x-signature"), seen[1].expected_signature());
    assert_eq!(seen[1].header("content-type"), "");
    gw.stop().await;

    let no_url = r#"{"code":"00000","data":{"merchantOrderId":"att_01JD3ZK2Q4X8V9N6B5M7C1T0RA","status":"INIT"}}"#;
    let gw = Gateway::start(
        crate::providers::paystablecoin::ID,
        &[(200, duplicate), (200, no_url)],
    )
    .await;
    let out = adapter()
        .create_checkout(&account(&gw.base), &checkout_request(REF))
        .await;
    assert_eq!(
        out,
        Outcome::Unknown(GatewayFailure::bad_answer(
            "order already exists but could not be read: answer has no checkoutUrl"
        ))
    );
    gw.stop().await;

    let gw = Gateway::start(crate::providers::paystablecoin::ID, &[(200, duplicate), (401, "")]).await;
    let out = adapter()
        .create_checkout(&account(&gw.base), &checkout_request(REF))
        .await;
    assert_eq!(
        out,
        Outcome::Unknown(GatewayFailure::credentials_refused(
            "order already exists but could not be read: HTTP 401 from PayStableCoin"
        ))
    );
    gw.stop().await;
}

#[actix_web::test]
async fn create_checkout_business_codes() {
    let gw = Gateway::start(
        crate::providers::paystablecoin::ID,
        &[
            (200, r#"{"code":"10006","msg":"Currency not supported"}"#),
            (200, r#"{"code":"50001","message":"Invalid signature"}"#),
            (200, r#"{"code":"00000","message":"Success"}"#),
            (200, "<html>bad gateway</html>"),
        ],
    )
    .await;
    let acc = account(&gw.base);
    let req = checkout_request(REF);
    let a = adapter();
    assert_eq!(
        a.create_checkout(&acc, &req).await,
        Outcome::Declined("Currency not supported (PayStableCoin code 10006)".into())
    );
    assert_eq!(
        a.create_checkout(&acc, &req).await,
        Outcome::NotSent(GatewayFailure::refused(
            "refused before processing: Invalid signature (PayStableCoin code 50001)"
        ))
    );
    assert_eq!(
        a.create_checkout(&acc, &req).await,
        Outcome::Unknown(GatewayFailure::bad_answer("answer has no data"))
    );
    assert!(matches!(
        a.create_checkout(&acc, &req).await,
        Outcome::Unknown(_)
    ));
    gw.stop().await;
}

#[actix_web::test]
async fn query_reports_the_order() {
    let paid = r#"{"code":"00000","data":{"acquiringOrderId":"ORD_1","merchantOrderId":"att_01JD3ZK2Q4X8V9N6B5M7C1T0RA","status":"SUCCEEDED","orderAmount":{"value":"99.99","currency":"USD"},"cryptoPaymentAmount":{"value":"99.99","currency":"USDT"},"cryptoPaidAmount":{"value":"90","currency":"USDT"},"somethingNew":true}}"#;
    let waiting = r#"{"code":"00000","data":{"merchantOrderId":"att_01JD3ZK2Q4X8V9N6B5M7C1T0RA","status":"INIT"}}"#;
    let other = r#"{"code":"00000","data":{"merchantOrderId":"att_01JD3ZK2Q4X8V9N6B5M7C1T0RB","status":"SUCCEEDED"}}"#;
    let missing = r#"{"code":"40001","message":"Order not found"}"#;
    let gw = Gateway::start(
        crate::providers::paystablecoin::ID,
        &[(200, paid), (200, waiting), (200, other), (200, missing)],
    )
    .await;
    let acc = account(&gw.base);
    let a = adapter();
    assert_eq!(
        a.query(&acc, &query(REF, Some("ORD_1"))).await,
        Outcome::Succeeded(GatewayReport {
            reference: Some(REF.into()),
            external_id: Some("ORD_1".into()),
            provider_status: "SUCCEEDED".into(),
            status: ReportedStatus::Paid,
            amount: Some(ReportedAmount {
                value: Decimal::new(9999, 2),
                currency: "USD".into()
            }),
            underpaid: true,
            // 99.99 asked, 90 of 99.99 USDT paid: 90.00 USD arrived.
            received: Some(ReportedAmount {
                value: Decimal::new(9000, 2),
                currency: "USD".into()
            }),
            charge_id: None,
            refunded: None,
            extra_charges: vec![],
        })
    );
    assert_eq!(
        a.query(&acc, &query(REF, None)).await,
        Outcome::Pending(GatewayReport {
            reference: Some(REF.into()),
            external_id: None,
            provider_status: "INIT".into(),
            status: ReportedStatus::Pending,
            amount: None,
            underpaid: false,
            received: None,
            charge_id: None,
            refunded: None,
            extra_charges: vec![],
        })
    );
    assert!(matches!(
        a.query(&acc, &query(REF, None)).await,
        Outcome::Unknown(_)
    ));
    assert_eq!(
        a.query(&acc, &query(REF, None)).await,
        Outcome::Declined("not found: Order not found (PayStableCoin code 40001)".into())
    );
    let seen = gw.seen();
    assert_eq!(
        seen[0].path,
        format!("/paystablecoin/api/v1/merchants/1000/orders/{REF}")
    );
    assert!(seen
        .iter()
        .all(|s| s.header("x-signature") == s.expected_signature()));
    gw.stop().await;
}

#[actix_web::test]
async fn refund_and_refund_query() {
    let gw = Gateway::start(crate::providers::paystablecoin::ID, &[
        (200, r#"{"code":"00000","data":{"merchantRefundOrderId":"REFUND_1737554400000","status":"PROCESSING"}}"#),
        (200, r#"{"code":"00000","data":{"merchantRefundOrderId":"REFUND_1737554400000","refundOrderId":"RF_9","status":"SUCCEEDED"}}"#),
        (200, r#"{"code":"20001","message":"exists"}"#),
        (200, r#"{"code":"00000","data":[{"merchantRefundOrderId":"REFUND_1737554400000","status":"FAILED"}]}"#),
    ])
    .await;
    let acc = account(&gw.base);
    let a = adapter();
    let report = |status: &str, mapped, external: Option<&str>| RefundReport {
        reference: Some("REFUND_1737554400000".into()),
        external_id: external.map(String::from),
        provider_status: status.into(),
        status: mapped,
        payment_external_id: None,
        amount: None,
    };
    assert_eq!(
        a.refund(&acc, &refund_request()).await,
        Outcome::Pending(report("PROCESSING", RefundStatus::Pending, None))
    );
    assert_eq!(
        a.query_refund(&acc, "REFUND_1737554400000", None).await,
        Outcome::Succeeded(report("SUCCEEDED", RefundStatus::Completed, Some("RF_9")))
    );
    assert_eq!(
        a.refund(&acc, &refund_request()).await,
        Outcome::Succeeded(report("FAILED", RefundStatus::Failed, None))
    );
    let seen = gw.seen();
    assert_eq!(seen.len(), 4);
    assert_eq!(seen[0].path, "/paystablecoin/api/v1/merchants/1000/refunds");
    assert_eq!(
        std::str::from_utf8(&seen[0].body).unwrap(),
        r#"{"merchantRefundOrderId":"REFUND_1737554400000","acquiringOrderId":"ORDER_1737554400000","refundReason":"Customer request full refund"}"#
    );
    assert_eq!(
        (seen[1].method.as_str(), seen[1].query.as_str()),
        ("GET", "merchantRefundOrderId=REFUND_1737554400000")
    );
    assert_eq!(seen[3].query, "merchantRefundOrderId=REFUND_1737554400000");
    assert!(seen
        .iter()
        .all(|s| s.header("x-signature") == s.expected_signature()));
    gw.stop().await;
}

#[actix_web::test]
async fn nothing_is_sent_with_bad_credentials_and_cancel_is_declined() {
    let gw = Gateway::start(crate::providers::paystablecoin::ID, &[(200, CREATED)]).await;
    let mut acc = account(&gw.base);
    acc.credentials["api_secret"] = "".into();
    let out = adapter()
        .create_checkout(&acc, &checkout_request(REF))
        .await;
    assert_eq!(
        out,
        Outcome::NotSent(GatewayFailure::unsendable(
            "PayStableCoin credentials: api_secret must not be empty"
        ))
    );
    assert!(gw.seen().is_empty());
    assert_eq!(
        adapter()
            .cancel(&account(&gw.base), &query(REF, None))
            .await,
        Outcome::Declined("PayStableCoin has no cancel API".into())
    );
    gw.stop().await;
}

fn query(reference: &str, external_id: Option<&str>) -> crate::providers::QueryRequest {
    crate::providers::QueryRequest {
        reference: reference.into(),
        external_id: external_id.map(Into::into),
        charge_id: None,
        amount: Decimal::new(9999, 2),
        currency: "USD".into(),
    }
}
