//! The adapter against the real HitPay simulator: create, pay, verify the simulator's signed
//! webhook, then refund by the charge id that webhook carried (T7 of docs/gateways/hitpay.md),
//! partially, twice.

use super::super::HitPay;
use super::{account, checkout_request, query, REF};
use crate::providers::{
    IncomingWebhook, Outcome, ProviderAdapter, RefundRequest, RefundStatus, ReportedStatus,
    WebhookEvent, WebhookVerification,
};
use crate::sim::test_receiver::Receiver;
use actix_web::{App, HttpServer};
use rust_decimal::Decimal;
use std::sync::Arc;

fn listener() -> (std::net::TcpListener, String) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    (listener, base)
}

#[actix_web::test]
async fn pay_then_refund_by_the_webhook_charge_id() {
    let mut receiver = Receiver::start(&[]);
    let sim = Arc::new(crate::sim::hitpay::HitPaySim::new(reqwest::Client::new()));
    let (l, sim_base) = listener();
    let server = HttpServer::new(move || {
        let sim = sim.clone();
        App::new().configure(move |cfg| crate::sim::hitpay::configure(cfg, &sim, ""))
    });
    actix_web::rt::spawn(server.workers(1).disable_signals().listen(l).unwrap().run());
    let mut acc = account(&format!("{sim_base}/hitpay"));
    acc.webhook_url = format!("{}/v1/webhooks/hitpay/acc_test/", receiver.base);
    let a = HitPay::new(reqwest::Client::new());

    let mut req = checkout_request(REF);
    req.expires_at = chrono::Utc::now() + chrono::Duration::hours(1);
    let created = match a.create_checkout(&acc, &req).await {
        Outcome::Pending(created) => created,
        other => panic!("create failed: {other:?}"),
    };
    let request_id = created.external_id.clone().unwrap();
    assert_eq!(
        created.checkout_url,
        format!("{sim_base}/hitpay/checkout/{request_id}")
    );
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let res = browser
        .post(format!("{}/pay", created.checkout_url))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(
        res.headers()["location"],
        format!("https://payrail.example/checkout/pay_1/return?t=tok&reference={request_id}&status=completed").as_str()
    );

    let sent = receiver.until(1).await.remove(0);
    let headers: Vec<(String, String)> = sent.headers.into_iter().collect();
    let hook = IncomingWebhook {
        headers: &headers,
        path: "/v1/webhooks/hitpay/acc_test/",
        body: &sent.body,
        now: chrono::Utc::now(),
    };
    assert_eq!(
        a.verify_webhook(&acc, &hook),
        WebhookVerification::Verified { scheme: "v1" }
    );
    let WebhookEvent::Payment(report) = a.parse_webhook(&hook).unwrap().event else {
        panic!()
    };
    assert_eq!(
        (report.status, report.reference.as_deref()),
        (ReportedStatus::Paid, Some(REF))
    );
    let charge_id = report.charge_id.clone().unwrap();

    let mut refund = RefundRequest {
        reference: "rfd_1".into(),
        payment_external_id: request_id.clone(),
        payment_charge_id: Some(charge_id.clone()),
        amount: Decimal::new(1000, 2),
        currency: "SGD".into(),
        reason: None,
    };
    let Outcome::Succeeded(first) = a.refund(&acc, &refund).await else {
        panic!("refund failed")
    };
    assert_eq!(
        (first.status, first.provider_status.as_str()),
        (RefundStatus::Completed, "succeeded")
    );
    let again = a
        .query_refund(&acc, "rfd_unused", first.external_id.as_deref())
        .await;
    assert!(matches!(again, Outcome::Succeeded(r) if r.status == RefundStatus::Completed));
    refund.amount = Decimal::new(2000, 2);
    assert!(
        matches!(a.refund(&acc, &refund).await, Outcome::Declined(m) if m.contains("15.00")),
        "only 15.00 is left"
    );
    refund.payment_charge_id = Some(request_id.clone());
    assert!(
        matches!(a.refund(&acc, &refund).await, Outcome::Declined(m) if m.starts_with("not found")),
        "T7"
    );

    let Outcome::Succeeded(state) = a.query(&acc, &query(Some(&request_id))).await else {
        panic!()
    };
    assert_eq!(
        (state.status, state.charge_id.as_deref()),
        (ReportedStatus::Paid, Some(charge_id.as_str()))
    );
    assert!(matches!(
        a.cancel(&acc, &query(Some(&request_id))).await,
        Outcome::Declined(_)
    ));
    let stats = serde_json::to_value(sim_stats(&browser, &sim_base).await).unwrap();
    assert_eq!(
        stats["calls"],
        serde_json::json!({"create": 1, "query": 2, "refund": 3, "cancel": 1})
    );
    assert_eq!(
        stats["by_reference"][REF]["refund"], 2,
        "the request-id refund names no payment"
    );
    assert_eq!(stats["webhooks_sent"], 1);
}

async fn sim_stats(client: &reqwest::Client, base: &str) -> serde_json::Value {
    client
        .get(format!("{base}/hitpay/_sim/stats"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}
