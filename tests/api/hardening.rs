//! Issue 15's edges of the HTTP contract: every number range-checked into a 400 naming its field
//! (no panic, no database error), 405 with `Allow`, 415 for bodies not declared JSON, and what
//! actix answers to too many headers. The database outage (503) is in [`outage`].

mod outage;
mod tcp_proxy;

use crate::helpers::{now_ts, sign, spawn_app, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

/// A 400 `invalid_request` in the envelope whose `details.fields` names `field` (only).
fn assert_names(status: u16, body: &Value, field: &str, case: &str) {
    assert_eq!(status, 400, "{case}: {body}");
    assert_eq!(body["error"], "invalid_request", "{case}: {body}");
    let fields = body["details"]["fields"].as_object().unwrap_or_else(|| {
        panic!("{case}: no details.fields in {body}");
    });
    assert_eq!(fields.keys().collect::<Vec<_>>(), [field], "{case}: {body}");
    assert!(body["request_id"].is_string(), "{case}: {body}");
}

#[tokio::test]
async fn bulk_recheck_numbers_out_of_range_or_of_the_wrong_type_are_400_naming_the_field() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    app.create_payment(&m, json!({})).await;
    // 4.7e18 as an integer overflowed chrono (a panic: the connection closed with no answer);
    // 1e12 reached Postgres as a date before year 1 (500).
    for raw in [
        "4700000000000000000",
        "9223372036854775807",
        "18446744073709551616",
        "4.7e18",
        "1000000000000",
        "315360001",
        "-1",
        "1.5",
        "\"x\"",
        "true",
        "[]",
    ] {
        let body = format!(r#"{{"older_than_secs": {raw}}}"#);
        let (status, answer) = app.admin(Method::POST, "/v1/admin/rechecks", &body).await;
        assert_names(status, &answer, "older_than_secs", raw);
    }
    for raw in ["0", "1001", "1.5", "\"10\"", "-5"] {
        let body = format!(r#"{{"limit": {raw}}}"#);
        let (status, answer) = app.admin(Method::POST, "/v1/admin/rechecks", &body).await;
        assert_names(status, &answer, "limit", raw);
    }
    for raw in ["\"yes\"", "1", "null"] {
        let body = format!(r#"{{"dry_run": {raw}}}"#);
        let (status, answer) = app.admin(Method::POST, "/v1/admin/rechecks", &body).await;
        assert_names(status, &answer, "dry_run", raw);
    }
    let (status, answer) = app
        .admin(Method::POST, "/v1/admin/rechecks", r#"{"status": 7}"#)
        .await;
    assert_names(status, &answer, "status", "status 7");

    // The bounds themselves are accepted: ten years back, and now.
    for secs in [0, 315_360_000] {
        let body = json!({ "older_than_secs": secs, "limit": 1000, "dry_run": true }).to_string();
        let (status, answer) = app.admin(Method::POST, "/v1/admin/rechecks", &body).await;
        assert_eq!(status, 200, "{secs}: {answer}");
    }
    let (status, answer) = app
        .admin(
            Method::POST,
            "/v1/admin/rechecks",
            r#"{"older_than_secs": 0, "dry_run": true}"#,
        )
        .await;
    assert_eq!(
        (status, answer["checked"].as_u64()),
        (200, Some(1)),
        "{answer}"
    );
}

#[tokio::test]
async fn connect_priority_out_of_range_or_not_a_whole_number_is_400_naming_it() {
    let app = spawn_app().await;
    let m = app.create_merchant().await;
    let path = format!("/v1/admin/merchants/{}/providers/paystablecoin", m.id);
    for raw in ["-1", "1000001", "2147483648", "1.5", "\"1\"", "null"] {
        let body = format!(
            r#"{{"credentials": {{"merchant_id": "1000", "api_key": "k", "api_secret": "s"}},
                "base_url": "{}/paystablecoin", "priority": {raw}}}"#,
            app.sim_address
        );
        let (status, answer) = app.admin(Method::PUT, &path, &body).await;
        assert_names(status, &answer, "priority", raw);
    }
    let (status, answer) = app
        .admin(
            Method::PUT,
            &path,
            r#"{"credentials": {}, "enabled": "yes"}"#,
        )
        .await;
    assert_names(status, &answer, "enabled", "enabled yes");
}

#[tokio::test]
async fn a_wrong_method_is_405_in_the_envelope_with_allow_listing_the_paths_methods() {
    let app = spawn_app().await;
    let cases = [
        (Method::DELETE, "/v1/payments", "POST, GET"),
        (Method::PUT, "/v1/payments/", "POST, GET"),
        (
            Method::DELETE,
            "/v1/payments/pay_01JD0000000000000000000000",
            "GET",
        ),
        (
            Method::PATCH,
            "/v1/payments/pay_01JD0000000000000000000000/verify",
            "GET, POST",
        ),
        (Method::GET, "/v1/admin/rechecks", "POST"),
        (
            Method::GET,
            "/v1/admin/merchants/mer_x/providers/hitpay/",
            "PUT",
        ),
        (
            Method::DELETE,
            "/checkout/pay_01JD0000000000000000000000",
            "GET, POST",
        ),
        (Method::POST, "/healthz", "GET"),
    ];
    for (method, path, allow) in cases {
        let res = app
            .client
            .request(method.clone(), format!("{}{path}", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 405, "{method} {path}");
        assert_eq!(res.headers()["allow"], allow, "{method} {path}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(
            body["error"], "method_not_allowed",
            "{method} {path}: {body}"
        );
        assert!(body["request_id"].is_string());
    }
}

/// A signed create with the given `Content-Type` (or none), sent as is.
fn create_with_type(
    app: &TestApp,
    m: &crate::helpers::Merchant,
    body: &str,
    ts: &str,
    content_type: Option<&str>,
) -> reqwest::RequestBuilder {
    let mut req = app
        .client
        .post(format!("{}/v1/payments", app.address))
        .header("X-Merchant-Id", &m.id)
        .header("X-Timestamp", ts)
        .header("X-HMAC-Signature", sign(&m.secret, ts, body.as_bytes()))
        .body(body.to_owned());
    if let Some(t) = content_type {
        req = req.header("Content-Type", t);
    }
    req
}

#[tokio::test]
async fn a_merchant_or_admin_body_not_declared_json_is_415_and_spends_nothing() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    let body = json!({ "amount": "5.00", "currency": "USD", "order_id": "CT-1", "provider": "paystablecoin" }).to_string();
    let ts = now_ts();
    for content_type in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        None,
    ] {
        let res = create_with_type(&app, &m, &body, &ts, content_type)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 415, "{content_type:?}");
        let answer: Value = res.json().await.unwrap();
        assert_eq!(answer["error"], "unsupported_media_type", "{answer}");
        assert!(answer["request_id"].is_string());
    }
    assert_eq!(app.count("payments").await, 0);
    // The refused requests did not spend the signature: the same one, typed, creates.
    let res = create_with_type(
        &app,
        &m,
        &body,
        &ts,
        Some("Application/JSON; charset=UTF-8"),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());

    // Admin: a typed body is refused the same way; an empty body needs no type.
    let res = app
        .client
        .post(format!("{}/v1/admin/merchants", app.address))
        .bearer_auth(&app.admin_token)
        .header("Content-Type", "text/plain")
        .body(r#"{"name": "Shop"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 415);
    let res = app
        .client
        .post(format!("{}/v1/admin/rechecks", app.address))
        .bearer_auth(&app.admin_token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);

    // Gateways and browsers post forms: webhooks and the checkout page are not held to JSON.
    let res = app
        .client
        .post(format!(
            "{}/v1/webhooks/hitpay/acc_01JD0000000000000000000000/",
            app.address
        ))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("payment_id=x&status=completed&hmac=00")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404, "an unknown account, not 415");
}

#[tokio::test]
async fn too_many_headers_are_refused_431_by_actix_itself() {
    // actix-http's h1 decoder takes at most 96 headers and answers 431 from its dispatcher,
    // before any Payrail code runs: no envelope, nothing to configure (docs/decisions.md).
    let app = spawn_app().await;
    let mut req = app.client.get(format!("{}/healthz", app.address));
    for i in 0..120 {
        req = req.header(format!("x-filler-{i}"), "1");
    }
    let res = req.send().await.unwrap();
    assert_eq!(res.status(), 431);
    let body = res.bytes().await.unwrap();
    assert!(
        body.is_empty(),
        "an actix upgrade changed the 431 answer: {body:?}"
    );
    let ok = app
        .client
        .get(format!("{}/healthz", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
}
