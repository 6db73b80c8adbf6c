//! Paymento end to end (providers.md §2): Payrail and the Paymento simulator over real HTTP.
//!
//! Paymento's IPN is only a hint: Payrail verifies every one (which also approves a Paid order
//! into Approve, P7) and applies what verify says. The simulator's return redirect is built after
//! its IPNs were answered, so its `status` shows whether Payrail verified (8) or not (7).

use crate::helpers::{spawn_app, Merchant, TestApp};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

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

async fn full(app: &TestApp, m: &Merchant, id: &str) -> Value {
    let (status, p) = app.get(&format!("/v1/payments/{id}"), m).await;
    assert_eq!(status, 200, "{p}");
    p
}

#[tokio::test]
async fn connecting_registers_the_ipn_url_at_the_simulator() {
    let app = spawn_app().await;
    let m = app.create_merchant().await;
    let account = connect_paymento(&app, &m, creds()).await;
    assert_eq!(account["webhook_registration"], "ok");
    assert_eq!(account["currencies"], json!(["USD", "EUR", "GBP"]));
    assert_eq!(account["methods"], json!(["crypto"]));
    let webhook_url = account["webhook_url"].as_str().unwrap();
    assert_eq!(
        webhook_url,
        format!(
            "{}/v1/webhooks/paymento/{}/",
            app.address,
            account["id"].as_str().unwrap()
        )
    );
    assert_eq!(
        sim(&app, "settings").await[API_KEY],
        json!({ "ipn_url": webhook_url, "ipn_method": 1, "updates": 1 })
    );
}

#[tokio::test]
async fn pay_ipn_verify_completes_and_the_order_is_approved_at_paymento() {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    let p = create(&app, &m).await;
    let id = p["id"].as_str().unwrap();
    let t = token(&p);
    assert_eq!(t.len(), 32);
    assert_eq!(
        p["checkout_url"],
        format!("{}/paymento/gateway?token={t}", app.sim_address)
    );
    assert_eq!(p["status"], "pending");
    let page = app
        .client
        .get(p["checkout_url"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("25.00 USD") && html.contains(">Initialize<"),
        "{html}"
    );
    assert!(
        html.contains(&format!("action=\"checkout/{t}/pay\"")),
        "{html}"
    );

    let location = choose(&app, &p, "pay").await;
    let reference = reference(&app, id).await;
    // Built after the IPN was answered: Payrail had already verified (7 → 8).
    assert!(location.starts_with(&format!("{}/checkout/{id}/return?t=", app.address)));
    assert!(
        location.ends_with(&format!("&token={t}&orderId={reference}&status=8")),
        "{location}"
    );
    assert_eq!(app.status_of(id, &m).await, "completed");
    assert_eq!(full(&app, &m, id).await["provider_status"], "Approve");
    assert_eq!(sim(&app, &format!("orders/{t}")).await["order_status"], 8);
    assert_eq!(journal(&app).await, [(true, Some("applied".into()))]);
    let stats = sim(&app, "stats").await;
    assert_eq!(
        stats["calls"],
        json!({"create": 1, "query": 1, "refund": 0, "cancel": 0})
    );
    assert_eq!(
        stats["by_reference"][&reference],
        json!({"create": 1, "query": 1})
    );
    assert_eq!(stats["webhooks_sent"], 1);

    // The customer's browser follows the redirect through Payrail to the merchant.
    let res = app.client.get(&location).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(
        res.headers()["location"],
        format!("https://shop.example/thanks?payment_id={id}&status=completed").as_str()
    );
}

#[tokio::test]
async fn risk_speed_0_reports_processing_then_completed() {
    let app = spawn_app().await;
    let m = app.create_merchant().await;
    connect_paymento(
        &app,
        &m,
        json!({"api_key": API_KEY, "secret_key": SECRET, "risk_speed": 0}),
    )
    .await;
    let p = create(&app, &m).await;
    let id = p["id"].as_str().unwrap();
    choose(&app, &p, "pay").await;
    assert_eq!(app.status_of(id, &m).await, "completed");
    let (status, events) = app.get(&format!("/v1/payments/{id}/events"), &m).await;
    assert_eq!(status, 200, "{events}");
    let moves: Vec<(Value, Value)> = events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["to_status"].is_string() && e["from_status"].is_string())
        .map(|e| (e["from_status"].clone(), e["to_status"].clone()))
        .collect();
    assert_eq!(
        moves,
        [
            (json!("pending"), json!("processing")),
            (json!("processing"), json!("completed"))
        ]
    );
    assert_eq!(
        journal(&app).await,
        [
            (true, Some("applied".into())),
            (true, Some("applied".into()))
        ]
    );
    assert_eq!(sim(&app, "stats").await["webhooks_sent"], 2);
}

/// One outcome, settled by the IPN alone: Payrail's status and the provider status it shows.
async fn settle(outcome: &str) -> (String, Value) {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    let p = create(&app, &m).await;
    let id = p["id"].as_str().unwrap();
    choose(&app, &p, outcome).await;
    assert_eq!(journal(&app).await, [(true, Some("applied".into()))]);
    let view = full(&app, &m, id).await;
    (app.status_of(id, &m).await, view)
}

