//! Item 4: a Paymento order paid short (PartialPaid) and then topped up (Approve) completes from
//! the gateway's evidence: `needs_review → completed`, with the cause on the timeline. Other
//! review reasons stay for ops.

use super::{connect, create, id, recheck, retrieve};
use crate::delivery::worker;
use crate::helpers::spawn_app;
use serde_json::json;

const PAYMENTO: &str = "paymento";

/// The customer's button on Paymento's page (its checkout URL is `/gateway?token=…`).
async fn checkout(app: &crate::helpers::TestApp, p: &serde_json::Value, outcome: &str) {
    let token = p["external_id"].as_str().unwrap();
    let url = format!("{}/paymento/checkout/{token}/{outcome}", app.sim_address);
    let res = app.client.post(url).send().await.unwrap();
    assert_eq!(
        res.status(),
        303,
        "{}",
        res.text().await.unwrap_or_default()
    );
}

async fn paymento_merchant(app: &crate::helpers::TestApp) -> crate::helpers::Merchant {
    let m = app.create_merchant().await;
    connect(
        app,
        &m,
        PAYMENTO,
        json!({ "api_key": "pmt_sim_api_key_0001", "secret_key": "paymento_test_secret" }),
    )
    .await;
    m
}

#[tokio::test]
async fn an_underpayment_topped_up_by_the_customer_completes_from_the_gateways_ipn() {
    let app = spawn_app().await;
    let m = paymento_merchant(&app).await;
    let p = create(&app, &m, PAYMENTO, "40.00", "USD").await;
    checkout(&app, &p, "underpay").await;
    let held = retrieve(&app, &m, id(&p)).await;
    assert_eq!(held["status"], "needs_review", "{held}");
    assert!(held["status_detail"]
        .as_str()
        .unwrap()
        .starts_with("underpaid"));

    // The customer sends the rest: Paymento goes Paid, its IPN is confirmed by verify (Approve).
    checkout(&app, &p, "pay").await;
    let done = retrieve(&app, &m, id(&p)).await;
    assert_eq!(
        (
            &done["status"],
            &done["status_detail"],
            &done["provider_status"]
        ),
        (&json!("completed"), &json!(null), &json!("Approve")),
        "{done}"
    );
    let (_, events) = app
        .get(&format!("/v1/payments/{}/events", id(&p)), &m)
        .await;
    let completed = events
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == "payment.completed")
        .expect("a completed entry")
        .clone();
    assert_eq!(
        (
            &completed["from_status"],
            &completed["source"],
            &completed["detail"]["topped_up"]
        ),
        (
            &json!("needs_review"),
            &json!("provider_webhook"),
            &json!(true)
        ),
        "{completed}"
    );
}

#[tokio::test]
async fn the_reconciler_keeps_asking_about_an_underpayment_and_completes_it_when_topped_up() {
    let app = spawn_app().await;
    // Payrail holds another IPN secret than the simulator signs with: every IPN is refused, as
    // if lost, and only the reconciler's verify calls learn anything.
    let m = app.create_merchant().await;
    connect(
        &app,
        &m,
        PAYMENTO,
        json!({ "api_key": "pmt_sim_api_key_0001", "secret_key": "not-the-simulators-secret" }),
    )
    .await;
    let p = create(&app, &m, PAYMENTO, "40.00", "USD").await;
    checkout(&app, &p, "underpay").await;
    assert_eq!(retrieve(&app, &m, id(&p)).await["status"], "pending");

    let orch = worker(&app).await;
    orch.clock.advance(chrono::Duration::seconds(61));
    let first = orch.reconcile_due().await.unwrap();
    assert_eq!((first.checked, first.changed), (1, 1), "{first:?}");
    assert_eq!(retrieve(&app, &m, id(&p)).await["status"], "needs_review");

    checkout(&app, &p, "pay").await;
    assert_eq!(retrieve(&app, &m, id(&p)).await["status"], "needs_review");
    orch.clock.advance(chrono::Duration::minutes(6));
    let second = orch.reconcile_due().await.unwrap();
    assert_eq!((second.checked, second.changed), (1, 1), "{second:?}");
    let done = retrieve(&app, &m, id(&p)).await;
    assert_eq!(done["status"], "completed", "{done}");
    // Settled: the reconciler stops asking.
    orch.clock.advance(chrono::Duration::hours(2));
    assert_eq!(orch.reconcile_due().await.unwrap().checked, 0);
}

#[tokio::test]
async fn other_review_reasons_stay_for_ops() {
    let app = spawn_app().await;
    let m = paymento_merchant(&app).await;
    let p = create(&app, &m, PAYMENTO, "40.00", "USD").await;
    checkout(&app, &p, "underpay").await;
    // Ops found another reason to hold it (what an amount mismatch review would say).
    sqlx::query("UPDATE payments SET status_detail = 'amount_mismatch: expected 40.00, gateway reported 45.00' WHERE id = $1")
        .bind(id(&p))
        .execute(&app.pool)
        .await
        .unwrap();
    checkout(&app, &p, "pay").await;
    recheck(&app, &m, id(&p)).await;
    let still = retrieve(&app, &m, id(&p)).await;
    assert_eq!(
        (&still["status"], &still["provider_status"]),
        (&json!("needs_review"), &json!("Approve")),
        "{still}"
    );
}
