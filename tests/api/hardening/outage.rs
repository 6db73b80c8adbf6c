//! A Postgres outage answers 503 `service_unavailable` with `Retry-After` (docs/decisions.md,
//! "A database outage"), soon, and the service answers again once the database is back.
//!
//! SQLite has no server to lose (the store is a local file), so the test runs on Postgres only.

use super::tcp_proxy::TcpProxy;
use crate::helpers::{on_postgres, spawn_app_with, Merchant, TestApp};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// Payrail's pool waits this long for a connection before it answers 503.
const ACQUIRE_TIMEOUT_MS: u64 = 1000;

/// A request, and how long its answer took.
async fn timed(req: reqwest::RequestBuilder) -> (Duration, reqwest::Response) {
    let started = Instant::now();
    let res = req.send().await.expect("an answer");
    (started.elapsed(), res)
}

/// The requests the outage must answer 503: a merchant read, verify's batched lookup (its own
/// pool), a create and an admin list.
async fn requests(
    app: &TestApp,
    m: &Merchant,
    id: &str,
) -> Vec<(&'static str, Duration, reqwest::Response)> {
    let create = json!({ "amount": "3.00", "currency": "USD", "order_id": "OUT-2", "provider": "paystablecoin" }).to_string();
    let admin = app
        .client
        .get(format!("{}/v1/admin/payments", app.address))
        .bearer_auth(&app.admin_token);
    let mut answers = Vec::new();
    for (what, req) in [
        (
            "retrieve",
            app.signed(reqwest::Method::GET, &format!("/v1/payments/{id}"), "", m),
        ),
        (
            "verify",
            app.signed(
                reqwest::Method::GET,
                &format!("/v1/payments/{id}/verify"),
                "",
                m,
            ),
        ),
        (
            "create",
            app.signed(reqwest::Method::POST, "/v1/payments", &create, m),
        ),
        ("admin list", admin),
    ] {
        let (took, res) = timed(req).await;
        answers.push((what, took, res));
    }
    answers
}

#[tokio::test]
async fn postgres_only_a_lost_database_answers_503_with_retry_after_and_the_service_recovers() {
    if !on_postgres() {
        // SQLite: no server to lose.
        return;
    }
    let server = url::Url::parse(&std::env::var("PAYRAIL_TEST_DATABASE_URL").unwrap()).unwrap();
    let target = format!(
        "{}:{}",
        server.host_str().unwrap(),
        server.port().unwrap_or(5432)
    );
    let proxy = TcpProxy::start(target).await;
    let proxy_port = proxy.address.port();
    let app = spawn_app_with(|s| {
        let mut url = url::Url::parse(&s.database_url()).unwrap();
        url.set_host(Some("127.0.0.1")).unwrap();
        url.set_port(Some(proxy_port)).unwrap();
        s.database.url = Some(url.to_string().into());
        s.database.acquire_timeout_ms = ACQUIRE_TIMEOUT_MS;
        // Authentication must reach the database too, not a cached secret.
        s.security.secret_cache_secs = 0;
    })
    .await;
    let m = app.merchant_with_psc().await;
    let payment = app.create_payment(&m, json!({ "order_id": "OUT-1" })).await;
    let id = payment["id"].as_str().unwrap().to_owned();

    proxy.cut();
    for (what, took, res) in requests(&app, &m, &id).await {
        assert_eq!(res.status(), 503, "{what}");
        assert_eq!(res.headers()["retry-after"], "5", "{what}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"], "service_unavailable", "{what}: {body}");
        assert_eq!(body["details"]["retry_after"], 5, "{what}: {body}");
        assert!(body["request_id"].is_string(), "{what}: {body}");
        // About the acquire timeout at most (a refused connection is retried until then).
        assert!(
            took < Duration::from_millis(ACQUIRE_TIMEOUT_MS * 4),
            "{what}: {took:?}"
        );
    }
    let ready = app
        .client
        .get(format!("{}/readyz", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 503);

    proxy.restore();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (status, body) = app.get(&format!("/v1/payments/{id}"), &m).await;
        if status == 200 {
            assert_eq!(body["id"], id.as_str());
            break;
        }
        assert_eq!(status, 503, "only 503 while the pool reconnects: {body}");
        assert!(Instant::now() < deadline, "the service did not recover");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let (status, body) = app.get(&format!("/v1/payments/{id}/verify"), &m).await;
    assert_eq!(status, 200, "{body}");
    app.create_payment(&m, json!({ "order_id": "OUT-3" })).await;
}