#[tokio::test]
async fn fail_cancel_expire_process_and_underpay() {
    let (status, view) = settle("fail").await;
    assert_eq!(
        (status.as_str(), &view["provider_status"]),
        ("failed", &json!("Reject"))
    );
    let (status, view) = settle("cancel").await;
    assert_eq!(
        (status.as_str(), &view["provider_status"]),
        ("cancelled", &json!("UserCanceled"))
    );
    // Timeout while Payrail's own window is still open: Payrail calls that cancelled.
    let (status, view) = settle("expire").await;
    assert_eq!(
        (status.as_str(), &view["provider_status"]),
        ("cancelled", &json!("Timeout"))
    );
    let (status, view) = settle("process").await;
    assert_eq!(
        (status.as_str(), &view["provider_status"]),
        ("processing", &json!("WaitingToConfirm"))
    );
    // PartialPaid: money arrived short, so it is held for review, never completed.
    let (status, view) = settle("underpay").await;
    assert_eq!(
        (status.as_str(), &view["provider_status"]),
        ("needs_review", &json!("PartialPaid"))
    );
    assert_eq!(
        view["status_detail"],
        "underpaid: less than the amount due arrived"
    );
}

#[tokio::test]
async fn a_cancelled_customer_is_sent_to_the_merchants_cancel_url() {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    let p = create(&app, &m).await;
    let id = p["id"].as_str().unwrap();
    let location = choose(&app, &p, "cancel").await;
    assert!(location.ends_with("&status=5"), "{location}");
    let res = app.client.get(&location).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(
        res.headers()["location"],
        format!("https://shop.example/cancelled?payment_id={id}&status=cancelled").as_str()
    );
}

#[tokio::test]
async fn a_forged_ipn_is_journalled_refused_and_never_applied() {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    let p = create(&app, &m).await;
    let id = p["id"].as_str().unwrap();
    choose(&app, &p, "process").await;
    assert_eq!(app.status_of(id, &m).await, "processing");
    // The genuine IPN with a broken signature.
    let sent = sim_post(
        &app,
        &format!("checkout/{}/webhook", token(&p)),
        json!({"copies": 1, "tamper": true}),
    )
    .await;
    assert_eq!(sent["statuses"], json!([401]));
    // A Paid IPN signed with the wrong key.
    let account: String = sqlx::query_scalar("SELECT id FROM provider_accounts")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let forged =
        json!({"Token": token(&p), "PaymentId": 20001, "OrderId": reference(&app, id).await,
                        "OrderStatus": 7, "AdditionalData": []})
        .to_string();
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(b"not-the-secret").unwrap();
    mac.update(forged.as_bytes());
    let res = app
        .client
        .post(format!("{}/v1/webhooks/paymento/{account}/", app.address))
        .header("Content-Type", "application/json")
        .header(
            "X-HMAC-SHA256-Signature",
            hex::encode_upper(mac.finalize().into_bytes()),
        )
        .body(forged)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(
        journal(&app).await,
        [
            (true, Some("applied".into())),
            (false, Some("rejected".into())),
            (false, Some("rejected".into()))
        ]
    );
    assert_eq!(app.status_of(id, &m).await, "processing");
    // A forged IPN never even makes Payrail ask Paymento.
    assert_eq!(sim(&app, "stats").await["calls"]["query"], 1);
}

