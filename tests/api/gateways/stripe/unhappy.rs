//! Stripe unhappy paths: a decline and a customer who leaves (the session stays open), a merchant
//! cancel (the session is expired at Stripe), the session expiring, and webhooks that are forged,
//! tampered or stale, which are journalled and never applied.

use super::{checkout, create, journal, merchant, sim, sim_session, WEBHOOK_SECRET};
use crate::helpers::spawn_app;
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;

#[tokio::test]
async fn a_decline_and_a_customer_who_leaves_keep_the_payment_open() {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    let p = create(&app, &m, "SU-1", "25.00", "SGD").await;
    let id = p["id"].as_str().unwrap();
    assert_eq!(
        checkout(&app, &p, "fail").await.0,
        200,
        "Stripe's page offers another try"
    );
    let (status, back) = checkout(&app, &p, "cancel").await;
    assert_eq!(status, 303);
    let res = app.client.get(back.unwrap()).send().await.unwrap();
    assert_eq!(
        res.headers()["location"],
        format!("https://shop.example/cart?payment_id={id}&status=pending").as_str()
    );
    assert_eq!(app.status_of(id, &m).await, "pending");
}

#[tokio::test]
async fn a_merchant_cancel_expires_the_session_and_an_expired_session_cancels_the_payment() {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    let p = create(&app, &m, "SU-2", "25.00", "SGD").await;
    let id = p["id"].as_str().unwrap();
    let (status, c) = app
        .post(&format!("/v1/payments/{id}/cancel/"), "", &m)
        .await;
    assert_eq!((status, &c["status"]), (200, &json!("cancelled")), "{c}");
    let held = sim_session(&app, p["external_id"].as_str().unwrap()).await;
    assert_eq!(held["status"], "expired");
    assert_eq!(sim(&app, "stats", None).await["calls"]["cancel"], 1);
    assert_eq!(
        checkout(&app, &p, "pay").await.0,
        409,
        "nobody can pay it any more"
    );

    // Expired at Stripe before the payment's own window ended: cancelled, by the event.
    let q = create(&app, &m, "SU-3", "25.00", "SGD").await;
    let qid = q["id"].as_str().unwrap();
    assert_eq!(checkout(&app, &q, "expire").await.0, 303);
    assert_eq!(app.status_of(qid, &m).await, "cancelled");
    let (_, full) = app.get(&format!("/v1/payments/{qid}"), &m).await;
    assert_eq!(full["provider_status"], "checkout.session.expired");
}

fn signature(secret: &str, t: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
}

#[tokio::test]
async fn a_forged_tampered_or_stale_webhook_is_refused_and_the_real_one_applies() {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    let p = create(&app, &m, "SU-4", "25.00", "SGD").await;
    let id = p["id"].as_str().unwrap();
    let session_id = p["external_id"].as_str().unwrap();
    sim(&app, "webhooks", Some(json!({ "drop": 1 }))).await;
    checkout(&app, &p, "pay").await;
    assert_eq!(app.status_of(id, &m).await, "pending", "the event was lost");
    let resend = format!("checkout/{session_id}/webhook");
    let stale = sim(&app, &resend, Some(json!({ "age_secs": 600 }))).await;
    assert_eq!(stale["statuses"], json!([400]));
    let tampered = sim(&app, &resend, Some(json!({ "tamper": true }))).await;
    assert_eq!(tampered["statuses"], json!([400]));
    let account: String = sqlx::query_scalar("SELECT id FROM provider_accounts")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let body = json!({ "id": "evt_forged", "object": "event", "type": "checkout.session.completed",
        "data": { "object": { "id": session_id, "object": "checkout.session", "status": "complete",
        "payment_status": "paid", "amount_total": 2500, "currency": "sgd", "payment_intent": "pi_forged" } } })
    .to_string();
    let now = chrono::Utc::now().timestamp();
    let url = format!("{}/v1/webhooks/stripe/{account}/", app.address);
    for secret in ["whsec_not_the_secret", WEBHOOK_SECRET] {
        let t = if secret == WEBHOOK_SECRET {
            now - 301
        } else {
            now
        };
        let res = app
            .client
            .post(&url)
            .header("Stripe-Signature", signature(secret, t, body.as_bytes()))
            .header("Content-Type", "application/json")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400, "{secret}");
    }
    assert_eq!(app.status_of(id, &m).await, "pending");
    let rejected = (false, Some("rejected".to_owned()));
    assert_eq!(journal(&app).await, vec![rejected; 4]);

    let real = sim(&app, &resend, Some(json!({}))).await;
    assert_eq!(real["statuses"], json!([200]));
    assert_eq!(app.status_of(id, &m).await, "completed");
}
