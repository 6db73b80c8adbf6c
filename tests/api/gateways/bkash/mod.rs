//! bKash end to end over HTTP: Payrail and the simulator on real ports (docs/gateways/bkash.md).
//!
//! The customer's approval on bKash's page moves no money: Payrail executes the payment when
//! the customer comes back (through its account-level return) or, when the customer never comes
//! back, when the reconciler rechecks it. Every test here counts the simulator's executes.

mod hosted;
mod pay;
mod race;
mod recovery;
mod refunds;

use crate::helpers::{Merchant, TestApp};
use serde_json::{json, Value};

pub const CREDENTIALS: [&str; 4] = [
    "bkash_sim_app_key",
    "bkash_sim_app_secret",
    "sandboxTokenizedUser01",
    "sandboxTokenizedUser01@12345",
];

fn credentials(app_key: &str) -> Value {
    let [_, secret, user, password] = CREDENTIALS;
    let username = if app_key == CREDENTIALS[0] {
        user.to_owned()
    } else {
        format!("user-{app_key}")
    };
    json!({ "app_key": app_key, "app_secret": secret, "username": username, "password": password })
}

/// A merchant connected to a simulator account of its own (`_sim/accounts` with `switches`),
/// so the simulator's counters of other tests' accounts do not matter.
pub async fn merchant(app: &TestApp, app_key: &str, switches: Value) -> Merchant {
    let mut account = credentials(app_key);
    for (k, v) in switches.as_object().unwrap() {
        account[k] = v.clone();
    }
    if app_key != CREDENTIALS[0] {
        sim(app, "accounts", account).await;
    }
    let m = app.create_merchant().await;
    let base = format!("{}/bkash/v1.2.0-beta", app.sim_address);
    let body = json!({ "credentials": credentials(app_key), "base_url": base });
    app.connect(&m, "bkash", body).await;
    m
}

pub fn payment_body(order: &str, extra: Value) -> String {
    let mut body = json!({
        "amount": "100.00", "currency": "BDT", "order_id": order, "provider": "bkash",
        "return_url": "https://shop.example/thanks", "cancel_url": "https://shop.example/cart",
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    body.to_string()
}

/// Creates a payment; `order` keeps each request distinct.
pub async fn create(app: &TestApp, m: &Merchant, order: &str) -> Value {
    let (status, p) = app
        .post("/v1/payments", &payment_body(order, json!({})), m)
        .await;
    assert_eq!(status, 201, "{p}");
    p
}

/// Where a `303 See Other` sends the browser.
pub fn see_other(res: reqwest::Response) -> String {
    assert_eq!(res.status(), 303);
    res.headers()["location"].to_str().unwrap().to_owned()
}

/// The customer's choice on bKash's page; answers where the browser is sent.
pub async fn on_page(app: &TestApp, payment: &Value, outcome: &str) -> String {
    let page = payment["checkout_url"].as_str().unwrap();
    let res = app.client.post(format!("{page}/{outcome}")).send().await;
    see_other(res.unwrap())
}

/// Follows a redirect into Payrail; answers where Payrail sends the customer.
pub async fn follow(app: &TestApp, location: &str) -> String {
    see_other(app.client.get(location).send().await.unwrap())
}

/// A `_sim/` control of the bKash simulator.
pub async fn sim(app: &TestApp, path: &str, body: Value) -> Value {
    let url = format!("{}/bkash/_sim/{path}", app.sim_address);
    let res = app.client.post(url).json(&body).send().await.unwrap();
    assert!(res.status().is_success(), "{path}");
    res.json().await.unwrap()
}

/// What the simulator holds under the payment's attempt reference (the oracle).
pub async fn at_bkash(app: &TestApp, payment_id: &str) -> Value {
    let reference = attempt(app, payment_id, "reference").await;
    let url = format!(
        "{}/bkash/_sim/orders?reference={reference}",
        app.sim_address
    );
    let res = app.client.get(url).send().await.unwrap();
    res.json::<Value>().await.unwrap()["orders"][0].clone()
}

pub async fn stats(app: &TestApp) -> Value {
    app.sim_stats_of("bkash").await
}

/// One column of the payment's (only) attempt.
pub async fn attempt(app: &TestApp, payment_id: &str, column: &str) -> String {
    let sql = format!("SELECT {column} FROM attempts WHERE payment_id = $1");
    let query = sqlx::query_scalar(&sql).bind(payment_id);
    query.fetch_one(&app.pool).await.unwrap()
}

/// How many events of `kind` the payment has.
pub async fn events(app: &TestApp, payment_id: &str, kind: &str) -> i64 {
    let sql = "SELECT count(*) FROM payment_events WHERE payment_id = $1 AND type = $2";
    let query = sqlx::query_scalar(sql).bind(payment_id).bind(kind);
    query.fetch_one(&app.pool).await.unwrap()
}