#[tokio::test]
async fn a_duplicated_ipn_is_applied_once() {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    let p = create(&app, &m).await;
    choose(&app, &p, "pay").await;
    let sent = sim_post(
        &app,
        &format!("checkout/{}/webhook", token(&p)),
        json!({"copies": 3}),
    )
    .await;
    assert_eq!(sent["statuses"], json!([200, 200, 200]));
    let results: Vec<Option<String>> = journal(&app).await.into_iter().map(|(_, r)| r).collect();
    assert_eq!(
        results,
        [
            Some("applied".into()),
            Some("duplicate".into()),
            Some("duplicate".into()),
            Some("duplicate".into())
        ]
    );
    let completions: i64 =
        sqlx::query_scalar("SELECT count(*) FROM payment_events WHERE type = 'payment.completed'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(completions, 1);
    assert_eq!(app.count("outbox_events").await, 1);
    // Only the first copy is confirmed with verify: a known duplicate costs no gateway call.
    assert_eq!(sim(&app, "stats").await["calls"]["query"], 1);
}

/// Points the account's IPN URL at a closed port, as a lost IPN.
async fn lose_ipns(app: &TestApp) {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}/ipn", closed.local_addr().unwrap());
    drop(closed);
    let res = app
        .client
        .post(format!("{}/paymento/v1/payment/settings", app.sim_address))
        .header("Api-Key", API_KEY)
        .json(&json!({"IPN_Url": dead, "IPN_Method": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn a_lost_ipn_is_settled_by_the_return_or_by_a_recheck() {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    lose_ipns(&app).await;
    let by_return = create(&app, &m).await;
    let by_recheck = create(&app, &m).await;
    let location = choose(&app, &by_return, "pay").await;
    assert!(
        location.ends_with("&status=7"),
        "not verified yet: {location}"
    );
    choose(&app, &by_recheck, "pay").await;
    assert_eq!(sim(&app, "stats").await["webhooks_sent"], 2);
    assert_eq!(app.count("webhook_journal").await, 0);
    let (a, b) = (
        by_return["id"].as_str().unwrap(),
        by_recheck["id"].as_str().unwrap(),
    );
    assert_eq!(app.status_of(a, &m).await, "pending");
    assert_eq!(app.status_of(b, &m).await, "pending");

    let res = app.client.get(&location).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(
        res.headers()["location"],
        format!("https://shop.example/thanks?payment_id={a}&status=completed").as_str()
    );
    assert_eq!(app.status_of(a, &m).await, "completed");
    assert_eq!(
        sim(&app, &format!("orders/{}", token(&by_return))).await["order_status"],
        8
    );

    let (status, body) = app.post(&format!("/v1/payments/{b}/recheck"), "", &m).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (&body["previous_status"], &body["status"]),
        (&json!("pending"), &json!("completed"))
    );
    assert_eq!(
        sim(&app, &format!("orders/{}", token(&by_recheck))).await["order_status"],
        8
    );
}

async fn create_with_key(app: &TestApp, m: &Merchant, key: &str) -> (u16, Value) {
    app.post(
        "/v1/payments",
        &payment_body(json!({"idempotency_key": key})),
        m,
    )
    .await
}

#[tokio::test]
async fn a_gateway_500_on_create_loses_nothing_and_the_retry_resumes() {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    sim_post(&app, "faults", json!({"mode": "http_500", "count": 1})).await;
    let (status, body) = create_with_key(&app, &m, "k-500").await;
    assert_eq!(
        (status, &body["error"]),
        (502, &json!("provider_unavailable")),
        "{body}"
    );
    let pending: String = sqlx::query_scalar("SELECT id FROM payments")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let (status, body) = create_with_key(&app, &m, "k-500").await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["id"], pending.as_str());
    assert_eq!(app.count("payments").await, 1);
    assert_eq!(app.count("attempts").await, 1);
    let reference = reference(&app, &pending).await;
    let stats = sim(&app, "stats").await;
    assert_eq!(stats["calls"]["create"], 2);
    assert_eq!(stats["by_reference"][&reference]["create"], 2);
}

#[tokio::test]
async fn a_gateway_timeout_on_create_is_resumed_with_the_same_payment() {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    // Paymento makes the order but answers after Payrail's 1.5 s timeout.
    sim_post(
        &app,
        "faults",
        json!({"mode": "timeout", "count": 1, "delay_ms": 3000}),
    )
    .await;
    let (status, body) = create_with_key(&app, &m, "k-slow").await;
    assert_eq!(
        (status, &body["error"]),
        (504, &json!("provider_timeout")),
        "{body}"
    );
    let (pending, state): (String, String) = sqlx::query_as(
        "SELECT p.id, a.state FROM payments p JOIN attempts a ON a.payment_id = p.id",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(state, "creating", "outcome unknown, kept resumable");
    let (status, body) = create_with_key(&app, &m, "k-slow").await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["id"], pending.as_str());
    assert_eq!(app.count("payments").await, 1);
    // No lookup by orderId exists at Paymento: the retry made a second order under the same
    // reference; the first one was never shown to anyone.
    let reference = reference(&app, &pending).await;
    let stats = sim(&app, "stats").await;
    assert_eq!(stats["calls"]["create"], 2);
    assert_eq!(stats["by_reference"][&reference]["create"], 2);
    // The payment continues on the second order.
    let p = full(&app, &m, &pending).await;
    choose(&app, &p, "pay").await;
    assert_eq!(app.status_of(&pending, &m).await, "completed");
}

#[tokio::test]
async fn a_refused_api_key_is_not_sent_and_paymento_has_no_cancel_call() {
    let app = spawn_app().await;
    let m = app.create_merchant().await;
    let account =
        connect_paymento(&app, &m, json!({"api_key": "wrong", "secret_key": SECRET})).await;
    assert!(
        account["webhook_registration"]
            .as_str()
            .unwrap()
            .starts_with("failed: refused before processing: HTTP 401"),
        "{account}"
    );
    let (status, body) = app.post("/v1/payments", &payment_body(json!({})), &m).await;
    assert_eq!(
        (status, &body["error"]),
        (502, &json!("provider_unavailable")),
        "{body}"
    );
    assert_eq!(sim(&app, "stats").await["calls"]["create"], 1);

    // A merchant cancel asks Paymento (verify) first, then cancels on Payrail's side only.
    let m = merchant(&app).await;
    let p = create(&app, &m).await;
    let id = p["id"].as_str().unwrap();
    let (status, body) = app.post(&format!("/v1/payments/{id}/cancel"), "", &m).await;
    assert_eq!(
        (status, &body["status"]),
        (200, &json!("cancelled")),
        "{body}"
    );
    let stats = sim(&app, "stats").await;
    assert_eq!(
        (&stats["calls"]["query"], &stats["calls"]["cancel"]),
        (&json!(1), &json!(0))
    );
}
