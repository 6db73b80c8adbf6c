//! Merchant authentication (docs/signing.md) with the seed's signing recipe.

use crate::helpers::{now_ts, sign, spawn_app};
use reqwest::Method;
use serde_json::json;

const BODY: &str =
    r#"{"amount":"1500.00","currency":"USD","order_id":"TRANS_001","provider":"paystablecoin"}"#;

#[tokio::test]
async fn the_seed_recipe_authenticates_and_every_forgery_is_refused_storing_nothing() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    let url = format!("{}/v1/payments/", app.address);
    let send = |ts: String, sig: String, body: &'static str, merchant: String| {
        app.client
            .post(&url)
            .header("X-Merchant-Id", merchant)
            .header("X-Timestamp", ts)
            .header("X-HMAC-Signature", sig)
            .header("Content-Type", "application/json")
            .body(body)
            .send()
    };
    let expect = |res: reqwest::Response, status: u16, code: &'static str| async move {
        assert_eq!(res.status().as_u16(), status);
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["error"], code, "{body}");
        if code == "invalid_signature" {
            assert_eq!(
                body["message"],
                "HMAC validation failed. Check credentials."
            );
        }
    };

    let ts = now_ts();
    expect(
        send(
            ts.clone(),
            sign("prl_sk_wrong", &ts, BODY.as_bytes()),
            BODY,
            m.id.clone(),
        )
        .await
        .unwrap(),
        401,
        "invalid_signature",
    )
    .await;
    let stale = (chrono::Utc::now().timestamp() - 301).to_string();
    expect(
        send(
            stale.clone(),
            sign(&m.secret, &stale, BODY.as_bytes()),
            BODY,
            m.id.clone(),
        )
        .await
        .unwrap(),
        401,
        "timestamp_out_of_range",
    )
    .await;
    let tampered =
        r#"{"amount":"1.00","currency":"USD","order_id":"TRANS_001","provider":"paystablecoin"}"#;
    expect(
        send(
            ts.clone(),
            sign(&m.secret, &ts, BODY.as_bytes()),
            tampered,
            m.id.clone(),
        )
        .await
        .unwrap(),
        401,
        "invalid_signature",
    )
    .await;
    let unknown = "mer_01JD0000000000000000000000".to_owned();
    expect(
        send(
            ts.clone(),
            sign(&m.secret, &ts, BODY.as_bytes()),
            BODY,
            unknown,
        )
        .await
        .unwrap(),
        401,
        "invalid_signature",
    )
    .await;
    let missing = app
        .client
        .post(&url)
        .header("X-Merchant-Id", &m.id)
        .header("X-Timestamp", &ts)
        .body(BODY)
        .send()
        .await
        .unwrap();
    expect(missing, 401, "invalid_signature").await;
    assert_eq!(app.count("payments").await, 0);

    let good = send(
        ts.clone(),
        sign(&m.secret, &ts, BODY.as_bytes()),
        BODY,
        m.id.clone(),
    )
    .await
    .unwrap();
    assert_eq!(good.status(), 201);
    // The same signed request again, without an idempotency key: a replay.
    expect(
        send(
            ts.clone(),
            sign(&m.secret, &ts, BODY.as_bytes()),
            BODY,
            m.id.clone(),
        )
        .await
        .unwrap(),
        401,
        "replayed_request",
    )
    .await;
    assert_eq!(app.count("payments").await, 1);
}

#[tokio::test]
async fn bodyless_requests_sign_the_request_target_so_a_signature_cannot_be_moved() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    let a = app.create_payment(&m, json!({ "order_id": "A" })).await;
    let b = app.create_payment(&m, json!({ "order_id": "B" })).await;
    let ts = now_ts();
    let path_a = format!("/v1/payments/{}/verify/", a["id"].as_str().unwrap());
    let path_b = format!("/v1/payments/{}/verify/", b["id"].as_str().unwrap());
    let sig_a = sign(&m.secret, &ts, path_a.as_bytes());
    let get = |path: String, sig: String| {
        app.client
            .get(format!("{}{path}", app.address))
            .header("X-Merchant-Id", &m.id)
            .header("X-Timestamp", &ts)
            .header("X-HMAC-Signature", sig)
            .send()
    };
    assert_eq!(
        get(path_a.clone(), sig_a.clone()).await.unwrap().status(),
        200
    );
    assert_eq!(get(path_b, sig_a).await.unwrap().status(), 401);
    // The HimoSoft vector for an empty body still holds for a body-signed request recipe.
    assert_eq!(
        sign("himo_sk_test_123", "1714764000", b""),
        "c03995aa40c466f5c7057a75fb42a96621b0e7e861f1e68b3d3616ff984d3cf4"
    );
}

#[tokio::test]
async fn a_rotated_secret_keeps_the_previous_one_valid_for_the_grace_period() {
    let app = spawn_app().await;
    let mut m = app.merchant_with_psc().await;
    let res = app
        .client
        .post(format!(
            "{}/v1/admin/merchants/{}/secrets",
            app.address, m.id
        ))
        .bearer_auth(&app.admin_token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let rotated: serde_json::Value = res.json().await.unwrap();
    let new_secret = rotated["secret"].as_str().unwrap().to_owned();
    assert_ne!(new_secret, m.secret);
    assert_eq!(
        app.signed(Method::GET, "/v1/payments", "", &m)
            .send()
            .await
            .unwrap()
            .status(),
        200,
        "old secret in grace"
    );
    m.secret = new_secret;
    assert_eq!(
        app.signed(Method::GET, "/v1/payments", "", &m)
            .send()
            .await
            .unwrap()
            .status(),
        200,
        "new secret"
    );
    // Two secrets: the new one, and the old one with an end to its grace period.
    let count = |sql: &'static str| {
        sqlx::query_scalar::<_, i64>(sql)
            .bind(m.id.clone())
            .fetch_one(&app.pool)
    };
    assert_eq!(
        count("SELECT count(*) FROM merchant_secrets WHERE merchant_id = $1")
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        count(
            "SELECT count(*) FROM merchant_secrets WHERE merchant_id = $1 AND expires_at IS NULL"
        )
        .await
        .unwrap(),
        1
    );
}

#[tokio::test]
async fn admin_api_needs_the_bearer_token_and_secrets_are_sealed_at_rest() {
    let app = spawn_app().await;
    let res = app
        .client
        .post(format!("{}/v1/admin/merchants", app.address))
        .json(&json!({"name": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let res = app
        .client
        .post(format!("{}/v1/admin/merchants", app.address))
        .bearer_auth("wrong")
        .json(&json!({"name": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let m = app.merchant_with_psc().await;
    // A database dump must not reveal merchant secrets or gateway credentials.
    let sealed: Vec<Vec<u8>> = sqlx::query_scalar("SELECT secret_enc FROM merchant_secrets UNION ALL SELECT credentials_enc FROM provider_accounts")
        .fetch_all(&app.pool).await.unwrap();
    assert_eq!(sealed.len(), 2);
    for blob in sealed {
        let text = String::from_utf8_lossy(&blob);
        assert!(
            !text.contains(&m.secret)
                && !text.contains(crate::helpers::PSC_SECRET)
                && !text.contains("prl_sk_")
        );
    }
}
