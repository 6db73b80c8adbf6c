//! The calls over real HTTP: what each sends, byte for byte, and how each answer is classified.

use super::super::{Bkash, ID};
use super::*;
use crate::providers::test_gateway::{closed_base, Gateway};
use crate::providers::{
    CheckoutCreated, FailureKind, GatewayFailure, Outcome, ProviderAdapter, RefundStatus,
    ReportedAmount, ReportedStatus,
};

fn adapter() -> Bkash {
    Bkash::new(reqwest::Client::new())
}

/// A gateway that grants a token good for an hour, then answers `answers`.
async fn gateway(answers: &[&str]) -> Gateway {
    let grant = granted("tok-1", 3600);
    let mut script = vec![(200, grant.as_str())];
    script.extend(answers.iter().map(|a| (200, *a)));
    Gateway::start(ID, &script).await
}

#[actix_web::test]
async fn create_grants_a_token_then_sends_the_documented_request() {
    let gw = gateway(&[CREATED]).await;
    let out = adapter()
        .create_checkout(&account(&gw.base), &checkout_request())
        .await;
    assert_eq!(
        out,
        Outcome::Pending(CheckoutCreated {
            external_id: Some(PAYMENT_ID.into()),
            checkout_url: "https://sandbox.payment.bkash.com/redirect/tokenized/?paymentID=TR0011ON1565154754797&mode=0011".into(),
            provider_status: "Initiated".into(),
        })
    );
    let seen = gw.seen();
    assert_eq!(seen.len(), 2);
    let grant = &seen[0];
    assert_eq!(grant.path, "/bkash/tokenized/checkout/token/grant");
    assert_eq!(
        (grant.header("username"), grant.header("password")),
        (USERNAME, PASSWORD)
    );
    assert_eq!(
        grant.body_text(),
        format!(r#"{{"app_key":"{APP_KEY}","app_secret":"{APP_SECRET}"}}"#)
    );
    let create = &seen[1];
    assert_eq!(create.path, "/bkash/tokenized/checkout/create");
    assert_eq!(create.header("authorization"), "tok-1", "no Bearer prefix");
    assert_eq!(create.header("x-app-key"), APP_KEY);
    assert_eq!(create.header("content-type"), "application/json");
    assert_eq!(create.header("username"), "", "credentials only on the grant");
    assert_eq!(
        create.body_text(),
        format!(
            r#"{{"mode":"0011","payerReference":"{REF}","callbackURL":"{CALLBACK}","amount":"100.00","currency":"BDT","intent":"sale","merchantInvoiceNumber":"{REF}"}}"#
        )
    );
    gw.stop().await;
}

#[actix_web::test]
async fn a_wallet_number_becomes_the_payer_reference_and_other_currencies_are_not_sent() {
    let gw = gateway(&[CREATED]).await;
    let mut req = checkout_request();
    req.customer.phone = Some("01770618575".into());
    adapter().create_checkout(&account(&gw.base), &req).await;
    assert!(gw.seen()[1]
        .body_text()
        .contains(r#""payerReference":"01770618575""#));
    req.currency = "USD".into();
    let out = adapter().create_checkout(&account(&gw.base), &req).await;
    assert!(
        matches!(&out, Outcome::NotSent(f) if f.kind == FailureKind::Unsendable),
        "{out:?}"
    );
    gw.stop().await;
}

#[actix_web::test]
async fn create_answers_are_classified_by_their_status_code() {
    let cases = [
        (code("2006", "Invalid amount"), "declined"),
        (code("503", "System is undergoing maintenance"), "not_sent"),
        (code("2001", "Invalid App Key"), "not_sent"),
        (code("2003", "Process failed"), "unknown"),
        (code("9999", "Something new"), "unknown"),
        (r#"{"statusMessage":"no code"}"#.to_string(), "unknown"),
        ("<html>oops</html>".to_string(), "unknown"),
    ];
    for (answer, want) in cases {
        let gw = gateway(&[&answer]).await;
        let out = adapter()
            .create_checkout(&account(&gw.base), &checkout_request())
            .await;
        assert_eq!(out.label(), want, "{answer}: {out:?}");
        gw.stop().await;
    }
}

#[actix_web::test]
async fn http_failures_follow_the_shared_rules() {
    let gw = Gateway::start(ID, &[(500, "{}")]).await;
    let out = adapter().query(&account(&gw.base), &query()).await;
    // The grant itself failed: the status call was never sent.
    assert!(
        matches!(&out, Outcome::NotSent(f) if f.reason.starts_with("no bKash token")),
        "{out:?}"
    );
    gw.stop().await;
    let gw = gateway(&[]).await;
    let out = adapter().query(&account(&gw.base), &query()).await;
    assert_eq!(
        out,
        Outcome::Unknown(GatewayFailure::refused("HTTP 500 from bKash"))
    );
    gw.stop().await;
    let out = adapter()
        .query(&account(&closed_base(ID)), &query())
        .await;
    assert!(
        matches!(&out, Outcome::NotSent(f) if f.kind == FailureKind::Connect),
        "{out:?}"
    );
}

#[actix_web::test]
async fn the_status_tells_initiated_authorised_and_completed_apart() {
    let cases = [
        (status("Initiated", "Incomplete", ""), ReportedStatus::Pending),
        (status("Initiated", "Complete", ""), ReportedStatus::Authorized),
        (status("Completed", "Complete", TRX), ReportedStatus::Paid),
        (status("Expired", "Incomplete", ""), ReportedStatus::Expired),
        (status("Brand new", "Complete", ""), ReportedStatus::Unknown),
    ];
    for (answer, want) in cases {
        let gw = gateway(&[&answer]).await;
        let out = adapter().query(&account(&gw.base), &query()).await;
        let (Outcome::Succeeded(report) | Outcome::Pending(report)) = out else {
            panic!("{out:?}");
        };
        assert_eq!(report.status, want, "{answer}");
        assert_eq!(report.reference.as_deref(), Some(REF));
        assert_eq!(report.external_id.as_deref(), Some(PAYMENT_ID));
        let bdt = ReportedAmount {
            value: Decimal::new(10000, 2),
            currency: "BDT".into(),
        };
        assert_eq!(report.amount, Some(bdt));
        let seen = gw.seen();
        assert_eq!(seen[1].path, "/bkash/tokenized/checkout/payment/status");
        assert_eq!(seen[1].body_text(), format!(r#"{{"paymentID":"{PAYMENT_ID}"}}"#));
        gw.stop().await;
    }
    let mut unknown = query();
    unknown.external_id = None;
    let out = adapter().query(&account("http://unused"), &unknown).await;
    assert_eq!(out, Outcome::Declined("no bKash paymentID yet".into()));
}

#[actix_web::test]
async fn execute_completes_the_payment_once() {
    let gw = gateway(&[&executed()]).await;
    let out = adapter().confirm(&account(&gw.base), &query()).await;
    let Outcome::Succeeded(report) = out else {
        panic!("{out:?}")
    };
    assert_eq!(
        (report.status, report.charge_id.as_deref()),
        (ReportedStatus::Paid, Some(TRX))
    );
    let seen = gw.seen();
    assert_eq!(seen[1].path, "/bkash/tokenized/checkout/execute");
    assert_eq!(seen[1].body_text(), format!(r#"{{"paymentID":"{PAYMENT_ID}"}}"#));
    gw.stop().await;
}

#[actix_web::test]
async fn a_second_execute_reports_the_payment_as_its_status_says() {
    for already in ["2062", "2117"] {
        let answer = code(already, "The payment execution has already been completed");
        let gw = gateway(&[&answer, &status("Completed", "Complete", TRX)]).await;
        let out = adapter().confirm(&account(&gw.base), &query()).await;
        let Outcome::Succeeded(report) = out else {
            panic!("{out:?}")
        };
        assert_eq!(report.status, ReportedStatus::Paid);
        let paths: Vec<String> = gw.seen().into_iter().map(|s| s.path).collect();
        assert_eq!(paths[2], "/bkash/tokenized/checkout/payment/status");
        gw.stop().await;
    }
}

#[actix_web::test]
async fn execute_refusals_fail_the_payment_or_move_nothing() {
    let gw = gateway(&[&code("2023", "Insufficient Balance")]).await;
    let out = adapter().confirm(&account(&gw.base), &query()).await;
    let Outcome::Succeeded(report) = out else {
        panic!("{out:?}")
    };
    assert_eq!(report.status, ReportedStatus::Failed);
    assert_eq!(report.provider_status, "bKash 2023: Insufficient Balance");
    gw.stop().await;
    let cases = [
        ("2056", "declined"),
        ("2060", "declined"),
        ("503", "not_sent"),
        ("2020", "unknown"),
    ];
    for (c, want) in cases {
        let gw = gateway(&[&code(c, "refused")]).await;
        let out = adapter().confirm(&account(&gw.base), &query()).await;
        assert_eq!(out.label(), want, "{c}: {out:?}");
        gw.stop().await;
    }
}

const REFUNDED: &str = r#"{"completedTime":"2019-08-07T11:20:00:000 GMT+0600","transactionStatus":"Completed","originalTrxID":"6H7801QFYM","refundTrxID":"6H7901QG00","amount":"40.00","currency":"BDT","charge":"0.00","statusCode":"0000","statusMessage":"Successful"}"#;

#[actix_web::test]
async fn a_partial_refund_is_sent_against_the_transaction() {
    let gw = gateway(&[REFUNDED]).await;
    let req = refund_request(Decimal::new(4000, 2), Some(TRX));
    let out = adapter().refund(&account(&gw.base), &req).await;
    let Outcome::Succeeded(report) = out else {
        panic!("{out:?}")
    };
    assert_eq!(report.status, RefundStatus::Completed);
    assert_eq!(report.external_id.as_deref(), Some("6H7901QG00"));
    assert_eq!(report.reference.as_deref(), Some(req.reference.as_str()));
    let seen = gw.seen();
    assert_eq!(seen[1].path, "/bkash/tokenized/checkout/payment/refund");
    assert_eq!(
        seen[1].body_text(),
        format!(
            r#"{{"paymentID":"{PAYMENT_ID}","amount":"40.00","trxID":"{TRX}","sku":"payrail","reason":"Customer request"}}"#
        )
    );
    gw.stop().await;
}

#[actix_web::test]
async fn a_refund_without_a_known_transaction_asks_the_status_first() {
    let completed = status("Completed", "Complete", TRX);
    let gw = gateway(&[&completed, REFUNDED]).await;
    let req = refund_request(Decimal::new(4000, 2), None);
    let out = adapter().refund(&account(&gw.base), &req).await;
    assert_eq!(out.label(), "succeeded", "{out:?}");
    assert!(gw.seen()[2].body_text().contains(TRX));
    gw.stop().await;
    let refused = code("2026", "The reversal amount cannot be greater");
    let gw = gateway(&[&refused]).await;
    let req = refund_request(Decimal::new(90000, 2), Some(TRX));
    let out = adapter().refund(&account(&gw.base), &req).await;
    assert_eq!(out.label(), "declined", "{out:?}");
    gw.stop().await;
}

#[test]
fn the_return_names_the_payment_and_nothing_else() {
    let pairs = |q: &[(&str, &str)]| -> Vec<(String, String)> {
        q.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    };
    let hints = adapter().parse_return(&pairs(&[
        ("paymentID", PAYMENT_ID),
        ("status", "success"),
    ]));
    assert_eq!(hints.external_id.as_deref(), Some(PAYMENT_ID));
    assert_eq!(hints.charge_id, None);
    let long = "x".repeat(200);
    let none = adapter().parse_return(&pairs(&[("paymentID", &long), ("status", "success")]));
    assert_eq!(none.external_id, None);
}
