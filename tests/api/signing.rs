//! The signing scheme against an attacker holding one captured request (issue 15 items 1–3):
//! a signature accepted on a state-changing request is single-use on every endpoint, whatever
//! idempotency key rides along; the seed's timestamp-only form works for reads only; v2 binds
//! method, target, key and body; a merchant may require the stricter forms.

use crate::helpers::{now_ts, sign, spawn_app, Merchant, TestApp};
use hmac::{Hmac, Mac};
use reqwest::Method;
use serde_json::{json, Value};
use sha2::Sha256;

/// Sends `body` with exactly the given signature headers (a captured request, re-sent).
async fn send_raw(
    app: &TestApp,
    method: Method,
    path: &str,
    body: &str,
    headers: &[(&str, String)],
) -> (u16, Value) {
    let mut req = app.client.request(method, format!("{}{path}", app.address));
    for (name, value) in headers {
        req = req.header(*name, value);
    }
    if !body.is_empty() {
        req = req
            .header("Content-Type", "application/json")
            .body(body.to_owned());
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

fn v1_headers(m: &Merchant, ts: &str, message: &[u8]) -> Vec<(&'static str, String)> {
    vec![
        ("X-Merchant-Id", m.id.clone()),
        ("X-Timestamp", ts.to_owned()),
        ("X-HMAC-Signature", sign(&m.secret, ts, message)),
    ]
}

/// `timestamp \n METHOD \n target \n Idempotency-Key \n body`, as the README documents.
fn sign_v2(secret: &str, ts: &str, method: &str, target: &str, key: &str, body: &str) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{ts}\n{method}\n{target}\n{key}\n{body}").as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

fn v2_headers(
    m: &Merchant,
    method: &str,
    target: &str,
    key: &str,
    body: &str,
) -> Vec<(&'static str, String)> {
    let ts = now_ts();
    let mut headers = vec![
        ("X-Merchant-Id", m.id.clone()),
        ("X-Timestamp", ts.clone()),
        ("X-Signature-Version", "2".to_owned()),
        (
            "X-HMAC-Signature",
            sign_v2(&m.secret, &ts, method, target, key, body),
        ),
    ];
    if !key.is_empty() {
        headers.push(("Idempotency-Key", key.to_owned()));
    }
    headers
}

async fn refunded_amount(app: &TestApp, m: &Merchant, id: &str) -> Value {
    let (_, p) = app.get(&format!("/v1/payments/{id}"), m).await;
    p["refunded_amount"].clone()
}

async fn set_policy(app: &TestApp, m: &Merchant, policy: &str) {
    let res = app
        .client
        .patch(format!("{}/v1/admin/merchants/{}", app.address, m.id))
        .bearer_auth(&app.admin_token)
        .json(&json!({ "signature_policy": policy }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.json::<Value>().await.unwrap()["signature_policy"],
        policy
    );
}

#[tokio::test]
async fn a_captured_body_signature_moves_no_money_on_another_endpoint() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    let x = app.paid_payment(&m, "X").await;
    let y = app.paid_payment(&m, "Y").await;
    let ts = now_ts();
    let captured = v1_headers(&m, &ts, b"{}");

    // The merchant's own verify with a body is refused (verify takes none), and spends it.
    let verify = format!("/v1/payments/{x}/verify/");
    let (status, err) = send_raw(&app, Method::POST, &verify, "{}", &captured).await;
    assert_eq!(
        (status, err["error"].as_str()),
        (400, Some("invalid_request"))
    );

    for path in [
        format!("/v1/payments/{y}/refunds/"),
        format!("/v1/payments/{y}/cancel"),
    ] {
        let (status, err) = send_raw(&app, Method::POST, &path, "{}", &captured).await;
        assert_eq!(status, 401, "{path}: {err}");
        assert_eq!(err["error"], "replayed_request");
        assert!(err["message"].as_str().unwrap().contains("X-Timestamp"));
    }
    assert_eq!(app.status_of(&y, &m).await, "completed");
    assert_eq!(refunded_amount(&app, &m, &y).await, "0.00");
    assert_eq!(app.count("refunds").await, 0);
}

#[tokio::test]
async fn a_fresh_idempotency_key_header_does_not_make_a_captured_refund_new() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    let x = app.paid_payment(&m, "X").await;
    let y = app.paid_payment(&m, "Y").await;
    let ts = now_ts();
    let body = r#"{"reason":"damaged"}"#;
    let mut captured = v1_headers(&m, &ts, body.as_bytes());
    captured.push(("Idempotency-Key", "merchant-key-1".to_owned()));
    let (status, _) = send_raw(
        &app,
        Method::POST,
        &format!("/v1/payments/{x}/refunds"),
        body,
        &captured,
    )
    .await;
    assert_eq!(status, 201);

    captured.pop();
    captured.push(("Idempotency-Key", "attacker-key".to_owned()));
    let (status, err) = send_raw(
        &app,
        Method::POST,
        &format!("/v1/payments/{y}/refunds"),
        body,
        &captured,
    )
    .await;
    assert_eq!(
        (status, err["error"].as_str()),
        (401, Some("replayed_request"))
    );
    // Even on the same path: the header key is not signed by v1.
    let (status, _) = send_raw(
        &app,
        Method::POST,
        &format!("/v1/payments/{x}/refunds"),
        body,
        &captured,
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(refunded_amount(&app, &m, &y).await, "0.00");
    assert_eq!(app.count("refunds").await, 1);
}

#[tokio::test]
async fn a_key_inside_the_signed_body_lets_the_same_request_be_answered_again() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    let x = app.paid_payment(&m, "X").await;
    let y = app.paid_payment(&m, "Y").await;
    let ts = now_ts();
    let body = r#"{"idempotency_key":"rf-1"}"#;
    let captured = v1_headers(&m, &ts, body.as_bytes());
    let path_x = format!("/v1/payments/{x}/refunds");
    let (s1, first) = send_raw(&app, Method::POST, &path_x, body, &captured).await;
    let (s2, again) = send_raw(&app, Method::POST, &path_x, body, &captured).await;
    assert_eq!((s1, s2), (201, 201));
    assert_eq!(
        first["id"], again["id"],
        "answered from the idempotency record"
    );
    let (status, _) = send_raw(
        &app,
        Method::POST,
        &format!("/v1/payments/{y}/refunds"),
        body,
        &captured,
    )
    .await;
    assert_eq!(status, 401, "the same signature on another path");
    assert_eq!(app.count("refunds").await, 1);
}

#[tokio::test]
async fn the_seed_timestamp_only_form_reads_but_never_writes_and_a_merchant_may_refuse_it() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    let p = app.create_payment(&m, json!({})).await;
    let id = p["id"].as_str().unwrap();
    let verify = format!("/v1/payments/{id}/verify/");
    let ts = now_ts();
    let seed_form = v1_headers(&m, &ts, b"");
    let (status, got) = send_raw(&app, Method::GET, &verify, "", &seed_form).await;
    assert_eq!((status, got["id"].as_str()), (200, Some(id)));
    let (status, _) = send_raw(
        &app,
        Method::GET,
        &format!("/v1/payments/{id}"),
        "",
        &seed_form,
    )
    .await;
    assert_eq!(status, 200, "a read signature may be used again");
    for path in [verify.clone(), format!("/v1/payments/{id}/cancel")] {
        let (status, err) = send_raw(&app, Method::POST, &path, "", &seed_form).await;
        assert_eq!(
            (status, err["error"].as_str()),
            (401, Some("invalid_signature")),
            "{path}"
        );
    }
    assert_eq!(app.status_of(id, &m).await, "pending");

    set_policy(&app, &m, "bound_reads").await;
    let (status, _) = send_raw(
        &app,
        Method::GET,
        &verify,
        "",
        &v1_headers(&m, &now_ts(), b""),
    )
    .await;
    assert_eq!(status, 401);
    let bound = v1_headers(&m, &now_ts(), verify.as_bytes());
    assert_eq!(
        send_raw(&app, Method::GET, &verify, "", &bound).await.0,
        200
    );
}

