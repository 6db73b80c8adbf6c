//! The adapter over real HTTP against the shared scripted gateway (`test_gateway`). The labels
//! P1–P10: docs/gateways/paymento.md.

use super::super::Paymento;
use super::{account, checkout_request, query, API_KEY, IPN_URL, REF, TOKEN};
use crate::providers::test_gateway::{closed_base, Gateway};
use crate::providers::{
    CheckoutCreated, GatewayReport, Outcome, ProviderAdapter, ReportedAmount,
    ReportedStatus,
};
use crate::providers::{FailureKind, GatewayFailure};
use rust_decimal::Decimal;

const RETURN: &str = "http://127.0.0.1:8080/checkout/pay_1/return?t=abc";
const CREATED: &str = r#"{"success":true,"message":"","body":" 3256e147c6fe4d36a9341a5112ed2214"}"#;

fn adapter() -> Paymento {
    Paymento::new(reqwest::Client::new())
}

fn verified(status: u8, success: bool, order_id: &str) -> String {
    format!(
        r#"{{"success":{success},"message":"{}","body":{{"token":"{TOKEN}","orderId":"{order_id}","orderStatus":{status},"additionalData":[],"settlement":{{"expectedCryptoAmount":25.00,"requestedFiatAmount":25.0,"receivedCryptoAmount":25.00,"pendingTxHash":""}}}}}}"#,
        if success {
            ""
        } else {
            "Payment is not approved"
        }
    )
}

fn report(status: ReportedStatus, word: &str, underpaid: bool) -> GatewayReport {
    GatewayReport {
        reference: Some(REF.into()),
        external_id: Some(TOKEN.into()),
        provider_status: word.into(),
        status,
        amount: Some(ReportedAmount {
            value: Decimal::new(250, 1),
            currency: "USD".into(),
        }),
        underpaid,
        received: None,
        charge_id: None,
        refunded: None,
        extra_charges: vec![],
    }
}

#[actix_web::test]
async fn create_sends_the_swagger_body_and_builds_the_checkout_url() {
    let gw = Gateway::start(crate::providers::paymento::ID, &[(200, CREATED)]).await;
    let out = adapter()
        .create_checkout(&account(&gw.base), &checkout_request(REF, RETURN))
        .await;
    assert_eq!(
        out,
        Outcome::Pending(CheckoutCreated {
            external_id: Some(TOKEN.into()),
            checkout_url: format!("{}/gateway?token={TOKEN}", gw.base),
            provider_status: "Initialize".into(),
        })
    );
    let seen = gw.seen();
    assert_eq!(seen.len(), 1);
    let post = &seen[0];
    assert_eq!(
        (post.method.as_str(), post.path.as_str()),
        ("POST", "/paymento/v1/payment/request")
    );
    assert_eq!(post.header("api-key"), API_KEY);
    assert_eq!(post.header("content-type"), "application/json");
    assert_eq!(post.header("accept"), "application/json");
    assert_eq!(
        post.body_text(),
        format!(
            r#"{{"fiatAmount":"25.00","fiatCurrency":"USD","returnUrl":"{RETURN}","orderId":"{REF}","riskSpeed":1}}"#
        )
    );
    gw.stop().await;
}

