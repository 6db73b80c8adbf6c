//! HimoSoft end to end over HTTP: Payrail and the HimoSoft simulator on real ports.
//!
//! HimoSoft's callback is only a hint (providers.md H5): Payrail confirms every callback with
//! `/recheck/` and applies that answer. HimoSoft takes no return URL per payment (§1.8): tests that
//! follow the customer back register Payrail's account-level return URL (from the connected
//! account) as the simulator account's `return_url`, as a merchant would in HimoSoft's dashboard.

use crate::helpers::{spawn_app, Merchant, TestApp};
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
    // Where the merchant points HimoSoft's account-level return (§1.8).
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

#[tokio::test]
async fn pay_callback_recheck_completes_and_the_customer_returns_through_payrail() {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    let p = create(&app, &m).await;
    let want = json!(["pending", "himosoft", "1500.00"]);
    assert_eq!(pick(&p, &["status", "provider", "amount"]), want);
    let external = p["external_id"].as_str().unwrap().to_owned();
    assert_eq!(format!("pay_{}", token(&p)), external);
    let page_url = p["checkout_url"].as_str().unwrap();
    let sim_checkout = format!("{}/himosoft/checkout/", app.sim_address);
    assert!(page_url.starts_with(&sim_checkout), "{page_url}");
    let page = app.client.get(page_url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("1500.00 BDT"));

    let back = return_to_payrail(&app, &p).await;
    let paid = checkout(&app, &p, "pay").await;
    assert_eq!(paid.status(), 303);
    let location = paid.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(location, format!("{back}?id={external}&status=completed"));
    // The callback arrived before the redirect and was confirmed by one recheck.
    assert_eq!(app.status_of(id(&p), &m).await, "completed");
    assert_eq!(journal(&app).await, ["verified:applied"]);
    let r = reference(&app, &p).await;
    let s = stats(&app).await;
    assert_eq!(s["by_reference"][&r], json!({ "create": 1, "query": 1 }));
    assert_eq!(s["webhooks_sent"], 1);
    let v = full(&app, &p, &m).await;
    let want = json!(["completed", null]);
    assert_eq!(pick(&v, &["provider_status", "status_detail"]), want);

    // The customer follows the redirect: Payrail rechecks and sends them to the merchant.
    assert_eq!(follow(&app, &location).await, thanks(&p, "completed"));
    let v = recheck(&app, &p, &m).await;
    let want = json!(["completed", false, true]);
    assert_eq!(pick(&v, &["status", "changed", "reconciled"]), want);
    let want = json!({ "create": 1, "query": 3 });
    assert_eq!(stats(&app).await["by_reference"][&r], want);
}

#[tokio::test]
async fn fail_cancel_and_expire() {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    // HimoSoft `expired` before the payment's own window ends is a cancellation for Payrail.
    let cases = [
        ("fail", "failed", "failed"),
        ("cancel", "cancelled", "cancelled"),
        ("expire", "expired", "cancelled"),
    ];
    for (outcome, word, status) in cases {
        let p = create(&app, &m).await;
        let res = checkout(&app, &p, outcome).await;
        assert_eq!(res.status(), 200, "{outcome}: no return URL, a done page");
        assert_eq!(app.status_of(id(&p), &m).await, status, "{outcome}");
        let v = full(&app, &p, &m).await;
        assert_eq!(v["provider_status"], word, "{outcome}");
    }
    assert_eq!(journal(&app).await, ["verified:applied"; 3]);
}

#[tokio::test]
async fn an_underpayment_needs_review() {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    let p = create(&app, &m).await;
    checkout(&app, &p, "underpay").await;
    assert_eq!(app.status_of(id(&p), &m).await, "needs_review");
    let v = full(&app, &p, &m).await;
    let detail = "amount_mismatch: expected 1500.00, gateway reported 750.00";
    let want = json!([detail, "completed"]);
    assert_eq!(pick(&v, &["status_detail", "provider_status"]), want);
}

