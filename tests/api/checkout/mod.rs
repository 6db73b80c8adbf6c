//! Payrail's hosted checkout over HTTP (docs/checkout.md, "Hosted checkout"): a payment without
//! `provider` and `method` gets Payrail's page; each pick is an attempt at the gateway for that
//! method; a failed or cancelled attempt leaves the choice open; a second paid attempt goes to
//! review.
//!
//! The customer's browser is played by plain HTTP requests here (no redirects followed, so each
//! hop is checked); `tests/api/browser.rs` does the same journey in headless Chromium.

mod flows;
mod page;

use crate::helpers::{Merchant, TestApp};
use serde_json::{json, Value};

pub const PAKHI_KEY: &str = "pk_test_api_key_123";

/// A Bangladeshi shop: Pakhi Pay for mobile banking, HitPay for cards (its other methods
/// narrowed away), PayStableCoin for crypto (USD only, so not offered for BDT).
pub async fn shop(app: &TestApp, profile: Value) -> Merchant {
    let mut body = json!({ "name": "Tea House Ltd" });
    for (k, v) in profile.as_object().unwrap() {
        body[k] = v.clone();
    }
    let res = app
        .client
        .post(format!("{}/v1/admin/merchants", app.address))
        .bearer_auth(&app.admin_token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let body: Value = res.json().await.unwrap();
    let m = Merchant {
        id: body["id"].as_str().unwrap().into(),
        secret: body["secret"].as_str().unwrap().into(),
    };
    connect_gateways(app, &m).await;
    m
}

pub async fn connect_gateways(app: &TestApp, m: &Merchant) {
    let sim = &app.sim_address;
    app.connect(
        m,
        "pakhipay",
        json!({ "credentials": { "api_key": PAKHI_KEY }, "base_url": format!("{sim}/pakhipay"), "priority": 10 }),
    )
    .await;
    app.connect(
        m,
        "hitpay",
        json!({ "credentials": { "api_key": "hitpay_test_api_key", "salt": "hitpay_test_salt" },
                "base_url": format!("{sim}/hitpay"), "priority": 20, "methods": ["card"] }),
    )
    .await;
    app.connect_psc(m).await;
}

/// A BDT payment with neither `provider` nor `method`.
pub async fn create_hosted(app: &TestApp, m: &Merchant, order: &str) -> Value {
    create_hosted_to(app, m, order, "https://shop.example").await
}

/// The same, returning the customer to `site` (`/thanks`, or `/cart` when unpaid).
pub async fn create_hosted_to(app: &TestApp, m: &Merchant, order: &str, site: &str) -> Value {
    let body = json!({
        "amount": "1500.00", "currency": "BDT", "order_id": order,
        "customer": { "name": "Rahim Uddin", "email": "rahim@example.com" },
        "return_url": format!("{site}/thanks"), "cancel_url": format!("{site}/cart"),
    });
    let (status, p) = app.post("/v1/payments", &body.to_string(), m).await;
    assert_eq!(status, 201, "{p}");
    p
}

/// The payment's token, from its hosted `checkout_url`.
pub fn token_of(p: &Value) -> String {
    let url = url::Url::parse(p["checkout_url"].as_str().unwrap()).unwrap();
    url.query_pairs()
        .find(|(k, _)| k == "t")
        .map(|(_, v)| v.into_owned())
        .unwrap()
}

/// The customer presses a method's button on the page (the form post, not followed).
pub async fn pick(app: &TestApp, p: &Value, method: &str) -> reqwest::Response {
    let id = p["id"].as_str().unwrap();
    app.client
        .post(format!("{}/checkout/{id}", app.address))
        .form(&[("t", token_of(p).as_str()), ("method", method)])
        .send()
        .await
        .unwrap()
}

/// Where a 303 sends the browser.
pub fn location(res: &reqwest::Response) -> String {
    assert_eq!(res.status(), 303, "expected a redirect");
    res.headers()["location"].to_str().unwrap().to_owned()
}

/// The customer's choice on a simulator's page; returns where the simulator sends the browser.
pub async fn at_gateway(app: &TestApp, gateway_page: &str, outcome: &str) -> String {
    let res = app
        .client
        .post(format!("{gateway_page}/{outcome}"))
        .send()
        .await
        .unwrap();
    location(&res)
}

/// Follows one redirect into Payrail; returns where Payrail sends the customer next.
pub async fn follow(app: &TestApp, url: &str) -> String {
    location(&app.client.get(url).send().await.unwrap())
}

/// The page's HTML (and its status).
pub async fn page_html(app: &TestApp, url: &str) -> (u16, String) {
    let res = app.client.get(url).send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

pub async fn attempts(app: &TestApp, payment_id: &str) -> Vec<(String, String)> {
    let sql = "SELECT provider, state FROM attempts WHERE payment_id = $1 ORDER BY id";
    sqlx::query_as(sql)
        .bind(payment_id)
        .fetch_all(&app.pool)
        .await
        .unwrap()
}
