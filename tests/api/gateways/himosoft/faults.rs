//! HimoSoft's faults on create: a 500 or a timeout loses nothing, and the retry with the same key
//! resumes the same payment; the account-level return finds only payments it knows.

use super::*;
use crate::helpers::spawn_app;

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
