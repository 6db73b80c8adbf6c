//! HimoSoft end to end over HTTP: Payrail and the HimoSoft simulator on real ports.
//!
//! HimoSoft's callback is only a hint (providers.md H5): Payrail confirms every callback with
//! `/recheck/` and applies that answer. HimoSoft takes no return URL per payment (§1.8), so tests
//! that follow the customer back register Payrail's per-payment return URL as the simulator
//! account's `return_url`.

use crate::helpers::{spawn_app, Merchant, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

const SECRET: &str = "himo_sk_test_123";
const API_KEY: &str = "himo_pk_test_123";

async fn connect_himosoft(app: &TestApp, m: &Merchant) -> Value {
    let res = app
        .client
        .put(format!(
            "{}/v1/admin/merchants/{}/providers/himosoft",
            app.address, m.id
        ))
        .bearer_auth(&app.admin_token)
        .json(&json!({
            "credentials": { "secret": SECRET, "api_key": API_KEY },
            "base_url": format!("{}/himosoft", app.sim_address),
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    res.json().await.unwrap()
}

async fn merchant(app: &TestApp) -> Merchant {
    let m = app.create_merchant().await;
    connect_himosoft(app, &m).await;
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
    p["checkout_url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned()
}

async fn checkout(app: &TestApp, p: &Value, outcome: &str) -> reqwest::Response {
    let url = format!(
        "{}/himosoft/checkout/{}/{outcome}",
        app.sim_address,
        token(p)
    );
    app.client.post(url).send().await.unwrap()
}

async fn sim(app: &TestApp, path: &str, body: Value) -> Value {
    let res = app
        .client
        .post(format!("{}/himosoft/_sim/{path}", app.sim_address))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

async fn stats(app: &TestApp) -> Value {
    let url = format!("{}/himosoft/_sim/stats", app.sim_address);
    app.client
        .get(url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Payrail's return URL for `p`, registered as the simulator account's return URL.
async fn return_to_payrail(app: &TestApp, p: &Value) -> String {
    let token: String = sqlx::query_scalar("SELECT return_token FROM payments WHERE id = $1")
        .bind(id(p))
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let url = format!("{}/checkout/{}/return?t={token}", app.address, id(p));
    let account = json!({ "secret": SECRET, "api_key": API_KEY, "return_url": url });
    sim(app, "accounts", account).await;
    url
}

async fn reference(app: &TestApp, p: &Value) -> String {
    sqlx::query_scalar("SELECT reference FROM attempts WHERE payment_id = $1")
        .bind(id(p))
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

async fn journal(app: &TestApp) -> Vec<(String, Option<String>)> {
    sqlx::query_as("SELECT verification, result FROM webhook_journal ORDER BY id")
        .fetch_all(&app.pool)
        .await
        .unwrap()
}

async fn full(app: &TestApp, p: &Value, m: &Merchant) -> Value {
    let (status, v) = app.get(&format!("/v1/payments/{}", id(p)), m).await;
    assert_eq!(status, 200, "{v}");
    v
}

async fn webhook_url(app: &TestApp) -> String {
    let account: String = sqlx::query_scalar("SELECT id FROM provider_accounts")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    format!("{}/v1/webhooks/himosoft/{account}/", app.address)
}

#[tokio::test]
async fn pay_callback_recheck_completes_and_the_customer_returns_through_payrail() {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    let p = create(&app, &m).await;
    assert_eq!(
        (&p["status"], &p["provider"], &p["amount"]),
        (&json!("pending"), &json!("himosoft"), &json!("1500.00"))
    );
    let external = p["external_id"].as_str().unwrap().to_owned();
    assert_eq!(format!("pay_{}", token(&p)), external);
    let page_url = p["checkout_url"].as_str().unwrap();
    assert!(
        page_url.starts_with(&format!("{}/himosoft/checkout/", app.sim_address)),
        "{page_url}"
    );
    let page = app.client.get(page_url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("1500.00 BDT"));

    let back = return_to_payrail(&app, &p).await;
    let paid = checkout(&app, &p, "pay").await;
    assert_eq!(paid.status(), 303);
    let location = paid.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(location, format!("{back}&id={external}&status=completed"));
    // The callback arrived before the redirect and was confirmed by one recheck.
    assert_eq!(app.status_of(id(&p), &m).await, "completed");
    assert_eq!(
        journal(&app).await,
        [("verified: hint".to_owned(), Some("applied".to_owned()))]
    );
    let r = reference(&app, &p).await;
    let s = stats(&app).await;
    assert_eq!(s["by_reference"][&r], json!({ "create": 1, "query": 1 }));
    assert_eq!(s["webhooks_sent"], 1);
    let v = full(&app, &p, &m).await;
    assert_eq!(
        (&v["provider_status"], &v["status_detail"]),
        (&json!("completed"), &Value::Null)
    );

    // The customer follows the redirect: Payrail rechecks and sends them to the merchant.
    let res = app.client.get(&location).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(
        res.headers()["location"].to_str().unwrap(),
        format!(
            "https://shop.example/thanks?payment_id={}&status=completed",
            id(&p)
        )
    );
    let (status, recheck) = app
        .post(&format!("/v1/payments/{}/recheck/", id(&p)), "", &m)
        .await;
    assert_eq!(status, 200, "{recheck}");
    assert_eq!(
        (
            &recheck["status"],
            &recheck["changed"],
            &recheck["reconciled"]
        ),
        (&json!("completed"), &json!(false), &json!(true))
    );
    assert_eq!(
        stats(&app).await["by_reference"][&r],
        json!({ "create": 1, "query": 3 })
    );
}

#[tokio::test]
async fn fail_cancel_and_expire() {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    // HimoSoft `expired` before the payment's own window ends is a cancellation for Payrail.
    for (outcome, word, status) in [
        ("fail", "failed", "failed"),
        ("cancel", "cancelled", "cancelled"),
        ("expire", "expired", "cancelled"),
    ] {
        let p = create(&app, &m).await;
        let res = checkout(&app, &p, outcome).await;
        assert_eq!(
            res.status(),
            200,
            "{outcome}: no return URL configured, a done page"
        );
        assert_eq!(app.status_of(id(&p), &m).await, status, "{outcome}");
        assert_eq!(
            full(&app, &p, &m).await["provider_status"],
            word,
            "{outcome}"
        );
    }
    let results: Vec<Option<String>> = journal(&app).await.into_iter().map(|(_, r)| r).collect();
    assert_eq!(
        results,
        [
            Some("applied".to_owned()),
            Some("applied".to_owned()),
            Some("applied".to_owned())
        ]
    );
}

#[tokio::test]
async fn an_underpayment_needs_review() {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    let p = create(&app, &m).await;
    checkout(&app, &p, "underpay").await;
    assert_eq!(app.status_of(id(&p), &m).await, "needs_review");
    let v = full(&app, &p, &m).await;
    assert_eq!(
        v["status_detail"],
        "amount_mismatch: expected 1500.00, gateway reported 750.00"
    );
    assert_eq!(v["provider_status"], "completed");
}

#[tokio::test]
async fn a_forged_callback_never_completes_a_payment_and_a_wrong_signature_is_rejected() {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    let p = create(&app, &m).await;
    let r = reference(&app, &p).await;
    let hook = webhook_url(&app).await;
    // Unsigned, claiming completed: accepted as a hint, rechecked, still pending.
    let forged = json!({ "id": p["external_id"], "status": "completed", "order_id": r, "amount": "1500.00", "currency": "BDT" }).to_string();
    let res = app
        .client
        .post(&hook)
        .body(forged.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({ "status": "received" })
    );
    assert_eq!(app.status_of(id(&p), &m).await, "pending");
    assert_eq!(stats(&app).await["by_reference"][&r]["query"], 1);
    // Signed with the wrong secret: 401 in HimoSoft's envelope, never applied.
    let ts = crate::helpers::now_ts();
    let res = app
        .client
        .post(&hook)
        .header("X-Timestamp", &ts)
        .header(
            "X-HMAC-Signature",
            crate::helpers::sign("himo_sk_wrong", &ts, forged.as_bytes()),
        )
        .body(forged)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({ "error": "invalid_signature", "message": "HMAC validation failed. Check credentials." })
    );
    // The simulator's own callback, re-sent with a broken signature (retried 3 times).
    assert_eq!(checkout(&app, &p, "process").await.status(), 200);
    let sent = sim(
        &app,
        &format!("checkout/{}/webhook", token(&p)),
        json!({ "copies": 1, "tamper": true }),
    )
    .await;
    assert_eq!(sent["statuses"], json!([[401, 401, 401]]));
    assert_eq!(app.status_of(id(&p), &m).await, "pending");
    let rows: Vec<(bool, Option<String>)> = journal(&app)
        .await
        .into_iter()
        .map(|(v, r)| (v.starts_with("verified"), r))
        .collect();
    let rejected = (false, Some("rejected".to_owned()));
    let applied = (true, Some("applied".to_owned()));
    assert_eq!(
        rows,
        [
            applied.clone(),
            rejected.clone(),
            applied,
            rejected.clone(),
            rejected.clone(),
            rejected
        ]
    );
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
    sim(
        &app,
        &format!("checkout/{}/webhook", p["external_id"].as_str().unwrap()),
        json!({ "copies": 3 }),
    )
    .await;
    let results: Vec<Option<String>> = journal(&app).await.into_iter().map(|(_, r)| r).collect();
    let (a, d) = (Some("applied".to_owned()), Some("duplicate".to_owned()));
    assert_eq!(results, [a, d.clone(), d.clone(), d]);
    let completions: i64 =
        sqlx::query_scalar("SELECT count(*) FROM payment_events WHERE type = 'payment.completed'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
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
    assert_eq!(
        app.status_of(id(&p), &m).await,
        "pending",
        "the callback never came"
    );
    assert_eq!(stats(&app).await["webhooks_sent"], 0);
    let res = app.client.get(&location).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(
        res.headers()["location"].to_str().unwrap(),
        format!(
            "https://shop.example/thanks?payment_id={}&status=completed",
            id(&p)
        )
    );
    assert_eq!(app.status_of(id(&p), &m).await, "completed");
    // Settled by the merchant's recheck.
    let q = create(&app, &m).await;
    sim(&app, "webhooks/drop", json!({ "count": 1 })).await;
    checkout(&app, &q, "pay").await;
    assert_eq!(app.status_of(id(&q), &m).await, "pending");
    let (status, recheck) = app
        .post(&format!("/v1/payments/{}/recheck/", id(&q)), "", &m)
        .await;
    assert_eq!(status, 200, "{recheck}");
    assert_eq!(
        (
            &recheck["status"],
            &recheck["previous_status"],
            &recheck["changed"]
        ),
        (&json!("completed"), &json!("pending"), &json!(true))
    );
    assert!(journal(&app).await.is_empty());
}

async fn keyed_create(app: &TestApp, m: &Merchant, key: &str) -> (u16, Value) {
    let body = payment_body(json!({ "idempotency_key": key, "order_id": key }));
    let res = app
        .signed(Method::POST, "/v1/payments/", &body, m)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

async fn only_payment(app: &TestApp) -> (String, String) {
    sqlx::query_as("SELECT p.id, a.state FROM payments p JOIN attempts a ON a.payment_id = p.id")
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_gateway_500_on_create_loses_nothing_and_the_retry_resumes_the_same_payment() {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    sim(&app, "faults", json!({ "mode": "http_500", "count": 1 })).await;
    let (status, err) = keyed_create(&app, &m, "k-500").await;
    assert_eq!(
        (status, &err["error"]),
        (502, &json!("provider_unavailable")),
        "{err}"
    );
    let (pending, state) = only_payment(&app).await;
    assert_eq!(state, "creating");
    let (status, p) = keyed_create(&app, &m, "k-500").await;
    assert_eq!(status, 201, "{p}");
    assert_eq!(id(&p), pending);
    let r = reference(&app, &p).await;
    let s = stats(&app).await;
    assert_eq!(s["calls"]["create"], 2);
    assert_eq!(s["by_reference"][&r]["create"], 2);
    assert_eq!(app.count("payments").await, 1);
}

#[tokio::test]
async fn a_timeout_on_create_is_resumed_from_himosofts_idempotency_cache() {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    // HimoSoft creates the payment but answers after Payrail's 1.5 s timeout.
    sim(
        &app,
        "faults",
        json!({ "mode": "timeout", "count": 1, "delay_ms": 3000 }),
    )
    .await;
    let (status, err) = keyed_create(&app, &m, "k-slow").await;
    assert_eq!(
        (status, &err["error"]),
        (504, &json!("provider_timeout")),
        "{err}"
    );
    let (pending, state) = only_payment(&app).await;
    assert_eq!(state, "creating", "outcome unknown, kept resumable");
    let (status, p) = keyed_create(&app, &m, "k-slow").await;
    assert_eq!(status, 201, "{p}");
    assert_eq!(id(&p), pending, "the same payment continued");
    // Both tries sent the same idempotency_key; HimoSoft replayed the payment it made first.
    let r = reference(&app, &p).await;
    let s = stats(&app).await;
    assert_eq!(s["by_reference"][&r]["create"], 2);
    assert_eq!(s["calls"]["create"], 2);
    assert_eq!(
        format!("pay_{}", token(&p)),
        p["external_id"].as_str().unwrap()
    );
    checkout(&app, &p, "pay").await;
    assert_eq!(app.status_of(id(&p), &m).await, "completed");
    assert_eq!(app.count("payments").await, 1);
}
