//! Paymento end to end (wire contract and the labels P1–P10: docs/gateways/paymento.md): Payrail
//! and the Paymento simulator over real HTTP.
//!
//! Paymento's IPN is only a hint: Payrail verifies every one (which also approves a Paid order
//! into Approve, P7) and applies what verify says. The simulator's return redirect is built after
//! its IPNs were answered, so its `status` shows whether Payrail verified (8) or not (7).

mod faults;
mod happy;
mod unhappy;

use crate::helpers::{Merchant, TestApp};
use serde_json::{json, Value};

const API_KEY: &str = "pmt_sim_api_key_0001";
const SECRET: &str = "paymento_test_secret";

async fn connect_paymento(app: &TestApp, m: &Merchant, credentials: Value) -> Value {
    let res = app
        .client
        .put(format!(
            "{}/v1/admin/merchants/{}/providers/paymento",
            app.address, m.id
        ))
        .bearer_auth(&app.admin_token)
        .json(&json!({
            "credentials": credentials,
            "base_url": format!("{}/paymento", app.sim_address),
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    res.json().await.unwrap()
}

fn creds() -> Value {
    json!({ "api_key": API_KEY, "secret_key": SECRET })
}

async fn merchant(app: &TestApp) -> Merchant {
    let m = app.create_merchant().await;
    connect_paymento(app, &m, creds()).await;
    m
}

fn payment_body(extra: Value) -> String {
    let mut body = json!({
        "amount": "25.00", "currency": "USD", "order_id": "ORDER-7", "provider": "paymento",
        "return_url": "https://shop.example/thanks", "cancel_url": "https://shop.example/cancelled",
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    body.to_string()
}

/// A payment with its own order id (identical signed bodies would be refused as replays).
async fn create(app: &TestApp, m: &Merchant) -> Value {
    let order = format!("ORDER-{}", ulid::Ulid::new());
    let (status, p) = app
        .post(
            "/v1/payments",
            &payment_body(json!({ "order_id": order })),
            m,
        )
        .await;
    assert_eq!(status, 201, "{p}");
    p
}

fn token(p: &Value) -> String {
    p["external_id"].as_str().unwrap().to_owned()
}

async fn reference(app: &TestApp, payment_id: &str) -> String {
    sqlx::query_scalar("SELECT reference FROM attempts WHERE payment_id = $1")
        .bind(payment_id)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

/// The customer's button on the simulator's page; returns the 303's Location.
async fn choose(app: &TestApp, p: &Value, outcome: &str) -> String {
    let res = app
        .client
        .post(format!(
            "{}/paymento/checkout/{}/{outcome}",
            app.sim_address,
            token(p)
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    res.headers()["location"].to_str().unwrap().to_owned()
}

async fn sim(app: &TestApp, path: &str) -> Value {
    let res = app
        .client
        .get(format!("{}/paymento/_sim/{path}", app.sim_address))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

async fn sim_post(app: &TestApp, path: &str, body: Value) -> Value {
    let res = app
        .client
        .post(format!("{}/paymento/_sim/{path}", app.sim_address))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

async fn full(app: &TestApp, m: &Merchant, id: &str) -> Value {
    let (status, p) = app.get(&format!("/v1/payments/{id}"), m).await;
    assert_eq!(status, 200, "{p}");
    p
}