#[actix_web::test]
async fn create_errors_are_classified() {
    let gw = Gateway::start(
        crate::providers::paymento::ID,
        &[
            (500, r#"{"success":false}"#),
            (
                401,
                r#"{"success":false,"message":"Invalid API key","body":null}"#,
            ),
            (
                400,
                r#"{"success":false,"message":"API_KEY_MISSING","body":null}"#,
            ),
            (
                400,
                r#"{"success":false,"message":"Invalid fiat currency","body":null}"#,
            ),
            (
                200,
                r#"{"success":false,"message":"Your balance is insufficient","body":null}"#,
            ),
            (200, "<html>bad gateway</html>"),
            (200, r#"{"success":true,"message":"","body":null}"#),
        ],
    )
    .await;
    let (acc, req, a) = (account(&gw.base), checkout_request(REF, RETURN), adapter());
    let mut outcomes = Vec::new();
    for _ in 0..7 {
        outcomes.push(a.create_checkout(&acc, &req).await);
    }
    assert_eq!(
        outcomes[0],
        Outcome::Unknown(GatewayFailure::refused("HTTP 500 from Paymento"))
    );
    assert_eq!(
        outcomes[1],
        Outcome::NotSent(GatewayFailure::credentials_refused(
            "refused before processing: HTTP 401 from Paymento: Invalid API key"
        ))
    );
    assert_eq!(
        outcomes[2],
        Outcome::NotSent(GatewayFailure::refused(
            "refused before processing: HTTP 400 API_KEY_MISSING from Paymento"
        ))
    );
    assert_eq!(
        outcomes[3],
        Outcome::Declined("HTTP 400 from Paymento: Invalid fiat currency".into())
    );
    assert_eq!(
        outcomes[4],
        Outcome::Declined("Your balance is insufficient".into())
    );
    assert!(
        matches!(&outcomes[5], Outcome::Unknown(m) if m.reason.starts_with("unreadable answer")),
        "{:?}",
        outcomes[5]
    );
    assert_eq!(
        outcomes[6],
        Outcome::Unknown(GatewayFailure::bad_answer("answer has no body"))
    );
    assert_eq!(gw.seen().len(), 7);
    gw.stop().await;
}

#[actix_web::test]
async fn a_closed_port_or_bad_credentials_are_not_sent() {
    let out = adapter()
        .create_checkout(
            &account(&closed_base(crate::providers::paymento::ID)),
            &checkout_request(REF, RETURN),
        )
        .await;
    assert!(
        matches!(&out, Outcome::NotSent(m) if m.kind == FailureKind::Connect && m.reason.starts_with("could not connect")),
        "{out:?}"
    );
    let out = adapter()
        .query(
            &account(&closed_base(crate::providers::paymento::ID)),
            &query(Some(TOKEN)),
        )
        .await;
    assert!(
        matches!(&out, Outcome::NotSent(m) if m.kind == FailureKind::Connect && m.reason.starts_with("could not connect")),
        "{out:?}"
    );

    let gw = Gateway::start(crate::providers::paymento::ID, &[(200, CREATED)]).await;
    let mut acc = account(&gw.base);
    acc.credentials["secret_key"] = "".into();
    let out = adapter()
        .create_checkout(&acc, &checkout_request(REF, RETURN))
        .await;
    assert_eq!(
        out,
        Outcome::NotSent(GatewayFailure::unsendable(
            "Paymento credentials: secret_key must not be empty"
        ))
    );
    assert!(gw.seen().is_empty());
    gw.stop().await;
}

#[actix_web::test]
async fn query_is_verify_and_reads_every_answer() {
    let gw = Gateway::start(crate::providers::paymento::ID, &[
        (200, &verified(8, true, REF)),
        (200, &verified(3, false, REF)),
        (200, &verified(2, false, REF)),
        (200, &verified(7, false, REF)),
        (
            200,
            r#"{"success":false,"message":"Invalid Token","body":null}"#,
        ),
        (200, &verified(8, true, "att_someone_else")),
        (
            200,
            r#"{"success":true,"message":"","body":{"token":"3256e147c6fe4d36a9341a5112ed2214"}}"#,
        ),
        (503, ""),
    ])
    .await;
    let (acc, q, a) = (account(&gw.base), query(Some(TOKEN)), adapter());
    assert_eq!(
        a.query(&acc, &q).await,
        Outcome::Succeeded(report(ReportedStatus::Paid, "Approve", false))
    );
    assert_eq!(
        a.query(&acc, &q).await,
        Outcome::Pending(report(
            ReportedStatus::Processing,
            "WaitingToConfirm",
            false
        ))
    );
    assert_eq!(
        a.query(&acc, &q).await,
        Outcome::Pending(report(ReportedStatus::Paid, "PartialPaid", true))
    );
    // P7: 7 counts as verified even when `success` says otherwise.
    assert_eq!(
        a.query(&acc, &q).await,
        Outcome::Succeeded(report(ReportedStatus::Paid, "Paid", false))
    );
    assert_eq!(
        a.query(&acc, &q).await,
        Outcome::Declined("Invalid Token".into())
    );
    assert_eq!(
        a.query(&acc, &q).await,
        Outcome::Unknown(GatewayFailure::bad_answer(format!(
            "verify answer is about order att_someone_else, not {REF}"
        )))
    );
    assert_eq!(
        a.query(&acc, &q).await,
        Outcome::Unknown(GatewayFailure::bad_answer("verify answer has no order"))
    );
    assert_eq!(
        a.query(&acc, &q).await,
        Outcome::Unknown(GatewayFailure::refused("HTTP 503 from Paymento"))
    );
    let seen = gw.seen();
    assert_eq!(seen.len(), 8);
    assert!(seen.iter().all(|s| s.path == "/paymento/v1/payment/verify"
        && s.body_text() == format!(r#"{{"token":"{TOKEN}"}}"#)
        && s.header("api-key") == API_KEY));
    gw.stop().await;
}

#[actix_web::test]
async fn without_a_token_nothing_is_asked() {
    let gw = Gateway::start(crate::providers::paymento::ID, &[]).await;
    assert_eq!(
        adapter().query(&account(&gw.base), &query(None)).await,
        Outcome::Declined(format!(
            "not found: no Paymento token is known for order {REF}"
        ))
    );
    assert!(gw.seen().is_empty());
    gw.stop().await;
}

#[actix_web::test]
async fn on_connect_registers_the_ipn_url() {
    let gw = Gateway::start(crate::providers::paymento::ID, &[
        (200, &format!(r#"{{"success":true,"message":"","body":{{"ipN_URL":"{IPN_URL}","ipN_Method":1}}}}"#)),
        (200, r#"{"success":true,"message":"","body":{"IPN_Url ":"https://elsewhere/ipn","ipN_Method":1}}"#),
        (401, r#"{"success":false,"message":"Invalid API key","body":null}"#),
        (500, ""),
    ])
    .await;
    let (acc, a) = (account(&gw.base), adapter());
    assert_eq!(a.on_connect(&acc).await, Outcome::Succeeded(()));
    assert_eq!(
        a.on_connect(&acc).await,
        Outcome::Unknown(GatewayFailure::bad_answer(format!(
            "Paymento kept IPN URL \"https://elsewhere/ipn\", not \"{IPN_URL}\""
        )))
    );
    assert_eq!(
        a.on_connect(&acc).await,
        Outcome::NotSent(GatewayFailure::credentials_refused(
            "refused before processing: HTTP 401 from Paymento: Invalid API key"
        ))
    );
    assert_eq!(
        a.on_connect(&acc).await,
        Outcome::Unknown(GatewayFailure::refused("HTTP 500 from Paymento"))
    );
    let seen = gw.seen();
    assert_eq!(seen[0].path, "/paymento/v1/payment/settings");
    assert_eq!(
        seen[0].body_text(),
        format!(r#"{{"IPN_Url":"{IPN_URL}","IPN_Method":1}}"#)
    );
    assert_eq!(seen[0].header("api-key"), API_KEY);
    gw.stop().await;
}

#[actix_web::test]
async fn refund_and_cancel_are_declined_without_a_call() {
    let gw = Gateway::start(crate::providers::paymento::ID, &[]).await;
    let (acc, a) = (account(&gw.base), adapter());
    let refund = crate::providers::RefundRequest {
        reference: "rfd_1".into(),
        payment_external_id: TOKEN.into(),
        payment_charge_id: None,
        amount: Decimal::new(2500, 2),
        currency: "USD".into(),
        reason: None,
    };
    assert_eq!(
        a.refund(&acc, &refund).await,
        Outcome::Declined("Paymento has no refund API".into())
    );
    assert_eq!(
        a.query_refund(&acc, "rfd_1", None).await,
        Outcome::Declined("Paymento has no refund API".into())
    );
    assert_eq!(
        a.cancel(&acc, &query(Some(TOKEN))).await,
        Outcome::Declined("Paymento has no cancel API".into())
    );
    assert!(gw.seen().is_empty());
    gw.stop().await;
}
