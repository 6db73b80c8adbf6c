//! Several instances on one database: every event delivered once, every payment rechecked by
//! one instance at a time. (SQLite is one process's store: there the same runs on one instance.)

use crate::delivery::worker;
use crate::helpers::{on_postgres, spawn_app, Merchant, TestApp};

use crate::receiver::Receiver;
use futures_util::{stream, StreamExt};
use payrail::workers::delivery_client;
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::HashMap;

async fn create_many(
    app: &TestApp,
    bases: &[String],
    m: &Merchant,
    n: usize,
    prefix: &str,
    callback: &str,
) -> Vec<Value> {
    stream::iter(0..n)
        .map(|i| {
            let base = bases[i % bases.len()].clone();
            let body =
                json!({ "amount": "5.00", "currency": "USD", "order_id": format!("{prefix}-{i}"),
                               "provider": "paystablecoin", "callback_url": callback })
                .to_string();
            async move {
                let res = app
                    .signed_at(
                        &base,
                        Method::POST,
                        "/v1/payments",
                        &body,
                        m,
                        &crate::helpers::now_ts(),
                    )
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status(), 201);
                res.json::<Value>().await.unwrap()
            }
        })
        .buffer_unordered(16)
        .collect()
        .await
}

#[tokio::test]
async fn five_hundred_payments_across_instances_each_event_delivered_exactly_once() {
    let app = spawn_app().await;
    let mut bases = vec![app.address.clone()];
    if on_postgres() {
        bases.push(app.second_instance().await);
        bases.push(app.second_instance().await);
    }
    let m = app.merchant_with_psc().await;
    let receiver = Receiver::start(0, "127.0.0.1");
    let payments = create_many(&app, &bases, &m, 500, "S", &receiver.url).await;
    let app_ref = &app;
    stream::iter(payments.iter())
        .for_each_concurrent(16, |p| async move {
            assert_eq!(app_ref.sim_checkout(p, "pay").await.status(), 303);
        })
        .await;

    let mut workers = Vec::new();
    for _ in &bases {
        workers.push(worker(&app).await);
    }
    loop {
        let reports = futures_util::future::join_all(
            workers
                .iter()
                .map(|w| async move { w.deliver_due(&delivery_client(w)).await.unwrap() }),
        )
        .await;
        if reports
            .iter()
            .all(|r| r.delivered + r.retried + r.stopped == 0)
        {
            break;
        }
    }
    let mut per_event: HashMap<String, usize> = HashMap::new();
    for r in receiver.received() {
        assert_eq!(r.answered, 200);
        *per_event
            .entry(r.json()["id"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    assert_eq!(per_event.len(), 500, "every event delivered");
    assert!(per_event.values().all(|&n| n == 1), "none delivered twice");

    // Sixty open payments, every instance's reconciler at once: each rechecked exactly once.
    let queries_before = app.sim_stats().await["calls"]["query"].as_i64().unwrap();
    create_many(&app, &bases, &m, 60, "R", &receiver.url).await;
    for w in &workers {
        w.clock.advance(chrono::Duration::seconds(61));
    }
    let reports = futures_util::future::join_all(
        workers
            .iter()
            .map(|w| async move { w.reconcile_due().await.unwrap() }),
    )
    .await;
    let checked: u32 = reports.iter().map(|r| r.checked).sum();
    assert_eq!(checked, 60);
    let queries = app.sim_stats().await["calls"]["query"].as_i64().unwrap() - queries_before;
    assert_eq!(queries, 60, "no payment was rechecked by two instances");
}

/// Three instances' reconcilers over several periods: each open payment is asked about once per
/// period in all, never once per instance; then three clean-ups at once delete each expired row
/// once between them, without an error.
#[tokio::test]
async fn postgres_only_three_reconcilers_share_every_period_and_clean_ups_do_not_collide() {
    if !on_postgres() {
        return;
    }
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    for i in 0..30 {
        let extra = json!({ "order_id": format!("P-{i}"), "idempotency_key": format!("key-{i}") });
        app.create_payment(&m, extra).await;
    }
    let workers = vec![worker(&app).await, worker(&app).await, worker(&app).await];
    let queries = || async { app.sim_stats().await["calls"]["query"].as_i64().unwrap() };
    // About 1 min after creation, then every 5 min (docs/operations.md, "Reconciler").
    for step in [61, 301, 301] {
        for w in &workers {
            w.clock.advance(chrono::Duration::seconds(step));
        }
        let before = queries().await;
        let reports = futures_util::future::join_all(
            workers
                .iter()
                .map(|w| async move { w.reconcile_due().await.unwrap() }),
        )
        .await;
        let checked: u32 = reports.iter().map(|r| r.checked).sum();
        assert_eq!(checked, 30, "after {step} s");
        assert_eq!(
            queries().await - before,
            30,
            "one query per payment per period"
        );
    }
    for w in &workers {
        w.clock.advance(chrono::Duration::days(2));
    }
    let cleanups = futures_util::future::join_all(
        workers
            .iter()
            .map(|w| async move { w.clean_up_expired().await.unwrap() }),
    )
    .await;
    let keys: u64 = cleanups.iter().map(|r| r.idempotency_keys).sum();
    assert_eq!(keys, 30, "each expired key deleted once: {cleanups:?}");
}
