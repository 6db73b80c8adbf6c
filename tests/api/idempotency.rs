//! Idempotency keys (docs/api.md, "Idempotency"): replays, reuse, concurrency across instances,
//! resumption.

use crate::helpers::{spawn_app, Merchant, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

fn body(key: &str, order: &str) -> String {
    json!({ "amount": "10.00", "currency": "USD", "order_id": order, "provider": "paystablecoin", "idempotency_key": key }).to_string()
}

async fn raw_post(
    app: &TestApp,
    base: &str,
    body: &str,
    m: &Merchant,
) -> (u16, Option<String>, Vec<u8>) {
    let res = app
        .signed_at(
            base,
            Method::POST,
            "/v1/payments/",
            body,
            m,
            &crate::helpers::now_ts(),
        )
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let replayed = res
        .headers()
        .get("idempotent-replayed")
        .map(|v| v.to_str().unwrap().to_owned());
    (status, replayed, res.bytes().await.unwrap().to_vec())
}

#[tokio::test]
async fn an_identical_retry_replays_the_same_payment_byte_for_byte_with_one_gateway_call() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    let b = body("unique_8822", "TRANS_001");
    let (s1, r1, first) = raw_post(&app, &app.address, &b, &m).await;
    assert_eq!((s1, r1), (201, None));
    let (s2, r2, second) = raw_post(&app, &app.address, &b, &m).await;
    assert_eq!((s2, r2.as_deref()), (201, Some("true")));
    assert_eq!(first, second, "byte-identical replay");
    let created: Value = serde_json::from_slice(&first).unwrap();
    let stats = app.sim_stats().await;
    assert_eq!(stats["calls"]["create"], 1);
    assert_eq!(app.count("payments").await, 1);
    assert!(created["checkout_url"].is_string());

    // Same key, different request.
    let (s3, _, third) = raw_post(&app, &app.address, &body("unique_8822", "TRANS_002"), &m).await;
    assert_eq!(s3, 422);
    assert_eq!(
        serde_json::from_slice::<Value>(&third).unwrap()["error"],
        "idempotency_key_reused"
    );
    // The header and the body naming different keys.
    let res = app
        .signed(Method::POST, "/v1/payments/", &b, &m)
        .header("Idempotency-Key", "\"something-else\"")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(app.count("payments").await, 1);
}

#[tokio::test]
async fn the_idempotency_key_header_works_quoted_and_is_scoped_per_merchant() {
    let app = spawn_app().await;
    let a = app.merchant_with_psc().await;
    let b = app.merchant_with_psc().await;
    let payload = json!({ "amount": "10.00", "currency": "USD", "order_id": "X", "provider": "paystablecoin" }).to_string();
    let ts = chrono::Utc::now().timestamp();
    // A key in the header only is not signed (v1), so each try is signed afresh.
    let send = |m: &Merchant, ts: i64| {
        app.signed_at(
            &app.address,
            Method::POST,
            "/v1/payments",
            &payload,
            m,
            &ts.to_string(),
        )
        .header("Idempotency-Key", "\"k-1\"")
        .send()
    };
    let first: Value = send(&a, ts).await.unwrap().json().await.unwrap();
    let again = send(&a, ts + 1).await.unwrap();
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.json::<Value>().await.unwrap()["id"], first["id"]);
    let resent = send(&a, ts).await.unwrap();
    assert_eq!(
        resent.status(),
        401,
        "the same signature twice, key unsigned"
    );
    let other: Value = send(&b, ts).await.unwrap().json().await.unwrap();
    assert_ne!(other["id"], first["id"], "keys are scoped to the merchant");
}

#[tokio::test]
async fn fifty_concurrent_requests_with_one_key_make_one_payment_and_one_gateway_call() {
    let app = spawn_app().await;
    // Two instances sharing one database on Postgres; SQLite is one process's store, so there
    // the fifty race inside a single instance.
    let second = if crate::helpers::on_postgres() {
        app.second_instance().await
    } else {
        app.address.clone()
    };
    let m = app.merchant_with_psc().await;
    let b = body("race-key", "RACE");
    let requests = (0..50).map(|i| {
        let base = if i % 2 == 0 {
            app.address.clone()
        } else {
            second.clone()
        };
        let (app, b, m) = (&app, b.clone(), &m);
        async move { raw_post(app, &base, &b, m).await }
    });
    let results = futures_util::future::join_all(requests).await;
    let mut ids = std::collections::HashSet::new();
    for (status, _, bytes) in &results {
        let v: Value = serde_json::from_slice(bytes).unwrap();
        match status {
            201 => {
                ids.insert(v["id"].as_str().unwrap().to_owned());
            }
            409 => assert_eq!(v["error"], "idempotency_key_in_use"),
            other => panic!("unexpected {other}: {v}"),
        }
    }
    assert_eq!(ids.len(), 1, "every success names the same payment");
    assert_eq!(app.count("payments").await, 1);
    assert_eq!(app.sim_stats().await["calls"]["create"], 1);
}

