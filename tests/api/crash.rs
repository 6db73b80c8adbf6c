//! A real process killed with SIGKILL after a status change committed and before its webhook
//! went out: the event survives in the outbox and is delivered after the restart.

use crate::delivery::{deliver_all, worker};
use crate::helpers::{now_ts, sign, spawn_app, TestApp};
use crate::receiver::Receiver;
use secrecy::ExposeSecret;
use serde_json::{json, Value};
use std::process::{Child, Command, Stdio};

fn start_child(app: &TestApp, port: u16) -> Child {
    let s = &app.settings;
    Command::new(env!("CARGO_BIN_EXE_payrail"))
        .arg("serve")
        .env(
            "PAYRAIL__DATABASE__URL",
            s.database.url.as_ref().unwrap().expose_secret(),
        )
        .env(
            "PAYRAIL__SECURITY__MASTER_KEY",
            s.security.master_key.as_ref().unwrap().expose_secret(),
        )
        .env("PAYRAIL__ADMIN__TOKEN", &app.admin_token)
        .env("PAYRAIL__SERVER__LISTEN", format!("127.0.0.1:{port}"))
        .env("PAYRAIL__SERVER__WORKERS", "1")
        .env("PAYRAIL__SANDBOX__ENABLED", "false")
        .env("PAYRAIL__NOTIFY__ALLOW_HTTP", "true")
        .env("PAYRAIL__NOTIFY__ALLOW_PRIVATE_HOSTS", "true")
        .env("PAYRAIL__WORKERS__ENABLED", "false")
        .env("PAYRAIL__DATA__DIR", &s.data.dir)
        .env("PAYRAIL__LOG__LEVEL", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the payrail binary starts")
}

/// Polls /readyz while the process starts (process start-up, not a worker).
async fn wait_ready(client: &reqwest::Client, base: &str) {
    for _ in 0..200 {
        if client
            .get(format!("{base}/readyz"))
            .send()
            .await
            .is_ok_and(|r| r.status() == 200)
        {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the child process never became ready");
}

#[tokio::test]
async fn an_event_committed_before_sigkill_is_delivered_after_restart() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    let receiver = Receiver::start(0, "127.0.0.1");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let mut child = start_child(&app, port);
    wait_ready(&app.client, &base).await;

    // The child creates the payment, so the gateway's webhook goes to the child.
    let body = json!({ "amount": "9.00", "currency": "USD", "order_id": "K-1", "provider": "paystablecoin", "callback_url": receiver.url }).to_string();
    let ts = now_ts();
    let res = app
        .client
        .post(format!("{base}/v1/payments"))
        .header("X-Merchant-Id", &m.id)
        .header("X-Timestamp", &ts)
        .header("X-HMAC-Signature", sign(&m.secret, &ts, body.as_bytes()))
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let payment: Value = res.json().await.unwrap();
    app.sim_checkout(&payment, "pay").await;
    let (status, delivered): (String, Option<String>) = sqlx::query_as(
        "SELECT p.status, CAST(o.delivered_at AS TEXT) FROM payments p JOIN outbox_events o ON o.payment_id = p.id",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        (status.as_str(), delivered),
        ("completed", None),
        "committed, not yet delivered"
    );

    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert!(receiver.received().is_empty());

    let mut restarted = start_child(&app, port);
    wait_ready(&app.client, &base).await;
    deliver_all(&worker(&app).await).await;
    let got = receiver.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].json()["type"], "payment.completed");
    assert_eq!(got[0].json()["data"]["id"], payment["id"]);
    restarted.kill().unwrap();
    restarted.wait().unwrap();
}
