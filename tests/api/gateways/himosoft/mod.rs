//! HimoSoft end to end over HTTP: Payrail and the HimoSoft simulator on real ports (wire contract
//! and the labels H1–H6: docs/gateways/himosoft.md).
//!
//! HimoSoft's callback is only a hint (H5): Payrail confirms every callback with `/recheck/` and
//! applies that answer. HimoSoft takes no return URL per payment ("Return"): tests that follow the
//! customer back register Payrail's account-level return URL (from the connected account) as the
//! simulator account's `return_url`, as a merchant would in HimoSoft's dashboard.

mod faults;
mod happy;

use crate::helpers::{Merchant, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

const SECRET: &str = "himo_sk_test_123";
const API_KEY: &str = "himo_pk_test_123";

async fn connect_himosoft(app: &TestApp, m: &Merchant) -> Value {
    let url = format!(
        "{}/v1/admin/merchants/{}/providers/himosoft",
        app.address, m.id
    );
    let body = json!({
        "credentials": { "secret": SECRET, "api_key": API_KEY },
        "base_url": format!("{}/himosoft", app.sim_address),
    });
    let req = app
        .client
        .put(url)
        .bearer_auth(&app.admin_token)
        .json(&body);
    let res = req.send().await.unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    res.json().await.unwrap()
}

async fn merchant(app: &TestApp) -> Merchant {
    let m = app.create_merchant().await;
    let account = connect_himosoft(app, &m).await;
    // Where the merchant points HimoSoft's account-level return ("Return").
    let want = format!(
        "{}/checkout/return/himosoft/{}",
        app.address,
        account["id"].as_str().unwrap()
    );
    assert_eq!(account["return_url"], want.as_str());
    m
}

fn payment_body(extra: Value) -> String {
    let mut body = json!({
        "amount": "1500.00", "currency": "BDT", "provider": "himosoft",
        // Unique, so two creates within a second are not one replayed signed request.
        "order_id": format!("TRANS_{}", ulid::Ulid::new()),
        "return_url": "https://shop.example/thanks", "callback_url": "https://shop.example/hook",
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    body.to_string()
}

async fn create(app: &TestApp, m: &Merchant) -> Value {
    let (status, p) = app.post("/v1/payments/", &payment_body(json!({})), m).await;
    assert_eq!(status, 201, "{p}");
    p
}

fn id(p: &Value) -> &str {
    p["id"].as_str().unwrap()
}

/// The checkout token: the last segment of the checkout URL (the HimoSoft id without `pay_`).
fn token(p: &Value) -> String {
    let url = p["checkout_url"].as_str().unwrap();
    url[url.rfind('/').unwrap() + 1..].to_owned()
}

async fn checkout(app: &TestApp, p: &Value, outcome: &str) -> reqwest::Response {
    let (sim, token) = (&app.sim_address, token(p));
    let url = format!("{sim}/himosoft/checkout/{token}/{outcome}");
    app.client.post(url).send().await.unwrap()
}

async fn sim(app: &TestApp, path: &str, body: Value) -> Value {
    let url = format!("{}/himosoft/_sim/{path}", app.sim_address);
    let res = app.client.post(url).json(&body).send().await.unwrap();
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

async fn stats(app: &TestApp) -> Value {
    let url = format!("{}/himosoft/_sim/stats", app.sim_address);
    let res = app.client.get(url).send().await.unwrap();
    res.json().await.unwrap()
}

/// Payrail's account-level return URL for `p`'s account, registered as the simulator account's
/// return URL.
async fn return_to_payrail(app: &TestApp, p: &Value) -> String {
    let sql = "SELECT account_id FROM payments WHERE id = $1";
    let account = text(app, sql, id(p)).await;
    let url = format!("{}/checkout/return/himosoft/{account}", app.address);
    let body = json!({ "secret": SECRET, "api_key": API_KEY, "return_url": url });
    sim(app, "accounts", body).await;
    url
}

/// One text value from the app's database.
async fn text(app: &TestApp, sql: &str, bind: &str) -> String {
    let query = sqlx::query_scalar(sql).bind(bind.to_owned());
    query.fetch_one(&app.pool).await.unwrap()
}

async fn reference(app: &TestApp, p: &Value) -> String {
    text(
        app,
        "SELECT reference FROM attempts WHERE payment_id = $1",
        id(p),
    )
    .await
}

/// Each journalled callback as `verified:result` / `rejected:result`.
async fn journal(app: &TestApp) -> Vec<String> {
    let rows: Vec<(String, Option<String>)> =
        sqlx::query_as("SELECT verification, result FROM webhook_journal ORDER BY id")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    rows.into_iter()
        .map(|(v, r)| format!("{}:{}", v.split(':').next().unwrap(), r.unwrap_or_default()))
        .collect()
}

/// The values of `keys` in `v`, as one JSON array (one assertion for several fields).
fn pick(v: &Value, keys: &[&str]) -> Value {
    keys.iter().map(|k| v[*k].clone()).collect()
}

async fn recheck(app: &TestApp, p: &Value, m: &Merchant) -> Value {
    let path = format!("/v1/payments/{}/recheck/", id(p));
    let (status, v) = app.post(&path, "", m).await;
    assert_eq!(status, 200, "{v}");
    v
}

/// Follows a redirect to Payrail's return interceptor; returns where Payrail sends the customer.
async fn follow(app: &TestApp, location: &str) -> String {
    let res = app.client.get(location).send().await.unwrap();
    assert_eq!(res.status(), 303);
    res.headers()["location"].to_str().unwrap().to_owned()
}

fn thanks(p: &Value, status: &str) -> String {
    let id = id(p);
    format!("https://shop.example/thanks?payment_id={id}&status={status}")
}

async fn full(app: &TestApp, p: &Value, m: &Merchant) -> Value {
    let (status, v) = app.get(&format!("/v1/payments/{}", id(p)), m).await;
    assert_eq!(status, 200, "{v}");
    v
}

async fn webhook_url(app: &TestApp) -> String {
    let sql = "SELECT id FROM provider_accounts WHERE provider = $1";
    let account = text(app, sql, "himosoft").await;
    format!("{}/v1/webhooks/himosoft/{account}/", app.address)
}