#[tokio::test]
async fn signature_v2_binds_method_target_key_and_body_and_may_be_required() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    let x = app.paid_payment(&m, "X").await;
    let y = app.paid_payment(&m, "Y").await;
    let path_x = format!("/v1/payments/{x}/refunds");
    let body = r#"{"amount":"1.00"}"#;
    let signed = v2_headers(&m, "POST", &path_x, "v2-key", body);
    // Moved to another payment, or with the key changed, it no longer verifies.
    let path_y = format!("/v1/payments/{y}/refunds");
    let (status, err) = send_raw(&app, Method::POST, &path_y, body, &signed).await;
    assert_eq!(
        (status, err["error"].as_str()),
        (401, Some("invalid_signature"))
    );
    let mut other_key = signed.clone();
    other_key.pop();
    other_key.push(("Idempotency-Key", "v2-other".to_owned()));
    assert_eq!(
        send_raw(&app, Method::POST, &path_x, body, &other_key)
            .await
            .0,
        401
    );
    // PayStableCoin refunds in full only: the signature held, the amount is what is refused.
    let (status, first) = send_raw(&app, Method::POST, &path_x, body, &signed).await;
    assert_eq!(status, 400, "{first}");
    assert!(first["details"]["fields"]["amount"].is_string());

    let full = "";
    let signed = v2_headers(&m, "POST", &path_x, "v2-full", full);
    let (s1, r1) = send_raw(&app, Method::POST, &path_x, full, &signed).await;
    let (s2, r2) = send_raw(&app, Method::POST, &path_x, full, &signed).await;
    assert_eq!((s1, s2), (201, 201), "{r1} {r2}");
    assert_eq!(
        r1["id"], r2["id"],
        "a v2 retry with its signed key is answered again"
    );

    set_policy(&app, &m, "v2_only").await;
    let (status, _) = app.get(&format!("/v1/payments/{y}"), &m).await;
    assert_eq!(status, 401, "v1 refused");
    let target = format!("/v1/payments/{y}");
    let (status, got) = send_raw(
        &app,
        Method::GET,
        &target,
        "",
        &v2_headers(&m, "GET", &target, "", ""),
    )
    .await;
    assert_eq!((status, got["id"].as_str()), (200, Some(y.as_str())));
    let mut unknown = v2_headers(&m, "GET", &target, "", "");
    unknown[2].1 = "3".to_owned();
    assert_eq!(
        send_raw(&app, Method::GET, &target, "", &unknown).await.0,
        401
    );
}

#[tokio::test]
async fn reads_take_no_body_and_timestamps_are_plain_digits() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    let p = app.create_payment(&m, json!({})).await;
    let path = format!("/v1/payments/{}", p["id"].as_str().unwrap());
    let res = app
        .signed(Method::GET, &path, "{}", &m)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let verify = format!("{path}/verify");
    let res = app
        .signed(Method::POST, &verify, r#"{"x":1}"#, &m)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let ts = format!("+{}", now_ts());
    let (status, err) = send_raw(
        &app,
        Method::GET,
        &path,
        "",
        &v1_headers(&m, &ts, path.as_bytes()),
    )
    .await;
    assert_eq!(
        (status, err["error"].as_str()),
        (401, Some("invalid_signature"))
    );
    // The admin token's scheme is case-insensitive (RFC 9110 §11.1).
    let res = app
        .client
        .get(format!("{}/v1/admin/payments", app.address))
        .header("Authorization", format!("bearer {}", app.admin_token))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}
