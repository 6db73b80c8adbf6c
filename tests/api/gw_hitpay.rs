//! HitPay end to end over HTTP: Payrail and the HitPay simulator on real ports. Create, pay at the
//! simulator, its signed v1 webhook, and every unhappy path the gateway can take.

use crate::helpers::{spawn_app, Merchant, TestApp};
use payrail::providers::{AccountContext, Outcome, ProviderAdapter, RefundRequest, RefundStatus};
use rust_decimal::Decimal;
use serde_json::{json, Value};

const API_KEY: &str = "hitpay_test_api_key";
const SALT: &str = "hitpay_test_salt";

async fn connect_hitpay(app: &TestApp, m: &Merchant) -> Value {
    let res = app
        .client
        .put(format!(
            "{}/v1/admin/merchants/{}/providers/hitpay",
            app.address, m.id
        ))
        .bearer_auth(&app.admin_token)
        .json(&json!({
            "credentials": { "api_key": API_KEY, "salt": SALT },
            "base_url": format!("{}/hitpay", app.sim_address),
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    res.json().await.unwrap()
}

async fn merchant(app: &TestApp) -> Merchant {
    let m = app.create_merchant().await;
    let account = connect_hitpay(app, &m).await;
    assert_eq!(account["currencies"], json!(["SGD", "MYR", "PHP", "USD"]));
    m
}

fn body(extra: Value) -> String {
    let mut b = json!({
        "amount": "25.00", "currency": "SGD", "order_id": "SG-1", "provider": "hitpay",
        "return_url": "https://shop.example/thanks", "cancel_url": "https://shop.example/cart",
    });
    for (k, v) in extra.as_object().unwrap() {
        b[k] = v.clone();
    }
    b.to_string()
}

/// A payment with its own order id (an identical signed request would be a replay).
async fn create(app: &TestApp, m: &Merchant, order: &str) -> Value {
    let (status, p) = app
        .post("/v1/payments", &body(json!({ "order_id": order })), m)
        .await;
    assert_eq!(status, 201, "{p}");
    p
}

/// The customer's choice on the simulator's page; the answer is its 303 (not followed).
async fn checkout(app: &TestApp, p: &Value, outcome: &str) -> String {
    let url = format!("{}/{outcome}", p["checkout_url"].as_str().unwrap());
    let res = app.client.post(url).send().await.unwrap();
    assert_eq!(res.status(), 303);
    res.headers()["location"].to_str().unwrap().to_owned()
}

async fn sim(app: &TestApp, path: &str, body: Option<Value>) -> Value {
    let url = format!("{}/hitpay/_sim/{path}", app.sim_address);
    let res = match body {
        Some(b) => app.client.post(url).json(&b).send().await.unwrap(),
        None => app.client.get(url).send().await.unwrap(),
    };
    assert!(res.status().is_success());
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

async fn attempt(app: &TestApp) -> (String, Option<String>, Option<String>) {
    sqlx::query_as("SELECT reference, external_id, charge_id FROM attempts")
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

/// The simulator's own record of a payment request, read with HitPay's API.
async fn sim_request(app: &TestApp, request_id: &str) -> Value {
    app.client
        .get(format!(
            "{}/hitpay/v1/payment-requests/{request_id}",
            app.sim_address
        ))
        .header("X-BUSINESS-API-KEY", API_KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn pay_at_hitpay_webhook_completes_and_the_return_goes_to_the_merchant() {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    let p = create(&app, &m, "SG-1").await;
    let id = p["id"].as_str().unwrap();
    let request_id = p["external_id"].as_str().unwrap();
    assert_eq!(
        (&p["status"], &p["provider"]),
        (&json!("pending"), &json!("hitpay"))
    );
    assert_eq!(
        p["checkout_url"],
        format!("{}/hitpay/checkout/{request_id}", app.sim_address)
    );
    let (reference, external, _) = attempt(&app).await;
    assert_eq!(external.as_deref(), Some(request_id));
    let held = sim_request(&app, request_id).await;
    assert_eq!(
        (
            &held["reference_number"],
            &held["amount"],
            &held["currency"]
        ),
        (&json!(reference), &json!("25.00"), &json!("sgd"))
    );
    assert!(held["redirect_url"]
        .as_str()
        .unwrap()
        .starts_with(&format!("{}/checkout/{id}/return?t=", app.address)));

    let back = checkout(&app, &p, "pay").await;
    assert!(
        back.starts_with(&format!("{}/checkout/{id}/return?t=", app.address)),
        "{back}"
    );
    assert!(
        back.ends_with(&format!("&reference={request_id}&status=completed")),
        "{back}"
    );
    assert_eq!(app.status_of(id, &m).await, "completed");
    assert_eq!(journal(&app).await, [(true, Some("applied".into()))]);
    let charge = attempt(&app)
        .await
        .2
        .expect("payment_id kept from the webhook");
    assert_eq!(
        json!(charge),
        sim_request(&app, request_id).await["payments"][0]["id"]
    );

    let res = app.client.get(&back).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(
        res.headers()["location"],
        format!("https://shop.example/thanks?payment_id={id}&status=completed").as_str()
    );
    let (_, full) = app.get(&format!("/v1/payments/{id}"), &m).await;
    assert_eq!(full["provider_status"], "completed");
}

#[tokio::test]
async fn fail_cancel_expire_and_underpay() {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    let failed = create(&app, &m, "SG-2").await;
    checkout(&app, &failed, "fail").await;
    assert_eq!(
        app.status_of(failed["id"].as_str().unwrap(), &m).await,
        "failed"
    );

    // Cancel sends no webhook: the customer's return makes Payrail ask, and sends them to cancel_url.
    let cancelled = create(&app, &m, "SG-3").await;
    let cid = cancelled["id"].as_str().unwrap();
    let back = checkout(&app, &cancelled, "cancel").await;
    assert!(back.ends_with("&status=canceled"));
    assert_eq!(app.status_of(cid, &m).await, "pending");
    let res = app.client.get(&back).send().await.unwrap();
    assert_eq!(
        res.headers()["location"],
        format!("https://shop.example/cart?payment_id={cid}&status=cancelled").as_str()
    );
    assert_eq!(app.status_of(cid, &m).await, "cancelled");

    // Expired before the payment's own window ends: cancelled, learnt by a recheck.
    let expired = create(&app, &m, "SG-4").await;
    let eid = expired["id"].as_str().unwrap();
    checkout(&app, &expired, "expire").await;
    assert_eq!(app.status_of(eid, &m).await, "pending");
    let (status, r) = app
        .post(&format!("/v1/payments/{eid}/recheck"), "", &m)
        .await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(
        (&r["status"], &r["provider_status"], &r["changed"]),
        (&json!("cancelled"), &json!("expired"), &json!(true))
    );

    let short = create(&app, &m, "SG-5").await;
    let sid = short["id"].as_str().unwrap();
    checkout(&app, &short, "underpay").await;
    assert_eq!(app.status_of(sid, &m).await, "needs_review");
    let (_, full) = app.get(&format!("/v1/payments/{sid}"), &m).await;
    assert_eq!(
        full["status_detail"],
        "amount_mismatch: expected 25.00, gateway reported 12.50"
    );
}

#[tokio::test]
async fn a_tampered_or_forged_webhook_is_never_applied() {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    let p = create(&app, &m, "SG-6").await;
    let id = p["id"].as_str().unwrap();
    sim(&app, "webhooks", Some(json!({ "drop": 1 }))).await;
    checkout(&app, &p, "pay").await;
    assert_eq!(app.status_of(id, &m).await, "pending");
    let request_id = p["external_id"].as_str().unwrap();
    let sent = sim(
        &app,
        &format!("checkout/{request_id}/webhook"),
        Some(json!({ "copies": 1, "tamper": true })),
    )
    .await;
    assert_eq!(sent["statuses"], json!([401]));
    // A webhook signed with a made-up salt.
    let account: String = sqlx::query_scalar("SELECT id FROM provider_accounts")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let (reference, _, _) = attempt(&app).await;
    let fields = [
        ("payment_id", "f-1"),
        ("payment_request_id", request_id),
        ("reference_number", &reference),
        ("phone", ""),
        ("amount", "25.00"),
        ("currency", "SGD"),
        ("status", "completed"),
    ];
    let mut sorted = fields.to_vec();
    sorted.sort();
    let source: String = sorted.iter().map(|(k, v)| format!("{k}{v}")).collect();
    let hmac = crate::helpers::sign("not-the-salt", "", source.as_bytes());
    let mut form = fields.to_vec();
    form.push(("hmac", &hmac));
    let res = app
        .client
        .post(format!("{}/v1/webhooks/hitpay/{account}/", app.address))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(
        journal(&app).await,
        [
            (false, Some("rejected".into())),
            (false, Some("rejected".into()))
        ]
    );
    assert_eq!(app.status_of(id, &m).await, "pending");
}

#[tokio::test]
async fn a_duplicated_webhook_is_applied_once() {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    let p = create(&app, &m, "SG-7").await;
    checkout(&app, &p, "pay").await;
    let request_id = p["external_id"].as_str().unwrap();
    let sent = sim(
        &app,
        &format!("checkout/{request_id}/webhook"),
        Some(json!({ "copies": 3 })),
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
    assert_eq!(sim(&app, "stats", None).await["webhooks_sent"], 4);
}

#[tokio::test]
async fn a_lost_webhook_is_settled_by_the_return_or_by_a_recheck() {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    let first = create(&app, &m, "SG-8").await;
    let second = create(&app, &m, "SG-9").await;
    sim(&app, "webhooks", Some(json!({ "drop": 2 }))).await;
    let back = checkout(&app, &first, "pay").await;
    checkout(&app, &second, "pay").await;
    assert_eq!(sim(&app, "stats", None).await["webhooks_sent"], 0);
    let (a, b) = (
        first["id"].as_str().unwrap(),
        second["id"].as_str().unwrap(),
    );
    assert_eq!(
        (app.status_of(a, &m).await, app.status_of(b, &m).await),
        ("pending".into(), "pending".into())
    );

    let res = app.client.get(&back).send().await.unwrap();
    assert_eq!(
        res.headers()["location"],
        format!("https://shop.example/thanks?payment_id={a}&status=completed").as_str()
    );
    assert_eq!(app.status_of(a, &m).await, "completed");
    let (status, r) = app.post(&format!("/v1/payments/{b}/recheck"), "", &m).await;
    assert_eq!(
        (status, &r["status"], &r["reconciled"]),
        (200, &json!("completed"), &json!(true))
    );
    let charges: Vec<(Option<String>,)> = sqlx::query_as("SELECT charge_id FROM attempts")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert!(
        charges.iter().all(|(c,)| c.is_some()),
        "the query gave the payment ids"
    );
    assert!(journal(&app).await.is_empty());
}

async fn keyed(app: &TestApp, m: &Merchant, key: &str) -> (u16, Value) {
    app.post("/v1/payments", &body(json!({ "idempotency_key": key })), m)
        .await
}

#[tokio::test]
async fn a_gateway_500_on_create_loses_nothing_and_the_retry_resumes() {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    sim(
        &app,
        "faults",
        Some(json!({ "mode": "http_500", "count": 1 })),
    )
    .await;
    let (status, err) = keyed(&app, &m, "k-500").await;
    assert_eq!(
        (status, &err["error"]),
        (502, &json!("provider_unavailable")),
        "{err}"
    );
    let pending: String = sqlx::query_scalar("SELECT id FROM payments")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let (status, p) = keyed(&app, &m, "k-500").await;
    assert_eq!(status, 201, "{p}");
    assert_eq!(p["id"], pending.as_str());
    let (reference, _, _) = attempt(&app).await;
    let stats = sim(&app, "stats", None).await;
    assert_eq!(
        (
            &stats["calls"]["create"],
            &stats["by_reference"][&reference]["create"]
        ),
        (&json!(2), &json!(2))
    );
    assert_eq!(app.count("payments").await, 1);
}

#[tokio::test]
async fn a_timeout_on_create_is_504_and_the_retry_resumes_the_same_payment() {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    sim(
        &app,
        "faults",
        Some(json!({ "mode": "timeout", "count": 1, "delay_ms": 3000 })),
    )
    .await;
    let (status, err) = keyed(&app, &m, "k-slow").await;
    assert_eq!(
        (status, &err["error"]),
        (504, &json!("provider_timeout")),
        "{err}"
    );
    let (pending, state): (String, String) = sqlx::query_as(
        "SELECT p.id, a.state FROM payments p JOIN attempts a ON a.payment_id = p.id",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(state, "creating");
    let (status, p) = keyed(&app, &m, "k-slow").await;
    assert_eq!((status, &p["id"]), (201, &json!(pending)), "{p}");
    let (reference, _, _) = attempt(&app).await;
    let stats = sim(&app, "stats", None).await;
    // HitPay does not deduplicate reference_number: the first request exists, orphaned, unseen.
    assert_eq!(stats["by_reference"][&reference]["create"], 2);
    assert_eq!(app.count("payments").await, 1);
    assert_eq!(app.count("attempts").await, 1);
}

#[tokio::test]
async fn merchant_cancel_deletes_the_request_and_a_paid_one_is_409() {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    let open = create(&app, &m, "SG-10").await;
    let (status, r) = app
        .post(
            &format!("/v1/payments/{}/cancel", open["id"].as_str().unwrap()),
            "",
            &m,
        )
        .await;
    assert_eq!((status, &r["status"]), (200, &json!("cancelled")), "{r}");
    let stats = sim(&app, "stats", None).await;
    assert_eq!(stats["calls"]["cancel"], 1);
    assert_eq!(
        sim_request(&app, open["external_id"].as_str().unwrap()).await["status"],
        "canceled"
    );

    let paid = create(&app, &m, "SG-11").await;
    checkout(&app, &paid, "pay").await;
    let (status, r) = app
        .post(
            &format!("/v1/payments/{}/cancel", paid["id"].as_str().unwrap()),
            "",
            &m,
        )
        .await;
    assert_eq!((status, &r["error"]), (409, &json!("invalid_state")), "{r}");
    assert_eq!(
        sim(&app, "stats", None).await["calls"]["cancel"],
        1,
        "a paid request is not deleted"
    );
    assert_eq!(
        app.status_of(paid["id"].as_str().unwrap(), &m).await,
        "completed"
    );
}

#[tokio::test]
async fn the_adapter_refunds_by_the_charge_id_from_the_webhook() {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    let p = create(&app, &m, "SG-12").await;
    checkout(&app, &p, "pay").await;
    let (_, external, charge) = attempt(&app).await;
    let adapter = payrail::providers::hitpay::HitPay::new(reqwest::Client::new());
    let account = AccountContext {
        account_id: "acc".into(),
        credentials: json!({ "api_key": API_KEY, "salt": SALT }),
        base_url: format!("{}/hitpay", app.sim_address),
        webhook_url: String::new(),
    };
    let refund = RefundRequest {
        reference: "rfd_1".into(),
        payment_external_id: external.unwrap(),
        payment_charge_id: charge,
        amount: Decimal::new(500, 2),
        currency: "SGD".into(),
        reason: None,
    };
    match adapter.refund(&account, &refund).await {
        Outcome::Succeeded(r) => assert_eq!(
            (r.status, r.provider_status.as_str()),
            (RefundStatus::Completed, "succeeded")
        ),
        other => panic!("{other:?}"),
    }
    let held = sim_request(&app, p["external_id"].as_str().unwrap()).await;
    assert_eq!(
        (
            &held["payments"][0]["status"],
            &held["payments"][0]["refunded_amount"]
        ),
        (&json!("partially_refunded"), &json!("5.00"))
    );
    assert_eq!(sim(&app, "stats", None).await["calls"]["refund"], 1);
}
