//! Stripe end to end over HTTP: Payrail and the Stripe simulator on real ports. A Checkout
//! Session per payment, its signed events to the account's endpoint, refunds (Payrail's and the
//! dashboard's), cancel, expiry, refused webhooks, and a zero-decimal currency (JPY).

mod faults;
mod happy;
mod localstripe;
mod refunds;
mod restricted;
mod reversed;
mod sandbox;
mod unhappy;

use crate::helpers::{Merchant, TestApp};
use serde_json::{json, Value};

const SECRET_KEY: &str = "sk_test_payrail_sim_0001";
const WEBHOOK_SECRET: &str = "whsec_payrail_sim_secret";

/// Connects the merchant to the simulator and gives the simulator's account Payrail's webhook
/// URL for it (what the merchant does in Stripe's dashboard); returns the account.
async fn connect_stripe(app: &TestApp, m: &Merchant) -> Value {
    connect_stripe_key(app, m, SECRET_KEY, &[]).await
}

/// [`connect_stripe`] with `secret_key`, a restricted one (`rk_…`) given no permission for the
/// `denied` resources.
async fn connect_stripe_key(
    app: &TestApp,
    m: &Merchant,
    secret_key: &str,
    denied: &[&str],
) -> Value {
    let account = app
        .connect(
            m,
            "stripe",
            json!({
                "credentials": { "secret_key": secret_key, "webhook_secret": WEBHOOK_SECRET },
                "base_url": format!("{}/stripe", app.sim_address),
            }),
        )
        .await;
    let endpoint = json!({ "secret_key": secret_key, "webhook_secret": WEBHOOK_SECRET,
                           "webhook_url": account["webhook_url"], "denied": denied });
    sim(app, "accounts", Some(endpoint)).await;
    account
}

async fn merchant(app: &TestApp) -> Merchant {
    let m = app.create_merchant().await;
    let account = connect_stripe(app, &m).await;
    let currencies = account["currencies"].as_array().unwrap();
    assert!(currencies.contains(&json!("JPY")) && currencies.contains(&json!("SGD")));
    assert_eq!(account["methods"], json!(["card"]));
    m
}

/// A payment at Stripe with its own order id.
async fn create(app: &TestApp, m: &Merchant, order: &str, amount: &str, currency: &str) -> Value {
    let body = json!({
        "amount": amount, "currency": currency, "order_id": order, "provider": "stripe",
        "return_url": "https://shop.example/thanks", "cancel_url": "https://shop.example/cart",
    });
    let (status, p) = app.post("/v1/payments", &body.to_string(), m).await;
    assert_eq!(status, 201, "{p}");
    p
}

/// A payment of `amount` SGD the customer paid on Stripe's page.
async fn paid(app: &TestApp, m: &Merchant, order: &str, amount: &str) -> Value {
    let p = create(app, m, order, amount, "SGD").await;
    checkout(app, &p, "pay").await;
    let id = p["id"].as_str().unwrap();
    assert_eq!(app.status_of(id, m).await, "completed");
    p
}

/// The customer's choice on the simulator's page: (status, Location).
async fn checkout(app: &TestApp, p: &Value, outcome: &str) -> (u16, Option<String>) {
    let url = format!("{}/{outcome}", p["checkout_url"].as_str().unwrap());
    let res = app.client.post(url).send().await.unwrap();
    let to = res
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned());
    (res.status().as_u16(), to)
}

async fn sim(app: &TestApp, path: &str, body: Option<Value>) -> Value {
    let url = format!("{}/stripe/_sim/{path}", app.sim_address);
    let res = match body {
        Some(b) => app.client.post(url).json(&b).send().await.unwrap(),
        None => app.client.get(url).send().await.unwrap(),
    };
    assert!(res.status().is_success(), "{path}: {}", res.status());
    res.json().await.unwrap()
}

/// The simulator's own record of a session, read with Stripe's API (intent and charge expanded).
async fn sim_session(app: &TestApp, session_id: &str) -> Value {
    app.client
        .get(format!(
            "{}/stripe/v1/checkout/sessions/{session_id}?expand[]=payment_intent.latest_charge",
            app.sim_address
        ))
        .bearer_auth(SECRET_KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// (verified, result) of every journalled webhook, oldest first.
async fn journal(app: &TestApp) -> Vec<(bool, Option<String>)> {
    let rows: Vec<(String, Option<String>)> =
        sqlx::query_as("SELECT verification, result FROM webhook_journal ORDER BY id")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    rows.into_iter()
        .map(|(v, r)| (v.starts_with("verified"), r))
        .collect()
}

/// (reference, external_id, charge_id) of the only attempt.
async fn attempt(app: &TestApp) -> (String, Option<String>, Option<String>) {
    sqlx::query_as("SELECT reference, external_id, charge_id FROM attempts")
        .fetch_one(&app.pool)
        .await
        .unwrap()
}
