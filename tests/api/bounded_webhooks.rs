//! The public gateway-webhook endpoint cannot be used to fill the store (issue 15, item 10):
//! deliveries to unknown accounts are counted, not journalled; a known account's body is kept
//! only up to the journal's cap (verified over every byte); and past a per-account burst the
//! answer is 429 with `Retry-After`, and nothing is stored.

use crate::helpers::{spawn_app, spawn_app_with, TestApp};
use crate::webhooks::psc_sign;
use payrail::limits::JOURNAL_BODY;
use serde_json::{json, Value};

/// A delivery to `path` on the app: (status, Retry-After, body).
async fn deliver(
    app: &TestApp,
    path: &str,
    headers: &[(&str, String)],
    body: String,
) -> (u16, Option<String>, String) {
    let mut req = app.client.post(format!("{}{path}", app.address)).body(body);
    for (k, v) in headers {
        req = req.header(*k, v);
    }
    let res = req.send().await.unwrap();
    let retry_after = res
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    (
        res.status().as_u16(),
        retry_after,
        res.text().await.unwrap(),
    )
}

/// The counter of deliveries not journalled, for one provider label and reason.
async fn dropped(app: &TestApp, provider: &str, reason: &str) -> u64 {
    let metrics = app.text_of("/metrics").await;
    let series = format!(
        "payrail_gateway_webhooks_dropped_total{{provider=\"{provider}\",reason=\"{reason}\"}} "
    );
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(&series))
        .map_or(0, |n| n.trim().parse().unwrap())
}

/// A correctly signed PayStableCoin payment webhook for `payment` with `status`, padded with
/// `padding` bytes of filler.
async fn signed_webhook(
    app: &TestApp,
    payment: &Value,
    status: &str,
    padding: usize,
) -> (String, Vec<(&'static str, String)>, String) {
    let account = app.account_id().await;
    let reference: String = sqlx::query_scalar("SELECT reference FROM attempts")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let path = format!("/v1/webhooks/paystablecoin/{account}/");
    let body = json!({ "acquiringOrderId": payment["external_id"], "merchantOrderId": reference,
                       "status": status, "orderAmount": { "value": "25.00", "currency": "USD" },
                       "note": "x".repeat(padding) })
    .to_string();
    let ts = chrono::Utc::now().timestamp_millis().to_string();
    let headers = vec![
        ("X-Signature", psc_sign(&ts, &path, &body)),
        ("X-Timestamp", ts),
    ];
    (path, headers, body)
}

#[tokio::test]
async fn webhooks_to_unknown_accounts_are_counted_and_never_journalled() {
    let app = spawn_app().await;
    app.merchant_with_psc().await;
    let account = app.account_id().await;
    let big = "x".repeat(60 * 1000);
    let unknown = [
        format!("/v1/webhooks/paystablecoin/{}/", payrail_account_id()),
        format!("/v1/webhooks/paystablecoin/acc_{}/", "A".repeat(4000)),
        format!("/v1/webhooks/hitpay/{account}/"),
    ];
    for path in &unknown {
        let (status, _, body) = deliver(&app, path, &[], big.clone()).await;
        assert_eq!(status, 404, "{path}");
        assert_eq!(
            serde_json::from_str::<Value>(&body).unwrap()["error"],
            "not_found"
        );
    }
    let (status, _, _) = deliver(&app, "/v1/webhooks/nosuchpay/acc_x/", &[], big).await;
    assert_eq!(status, 404);
    assert_eq!(app.count("webhook_journal").await, 0);
    assert_eq!(dropped(&app, "paystablecoin", "unknown_account").await, 2);
    assert_eq!(dropped(&app, "hitpay", "unknown_account").await, 1);
    assert_eq!(dropped(&app, "unknown", "unknown_provider").await, 1);
}

/// A well-formed account id that no account has.
fn payrail_account_id() -> String {
    format!("acc_{}", ulid::Ulid::new())
}

#[tokio::test]
async fn a_known_accounts_big_body_is_journalled_cut_to_the_cap_and_verified_whole() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    let p = app.create_payment(&m, json!({})).await;
    let (path, headers, body) = signed_webhook(&app, &p, "SUCCEEDED", 40 * 1024).await;
    let (status, _, answer) = deliver(&app, &path, &headers, body.clone()).await;
    assert_eq!((status, answer.as_str()), (200, r#"{"code":"00000"}"#));
    assert_eq!(
        app.status_of(p["id"].as_str().unwrap(), &m).await,
        "completed",
        "verified and applied from the whole body"
    );
    let (verification, result, kept, length, truncated): (String, String, i64, i64, i64) =
        sqlx::query_as(
            "SELECT verification, result, CAST(length(body) AS BIGINT), CAST(body_length AS BIGINT),
                    CAST(CASE WHEN body_truncated THEN 1 ELSE 0 END AS BIGINT)
             FROM webhook_journal",
        )
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(verification.starts_with("verified"), "{verification}");
    assert_eq!(result, "applied");
    assert_eq!(kept as usize, JOURNAL_BODY);
    assert_eq!(length as usize, body.len());
    assert_eq!(truncated, 1);
}

#[tokio::test]
async fn past_the_per_account_burst_deliveries_get_429_and_are_not_journalled() {
    let app = spawn_app_with(|s| {
        s.webhooks.per_minute = 1;
        s.webhooks.burst = 2;
        s.webhooks.rejected_per_minute = 1;
        s.webhooks.rejected_burst = 2;
    })
    .await;
    let m = app.merchant_with_psc().await;
    let p = app.create_payment(&m, json!({})).await;
    let account = app.account_id().await;
    let forged_path = format!("/v1/webhooks/paystablecoin/{account}/");
    let forged = || deliver(&app, &forged_path, &[], "{}".to_owned());
    let mut answers = Vec::new();
    for _ in 0..4 {
        answers.push(forged().await);
    }
    let statuses: Vec<u16> = answers.iter().map(|a| a.0).collect();
    assert_eq!(statuses, [401, 401, 429, 429]);
    for (_, retry_after, body) in &answers[2..] {
        let secs: u64 = retry_after.as_deref().unwrap().parse().unwrap();
        assert!(secs >= 1);
        let envelope: Value = serde_json::from_str(body).unwrap();
        assert_eq!(envelope["error"], "rate_limited");
        assert_eq!(envelope["details"]["retry_after"], secs);
    }
    assert_eq!(app.count("webhook_journal").await, 2);

    // The gateway's own deliveries have a bucket of their own: the forged flood holds up none.
    for expected in [200, 200, 429] {
        let (path, headers, body) = signed_webhook(&app, &p, "PROCESSING", 0).await;
        let (status, retry_after, _) = deliver(&app, &path, &headers, body).await;
        assert_eq!(status, expected);
        assert_eq!(retry_after.is_some(), expected == 429);
    }
    assert_eq!(app.count("webhook_journal").await, 4);
    assert_eq!(
        app.status_of(p["id"].as_str().unwrap(), &m).await,
        "processing"
    );
    assert_eq!(dropped(&app, "paystablecoin", "rate_limited").await, 3);
}
