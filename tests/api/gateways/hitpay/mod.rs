//! HitPay end to end over HTTP: Payrail and the HitPay simulator on real ports. Create, pay at the
//! simulator, its signed v1 webhook, and every unhappy path the gateway can take.

mod faults;
mod happy;
mod refunds;
mod unhappy;

use crate::helpers::{Merchant, TestApp};
use serde_json::{json, Value};

const API_KEY: &str = "hitpay_test_api_key";
const SALT: &str = "hitpay_test_salt";

async fn connect_hitpay(app: &TestApp, m: &Merchant) -> Value {
    connect_hitpay_key(app, m, API_KEY).await
}

/// Connects (or reconnects) the merchant's HitPay account with `api_key`.
async fn connect_hitpay_key(app: &TestApp, m: &Merchant, api_key: &str) -> Value {
    let res = app
        .client
        .put(format!(
            "{}/v1/admin/merchants/{}/providers/hitpay",
            app.address, m.id
        ))
        .bearer_auth(&app.admin_token)
        .json(&json!({
            "credentials": { "api_key": api_key, "salt": SALT },
            "base_url": format!("{}/hitpay", app.sim_address),
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    res.json().await.unwrap()
}

async fn merchant(app: &TestApp) -> Merchant {
    let m = app.create_merchant().await;
    let account = connect_hitpay(app, &m).await;
    assert_eq!(
        account["currencies"],
        json!(["SGD", "MYR", "PHP", "USD", "BDT"])
    );
    m
}

fn body(extra: Value) -> String {
    let mut b = json!({
        "amount": "25.00", "currency": "SGD", "order_id": "SG-1", "provider": "hitpay",
        "return_url": "https://shop.example/thanks", "cancel_url": "https://shop.example/cart",
    });
    for (k, v) in extra.as_object().unwrap() {
        b[k] = v.clone();
    }
    b.to_string()
}

/// A payment with its own order id (an identical signed request would be a replay).
async fn create(app: &TestApp, m: &Merchant, order: &str) -> Value {
    let (status, p) = app
        .post("/v1/payments", &body(json!({ "order_id": order })), m)
        .await;
    assert_eq!(status, 201, "{p}");
    p
}

/// The customer's choice on the simulator's page; the answer is its 303 (not followed).
async fn checkout(app: &TestApp, p: &Value, outcome: &str) -> String {
    let url = format!("{}/{outcome}", p["checkout_url"].as_str().unwrap());
    let res = app.client.post(url).send().await.unwrap();
    assert_eq!(res.status(), 303);
    res.headers()["location"].to_str().unwrap().to_owned()
}

async fn sim(app: &TestApp, path: &str, body: Option<Value>) -> Value {
    let url = format!("{}/hitpay/_sim/{path}", app.sim_address);
    let res = match body {
        Some(b) => app.client.post(url).json(&b).send().await.unwrap(),
        None => app.client.get(url).send().await.unwrap(),
    };
    assert!(res.status().is_success());
    res.json().await.unwrap()
}

async fn attempt(app: &TestApp) -> (String, Option<String>, Option<String>) {
    sqlx::query_as("SELECT reference, external_id, charge_id FROM attempts")
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

/// The simulator's own record of a payment request, read with HitPay's API.
async fn sim_request(app: &TestApp, request_id: &str) -> Value {
    app.client
        .get(format!(
            "{}/hitpay/v1/payment-requests/{request_id}",
            app.sim_address
        ))
        .header("X-BUSINESS-API-KEY", API_KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}
