//! Paymento's gateway faults: a 500 or a timeout on create, and a refused API key.

use super::{
    choose, connect_paymento, create, full, merchant, payment_body, reference, sim, sim_post,
    SECRET,
};
use crate::helpers::{spawn_app, Merchant, TestApp};
use serde_json::{json, Value};

async fn create_with_key(app: &TestApp, m: &Merchant, key: &str) -> (u16, Value) {
    app.post(
        "/v1/payments",
        &payment_body(json!({"idempotency_key": key})),
        m,
    )
    .await
}

#[tokio::test]
async fn a_gateway_500_on_create_loses_nothing_and_the_retry_resumes() {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    sim_post(&app, "faults", json!({"mode": "http_500", "count": 1})).await;
    let (status, body) = create_with_key(&app, &m, "k-500").await;
    assert_eq!(
        (status, &body["error"]),
        (502, &json!("provider_unavailable")),
        "{body}"
    );
    let pending: String = sqlx::query_scalar("SELECT id FROM payments")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let (status, body) = create_with_key(&app, &m, "k-500").await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["id"], pending.as_str());
    assert_eq!(app.count("payments").await, 1);
    assert_eq!(app.count("attempts").await, 1);
    let reference = reference(&app, &pending).await;
    let stats = sim(&app, "stats").await;
    assert_eq!(stats["calls"]["create"], 2);
    assert_eq!(stats["by_reference"][&reference]["create"], 2);
}

#[tokio::test]
async fn a_gateway_timeout_on_create_is_resumed_with_the_same_payment() {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    // Paymento makes the order but answers after Payrail's 1.5 s timeout.
    sim_post(
        &app,
        "faults",
        json!({"mode": "timeout", "count": 1, "delay_ms": 3000}),
    )
    .await;
    let (status, body) = create_with_key(&app, &m, "k-slow").await;
    assert_eq!(
        (status, &body["error"]),
        (504, &json!("provider_timeout")),
        "{body}"
    );
    let (pending, state): (String, String) = sqlx::query_as(
        "SELECT p.id, a.state FROM payments p JOIN attempts a ON a.payment_id = p.id",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(state, "creating", "outcome unknown, kept resumable");
    let (status, body) = create_with_key(&app, &m, "k-slow").await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["id"], pending.as_str());
    assert_eq!(app.count("payments").await, 1);
    // No lookup by orderId exists at Paymento: the retry made a second order under the same
    // reference; the first one was never shown to anyone.
    let reference = reference(&app, &pending).await;
    let stats = sim(&app, "stats").await;
    assert_eq!(stats["calls"]["create"], 2);
    assert_eq!(stats["by_reference"][&reference]["create"], 2);
    // The payment continues on the second order.
    let p = full(&app, &m, &pending).await;
    choose(&app, &p, "pay").await;
    assert_eq!(app.status_of(&pending, &m).await, "completed");
}

#[tokio::test]
async fn a_refused_api_key_is_not_sent_and_paymento_has_no_cancel_call() {
    let app = spawn_app().await;
    let m = app.create_merchant().await;
    let account =
        connect_paymento(&app, &m, json!({"api_key": "wrong", "secret_key": SECRET})).await;
    assert!(
        account["webhook_registration"]
            .as_str()
            .unwrap()
            .starts_with("failed: refused before processing: HTTP 401"),
        "{account}"
    );
    let (status, body) = app.post("/v1/payments", &payment_body(json!({})), &m).await;
    assert_eq!(
        (status, &body["error"]),
        (502, &json!("provider_unavailable")),
        "{body}"
    );
    assert_eq!(sim(&app, "stats").await["calls"]["create"], 1);

    // A merchant cancel asks Paymento (verify) first, then cancels on Payrail's side only.
    let m = merchant(&app).await;
    let p = create(&app, &m).await;
    let id = p["id"].as_str().unwrap();
    let (status, body) = app.post(&format!("/v1/payments/{id}/cancel"), "", &m).await;
    assert_eq!(
        (status, &body["status"]),
        (200, &json!("cancelled")),
        "{body}"
    );
    let stats = sim(&app, "stats").await;
    assert_eq!(
        (&stats["calls"]["query"], &stats["calls"]["cancel"]),
        (&json!(1), &json!(0))
    );
}
