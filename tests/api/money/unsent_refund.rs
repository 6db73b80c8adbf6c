//! A refund the gateway never received (PayStableCoin throttled the call: HTTP 429, refused
//! before processing) fails, and its idempotency key is freed for a retry in the same
//! transaction: a retry with the same key makes a new refund, and no crash or failed statement
//! can leave the key answering a refund that failed unsent.

use super::{fault, refunds};
use crate::helpers::{now_ts, spawn_app, Merchant, TestApp, UpdateFault};
use reqwest::Method;
use serde_json::Value;

/// The refund the key answers, as the store holds it (`None`: no refund, or the key is gone:
/// a key whose request created nothing is forgotten).
async fn key_refund(app: &TestApp, key: &str) -> Option<String> {
    sqlx::query_scalar::<_, Option<String>>("SELECT refund_id FROM idempotency_keys WHERE key = $1")
        .bind(key)
        .fetch_optional(&app.pool)
        .await
        .unwrap()
        .flatten()
}

/// A keyed refund of everything left, signed at `ts` (a retry needs a fresh signature).
async fn keyed_refund(app: &TestApp, m: &Merchant, id: &str, key: &str, ts: &str) -> (u16, Value) {
    let body = format!(r#"{{"idempotency_key":"{key}"}}"#);
    let path = format!("/v1/payments/{id}/refunds");
    let res = app
        .signed_at(&app.address, Method::POST, &path, &body, m, ts)
        .send()
        .await
        .unwrap();
    (
        res.status().as_u16(),
        res.json().await.unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn an_unsent_refund_fails_and_frees_its_key_so_a_retry_makes_a_new_refund() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    let id = app.paid_payment(&m, "ORDER-1").await;
    fault(&app, "paystablecoin", "rate_limited", 1).await;
    let ts = now_ts();
    let (status, err) = keyed_refund(&app, &m, &id, "rk-1", &ts).await;
    assert_eq!(
        (status, err["error"].as_str()),
        (502, Some("provider_unavailable")),
        "{err}"
    );
    let first = refunds(&app, &m, &id).await;
    assert_eq!(first.len(), 1);
    assert_eq!(first[0]["status"], "failed", "{first:?}");
    assert!(first[0]["status_detail"]
        .as_str()
        .unwrap()
        .starts_with("provider_unavailable"));
    assert_eq!(key_refund(&app, "rk-1").await, None);

    // The same key, signed again: a new refund, sent this time.
    let later = (ts.parse::<i64>().unwrap() + 1).to_string();
    let (status, retry) = keyed_refund(&app, &m, &id, "rk-1", &later).await;
    assert_eq!(status, 201, "{retry}");
    assert_ne!(retry["id"], first[0]["id"]);
    assert_eq!(retry["status"], "pending");
    assert_eq!(
        key_refund(&app, "rk-1").await.as_deref(),
        retry["id"].as_str()
    );
    assert_eq!(refunds(&app, &m, &id).await.len(), 2);
}

#[tokio::test]
async fn freeing_the_key_and_failing_the_refund_land_together_or_not_at_all() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    let id = app.paid_payment(&m, "ORDER-1").await;
    // The key release (the second write) fails; the refund's failure must not land alone.
    let fault_name = "fail_key_release";
    app.fail_updates(UpdateFault {
        name: fault_name,
        table: "idempotency_keys",
        when: "OLD.refund_id IS NOT NULL AND NEW.refund_id IS NULL",
    })
    .await;
    fault(&app, "paystablecoin", "rate_limited", 1).await;
    let (status, err) = keyed_refund(&app, &m, &id, "rk-1", &now_ts()).await;
    assert_eq!(
        (status, err["error"].as_str()),
        (500, Some("internal_error"))
    );
    app.clear_update_fault(fault_name, "idempotency_keys").await;

    let rows = refunds(&app, &m, &id).await;
    assert_eq!(rows.len(), 1);
    let failed = rows[0]["status"] == "failed";
    let key_free = key_refund(&app, "rk-1").await.is_none();
    assert_eq!(
        (failed, key_free),
        (false, false),
        "the refund's failure and the key's release are one transaction: {rows:?}"
    );
    // Nothing was written: the refund stays pending (a recheck settles it from the gateway,
    // which holds no such refund) and the key still answers it.
    assert_eq!(rows[0]["status"], "pending");
}
