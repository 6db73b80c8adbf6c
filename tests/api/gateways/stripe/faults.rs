//! Lost answers at Stripe: a create that timed out is the same session when the merchant retries
//! (Stripe's Idempotency-Key replay, so no orphan session exists), and a refund whose answer was
//! lost is settled from the charge's `amount_refunded`, never sent twice.

use super::{checkout, merchant, sim};
use crate::helpers::{spawn_app, Merchant, TestApp};
use serde_json::{json, Value};

async fn keyed(app: &TestApp, m: &Merchant, key: &str) -> (u16, Value) {
    let body = json!({ "amount": "25.00", "currency": "SGD", "order_id": "SF-1", "provider": "stripe",
                       "return_url": "https://shop.example/thanks", "idempotency_key": key });
    app.post("/v1/payments", &body.to_string(), m).await
}

#[tokio::test]
async fn a_create_that_timed_out_is_the_same_session_on_the_retry() {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    sim(
        &app,
        "faults",
        Some(json!({ "mode": "timeout", "count": 1, "delay_ms": 3000 })),
    )
    .await;
    let (status, err) = keyed(&app, &m, "k-slow").await;
    assert_eq!(
        (status, &err["error"]),
        (504, &json!("provider_timeout")),
        "{err}"
    );
    let (status, p) = keyed(&app, &m, "k-slow").await;
    assert_eq!(status, 201, "{p}");
    let (reference, external, _) = super::attempt(&app).await;
    let orders = sim(&app, &format!("orders?reference={reference}"), None).await;
    let held = orders["orders"].as_array().unwrap();
    assert_eq!(held.len(), 1, "one session at Stripe: {orders}");
    assert_eq!(held[0]["id"], json!(external.unwrap()));
    assert_eq!(
        sim(&app, "stats", None).await["by_reference"][&reference]["create"],
        2
    );
    assert_eq!(checkout(&app, &p, "pay").await.0, 303);
    assert_eq!(
        app.status_of(p["id"].as_str().unwrap(), &m).await,
        "completed"
    );
}

#[tokio::test]
async fn a_refund_whose_answer_was_lost_is_settled_from_the_charges_total() {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    let (_, p) = keyed(&app, &m, "k-paid").await;
    checkout(&app, &p, "pay").await;
    let id = p["id"].as_str().unwrap();
    sim(&app, "webhooks", Some(json!({ "drop": 2 }))).await;
    sim(
        &app,
        "faults",
        Some(json!({ "mode": "timeout", "count": 1, "delay_ms": 3000 })),
    )
    .await;
    let (status, r) = app
        .post(
            &format!("/v1/payments/{id}/refunds"),
            r#"{"amount":"10.00"}"#,
            &m,
        )
        .await;
    assert_eq!((status, &r["status"]), (201, &json!("pending")), "{r}");
    let (status, checked) = app
        .post(&format!("/v1/payments/{id}/recheck"), "", &m)
        .await;
    assert_eq!(status, 200, "{checked}");
    let (_, now) = app.get(&format!("/v1/payments/{id}"), &m).await;
    assert_eq!(
        (&now["status"], &now["refunded_amount"]),
        (&json!("partially_refunded"), &json!("10.00"))
    );
    assert_eq!(
        app.count("refunds").await,
        1,
        "no second row for the same money"
    );
    assert_eq!(
        sim(&app, "stats", None).await["calls"]["refund"],
        1,
        "never sent twice"
    );
}
