//! Paymento's unhappy paths: fail, cancel, expire, underpay, forged, duplicated and lost IPNs.

use super::{choose, create, full, merchant, reference, sim, sim_post, token, API_KEY};
use crate::helpers::{spawn_app, TestApp};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

/// One outcome, settled by the IPN alone: Payrail's status and the provider status it shows.
async fn settle(outcome: &str) -> (String, Value) {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    let p = create(&app, &m).await;
    let id = p["id"].as_str().unwrap();
    choose(&app, &p, outcome).await;
    assert_eq!(app.journal().await, [(true, Some("applied".into()))]);
    let view = full(&app, &m, id).await;
    (app.status_of(id, &m).await, view)
}

#[tokio::test]
async fn fail_cancel_expire_process_and_underpay() {
    let (status, view) = settle("fail").await;
    assert_eq!(
        (status.as_str(), &view["provider_status"]),
        ("failed", &json!("Reject"))
    );
    let (status, view) = settle("cancel").await;
    assert_eq!(
        (status.as_str(), &view["provider_status"]),
        ("cancelled", &json!("UserCanceled"))
    );
    // Timeout while Payrail's own window is still open: Payrail calls that cancelled.
    let (status, view) = settle("expire").await;
    assert_eq!(
        (status.as_str(), &view["provider_status"]),
        ("cancelled", &json!("Timeout"))
    );
    let (status, view) = settle("process").await;
    assert_eq!(
        (status.as_str(), &view["provider_status"]),
        ("processing", &json!("WaitingToConfirm"))
    );
    // PartialPaid: money arrived short, so it is held for review, never completed.
    let (status, view) = settle("underpay").await;
    assert_eq!(
        (status.as_str(), &view["provider_status"]),
        ("needs_review", &json!("PartialPaid"))
    );
    assert_eq!(
        view["status_detail"],
        "underpaid: less than the amount due arrived"
    );
}

#[tokio::test]
async fn a_cancelled_customer_is_sent_to_the_merchants_cancel_url() {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    let p = create(&app, &m).await;
    let id = p["id"].as_str().unwrap();
    let location = choose(&app, &p, "cancel").await;
    assert!(location.ends_with("&status=5"), "{location}");
    let res = app.client.get(&location).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(
        res.headers()["location"],
        format!("https://shop.example/cancelled?payment_id={id}&status=cancelled").as_str()
    );
}

#[tokio::test]
async fn a_forged_ipn_is_journalled_refused_and_never_applied() {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    let p = create(&app, &m).await;
    let id = p["id"].as_str().unwrap();
    choose(&app, &p, "process").await;
    assert_eq!(app.status_of(id, &m).await, "processing");
    // The genuine IPN with a broken signature.
    let sent = sim_post(
        &app,
        &format!("checkout/{}/webhook", token(&p)),
        json!({"copies": 1, "tamper": true}),
    )
    .await;
    assert_eq!(sent["statuses"], json!([401]));
    // A Paid IPN signed with the wrong key.
    let forged =
        json!({"Token": token(&p), "PaymentId": 20001, "OrderId": reference(&app, id).await,
                        "OrderStatus": 7, "AdditionalData": []})
        .to_string();
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(b"not-the-secret").unwrap();
    mac.update(forged.as_bytes());
    let res = app
        .webhook_post("paymento")
        .await
        .header("Content-Type", "application/json")
        .header(
            "X-HMAC-SHA256-Signature",
            hex::encode_upper(mac.finalize().into_bytes()),
        )
        .body(forged)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(
        app.journal().await,
        [
            (true, Some("applied".into())),
            (false, Some("rejected".into())),
            (false, Some("rejected".into()))
        ]
    );
    assert_eq!(app.status_of(id, &m).await, "processing");
    // A forged IPN never even makes Payrail ask Paymento.
    assert_eq!(sim(&app, "stats").await["calls"]["query"], 1);
}

#[tokio::test]
async fn a_duplicated_ipn_is_applied_once() {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    let p = create(&app, &m).await;
    choose(&app, &p, "pay").await;
    let sent = sim_post(
        &app,
        &format!("checkout/{}/webhook", token(&p)),
        json!({"copies": 3}),
    )
    .await;
    assert_eq!(sent["statuses"], json!([200, 200, 200]));
    app.assert_applied_once(3).await;
    assert_eq!(app.count("outbox_events").await, 1);
    // Only the first copy is confirmed with verify: a known duplicate costs no gateway call.
    assert_eq!(sim(&app, "stats").await["calls"]["query"], 1);
}

/// Points the account's IPN URL at a closed port, as a lost IPN.
async fn lose_ipns(app: &TestApp) {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}/ipn", closed.local_addr().unwrap());
    drop(closed);
    let res = app
        .client
        .post(format!("{}/paymento/v1/payment/settings", app.sim_address))
        .header("Api-Key", API_KEY)
        .json(&json!({"IPN_Url": dead, "IPN_Method": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn a_lost_ipn_is_settled_by_the_return_or_by_a_recheck() {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    lose_ipns(&app).await;
    let by_return = create(&app, &m).await;
    let by_recheck = create(&app, &m).await;
    let location = choose(&app, &by_return, "pay").await;
    assert!(
        location.ends_with("&status=7"),
        "not verified yet: {location}"
    );
    choose(&app, &by_recheck, "pay").await;
    assert_eq!(sim(&app, "stats").await["webhooks_sent"], 2);
    assert_eq!(app.count("webhook_journal").await, 0);
    let (a, b) = (
        by_return["id"].as_str().unwrap(),
        by_recheck["id"].as_str().unwrap(),
    );
    assert_eq!(app.status_of(a, &m).await, "pending");
    assert_eq!(app.status_of(b, &m).await, "pending");

    let res = app.client.get(&location).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(
        res.headers()["location"],
        format!("https://shop.example/thanks?payment_id={a}&status=completed").as_str()
    );
    assert_eq!(app.status_of(a, &m).await, "completed");
    assert_eq!(
        sim(&app, &format!("orders/{}", token(&by_return))).await["order_status"],
        8
    );

    let (status, body) = app.post(&format!("/v1/payments/{b}/recheck"), "", &m).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (&body["previous_status"], &body["status"]),
        (&json!("pending"), &json!("completed"))
    );
    assert_eq!(
        sim(&app, &format!("orders/{}", token(&by_recheck))).await["order_status"],
        8
    );
}
