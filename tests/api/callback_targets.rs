//! Server-to-server URLs (`callback_url`, the merchant's `webhook_url`) that would reach inside
//! are refused at creation: special-purpose literals (IPv6 forms embedding IPv4 included) and
//! cloud metadata always, loopback and private ones unless configured; `localhost.` is
//! `localhost`, at creation and at delivery.

use crate::delivery::{deliver_all, worker};
use crate::helpers::{spawn_app_with, Merchant, TestApp};
use crate::receiver::Receiver;
use reqwest::Method;
use serde_json::{json, Value};

/// Refused whatever the configuration.
const FORBIDDEN: [&str; 16] = [
    "[64:ff9b::a9fe:a9fe]",
    "[2002:a9fe:a9fe::1]",
    "[::a9fe:a9fe]",
    "0.1.2.3",
    "224.0.0.1",
    "[ff02::1]",
    "240.0.0.1",
    "255.255.255.255",
    "198.18.0.1",
    "192.0.0.192",
    "100.100.100.200",
    "168.63.129.16",
    "169.254.169.254",
    "[fd00:ec2::254]",
    "[2001:db8::1]",
    "metadata.google.internal.",
];

/// Loopback in disguise: refused unless private targets are allowed.
const LOOPBACK: [&str; 6] = [
    "[::127.0.0.1]",
    "[::7f00:1]",
    "[::ffff:127.0.0.1]",
    "localhost.",
    "LOCALHOST",
    "shop.localhost.",
];

async fn create_payment(app: &TestApp, m: &Merchant, callback: &str, n: usize) -> (u16, Value) {
    let body = json!({ "amount": "10.00", "currency": "USD", "order_id": format!("O-{n}"),
                       "provider": "paystablecoin", "callback_url": callback });
    let res = app
        .signed(Method::POST, "/v1/payments", &body.to_string(), m)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

async fn create_merchant(app: &TestApp, webhook_url: &str) -> (u16, Value) {
    let res = app
        .client
        .post(format!("{}/v1/admin/merchants", app.address))
        .bearer_auth(&app.admin_token)
        .json(&json!({ "name": "Shop", "webhook_url": webhook_url }))
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

fn assert_refused(status: u16, body: &Value, field: &str, url: &str) {
    assert_eq!(status, 400, "{url}: {body}");
    assert_eq!(body["error"], "invalid_request", "{url}: {body}");
    assert!(
        body["details"]["fields"][field].is_string(),
        "{url}: {field} not named in {body}"
    );
}

#[tokio::test]
async fn special_purpose_and_disguised_loopback_targets_are_refused_in_production() {
    let app = spawn_app_with(|s| {
        s.notify.allow_http = Some(false);
        s.notify.allow_private_hosts = Some(false);
    })
    .await;
    let m = app.merchant_with_psc().await;
    for (n, host) in FORBIDDEN.iter().chain(&LOOPBACK).enumerate() {
        let url = format!("https://{host}/hook");
        let (status, body) = create_payment(&app, &m, &url, n).await;
        assert_refused(status, &body, "callback_url", &url);
        let (status, body) = create_merchant(&app, &url).await;
        assert_refused(status, &body, "webhook_url", &url);
    }
    assert_eq!(app.count("payments").await, 0);
    // A public literal, also through NAT64, is fine.
    for (n, url) in [
        "https://93.184.216.34/hook",
        "https://[64:ff9b::5db8:d822]/hook",
    ]
    .iter()
    .enumerate()
    {
        assert_eq!(create_payment(&app, &m, url, 100 + n).await.0, 201, "{url}");
    }
}

#[tokio::test]
async fn special_purpose_targets_are_refused_even_when_private_ones_are_allowed() {
    // The test configuration: plain http and private targets allowed.
    let app = spawn_app_with(|_| {}).await;
    let m = app.merchant_with_psc().await;
    for (n, host) in FORBIDDEN.iter().enumerate() {
        let url = format!("http://{host}/hook");
        let (status, body) = create_payment(&app, &m, &url, n).await;
        assert_refused(status, &body, "callback_url", &url);
        let message = body["details"]["fields"]["callback_url"].as_str().unwrap();
        assert!(message.contains("never allowed"), "{url}: {message}");
        let (status, body) = create_merchant(&app, &url).await;
        assert_refused(status, &body, "webhook_url", &url);
    }
    assert_eq!(app.count("payments").await, 0);
    for (n, host) in LOOPBACK
        .iter()
        .chain(&["127.0.0.1:9", "localhost:9"])
        .enumerate()
    {
        let url = format!("http://{host}/hook");
        assert_eq!(
            create_payment(&app, &m, &url, 100 + n).await.0,
            201,
            "{url}"
        );
        assert_eq!(create_merchant(&app, &url).await.0, 201, "{url}");
    }
}

#[tokio::test]
async fn an_allowlisted_localhost_is_reached_with_the_trailing_dot() {
    let app = spawn_app_with(|s| {
        s.notify.allow_private_hosts = Some(false);
        s.notify.allowed_hosts = "localhost".into();
    })
    .await;
    let m = app.merchant_with_psc().await;
    let receiver = Receiver::start(0, "localhost.");
    let (status, body) = create_payment(&app, &m, &receiver.url, 0).await;
    assert_eq!(status, 201, "{body}");
    app.sim_checkout(&body, "pay").await;
    // A subdomain is not on the list.
    let (status, body) = create_payment(&app, &m, "http://shop.localhost/hook", 1).await;
    assert_refused(status, &body, "callback_url", "http://shop.localhost/hook");
    deliver_all(&worker(&app).await).await;
    let got = receiver.received();
    assert!(!got.is_empty(), "the localhost. receiver got nothing");
    assert!(got.iter().all(|r| r.verify(&m.secret)));
}