#[tokio::test]
async fn a_forged_callback_never_completes_a_payment_and_a_wrong_signature_is_rejected() {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    let p = create(&app, &m).await;
    let r = reference(&app, &p).await;
    let hook = webhook_url(&app).await;
    // Unsigned, claiming completed: accepted as a hint, rechecked, still pending.
    let forged = json!({ "id": p["external_id"], "status": "completed", "order_id": r,
                         "amount": "1500.00", "currency": "BDT" })
    .to_string();
    let res = app.client.post(&hook).body(forged.clone()).send();
    let res = res.await.unwrap();
    assert_eq!(res.status(), 200);
    let received = json!({ "status": "received" });
    assert_eq!(res.json::<Value>().await.unwrap(), received);
    assert_eq!(app.status_of(id(&p), &m).await, "pending");
    assert_eq!(stats(&app).await["by_reference"][&r]["query"], 1);
    // Signed with the wrong secret: 401 in HimoSoft's envelope, never applied.
    let ts = crate::helpers::now_ts();
    let wrong = crate::helpers::sign("himo_sk_wrong", &ts, forged.as_bytes());
    let req = app.client.post(&hook).header("X-Timestamp", &ts);
    let req = req.header("X-HMAC-Signature", wrong);
    let res = req.body(forged).send().await.unwrap();
    assert_eq!(res.status(), 401);
    let envelope = json!({ "error": "invalid_signature", "message": "HMAC validation failed. Check credentials." });
    assert_eq!(res.json::<Value>().await.unwrap(), envelope);
    // The simulator's own callback, re-sent with a broken signature (retried 3 times).
    assert_eq!(checkout(&app, &p, "process").await.status(), 200);
    let path = format!("checkout/{}/webhook", token(&p));
    let sent = sim(&app, &path, json!({ "copies": 1, "tamper": true })).await;
    assert_eq!(sent["statuses"], json!([[401, 401, 401]]));
    assert_eq!(app.status_of(id(&p), &m).await, "pending");
    let (ok, no) = ("verified:applied", "rejected:rejected");
    assert_eq!(journal(&app).await, [ok, no, ok, no, no, no]);
    // The forged hint used up nothing: the genuine payment still completes.
    checkout(&app, &p, "pay").await;
    assert_eq!(app.status_of(id(&p), &m).await, "completed");
}

#[tokio::test]
async fn a_duplicated_callback_is_applied_once() {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    let p = create(&app, &m).await;
    checkout(&app, &p, "pay").await;
    let path = format!("checkout/{}/webhook", p["external_id"].as_str().unwrap());
    sim(&app, &path, json!({ "copies": 3 })).await;
    let d = "verified:duplicate";
    assert_eq!(journal(&app).await, ["verified:applied", d, d, d]);
    let sql = "SELECT count(*) FROM payment_events WHERE type = 'payment.completed'";
    let completions: i64 = sqlx::query_scalar(sql).fetch_one(&app.pool).await.unwrap();
    assert_eq!(completions, 1);
    assert_eq!(app.status_of(id(&p), &m).await, "completed");
}

#[tokio::test]
async fn a_lost_callback_is_settled_by_the_return_or_by_a_recheck() {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    // Settled by the customer's return.
    let p = create(&app, &m).await;
    let back = return_to_payrail(&app, &p).await;
    sim(&app, "webhooks/drop", json!({ "count": 1 })).await;
    let res = checkout(&app, &p, "pay").await;
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(&back), "{location}");
    assert_eq!(app.status_of(id(&p), &m).await, "pending", "callback lost");
    assert_eq!(stats(&app).await["webhooks_sent"], 0);
    assert_eq!(follow(&app, &location).await, thanks(&p, "completed"));
    assert_eq!(app.status_of(id(&p), &m).await, "completed");
    // Settled by the merchant's recheck.
    let q = create(&app, &m).await;
    sim(&app, "webhooks/drop", json!({ "count": 1 })).await;
    checkout(&app, &q, "pay").await;
    assert_eq!(app.status_of(id(&q), &m).await, "pending");
    let v = recheck(&app, &q, &m).await;
    let want = json!(["completed", "pending", true]);
    assert_eq!(pick(&v, &["status", "previous_status", "changed"]), want);
    assert!(journal(&app).await.is_empty());
}

