//! Pakhi Pay end to end over HTTP: Payrail and the simulator on real ports (wire contract and
//! the labels K1–K7: docs/gateways/pakhipay.md).
//!
//! Pakhi Pay's webhook is only a hint (K2), so a completion is always confirmed by verify, which
//! needs the transaction id that only the webhook (or, K6, the return URL) carries.

use crate::helpers::{sign, spawn_app, Merchant, TestApp};
use serde_json::{json, Value};

const KEY: &str = "pk_test_api_key_123";

async fn connect_pakhipay(app: &TestApp, m: &Merchant, api_key: &str) {
    let url = format!(
        "{}/v1/admin/merchants/{}/providers/pakhipay",
        app.address, m.id
    );
    let body = json!({
        "credentials": { "api_key": api_key },
        "base_url": format!("{}/pakhipay", app.sim_address),
    });
    let req = app
        .client
        .put(url)
        .bearer_auth(&app.admin_token)
        .json(&body);
    let res = req.send().await.unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
}

/// A simulator account with its switches (`_sim/accounts`), and a merchant connected to it.
async fn merchant_on(app: &TestApp, sim_account: Value) -> Merchant {
    sim(app, "accounts", sim_account.clone()).await;
    let m = app.create_merchant().await;
    connect_pakhipay(app, &m, sim_account["api_key"].as_str().unwrap()).await;
    m
}

