//! Bad input gets a clear 4xx in the envelope and changes nothing (docs/api.md, "Errors").

use crate::helpers::{spawn_app, spawn_app_with};
use reqwest::Method;
use serde_json::{json, Value};

fn valid() -> Value {
    json!({ "amount": "10.00", "currency": "USD", "order_id": "O-1", "provider": "paystablecoin" })
}

fn with(field: &str, value: Value) -> String {
    let mut v = valid();
    v[field] = value;
    v.to_string()
}

#[tokio::test]
async fn malformed_or_invalid_create_bodies_are_400_naming_the_field_and_store_nothing() {
    // Production URL policy: https only, no private targets.
    let app = spawn_app_with(|s| {
        s.notify.allow_http = Some(false);
        s.notify.allow_private_hosts = Some(false);
    })
    .await;
    let m = app.merchant_with_psc().await;
    let cases: Vec<(String, Option<&str>)> = vec![
        ("{not json".into(), None),
        ("[1,2]".into(), None),
        ("\"amount\"".into(), None),
        (with("amount", json!(true)), Some("amount")),
        (with("amount", json!({"value": 1})), Some("amount")),
        (with("amount", json!("-5.00")), Some("amount")),
        (with("amount", json!("0")), Some("amount")),
        (with("amount", json!(0)), Some("amount")),
        (with("amount", json!("10.001")), Some("amount")),
        (with("amount", json!("1e3")), Some("amount")),
        (
            r#"{"amount":10.0000000000000001,"currency":"USD","order_id":"O-1"}"#.into(),
            Some("amount"),
        ),
        (
            r#"{"amount":1e3,"currency":"USD","order_id":"O-1"}"#.into(),
            Some("amount"),
        ),
        (
            with("amount", json!("99999999999999999999999")),
            Some("amount"),
        ),
        (with("currency", json!("XYZ")), Some("currency")),
        (with("currency", json!("usd")), Some("currency")),
        (with("currency", json!(840)), Some("currency")),
        (with("order_id", json!(17)), Some("order_id")),
        (with("order_id", json!("")), Some("order_id")),
        (
            with("callback_url", json!("http://shop.example/hook")),
            Some("callback_url"),
        ),
        (
            with("callback_url", json!("https://127.0.0.1/hook")),
            Some("callback_url"),
        ),
        (
            with("callback_url", json!("https://10.0.0.8/hook")),
            Some("callback_url"),
        ),
        (
            with(
                "callback_url",
                json!("https://169.254.169.254/latest/meta-data"),
            ),
            Some("callback_url"),
        ),
        (
            with("callback_url", json!("not a url")),
            Some("callback_url"),
        ),
        (with("provider", json!("no_such_gateway")), Some("provider")),
        (with("method", json!("cash")), Some("method")),
        (
            with("customer", json!({"email": "nope"})),
            Some("customer.email"),
        ),
        (with("expires_in", json!(5)), Some("expires_in")),
        (with("ammount", json!("10.00")), Some("ammount")),
        (
            with("idempotency_key", json!("x".repeat(256))),
            Some("idempotency_key"),
        ),
    ];
    for (body, field) in cases {
        let res = app
            .signed(Method::POST, "/v1/payments", &body, &m)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400, "{body}");
        let err: Value = res.json().await.unwrap();
        assert_eq!(err["error"], "invalid_request", "{body}");
        assert!(err["message"].is_string());
        if let Some(field) = field {
            assert!(
                err["details"]["fields"][field].is_string(),
                "{body} -> {err}"
            );
        }
    }
    assert_eq!(app.count("payments").await, 0);
    assert_eq!(app.count("idempotency_keys").await, 0);
    // A JSON number amount is accepted (docs/api.md, "Payments").
    let res = app
        .signed(
            Method::POST,
            "/v1/payments",
            &with("amount", json!(10.5)),
            &m,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    assert_eq!(res.json::<Value>().await.unwrap()["amount"], "10.50");
}

#[tokio::test]
async fn a_one_mebibyte_body_is_413_and_stores_nothing() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    let huge = json!({ "amount": "10.00", "currency": "USD", "order_id": "x".repeat(1 << 20) })
        .to_string();
    let res = app
        .signed(Method::POST, "/v1/payments", &huge, &m)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    assert_eq!(
        res.json::<Value>().await.unwrap()["error"],
        "payload_too_large"
    );
    assert_eq!(app.count("payments").await, 0);
}

#[tokio::test]
async fn an_unconnected_gateway_or_currency_is_422_no_provider_available() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    let bdt = with("currency", json!("BDT"));
    let res = app
        .signed(Method::POST, "/v1/payments", &bdt, &m)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert_eq!(
        res.json::<Value>().await.unwrap()["error"],
        "no_provider_available"
    );
    let bare = app.create_merchant().await;
    let res = app
        .signed(Method::POST, "/v1/payments", &valid().to_string(), &bare)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert_eq!(app.count("payments").await, 0);
}

#[tokio::test]
async fn bad_paths_queries_and_methods_answer_in_the_envelope() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    for (path, status) in [
        ("/v1/payments/not-an-id", 404),
        ("/v1/payments/pay_01JD0000000000000000000000", 404),
        ("/v1/payments?limit=0", 400),
        ("/v1/payments?limit=abc", 400),
        ("/v1/payments?status=paid", 400),
        ("/v1/payments?starting_after=garbage", 400),
        ("/v1/payments?created_after=yesterday", 400),
        ("/v1/payments?colour=red", 400),
        ("/v1/nothing-here", 404),
    ] {
        let (got, body) = app.get(path, &m).await;
        assert_eq!(got, status, "{path}: {body}");
        assert!(body["error"].is_string(), "{path}: {body}");
    }
    let res = app
        .signed(Method::DELETE, "/v1/payments", "", &m)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 405);
    let res = app
        .client
        .put(format!(
            "{}/v1/admin/merchants/{}/providers/paystablecoin",
            app.address, m.id
        ))
        .bearer_auth(&app.admin_token)
        .json(&json!({ "credentials": { "merchant_id": "1000" } }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert!(res.json::<Value>().await.unwrap()["details"]["fields"]["credentials"].is_string());
}

/// Paths under `/v1/payments/{id}` are mounted as one scope (issue 7); each keeps its trailing
/// slash twin, a wrong method is 405 and an unknown sub-path 404, all in the envelope.
#[tokio::test]
async fn scoped_routes_keep_their_slash_twins_405_and_404() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    let p = app.create_payment(&m, json!({})).await;
    let id = p["id"].as_str().unwrap();
    for path in [
        format!("/v1/payments/{id}"),
        format!("/v1/payments/{id}/"),
        format!("/v1/payments/{id}/verify"),
        format!("/v1/payments/{id}/verify/"),
        format!("/v1/payments/{id}/events/"),
        "/v1/payments/".to_owned(),
    ] {
        let (status, body) = app.get(&path, &m).await;
        assert_eq!(status, 200, "{path}: {body}");
    }
    let (status, body) = app.get(&format!("/v1/payments/{id}/verify"), &m).await;
    assert_eq!(body["status"], "pending", "{status}: {body}");
    let (status, body) = app.get(&format!("/v1/payments/{id}/nothing"), &m).await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["error"], "not_found", "{body}");
    let res = app
        .signed(Method::DELETE, &format!("/v1/payments/{id}/verify"), "", &m)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 405);
    let body: Value = res.json().await.unwrap();
    assert!(body["error"].is_string(), "{body}");
}
