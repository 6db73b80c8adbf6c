//! The reconciler settles what webhooks did not, on a schedule driven by a controllable clock,
//! and expires payments the gateway never saw; ops can recheck in bulk.

use crate::delivery::worker;
use crate::helpers::{spawn_app, TestApp, PSC_API_KEY, PSC_SECRET};
use chrono::Duration;
use serde_json::json;

/// A PayStableCoin account whose webhooks Payrail cannot verify (the simulator signs variant A,
/// Payrail is told to expect only B): every webhook of it is rejected, as if lost.
async fn merchant_with_unverifiable_webhooks(app: &TestApp) -> crate::helpers::Merchant {
    let sim = app
        .client
        .post(format!("{}/paystablecoin/_sim/accounts", app.sim_address))
        .json(&json!({ "merchant_id": "2000", "api_key": PSC_API_KEY, "api_secret": PSC_SECRET, "webhook_variant": "body" }))
        .send()
        .await
        .unwrap();
    assert!(sim.status().is_success());
    let m = app.create_merchant().await;
    let res = app
        .client
        .put(format!("{}/v1/admin/merchants/{}/providers/paystablecoin", app.address, m.id))
        .bearer_auth(&app.admin_token)
        .json(&json!({
            "credentials": { "merchant_id": "2000", "api_key": PSC_API_KEY, "api_secret": PSC_SECRET, "webhook_variant": "path" },
            "base_url": format!("{}/paystablecoin", app.sim_address),
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    m
}

#[tokio::test]
async fn a_payment_whose_webhook_never_arrives_is_settled_by_the_reconciler_alone() {
    let app = spawn_app().await;
    let m = merchant_with_unverifiable_webhooks(&app).await;
    let p = app.create_payment(&m, json!({})).await;
    let id = p["id"].as_str().unwrap();
    app.sim_checkout(&p, "pay").await;
    assert_eq!(
        app.status_of(id, &m).await,
        "pending",
        "the webhook was rejected"
    );

    let orch = worker(&app).await;
    // Not due yet: the first recheck is about a minute after creation.
    assert_eq!(orch.reconcile_due().await.unwrap().checked, 0);
    orch.clock.advance(Duration::seconds(61));
    let report = orch.reconcile_due().await.unwrap();
    assert_eq!((report.checked, report.changed), (1, 1));
    assert_eq!(app.status_of(id, &m).await, "completed");
    let (_, events) = app.get(&format!("/v1/payments/{id}/events"), &m).await;
    let completed = events
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == "payment.completed")
        .unwrap()
        .clone();
    assert_eq!(completed["source"], "reconciler");
    // Settled: nothing is due any more, however long we wait.
    orch.clock.advance(Duration::hours(5));
    assert_eq!(orch.reconcile_due().await.unwrap().checked, 0);
}

#[tokio::test]
async fn a_payment_the_gateway_never_saw_is_expired_on_schedule() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    app.sim_fault(json!({ "mode": "http_500", "count": 1 }))
        .await;
    let body = json!({ "amount": "10.00", "currency": "USD", "order_id": "LOST", "provider": "paystablecoin", "idempotency_key": "lost" });
    let (status, _) = app.post("/v1/payments", &body.to_string(), &m).await;
    assert_eq!(status, 502);
    let id: String = sqlx::query_scalar("SELECT id FROM payments")
        .fetch_one(&app.pool)
        .await
        .unwrap();

    let orch = worker(&app).await;
    // Rechecked every 5 minutes in the first hour; still pending inside its window.
    for _ in 0..3 {
        orch.clock.advance(Duration::minutes(6));
        let r = orch.reconcile_due().await.unwrap();
        assert_eq!((r.checked, r.expired), (1, 0));
    }
    assert_eq!(app.status_of(&id, &m).await, "pending");
    // Past the 30-minute window plus the one-hour grace: expired.
    orch.clock.advance(Duration::minutes(75));
    let r = orch.reconcile_due().await.unwrap();
    assert_eq!((r.checked, r.expired), (1, 1));
    assert_eq!(app.status_of(&id, &m).await, "expired");
    let kind: String = sqlx::query_scalar("SELECT type FROM outbox_events")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(kind, "payment.expired");
}

#[tokio::test]
async fn ops_bulk_recheck_reports_and_a_dry_run_changes_nothing() {
    let app = spawn_app().await;
    let m = merchant_with_unverifiable_webhooks(&app).await;
    let mut ids = Vec::new();
    for i in 0..3 {
        let p = app
            .create_payment(&m, json!({ "order_id": format!("B-{i}") }))
            .await;
        if i < 2 {
            app.sim_checkout(&p, "pay").await;
        }
        ids.push(p["id"].as_str().unwrap().to_owned());
    }
    let recheck = |body: serde_json::Value| {
        app.client
            .post(format!("{}/v1/admin/rechecks", app.address))
            .bearer_auth(&app.admin_token)
            .json(&body)
            .send()
    };
    let dry: serde_json::Value = recheck(json!({ "status": "pending", "dry_run": true }))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (
            dry["checked"].as_i64(),
            dry["changed"].as_i64(),
            dry["failed"].as_i64()
        ),
        (Some(3), Some(2), Some(0)),
        "{dry}"
    );
    assert_eq!(app.status_of(&ids[0], &m).await, "pending");
    let real: serde_json::Value = recheck(json!({ "merchant_id": m.id }))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (real["checked"].as_i64(), real["changed"].as_i64()),
        (Some(3), Some(2))
    );
    assert_eq!(app.status_of(&ids[0], &m).await, "completed");
    assert_eq!(app.status_of(&ids[2], &m).await, "pending");
    let bad = recheck(json!({ "status": "paid" })).await.unwrap();
    assert_eq!(bad.status(), 400);
}
