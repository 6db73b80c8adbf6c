//! Bad input is a 400 naming the field and changes nothing, on both stores (issue 15 items 4, 6,
//! 7 and 9): NUL and control characters (Postgres cannot store NUL, so it was a 500 there while
//! SQLite stored it), duplicate JSON keys (the last one won), wrong types (no field was named),
//! and a keyed refund that failed before reaching the gateway (its key stayed bound).

use crate::helpers::{spawn_app, Merchant, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

/// The 400's `details.fields` names.
fn fields(err: &Value) -> Vec<String> {
    err["details"]["fields"]
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

async fn expect_400(
    app: &TestApp,
    m: &Merchant,
    method: Method,
    path: &str,
    body: &str,
) -> Vec<String> {
    let res = app.signed(method, path, body, m).send().await.unwrap();
    let status = res.status().as_u16();
    let err: Value = res.json().await.unwrap_or(Value::Null);
    assert_eq!(status, 400, "{path} {body}: {err}");
    assert_eq!(err["error"], "invalid_request");
    fields(&err)
}

fn create_body(extra: Value) -> String {
    let mut body = json!({ "amount": "10.00", "currency": "USD", "order_id": "O-1", "provider": "paystablecoin" });
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    body.to_string()
}

#[tokio::test]
async fn nul_and_control_characters_are_refused_naming_the_field_everywhere() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    for (extra, field) in [
        (json!({ "order_id": "A\u{0}B" }), "order_id"),
        (json!({ "order_id": "A\nB" }), "order_id"),
        (json!({ "description": "x\u{0}" }), "description"),
        (json!({ "description": "\u{1b}[2J" }), "description"),
        (
            json!({ "customer": { "name": "Ann\u{0}" } }),
            "customer.name",
        ),
        (
            json!({ "customer": { "name": "Ann\r\nX-Evil: 1" } }),
            "customer.name",
        ),
        (json!({ "metadata": { "note": "\u{0}" } }), "metadata.note"),
    ] {
        let got = expect_400(
            &app,
            &m,
            Method::POST,
            "/v1/payments",
            &create_body(extra.clone()),
        )
        .await;
        assert_eq!(got, vec![field.to_owned()], "{extra}");
    }
    let ok = create_body(json!({ "description": "two\nlines\tand a tab" }));
    let res = app
        .signed(Method::POST, "/v1/payments", &ok, &m)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201, "free text keeps its line breaks");
    assert_eq!(app.count("payments").await, 1);

    let id = app.paid_payment(&m, "PAID-1").await;
    let refunds = format!("/v1/payments/{id}/refunds");
    let got = expect_400(&app, &m, Method::POST, &refunds, r#"{"reason":"a\u0000b"}"#).await;
    assert_eq!(got, vec!["reason"]);
    assert_eq!(
        expect_400(&app, &m, Method::GET, "/v1/payments?order_id=a%00b", "").await,
        vec!["order_id"]
    );
    let (status, err) = app
        .admin(
            Method::POST,
            "/v1/admin/merchants",
            r#"{"name":"Shop\u0000"}"#,
        )
        .await;
    assert_eq!(
        (status, fields(&err)),
        (400, vec!["name".to_owned()]),
        "{err}"
    );
    let (status, err) = app
        .admin(
            Method::POST,
            "/v1/admin/merchants",
            r#"{"name":"Shop\nTwo"}"#,
        )
        .await;
    assert_eq!(
        (status, fields(&err)),
        (400, vec!["name".to_owned()]),
        "{err}"
    );

    // Unauthenticated paths: the gateway webhook and the customer return.
    let journalled = app.count("webhook_journal").await;
    for path in [
        "/v1/webhooks/hitpay/%00".to_owned(),
        "/checkout/return/hitpay/acct%00".to_owned(),
        format!("/checkout/{id}/return?t=%00"),
    ] {
        let res = app
            .client
            .post(format!("{}{path}", app.address))
            .body("x=1")
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        let err: Value = res.json().await.unwrap();
        assert_eq!(
            (status, err["error"].as_str()),
            (400, Some("invalid_request")),
            "{path}"
        );
    }
    assert_eq!(app.count("refunds").await, 0);
    assert_eq!(app.count("webhook_journal").await, journalled);
    assert_eq!(app.count("merchants").await, 1);
}

#[tokio::test]
async fn duplicate_keys_and_wrong_types_name_the_field_and_create_nothing() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    let twice = r#"{"amount":"1.00","currency":"USD","order_id":"O","provider":"paystablecoin","amount":"1000.00"}"#;
    assert_eq!(
        expect_400(&app, &m, Method::POST, "/v1/payments", twice).await,
        vec!["amount"]
    );
    let nested = r#"{"amount":"1.00","currency":"USD","order_id":"O","customer":{"email":"a@b.co","email":"c@d.co"}}"#;
    assert_eq!(
        expect_400(&app, &m, Method::POST, "/v1/payments", nested).await,
        vec!["customer.email"]
    );
    assert_eq!(
        expect_400(
            &app,
            &m,
            Method::POST,
            "/v1/payments",
            &create_body(json!({ "customer": { "name": 5 } }))
        )
        .await,
        vec!["customer.name"]
    );
    assert_eq!(app.count("payments").await, 0);

    let id = app.paid_payment(&m, "PAID-1").await;
    let refunds = format!("/v1/payments/{id}/refunds");
    let got = expect_400(
        &app,
        &m,
        Method::POST,
        &refunds,
        r#"{"reason":"a","reason":"b"}"#,
    )
    .await;
    assert_eq!(got, vec!["reason"]);
    let got = expect_400(&app, &m, Method::POST, &refunds, r#"{"reason":5}"#).await;
    assert_eq!(got, vec!["reason"]);
    let cancel = format!("/v1/payments/{id}/cancel");
    let got = expect_400(
        &app,
        &m,
        Method::POST,
        &cancel,
        r#"{"idempotency_key":"a","idempotency_key":"b"}"#,
    )
    .await;
    assert_eq!(got, vec!["idempotency_key"]);
    let (status, err) = app
        .admin(
            Method::POST,
            "/v1/admin/merchants",
            r#"{"name":"A","name":"B"}"#,
        )
        .await;
    assert_eq!(
        (status, fields(&err)),
        (400, vec!["name".to_owned()]),
        "{err}"
    );
    let (status, err) = app
        .admin(Method::POST, "/v1/admin/merchants", r#"{"name":["A"]}"#)
        .await;
    assert_eq!(
        (status, fields(&err)),
        (400, vec!["name".to_owned()]),
        "{err}"
    );
    assert_eq!(app.count("refunds").await, 0);
    assert_eq!(app.status_of(&id, &m).await, "completed");
}

#[tokio::test]
async fn a_keyed_refund_that_failed_before_the_gateway_frees_its_key_for_the_corrected_retry() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    let id = app.paid_payment(&m, "PAID-1").await;
    let refunds = format!("/v1/payments/{id}/refunds");
    // The account's sealed credentials cannot be opened: a 500 before anything is sent.
    let sealed: Vec<u8> = sqlx::query_scalar("SELECT credentials_enc FROM provider_accounts")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let set = |bytes: Vec<u8>| {
        sqlx::query("UPDATE provider_accounts SET credentials_enc = $1")
            .bind(bytes)
            .execute(&app.pool)
    };
    set(b"garbage".to_vec()).await.unwrap();
    let (status, err) = app
        .post(
            &refunds,
            r#"{"idempotency_key":"r-1","reason":"first"}"#,
            &m,
        )
        .await;
    assert_eq!(
        (status, err["error"].as_str()),
        (500, Some("internal_error")),
        "{err}"
    );
    assert_eq!(app.count("refunds").await, 0, "nothing was written");

    set(sealed).await.unwrap();
    let (status, refund) = app
        .post(
            &refunds,
            r#"{"idempotency_key":"r-1","reason":"corrected"}"#,
            &m,
        )
        .await;
    assert_eq!(status, 201, "{refund}");
    assert_eq!(refund["reason"], "corrected");
    let (status, again) = app
        .post(
            &refunds,
            r#"{"idempotency_key":"r-1","reason":"corrected"}"#,
            &m,
        )
        .await;
    assert_eq!(
        (status, &again["id"]),
        (201, &refund["id"]),
        "now the key is bound"
    );
    assert_eq!(app.count("refunds").await, 1);
}

#[tokio::test]
async fn the_recheck_query_names_its_bad_parameter() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    let p = app.create_payment(&m, json!({})).await;
    let path = format!("/v1/payments/{}/recheck", p["id"].as_str().unwrap());
    for (query, field) in [
        ("dry_run=yes", "dry_run"),
        ("dry_run=true&dry_run=false", "dry_run"),
        ("colour=red", "colour"),
    ] {
        let got = expect_400(&app, &m, Method::GET, &format!("{path}?{query}"), "").await;
        assert_eq!(got, vec![field.to_owned()], "{query}");
    }
    let (status, _) = app.get(&format!("{path}?dry_run=true"), &m).await;
    assert_eq!(status, 200);
}