async fn keyed_create(app: &TestApp, m: &Merchant, key: &str) -> (u16, Value) {
    let body = payment_body(json!({ "idempotency_key": key, "order_id": key }));
    let req = app.signed(Method::POST, "/v1/payments/", &body, m);
    let res = req.send().await.unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

async fn only_payment(app: &TestApp) -> (String, String) {
    let sql = "SELECT p.id, a.state FROM payments p JOIN attempts a ON a.payment_id = p.id";
    sqlx::query_as(sql).fetch_one(&app.pool).await.unwrap()
}

/// A create that fails with `fault`, answered `status`/`error`, then its retry with the same
/// key: the same payment continues, and HimoSoft saw the same reference twice.
async fn failed_then_resumed(fault: Value, status: u16, error: &str) {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    sim(&app, "faults", fault).await;
    let (got, err) = keyed_create(&app, &m, "k-1").await;
    assert_eq!((got, &err["error"]), (status, &json!(error)), "{err}");
    let (pending, state) = only_payment(&app).await;
    assert_eq!(state, "creating", "outcome unknown, kept resumable");
    let (got, p) = keyed_create(&app, &m, "k-1").await;
    assert_eq!(got, 201, "{p}");
    assert_eq!(id(&p), pending, "the same payment continued");
    let r = reference(&app, &p).await;
    let s = stats(&app).await;
    assert_eq!(
        (&s["calls"]["create"], &s["by_reference"][&r]["create"]),
        (&json!(2), &json!(2))
    );
    // The checkout handed out is HimoSoft's page of the payment id Payrail recorded.
    let external = p["external_id"].as_str().unwrap();
    assert_eq!(format!("pay_{}", token(&p)), external);
    checkout(&app, &p, "pay").await;
    assert_eq!(app.status_of(id(&p), &m).await, "completed");
    assert_eq!(app.count("payments").await, 1);
}

#[tokio::test]
async fn a_gateway_500_on_create_loses_nothing_and_the_retry_resumes_the_same_payment() {
    let fault = json!({ "mode": "http_500", "count": 1 });
    failed_then_resumed(fault, 502, "provider_unavailable").await;
}

/// HimoSoft creates the payment but answers after Payrail's 1.5 s timeout; the retry is
/// answered from HimoSoft's idempotency cache (same id, same checkout).
#[tokio::test]
async fn a_timeout_on_create_is_resumed_from_himosofts_idempotency_cache() {
    let fault = json!({ "mode": "timeout", "count": 1, "delay_ms": 3000 });
    failed_then_resumed(fault, 504, "provider_timeout").await;
}

#[tokio::test]
async fn the_account_return_finds_the_payment_only_by_a_known_himosoft_id() {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    let p = create(&app, &m).await;
    let back = return_to_payrail(&app, &p).await;
    let external = p["external_id"].as_str().unwrap();
    let other = app.create_merchant().await;
    let other_account = connect_himosoft(&app, &other).await;
    let other_back = format!(
        "{}/checkout/return/himosoft/{}",
        app.address,
        other_account["id"].as_str().unwrap()
    );
    for url in [
        back.clone(),
        format!("{back}?id=pay_unknown&status=completed"),
        // Another merchant's account does not see this payment.
        format!("{other_back}?id={external}&status=completed"),
        // The provider in the path must be the account's.
        back.replace("/himosoft/", "/hitpay/") + &format!("?id={external}"),
    ] {
        let res = app.client.get(&url).send().await.unwrap();
        assert_eq!(res.status(), 404, "{url}");
    }
    // The status on the query is never trusted: still pending at HimoSoft, still pending here.
    let forged = format!("{back}?id={external}&status=completed");
    let res = app.client.get(&forged).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], thanks(&p, "pending").as_str());
    assert_eq!(app.status_of(id(&p), &m).await, "pending");
}