fn payment_body(extra: Value) -> String {
    let mut body = json!({
        "amount": "25.00", "currency": "BDT", "order_id": "ORDER-1", "provider": "pakhipay",
        "customer": { "name": "Rahim Uddin", "email": "rahim@example.com" },
        "return_url": "https://shop.example/thanks", "cancel_url": "https://shop.example/cart",
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    body.to_string()
}

/// Creates a payment; `order` keeps each request distinct (identical signed requests within the
/// same second are refused as replays).
async fn create(app: &TestApp, m: &Merchant, order: &str) -> Value {
    let body = payment_body(json!({ "order_id": order }));
    let (status, body) = app.post("/v1/payments", &body, m).await;
    assert_eq!(status, 201, "{body}");
    body
}

/// Where a `303 See Other` sends the browser.
fn see_other(res: reqwest::Response) -> String {
    assert_eq!(res.status(), 303);
    res.headers()["location"].to_str().unwrap().to_owned()
}

/// The customer's choice on the simulator's page; returns where the browser is sent.
async fn checkout(app: &TestApp, payment: &Value, outcome: &str) -> String {
    let page = payment["checkout_url"].as_str().unwrap();
    let res = app.client.post(format!("{page}/{outcome}")).send().await;
    see_other(res.unwrap())
}

/// Follows a gateway redirect into Payrail; returns where Payrail sends the customer.
async fn follow(app: &TestApp, location: &str) -> String {
    see_other(app.client.get(location).send().await.unwrap())
}

/// A `_sim/` control of the Pakhi Pay simulator.
async fn sim(app: &TestApp, path: &str, body: Value) -> Value {
    let url = format!("{}/pakhipay/_sim/{path}", app.sim_address);
    let res = app.client.post(url).json(&body).send().await.unwrap();
    assert!(res.status().is_success());
    res.json().await.unwrap()
}

async fn resend(app: &TestApp, payment: &Value, body: Value) -> Value {
    let path = format!("checkout/{}/webhook", TestApp::sim_order_id(payment));
    sim(app, &path, body).await["statuses"].clone()
}

async fn stats(app: &TestApp) -> Value {
    let url = format!("{}/pakhipay/_sim/stats", app.sim_address);
    let res = app.client.get(url).send().await.unwrap();
    res.json().await.unwrap()
}

/// One column of the payment's attempt (`reference`, `charge_id`).
async fn attempt(app: &TestApp, payment_id: &str, column: &str) -> String {
    let sql = format!("SELECT {column} FROM attempts WHERE payment_id = $1");
    let query = sqlx::query_scalar(&sql).bind(payment_id);
    query.fetch_one(&app.pool).await.unwrap()
}

async fn journal(app: &TestApp) -> Vec<(String, Option<String>)> {
    let sql = "SELECT verification, result FROM webhook_journal ORDER BY id";
    sqlx::query_as(sql).fetch_all(&app.pool).await.unwrap()
}

async fn results(app: &TestApp) -> Vec<String> {
    let rows = journal(app).await.into_iter();
    rows.map(|(_, r)| r.unwrap_or_default()).collect()
}

#[tokio::test]
async fn pay_then_the_confirmed_webhook_completes_the_payment() {
    let app = spawn_app().await;
    let m = app.create_merchant().await;
    connect_pakhipay(&app, &m, KEY).await;
    let anonymous = payment_body(json!({ "customer": null }));
    let (status, body) = app.post("/v1/payments", &anonymous, &m).await;
    assert_eq!(status, 400, "{body}");
    let field = &body["details"]["fields"]["customer.name"];
    assert_eq!(field, "is required by pakhipay");

    let p = create(&app, &m, "ORDER-1").await;
    let id = p["id"].as_str().unwrap();
    assert_eq!(
        (&p["status"], &p["provider"]),
        (&json!("pending"), &json!("pakhipay"))
    );
    assert_eq!(
        p["external_id"],
        Value::Null,
        "Pakhi Pay returns no payment id"
    );
    let page = format!("{}/pakhipay/checkout/pp", app.sim_address);
    assert!(
        p["checkout_url"].as_str().unwrap().starts_with(&page),
        "{p}"
    );

    let back = checkout(&app, &p, "pay").await;
    let payrail_return = format!("{}/checkout/{id}/return?t=", app.address);
    assert!(back.starts_with(&payrail_return), "{back}");
    assert!(
        !back.contains("transaction_id"),
        "K6: nothing appended by default"
    );
    // The webhook arrived before the redirect, was verified (K1 (1)), confirmed and applied.
    assert_eq!(app.status_of(id, &m).await, "completed");
    assert!(attempt(&app, id, "charge_id").await.starts_with("TRX"));
    let applied = ("verified: stripped".to_owned(), Some("applied".to_owned()));
    assert_eq!(journal(&app).await, [applied]);
    let stats = stats(&app).await;
    let calls = json!({"create": 1, "query": 1, "refund": 0, "cancel": 0});
    assert_eq!(stats["calls"], calls);
    let reference = attempt(&app, id, "reference").await;
    assert_eq!(
        stats["by_reference"][reference],
        json!({"create": 1, "query": 1})
    );
    assert_eq!(stats["webhooks_sent"], 1);

    let recheck_path = format!("/v1/payments/{id}/recheck");
    let (status, recheck) = app.post(&recheck_path, "", &m).await;
    assert_eq!(status, 200, "{recheck}");
    assert_eq!(recheck["status"], "completed");
    assert_eq!(recheck["reconciled"], true);
    assert_eq!(recheck["provider_status"], "completed");
    let (_, events) = app.get(&format!("/v1/payments/{id}/events/"), &m).await;
    assert_eq!(events[2]["type"], "payment.completed");
    assert_eq!(events[2]["source"], "provider_webhook");
    let thanks = format!("https://shop.example/thanks?payment_id={id}&status=completed");
    assert_eq!(follow(&app, &back).await, thanks);
}

#[tokio::test]
async fn fail_cancel_and_expire_send_the_customer_to_the_cancel_url() {
    let app = spawn_app().await;
    let m = merchant_on(&app, json!({"api_key": "pk_plain"})).await;
    for outcome in ["fail", "cancel", "expire"] {
        let p = create(&app, &m, &format!("ORDER-{outcome}")).await;
        let id = p["id"].as_str().unwrap();
        let back = checkout(&app, &p, outcome).await;
        assert!(back.ends_with("&intent=cancel"), "{back}");
        // No webhook and no transaction id: Payrail cannot learn the outcome from Pakhi Pay.
        let cart = format!("https://shop.example/cart?payment_id={id}&status=pending");
        assert_eq!(follow(&app, &back).await, cart);
        assert_eq!(app.status_of(id, &m).await, "pending", "{outcome}");
    }
    let stats = stats(&app).await;
    assert_eq!(
        (&stats["calls"]["query"], &stats["webhooks_sent"]),
        (&json!(0), &json!(0))
    );

    // With K6's switch a failed payment comes back with its transaction id, and verify says so.
    let m = merchant_on(
        &app,
        json!({"api_key": "pk_tx", "append_transaction_id": true}),
    )
    .await;
    let p = create(&app, &m, "ORDER-3").await;
    let id = p["id"].as_str().unwrap();
    let back = checkout(&app, &p, "fail").await;
    assert!(back.contains("&intent=cancel&transaction_id=TRX"), "{back}");
    let cart = format!("https://shop.example/cart?payment_id={id}&status=failed");
    assert_eq!(follow(&app, &back).await, cart);
    assert_eq!(app.status_of(id, &m).await, "failed");
}

#[tokio::test]
async fn an_underpayment_goes_to_review_never_completed() {
    let app = spawn_app().await;
    let m = app.create_merchant().await;
    connect_pakhipay(&app, &m, KEY).await;
    let p = create(&app, &m, "ORDER-4").await;
    let id = p["id"].as_str().unwrap();
    checkout(&app, &p, "underpay").await;
    // The webhook says 12.50 of 25.00 arrived; verify at 25.00 answers "Amount mismatch", so
    // nothing confirms it. Payrail is to apply such a verified webhook's money mismatch anyway
    // (needs_review); until the orchestration does, this test fails at the status below.
    assert_eq!(stats(&app).await["calls"]["query"], 1);
    assert_eq!(app.status_of(id, &m).await, "needs_review");
    let (_, full) = app.get(&format!("/v1/payments/{id}"), &m).await;
    let detail = full["status_detail"].as_str().unwrap_or_default();
    assert!(detail.starts_with("amount_mismatch"), "{full}");
}

#[tokio::test]
async fn forged_webhooks_are_refused_and_duplicates_applied_once() {
    let app = spawn_app().await;
    let quiet = json!({"api_key": "pk_quiet", "send_webhooks": false});
    let m = merchant_on(&app, quiet).await;
    let p = create(&app, &m, "ORDER-5").await;
    let id = p["id"].as_str().unwrap();
    checkout(&app, &p, "pay").await;
    assert_eq!(app.status_of(id, &m).await, "pending", "webhook held back");

    // The gateway's webhook with a broken signature: refused (403) on each of its 3 tries (K7).
    let statuses = resend(&app, &p, json!({"tamper": true})).await;
    assert_eq!(statuses, json!([403]));
    // One signed with another key, posted by hand.
    let account: String = sqlx::query_scalar("SELECT id FROM provider_accounts")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let unsigned = format!(
        r#"{{"status":"completed","transaction_id":"TRXFORGED0001","amount":"25.00","order_id":"{}"}}"#,
        attempt(&app, id, "reference").await
    );
    let signature = sign("pk_not_the_key", "", unsigned.as_bytes());
    let forged = format!(
        r#"{},"signature":"{signature}"}}"#,
        &unsigned[..unsigned.len() - 1]
    );
    let url = format!("{}/v1/webhooks/pakhipay/{account}/", app.address);
    let res = app.client.post(url).body(forged).send().await.unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(res.text().await.unwrap(), "Invalid signature");
    assert_eq!(app.status_of(id, &m).await, "pending");
    assert_eq!(results(&app).await, ["rejected"; 4]);
    assert_eq!(stats(&app).await["calls"]["query"], 0, "never asked");

    // The genuine webhook, delivered four times: applied once.
    let statuses = resend(&app, &p, json!({"copies": 4})).await;
    assert_eq!(statuses, json!([200, 200, 200, 200]));
    assert_eq!(app.status_of(id, &m).await, "completed");
    let applied = ["applied", "duplicate", "duplicate", "duplicate"];
    assert_eq!(results(&app).await[4..], applied);
    let sql = "SELECT count(*) FROM payment_events WHERE type = 'payment.completed'";
    let completions: i64 = sqlx::query_scalar(sql).fetch_one(&app.pool).await.unwrap();
    assert_eq!(completions, 1);
}

#[tokio::test]
async fn a_lost_webhook_is_settled_by_the_return_or_by_a_recheck_once_the_id_is_known() {
    let app = spawn_app().await;
    let lost = json!({"api_key": "pk_lost", "send_webhooks": false, "append_transaction_id": true});
    let m = merchant_on(&app, lost).await;
    let p = create(&app, &m, "ORDER-6").await;
    let id = p["id"].as_str().unwrap();
    let back = checkout(&app, &p, "pay").await;
    assert!(back.contains("&transaction_id=TRX"), "{back}");
    assert_eq!(app.status_of(id, &m).await, "pending");
    let thanks = format!("https://shop.example/thanks?payment_id={id}&status=completed");
    assert_eq!(follow(&app, &back).await, thanks);
    assert_eq!(app.status_of(id, &m).await, "completed");
    assert!(journal(&app).await.is_empty(), "no webhook ever arrived");

    // Without K6's switch the return carries nothing: only the (late) webhook can settle it.
    let mute = json!({"api_key": "pk_mute", "send_webhooks": false});
    let m = merchant_on(&app, mute).await;
    let p = create(&app, &m, "ORDER-7").await;
    let id = p["id"].as_str().unwrap();
    let back = checkout(&app, &p, "pay").await;
    let thanks = format!("https://shop.example/thanks?payment_id={id}&status=pending");
    assert_eq!(follow(&app, &back).await, thanks);
    let recheck_path = format!("/v1/payments/{id}/recheck");
    let (_, recheck) = app.post(&recheck_path, "", &m).await;
    assert_eq!(
        (&recheck["status"], &recheck["reconciled"]),
        (&json!("pending"), &json!(false))
    );
    assert_eq!(resend(&app, &p, json!({})).await, json!([200]));
    assert_eq!(app.status_of(id, &m).await, "completed");
    let queries = &stats(&app).await["calls"]["query"];
    assert_eq!(
        queries, 2,
        "the first return and the late webhook; the recheck asked nothing"
    );
}

#[tokio::test]
async fn a_gateway_500_or_timeout_on_create_is_resumed_with_the_same_payment() {
    let app = spawn_app().await;
    let m = app.create_merchant().await;
    connect_pakhipay(&app, &m, KEY).await;
    let mut seen: Vec<String> = Vec::new();
    let faults = [
        (
            json!({"mode": "http_500", "count": 1}),
            502,
            "provider_unavailable",
        ),
        (
            json!({"mode": "timeout", "count": 1, "delay_ms": 3000}),
            504,
            "provider_timeout",
        ),
    ];
    for (fault, status, error) in faults {
        sim(&app, "faults", fault).await;
        let body = payment_body(json!({ "idempotency_key": format!("key-{status}") }));
        let (got, answer) = app.post("/v1/payments", &body, &m).await;
        assert_eq!((got, &answer["error"]), (status, &json!(error)), "{answer}");
        let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM payments")
            .fetch_all(&app.pool)
            .await
            .unwrap();
        let payment_id = ids.into_iter().find(|p| !seen.contains(p)).unwrap();
        seen.push(payment_id.clone());

        // The same request again: with an idempotency key it is a resumption, not a replay.
        let (got, answer) = app.post("/v1/payments", &body, &m).await;
        assert_eq!(got, 201, "{answer}");
        assert_eq!(
            answer["id"],
            payment_id.as_str(),
            "the same payment continued"
        );
        let checkout_url = answer["checkout_url"].as_str().unwrap();
        assert!(checkout_url.contains("/pakhipay/checkout/pp"), "{answer}");
        let reference = attempt(&app, &payment_id, "reference").await;
        assert_eq!(stats(&app).await["by_reference"][reference]["create"], 2);
    }
    assert_eq!(app.count("payments").await, 2);
    assert_eq!(app.count("attempts").await, 2);
    assert_eq!(stats(&app).await["calls"]["create"], 4);
}