#[tokio::test]
async fn a_gateway_timeout_on_create_is_resumed_by_the_retry_with_the_same_key() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    // The gateway creates the order but answers after Payrail's 1.5 s timeout.
    app.sim_fault(json!({ "mode": "timeout", "count": 1, "delay_ms": 4000 }))
        .await;
    let b = body("slow-key", "SLOW");
    let (status, _, bytes) = raw_post(&app, &app.address, &b, &m).await;
    assert_eq!(status, 504, "{}", String::from_utf8_lossy(&bytes));
    assert_eq!(
        serde_json::from_slice::<Value>(&bytes).unwrap()["error"],
        "provider_timeout"
    );
    let pending: (String, String) = sqlx::query_as(
        "SELECT p.id, a.state FROM payments p JOIN attempts a ON a.payment_id = p.id",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(pending.1, "creating", "outcome unknown, kept resumable");

    let (status, replayed, bytes) = raw_post(&app, &app.address, &b, &m).await;
    assert_eq!(
        (status, replayed),
        (201, None),
        "{}",
        String::from_utf8_lossy(&bytes)
    );
    let created: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(
        created["id"],
        pending.0.as_str(),
        "the same payment continued"
    );
    assert!(created["checkout_url"].is_string());
    assert_eq!(app.count("payments").await, 1);
    assert_eq!(app.count("attempts").await, 1);
    // Both tries used the same gateway-side reference (the attempt id).
    let reference: String = sqlx::query_scalar("SELECT reference FROM attempts")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let stats = app.sim_stats().await;
    assert_eq!(stats["by_reference"][&reference]["create"], 2);
    assert_eq!(stats["calls"]["create"], 2);
}

#[tokio::test]
async fn a_gateway_500_on_create_loses_nothing_and_the_retry_succeeds() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    app.sim_fault(json!({ "mode": "http_500", "count": 1 }))
        .await;
    let b = body("k500", "E500");
    let (status, _, _) = raw_post(&app, &app.address, &b, &m).await;
    assert_eq!(status, 502);
    let (status, _, bytes) = raw_post(&app, &app.address, &b, &m).await;
    assert_eq!(status, 201, "{}", String::from_utf8_lossy(&bytes));
    assert_eq!(app.count("payments").await, 1);
}

#[tokio::test]
async fn expired_keys_are_cleaned_up_and_become_new() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    let b = body("old-key", "OLD");
    let (status, _, _) = raw_post(&app, &app.address, &b, &m).await;
    assert_eq!(status, 201);
    sqlx::query("UPDATE idempotency_keys SET expires_at = created_at")
        .execute(&app.pool)
        .await
        .unwrap();
    let orch = payrail::startup::orchestrator(app.settings.clone(), app.address.clone())
        .await
        .unwrap();
    let report = orch.clean_up_expired().await.unwrap();
    assert_eq!(report.idempotency_keys, 1);
    assert_eq!(app.count("idempotency_keys").await, 0);
    let (status, replayed, _) = raw_post(&app, &app.address, &b, &m).await;
    assert_eq!((status, replayed), (201, None));
    assert_eq!(
        app.count("payments").await,
        2,
        "after retention the key is new again"
    );
}

#[tokio::test]
async fn a_replay_does_not_depend_on_the_accounts_as_they_are_now() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    let b = body("before-disable", "D");
    let (status, _, first) = raw_post(&app, &app.address, &b, &m).await;
    assert_eq!(status, 201);
    let res = app
        .client
        .put(format!("{}/v1/admin/merchants/{}/providers/paystablecoin", app.address, m.id))
        .bearer_auth(&app.admin_token)
        .json(&json!({ "credentials": { "merchant_id": "1000", "api_key": "k", "api_secret": "s" }, "enabled": false }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let (status, replayed, again) = raw_post(&app, &app.address, &b, &m).await;
    assert_eq!((status, replayed.as_deref()), (201, Some("true")));
    assert_eq!(first, again);
    // A new key now finds no gateway, and that answer is not stored: the key stays free.
    let (status, _, _) = raw_post(&app, &app.address, &body("after-disable", "E"), &m).await;
    assert_eq!(status, 422);
    assert_eq!(app.count("idempotency_keys").await, 1);
}
