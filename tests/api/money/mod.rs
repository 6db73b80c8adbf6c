//! Money stays right whatever a gateway does (issue 14): regression tests for each break found,
//! over HTTP against the real simulators, on both stores.
//!
//! * `charges`: news about another charge of a paid HitPay request never redirects refunds;
//! * `lost_refunds`: a refund whose answer was lost is settled from the gateway's record, never
//!   sent twice, and never pending without bound;
//! * `gateway_refunds`: refunds made at the gateway become refund rows;
//! * `top_up`: an underpayment the customer tops up completes from gateway evidence;
//! * `review`: ops settle a payment or a refund in review through the admin API;
//! * `concurrent_news`: two settlements of one refund at once count its money once;
//! * `unsent_refund`: a refund never sent fails and frees its key in one transaction;
//! * `refund_recheck_fault`: a refund that cannot be rechecked never stops its payment's recheck;
//! * `underpaid_refunds`: an underpaid payment is refunded at most what its gateway took;
//! * `settled_short`: an underpaid payment settled as paid is `refunded` once what arrived went
//!   back, and goes to review if its gateway then changes its word on what arrived.

mod charges;
mod concurrent_news;
mod gateway_refunds;
mod lost_refunds;
mod refund_recheck_fault;
mod review;
mod settled_short;
mod top_up;
mod underpaid_refunds;
mod unsent_refund;

use crate::helpers::{Merchant, TestApp};
use serde_json::{json, Value};

pub const HITPAY_KEY: &str = "hitpay_test_api_key";
pub const HITPAY_SALT: &str = "hitpay_test_salt";

/// Connects `provider` at the simulator with `credentials`.
pub async fn connect(app: &TestApp, m: &Merchant, provider: &str, credentials: Value) {
    app.connect(
        m,
        provider,
        json!({ "credentials": credentials, "base_url": format!("{}/{provider}", app.sim_address) }),
    )
    .await;
}

pub async fn hitpay_merchant(app: &TestApp) -> Merchant {
    let m = app.create_merchant().await;
    connect(
        app,
        &m,
        "hitpay",
        json!({ "api_key": HITPAY_KEY, "salt": HITPAY_SALT }),
    )
    .await;
    m
}

/// Creates a payment of `amount` `currency` at `provider` with its own order id.
pub async fn create(
    app: &TestApp,
    m: &Merchant,
    provider: &str,
    amount: &str,
    currency: &str,
) -> Value {
    let body = json!({
        "amount": amount, "currency": currency, "provider": provider,
        "order_id": format!("ORD-{}", ulid::Ulid::new()),
        "return_url": "https://shop.example/thanks",
        "customer": { "name": "Ada", "email": "ada@example.com" },
    });
    let (status, p) = app.post("/v1/payments", &body.to_string(), m).await;
    assert_eq!(status, 201, "{p}");
    p
}

/// The customer presses `outcome` on the simulator's checkout page (not following the 303).
pub async fn checkout(app: &TestApp, p: &Value, outcome: &str) {
    let url = format!("{}/{outcome}", p["checkout_url"].as_str().unwrap());
    let res = app.client.post(url).send().await.unwrap();
    assert_eq!(
        res.status(),
        303,
        "{}",
        res.text().await.unwrap_or_default()
    );
}

pub fn id(p: &Value) -> &str {
    p["id"].as_str().unwrap()
}

/// The full payment as the merchant retrieves it.
pub async fn retrieve(app: &TestApp, m: &Merchant, payment_id: &str) -> Value {
    let (status, p) = app.get(&format!("/v1/payments/{payment_id}"), m).await;
    assert_eq!(status, 200, "{p}");
    p
}

/// The payment's refunds as the merchant lists them.
pub async fn refunds(app: &TestApp, m: &Merchant, payment_id: &str) -> Vec<Value> {
    let (status, list) = app
        .get(&format!("/v1/payments/{payment_id}/refunds"), m)
        .await;
    assert_eq!(status, 200, "{list}");
    list["data"].as_array().unwrap().clone()
}

/// A live recheck by the merchant (by GET: two identical signed POSTs in one second would be
/// refused as a replay).
pub async fn recheck(app: &TestApp, m: &Merchant, payment_id: &str) -> Value {
    let (status, r) = app
        .get(&format!("/v1/payments/{payment_id}/recheck"), m)
        .await;
    assert_eq!(status, 200, "{r}");
    r
}

/// The payment's timeline entry types, oldest first.
pub async fn timeline_types(app: &TestApp, m: &Merchant, payment_id: &str) -> Vec<String> {
    let (_, events) = app
        .get(&format!("/v1/payments/{payment_id}/events"), m)
        .await;
    events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_owned())
        .collect()
}

/// Arms a fault for the next `count` API calls of `provider`'s simulator.
pub async fn fault(app: &TestApp, provider: &str, mode: &str, count: u32) {
    let res = app
        .client
        .post(format!("{}/{provider}/_sim/faults", app.sim_address))
        .json(&json!({ "mode": mode, "count": count }))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success());
}
