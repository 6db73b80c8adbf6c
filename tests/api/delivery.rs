//! Merchant webhooks from the outbox (docs/operations.md): retried until delivered, signed both
//! ways, in sequence; refused towards private and metadata addresses; redelivered on request.

use crate::helpers::{spawn_app, spawn_app_with, Merchant, TestApp};
use crate::receiver::Receiver;
use payrail::orchestration::Orchestrator;
use payrail::workers::delivery_client;
use serde_json::json;

pub async fn worker(app: &TestApp) -> Orchestrator {
    payrail::startup::orchestrator(app.settings.clone(), app.address.clone())
        .await
        .unwrap()
}

/// Runs delivery passes, moving the worker's clock past each retry, until nothing is due.
pub async fn deliver_all(orch: &Orchestrator) {
    let client = delivery_client(orch);
    for _ in 0..20 {
        let report = orch.deliver_due(&client).await.unwrap();
        if report.delivered + report.retried + report.stopped == 0 {
            return;
        }
        orch.clock.advance(chrono::Duration::minutes(6));
    }
    panic!("the outbox never drained");
}

async fn paid_with_events(app: &TestApp, m: &Merchant, callback: &str) -> String {
    let p = app
        .create_payment(m, json!({ "callback_url": callback }))
        .await;
    app.sim_checkout(&p, "process").await;
    app.sim_checkout(&p, "pay").await;
    let id = p["id"].as_str().unwrap().to_owned();
    let (status, _) = app.post(&format!("/v1/payments/{id}/refunds"), "", m).await;
    assert_eq!(status, 201);
    app.post(&format!("/v1/payments/{id}/recheck"), "", m).await;
    id
}

#[tokio::test]
async fn a_receiver_that_fails_first_gets_every_event_once_signed_and_in_sequence() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    let receiver = Receiver::start(3, "127.0.0.1");
    let id = paid_with_events(&app, &m, &receiver.url).await;
    deliver_all(&worker(&app).await).await;

    let got = receiver.received();
    assert_eq!(got.iter().filter(|r| r.answered == 500).count(), 3);
    let mut delivered: Vec<_> = got.iter().filter(|r| r.answered == 200).collect();
    assert!(
        delivered.iter().all(|r| r.verify(&m.secret)),
        "both signatures verify"
    );
    let mut ids: Vec<String> = delivered
        .iter()
        .map(|r| r.json()["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), delivered.len(), "no event delivered twice");
    delivered.sort_by_key(|r| r.json()["sequence"].as_i64().unwrap());
    let kinds: Vec<String> = delivered
        .iter()
        .map(|r| r.json()["type"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        kinds,
        [
            "payment.processing",
            "payment.completed",
            "payment.refunded",
            "refund.completed"
        ]
    );
    assert!(delivered
        .iter()
        .all(|r| r.json()["data"]["id"] == id.as_str()
            || r.json()["data"]["payment_id"] == id.as_str()));
    assert_eq!(
        delivered[1].header("webhook-id"),
        delivered[1].json()["id"].as_str()
    );

    // Every attempt is in the payment's timeline.
    let (_, events) = app.get(&format!("/v1/payments/{id}/events"), &m).await;
    let attempts = events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "webhook.attempt")
        .count();
    assert_eq!(attempts, got.len());
}

#[tokio::test]
async fn private_loopback_and_metadata_targets_are_refused_at_delivery() {
    let app = spawn_app_with(|s| {
        s.notify.allow_private_hosts = Some(false);
        s.notify.allowed_hosts = "localhost".into();
    })
    .await;
    let m = app.merchant_with_psc().await;
    let receiver = Receiver::start(0, "localhost");
    let forbidden = [
        "http://127.0.0.1:9/hook",
        "http://10.0.0.8/hook",
        "http://169.254.169.254/latest",
        "http://[::ffff:127.0.0.1]:9/hook",
    ];
    let mut ids = Vec::new();
    for i in 0..5 {
        let p = app
            .create_payment(
                &m,
                json!({ "callback_url": receiver.url, "order_id": format!("O-{i}") }),
            )
            .await;
        app.sim_checkout(&p, "pay").await;
        ids.push(p["id"].as_str().unwrap().to_owned());
    }
    // Point four events where a name might resolve after creation (DNS rebinding).
    for (id, url) in ids.iter().zip(forbidden) {
        sqlx::query("UPDATE outbox_events SET target_url = $1 WHERE payment_id = $2")
            .bind(url)
            .bind(id)
            .execute(&app.pool)
            .await
            .unwrap();
    }
    let orch = worker(&app).await;
    let report = orch.deliver_due(&delivery_client(&orch)).await.unwrap();
    assert_eq!(
        (report.delivered, report.retried),
        (1, 4),
        "only the allowlisted localhost receiver is reached"
    );
    assert_eq!(receiver.received().len(), 1);
    for id in &ids[..4] {
        let (_, events) = app.get(&format!("/v1/payments/{id}/events"), &m).await;
        let attempt = events
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["type"] == "webhook.attempt")
            .unwrap()
            .clone();
        assert!(
            attempt["detail"]["error"]
                .as_str()
                .unwrap()
                .contains("refused by the address policy"),
            "{attempt}"
        );
    }
}

#[tokio::test]
async fn ops_redeliver_an_event_and_send_a_test_webhook() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    let receiver = Receiver::start(0, "127.0.0.1");
    let p = app
        .create_payment(&m, json!({ "callback_url": receiver.url }))
        .await;
    app.sim_checkout(&p, "pay").await;
    let orch = worker(&app).await;
    deliver_all(&orch).await;
    let event: String = sqlx::query_scalar("SELECT id FROM outbox_events")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let res = app
        .client
        .post(format!("{}/v1/admin/events/{event}/redeliver", app.address))
        .bearer_auth(&app.admin_token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
    deliver_all(&orch).await;
    let got = receiver.received();
    assert_eq!(got.len(), 2);
    assert_eq!(
        got[0].json()["id"],
        got[1].json()["id"],
        "the same event, redelivered"
    );

    let res = app
        .client
        .post(format!(
            "{}/v1/admin/merchants/{}/test-webhook",
            app.address, m.id
        ))
        .bearer_auth(&app.admin_token)
        .json(&json!({ "url": receiver.url }))
        .send()
        .await
        .unwrap();
    let answer: serde_json::Value = res.json().await.unwrap();
    assert_eq!(answer["delivered"], true, "{answer}");
    let test = receiver.received().pop().unwrap();
    assert_eq!(test.json()["type"], "test");
    assert!(test.verify(&m.secret));
}
