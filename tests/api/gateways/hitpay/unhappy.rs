//! HitPay unhappy paths: fail/cancel/expire/underpay, bad, duplicated and lost webhooks, cancels.

use super::{attempt, checkout, create, merchant, sim, sim_request};
use crate::helpers::spawn_app;
use serde_json::json;

#[tokio::test]
async fn fail_cancel_expire_and_underpay() {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    let failed = create(&app, &m, "SG-2").await;
    checkout(&app, &failed, "fail").await;
    assert_eq!(
        app.status_of(failed["id"].as_str().unwrap(), &m).await,
        "failed"
    );

    // Cancel sends no webhook: the customer's return makes Payrail ask, and sends them to cancel_url.
    let cancelled = create(&app, &m, "SG-3").await;
    let cid = cancelled["id"].as_str().unwrap();
    let back = checkout(&app, &cancelled, "cancel").await;
    assert!(back.ends_with("&status=canceled"));
    assert_eq!(app.status_of(cid, &m).await, "pending");
    let res = app.client.get(&back).send().await.unwrap();
    assert_eq!(
        res.headers()["location"],
        format!("https://shop.example/cart?payment_id={cid}&status=cancelled").as_str()
    );
    assert_eq!(app.status_of(cid, &m).await, "cancelled");

    // Expired before the payment's own window ends: cancelled, learnt by a recheck.
    let expired = create(&app, &m, "SG-4").await;
    let eid = expired["id"].as_str().unwrap();
    checkout(&app, &expired, "expire").await;
    assert_eq!(app.status_of(eid, &m).await, "pending");
    let (status, r) = app
        .post(&format!("/v1/payments/{eid}/recheck"), "", &m)
        .await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(
        (&r["status"], &r["provider_status"], &r["changed"]),
        (&json!("cancelled"), &json!("expired"), &json!(true))
    );

    let short = create(&app, &m, "SG-5").await;
    let sid = short["id"].as_str().unwrap();
    checkout(&app, &short, "underpay").await;
    assert_eq!(app.status_of(sid, &m).await, "needs_review");
    let (_, full) = app.get(&format!("/v1/payments/{sid}"), &m).await;
    assert_eq!(
        full["status_detail"],
        "amount_mismatch: expected 25.00, gateway reported 12.50"
    );
}

#[tokio::test]
async fn a_tampered_or_forged_webhook_is_never_applied() {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    let p = create(&app, &m, "SG-6").await;
    let id = p["id"].as_str().unwrap();
    sim(&app, "webhooks", Some(json!({ "drop": 1 }))).await;
    checkout(&app, &p, "pay").await;
    assert_eq!(app.status_of(id, &m).await, "pending");
    let request_id = p["external_id"].as_str().unwrap();
    let sent = sim(
        &app,
        &format!("checkout/{request_id}/webhook"),
        Some(json!({ "copies": 1, "tamper": true })),
    )
    .await;
    assert_eq!(sent["statuses"], json!([401]));
    // A webhook signed with a made-up salt.
    let (reference, _, _) = attempt(&app).await;
    let fields = [
        ("payment_id", "f-1"),
        ("payment_request_id", request_id),
        ("reference_number", &reference),
        ("phone", ""),
        ("amount", "25.00"),
        ("currency", "SGD"),
        ("status", "completed"),
    ];
    let mut sorted = fields.to_vec();
    sorted.sort();
    let source: String = sorted.iter().map(|(k, v)| format!("{k}{v}")).collect();
    let hmac = crate::helpers::sign("not-the-salt", "", source.as_bytes());
    let mut form = fields.to_vec();
    form.push(("hmac", &hmac));
    let res = app
        .webhook_post("hitpay")
        .await
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(
        app.journal().await,
        [
            (false, Some("rejected".into())),
            (false, Some("rejected".into()))
        ]
    );
    assert_eq!(app.status_of(id, &m).await, "pending");
}

#[tokio::test]
async fn a_duplicated_webhook_is_applied_once() {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    let p = create(&app, &m, "SG-7").await;
    checkout(&app, &p, "pay").await;
    let request_id = p["external_id"].as_str().unwrap();
    let sent = sim(
        &app,
        &format!("checkout/{request_id}/webhook"),
        Some(json!({ "copies": 3 })),
    )
    .await;
    assert_eq!(sent["statuses"], json!([200, 200, 200]));
    app.assert_applied_once(3).await;
    assert_eq!(sim(&app, "stats", None).await["webhooks_sent"], 4);
}

#[tokio::test]
async fn a_lost_webhook_is_settled_by_the_return_or_by_a_recheck() {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    let first = create(&app, &m, "SG-8").await;
    let second = create(&app, &m, "SG-9").await;
    sim(&app, "webhooks", Some(json!({ "drop": 2 }))).await;
    let back = checkout(&app, &first, "pay").await;
    checkout(&app, &second, "pay").await;
    assert_eq!(sim(&app, "stats", None).await["webhooks_sent"], 0);
    let (a, b) = (
        first["id"].as_str().unwrap(),
        second["id"].as_str().unwrap(),
    );
    assert_eq!(
        (app.status_of(a, &m).await, app.status_of(b, &m).await),
        ("pending".into(), "pending".into())
    );

    let res = app.client.get(&back).send().await.unwrap();
    assert_eq!(
        res.headers()["location"],
        format!("https://shop.example/thanks?payment_id={a}&status=completed").as_str()
    );
    assert_eq!(app.status_of(a, &m).await, "completed");
    let (status, r) = app.post(&format!("/v1/payments/{b}/recheck"), "", &m).await;
    assert_eq!(
        (status, &r["status"], &r["reconciled"]),
        (200, &json!("completed"), &json!(true))
    );
    let charges: Vec<(Option<String>,)> = sqlx::query_as("SELECT charge_id FROM attempts")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert!(
        charges.iter().all(|(c,)| c.is_some()),
        "the query gave the payment ids"
    );
    assert!(app.journal().await.is_empty());
}

#[tokio::test]
async fn merchant_cancel_deletes_the_request_and_a_paid_one_is_409() {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    let open = create(&app, &m, "SG-10").await;
    let (status, r) = app
        .post(
            &format!("/v1/payments/{}/cancel", open["id"].as_str().unwrap()),
            "",
            &m,
        )
        .await;
    assert_eq!((status, &r["status"]), (200, &json!("cancelled")), "{r}");
    let stats = sim(&app, "stats", None).await;
    assert_eq!(stats["calls"]["cancel"], 1);
    assert_eq!(
        sim_request(&app, open["external_id"].as_str().unwrap()).await["status"],
        "canceled"
    );

    let paid = create(&app, &m, "SG-11").await;
    checkout(&app, &paid, "pay").await;
    let (status, r) = app
        .post(
            &format!("/v1/payments/{}/cancel", paid["id"].as_str().unwrap()),
            "",
            &m,
        )
        .await;
    assert_eq!((status, &r["error"]), (409, &json!("invalid_state")), "{r}");
    assert_eq!(
        sim(&app, "stats", None).await["calls"]["cancel"],
        1,
        "a paid request is not deleted"
    );
    assert_eq!(
        app.status_of(paid["id"].as_str().unwrap(), &m).await,
        "completed"
    );
}
