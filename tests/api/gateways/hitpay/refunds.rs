//! Refunds through the Payrail API at a gateway that refunds any amount (HitPay): partial
//! refunds add up, never past what was paid, even when sent at once; Paymento has none.

use crate::helpers::{spawn_app, Merchant, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

async fn connect(app: &TestApp, m: &Merchant, provider: &str, credentials: Value) {
    let res = app
        .client
        .put(format!("{}/v1/admin/merchants/{}/providers/{provider}", app.address, m.id))
        .bearer_auth(&app.admin_token)
        .json(&json!({ "credentials": credentials, "base_url": format!("{}/{provider}", app.sim_address) }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
}

async fn paid_hitpay_payment(app: &TestApp, m: &Merchant) -> String {
    let body =
        json!({ "amount": "30.00", "currency": "SGD", "order_id": "HR-1", "provider": "hitpay" })
            .to_string();
    let (status, p) = app.post("/v1/payments", &body, m).await;
    assert_eq!(status, 201, "{p}");
    let res = app
        .client
        .post(format!("{}/pay", p["checkout_url"].as_str().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let id = p["id"].as_str().unwrap().to_owned();
    assert_eq!(app.status_of(&id, m).await, "completed");
    id
}

#[tokio::test]
async fn partial_refunds_add_up_and_concurrent_ones_never_exceed_the_payment() {
    let app = spawn_app().await;
    let m = app.create_merchant().await;
    connect(
        &app,
        &m,
        "hitpay",
        json!({ "api_key": "hitpay_test_api_key", "salt": "hitpay_test_salt" }),
    )
    .await;
    let id = paid_hitpay_payment(&app, &m).await;
    let path = format!("/v1/payments/{id}/refunds");

    let (status, first) = app
        .post(&path, r#"{"amount":"10.00","reason":"one item back"}"#, &m)
        .await;
    assert_eq!(status, 201, "{first}");
    assert_eq!(
        (first["amount"].as_str(), first["status"].as_str()),
        (Some("10.00"), Some("completed"))
    );
    let (_, p) = app.get(&format!("/v1/payments/{id}"), &m).await;
    assert_eq!(
        (p["status"].as_str(), p["refunded_amount"].as_str()),
        (Some("partially_refunded"), Some("10.00"))
    );

    // Eight refunds of 5.00 at once against 20.00 left: exactly four succeed.
    let attempts = (0..8).map(|i| {
        let body = json!({ "amount": "5.00", "idempotency_key": format!("part-{i}") }).to_string();
        let (app, m, path) = (&app, &m, path.clone());
        async move {
            app.signed(Method::POST, &path, &body, m)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    });
    let statuses = futures_util::future::join_all(attempts).await;
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        4,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 422).count(),
        4,
        "{statuses:?}"
    );
    let (_, p) = app.get(&format!("/v1/payments/{id}"), &m).await;
    assert_eq!(
        (p["status"].as_str(), p["refunded_amount"].as_str()),
        (Some("refunded"), Some("30.00"))
    );
    let (_, list) = app.get(&format!("{path}/"), &m).await;
    let total: usize = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == "completed")
        .count();
    assert_eq!(total, 5);
    assert_eq!(app.sim_stats_of("hitpay").await["calls"]["refund"], 5);
}

#[tokio::test]
async fn a_gateway_without_a_refund_api_answers_refund_not_supported() {
    let app = spawn_app().await;
    let m = app.create_merchant().await;
    connect(
        &app,
        &m,
        "paymento",
        json!({ "api_key": "pmt_sim_api_key_0001", "secret_key": "paymento_test_secret" }),
    )
    .await;
    let body =
        json!({ "amount": "10.00", "currency": "USD", "order_id": "PR-1", "provider": "paymento" })
            .to_string();
    let (status, p) = app.post("/v1/payments", &body, &m).await;
    assert_eq!(status, 201, "{p}");
    let (status, err) = app
        .post(
            &format!("/v1/payments/{}/refunds", p["id"].as_str().unwrap()),
            "",
            &m,
        )
        .await;
    assert_eq!(
        (status, err["error"].as_str()),
        (422, Some("refund_not_supported"))
    );
    assert_eq!(app.count("refunds").await, 0);
}
