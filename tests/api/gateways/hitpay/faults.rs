//! HitPay's gateway faults: a 500 or a timeout on create, resumed by the idempotent retry; an API
//! key HitPay refuses, said as such, and resumed once an operator fixes it.

use super::{attempt, body, connect_hitpay_key, merchant, sim, API_KEY};
use crate::helpers::{spawn_app, Merchant, TestApp};
use serde_json::{json, Value};

async fn keyed(app: &TestApp, m: &Merchant, key: &str) -> (u16, Value) {
    app.post("/v1/payments", &body(json!({ "idempotency_key": key })), m)
        .await
}

#[tokio::test]
async fn a_gateway_500_on_create_loses_nothing_and_the_retry_resumes() {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    sim(
        &app,
        "faults",
        Some(json!({ "mode": "http_500", "count": 1 })),
    )
    .await;
    let (status, err) = keyed(&app, &m, "k-500").await;
    assert_eq!(
        (status, &err["error"]),
        (502, &json!("provider_unavailable")),
        "{err}"
    );
    let pending: String = sqlx::query_scalar("SELECT id FROM payments")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let (status, p) = keyed(&app, &m, "k-500").await;
    assert_eq!(status, 201, "{p}");
    assert_eq!(p["id"], pending.as_str());
    let (reference, _, _) = attempt(&app).await;
    let stats = sim(&app, "stats", None).await;
    assert_eq!(
        (
            &stats["calls"]["create"],
            &stats["by_reference"][&reference]["create"]
        ),
        (&json!(2), &json!(2))
    );
    assert_eq!(app.count("payments").await, 1);
}

#[tokio::test]
async fn a_timeout_on_create_is_504_and_the_retry_resumes_the_same_payment() {
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
    let (pending, state): (String, String) = sqlx::query_as(
        "SELECT p.id, a.state FROM payments p JOIN attempts a ON a.payment_id = p.id",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(state, "creating");
    let (status, p) = keyed(&app, &m, "k-slow").await;
    assert_eq!((status, &p["id"]), (201, &json!(pending)), "{p}");
    let (reference, _, _) = attempt(&app).await;
    let stats = sim(&app, "stats", None).await;
    // HitPay does not deduplicate reference_number: the first request exists, orphaned, unseen.
    assert_eq!(stats["by_reference"][&reference]["create"], 2);
    assert_eq!(app.count("payments").await, 1);
    assert_eq!(app.count("attempts").await, 1);
}

#[tokio::test]
async fn a_refused_api_key_says_so_and_the_retry_after_the_fix_resumes() {
    let app = spawn_app().await;
    let m = app.create_merchant().await;
    connect_hitpay_key(&app, &m, "hitpay_revoked_key").await;
    let (status, err) = keyed(&app, &m, "k-key").await;
    assert_eq!(
        (status, &err["error"]),
        (502, &json!("provider_unavailable")),
        "{err}"
    );
    // Not "the gateway is unavailable": waiting and retrying cannot help.
    let message = err["message"].as_str().unwrap();
    assert!(
        message.starts_with("the gateway refused this account's credentials"),
        "{message}"
    );
    assert!(!message.contains("hitpay_revoked_key"), "{message}");
    let pending: String = sqlx::query_scalar("SELECT id FROM payments")
        .fetch_one(&app.pool)
        .await
        .unwrap();

    // An operator puts the right key in; the merchant's retry resumes the same payment.
    connect_hitpay_key(&app, &m, API_KEY).await;
    let (status, p) = keyed(&app, &m, "k-key").await;
    assert_eq!((status, &p["id"]), (201, &json!(pending)), "{p}");
    assert_eq!(app.count("payments").await, 1);
}
