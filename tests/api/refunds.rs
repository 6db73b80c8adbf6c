//! Refunds (docs/api.md, "Refunds"; docs/money.md) through PayStableCoin: full refunds only at this
//! gateway, never more than was paid even when many arrive at once, idempotent, settled by recheck.

use crate::helpers::spawn_app;
use reqwest::Method;
use serde_json::{json, Value};

#[tokio::test]
async fn a_full_refund_is_pending_until_the_gateway_confirms_then_the_payment_is_refunded() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    let id = app.paid_payment(&m, "ORDER-1").await;
    let (status, refund) = app
        .post(
            &format!("/v1/payments/{id}/refunds"),
            r#"{"reason":"customer asked"}"#,
            &m,
        )
        .await;
    assert_eq!(status, 201, "{refund}");
    assert_eq!(refund["status"], "pending");
    assert_eq!(refund["amount"], "25.00");
    assert_eq!(refund["provider_status"], "PROCESSING");
    let refund_id = refund["id"].as_str().unwrap();
    assert!(refund_id.starts_with("rfd_"));

    // PayStableCoin completes it right after; a recheck learns that.
    let (status, _) = app
        .post(&format!("/v1/payments/{id}/recheck"), "", &m)
        .await;
    assert_eq!(status, 200);
    let (_, got) = app.get(&format!("/v1/refunds/{refund_id}"), &m).await;
    assert_eq!(got["status"], "completed");
    let (_, payment) = app.get(&format!("/v1/payments/{id}"), &m).await;
    assert_eq!(payment["status"], "refunded");
    assert_eq!(payment["refunded_amount"], "25.00");
    assert_eq!(payment["available_actions"], json!(["recheck"]));
    let (_, list) = app.get(&format!("/v1/payments/{id}/refunds/"), &m).await;
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    let kinds: Vec<String> = sqlx::query_scalar("SELECT type FROM outbox_events ORDER BY sequence")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert_eq!(
        kinds,
        ["payment.completed", "payment.refunded", "refund.completed"]
    );
    // Nothing is left to refund.
    let (status, err) = app
        .post(&format!("/v1/payments/{id}/refunds"), "", &m)
        .await;
    assert_eq!(
        (status, err["error"].as_str()),
        (422, Some("refund_exceeds_payment"))
    );
}

#[tokio::test]
async fn concurrent_refunds_never_exceed_the_payment() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    let id = app.paid_payment(&m, "ORDER-1").await;
    let path = format!("/v1/payments/{id}/refunds");
    let attempts = (0..6).map(|i| {
        let body = json!({ "idempotency_key": format!("r-{i}") }).to_string();
        let (app, m, path) = (&app, &m, path.clone());
        async move {
            let res = app
                .signed(Method::POST, &path, &body, m)
                .send()
                .await
                .unwrap();
            (res.status().as_u16(), res.json::<Value>().await.unwrap())
        }
    });
    let results = futures_util::future::join_all(attempts).await;
    let created = results.iter().filter(|(s, _)| *s == 201).count();
    assert_eq!(created, 1, "{results:?}");
    for (status, body) in results.iter().filter(|(s, _)| *s != 201) {
        assert_eq!(
            (*status, body["error"].as_str()),
            (422, Some("refund_exceeds_payment"))
        );
    }
    assert_eq!(app.count("refunds").await, 1);
    assert_eq!(app.sim_stats().await["calls"]["refund"], 1);
}

#[tokio::test]
async fn refunds_are_idempotent_and_refused_when_they_cannot_be_made() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    let unpaid = app.create_payment(&m, json!({ "order_id": "U" })).await;
    let (status, err) = app
        .post(
            &format!("/v1/payments/{}/refunds", unpaid["id"].as_str().unwrap()),
            "",
            &m,
        )
        .await;
    assert_eq!(
        (status, err["error"].as_str()),
        (409, Some("invalid_state"))
    );

    let id = app.paid_payment(&m, "ORDER-1").await;
    let path = format!("/v1/payments/{id}/refunds");
    // PayStableCoin has no partial refunds.
    let (status, err) = app.post(&path, r#"{"amount":"5.00"}"#, &m).await;
    assert_eq!(status, 400, "{err}");
    assert!(err["details"]["fields"]["amount"].is_string());
    for bad in [
        r#"{"amount":"-1"}"#,
        r#"{"amount":"1.001"}"#,
        r#"{"amount":true}"#,
        r#"{"colour":"red"}"#,
    ] {
        let (status, _) = app.post(&path, bad, &m).await;
        assert_eq!(status, 400, "{bad}");
    }
    let (status, err) = app.post(&path, r#"{"amount":"26.00"}"#, &m).await;
    assert_eq!(
        (status, err["error"].as_str()),
        (422, Some("refund_exceeds_payment"))
    );

    let body = r#"{"idempotency_key":"refund-once"}"#;
    let first = app
        .signed(Method::POST, &path, body, &m)
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    let again = app
        .signed(Method::POST, &path, body, &m)
        .send()
        .await
        .unwrap();
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.json::<Value>().await.unwrap()["id"], first["id"]);
    assert_eq!(app.count("refunds").await, 1);
    // Another merchant sees nothing.
    let other = app.merchant_with_psc().await;
    let (status, _) = app
        .get(
            &format!("/v1/refunds/{}", first["id"].as_str().unwrap()),
            &other,
        )
        .await;
    assert_eq!(status, 404);
}
