//! What a create writes (docs/api.md, "Create a payment"): on Postgres its two writes are one
//! statement each (`store::create_rows`) that answer the rows they wrote instead of reading them
//! back, so these tests check the stored rows against the answer, field by field, on both stores.

use crate::checkout::{create_hosted, shop};
use crate::helpers::spawn_app;
use crate::helpers::{Merchant, TestApp};
use serde_json::{json, Value};

/// Checks every field of a create's answer against the payment as `GET /v1/payments/{id}`
/// reads it from the store.
async fn assert_stored(app: &TestApp, m: &Merchant, created: &Value) {
    let id = created["id"].as_str().unwrap();
    let (status, stored) = app.get(&format!("/v1/payments/{id}"), m).await;
    assert_eq!(status, 200, "{stored}");
    for (field, value) in created.as_object().unwrap() {
        assert_eq!(
            &stored[field], value,
            "{field}: the answer is the stored row"
        );
    }
}

/// The payment's timeline entries as (type, to_status, detail), oldest first.
async fn entries(app: &TestApp, id: &str) -> Vec<(String, Option<String>, Value)> {
    let rows: Vec<(String, Option<String>, String)> = sqlx::query_as(
        "SELECT type, to_status, detail FROM payment_events WHERE payment_id = $1 ORDER BY created_at, id",
    )
    .bind(id)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    rows.into_iter()
        .map(|(t, s, d)| (t, s, serde_json::from_str(&d).unwrap()))
        .collect()
}

#[tokio::test]
async fn a_keyed_create_answers_exactly_the_rows_it_stored() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    let created = app
        .create_payment(
            &m,
            json!({ "idempotency_key": "rows-1", "metadata": { "cart": 7 } }),
        )
        .await;
    let id = created["id"].as_str().unwrap();
    assert_stored(&app, &m, &created).await;

    let (attempt_id, state, external_id, checkout_url, provider_status, last_error): (
        String,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
    ) = sqlx::query_as(
        "SELECT id, state, external_id, checkout_url, provider_status, last_error
         FROM attempts WHERE payment_id = $1 AND reference = id",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(state, "open");
    assert_eq!(external_id.as_deref(), created["external_id"].as_str());
    assert_eq!(checkout_url.as_deref(), created["checkout_url"].as_str());
    assert_eq!(provider_status.as_deref(), Some("INIT"));
    assert_eq!(last_error, None);
    assert_eq!(app.count("attempts").await, 1);

    let timeline = entries(&app, id).await;
    assert_eq!(timeline.len(), 2, "{timeline:?}");
    assert_eq!(timeline[0].0, "payment.created");
    assert_eq!(timeline[0].1.as_deref(), Some("pending"));
    assert_eq!(
        timeline[0].2,
        json!({ "attempt_id": attempt_id, "provider": "paystablecoin" })
    );
    assert_eq!(timeline[1].0, "attempt.created");
    assert_eq!(
        timeline[1].2,
        json!({ "attempt_id": attempt_id, "external_id": created["external_id"] })
    );

    let (payment_id, state): (Option<String>, String) = sqlx::query_as(
        "SELECT payment_id, state FROM idempotency_keys WHERE merchant_id = $1 AND key = 'rows-1'",
    )
    .bind(&m.id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!((payment_id.as_deref(), state.as_str()), (Some(id), "done"));
}

#[tokio::test]
async fn a_keyless_create_touches_no_key_and_a_hosted_one_writes_no_attempt() {
    let app = spawn_app().await;
    let m = shop(&app, json!({})).await;
    // Another request's key must not be pointed at this payment.
    let other = app
        .create_payment(&m, json!({ "order_id": "K-1", "idempotency_key": "k-1" }))
        .await;
    let keyless = app.create_payment(&m, json!({ "order_id": "K-2" })).await;
    assert_stored(&app, &m, &keyless).await;
    let keys: Vec<(Option<String>,)> = sqlx::query_as("SELECT payment_id FROM idempotency_keys")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert_eq!(keys, [(other["id"].as_str().map(str::to_owned),)]);

    let hosted = create_hosted(&app, &m, "H-1").await;
    let id = hosted["id"].as_str().unwrap();
    assert_stored(&app, &m, &hosted).await;
    let attempts: i64 = sqlx::query_scalar("SELECT count(*) FROM attempts WHERE payment_id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(attempts, 0);
    let timeline = entries(&app, id).await;
    assert_eq!(timeline.len(), 1, "{timeline:?}");
    assert_eq!(timeline[0].2, json!({ "hosted": true }));
}

#[tokio::test]
async fn a_payment_changed_while_the_gateway_answers_is_answered_and_stored_as_written() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    // The change below is made behind Payrail's back (no timeline entry): the audit would say so.
    app.expect_audit_violations();
    app.sim_fault(json!({ "mode": "slow", "count": 1, "delay_ms": 1000 }))
        .await;
    let body = json!({ "amount": "10.00", "currency": "USD", "order_id": "MOVED-1",
        "provider": "paystablecoin", "idempotency_key": "moved-1" })
    .to_string();
    // While the gateway takes its time, the payment (committed before the call) moves on.
    let change = async {
        loop {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            let moved =
                sqlx::query("UPDATE payments SET status = 'cancelled' WHERE status = 'pending'")
                    .execute(&app.pool)
                    .await
                    .unwrap()
                    .rows_affected();
            if moved == 1 {
                break;
            }
        }
    };
    let ((status, first), ()) = tokio::join!(app.post("/v1/payments", &body, &m), change);
    assert_eq!(status, 201, "{first}");
    assert_eq!(
        first["status"], "cancelled",
        "answered as written, not as predicted"
    );
    assert!(first["checkout_url"].is_string());
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let (status, again) = app.post("/v1/payments", &body, &m).await;
    assert_eq!(status, 201, "{again}");
    assert_eq!(again, first, "the stored answer is the one sent");
}
