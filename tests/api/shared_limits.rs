//! Limits three instances on one Postgres share (issue 19; docs/operations.md, "Limits shared by
//! every instance"): the recheck budgets answer exactly their budget between them, a circuit one
//! instance opens is open on all (and on each one's `/readyz`), and a gateway's 429 with
//! `Retry-After` stops every instance's calls for that long. SQLite serves one process: these
//! run on Postgres only. Clocks are moved, never slept on.

use crate::helpers::{on_postgres, spawn_app_with, Merchant, TestApp};
use crate::routing::{timeline_kinds, two_crypto_gateways};
use payrail::clock::Clock;
use reqwest::Method;
use serde_json::{json, Value};

/// Three instances on the test's database, each with its clock.
async fn three(app: &TestApp) -> (Vec<String>, Vec<Clock>) {
    app.instances(3).await.into_iter().unzip()
}

fn advance(clocks: &[Clock], secs: i64) {
    for c in clocks {
        c.advance(chrono::Duration::seconds(secs));
    }
}

async fn recheck_at(app: &TestApp, base: &str, m: &Merchant, id: &str) -> u16 {
    let path = format!("/v1/payments/{id}/recheck");
    let ts = crate::helpers::now_ts();
    let res = app.signed_at(base, Method::GET, &path, "", m, &ts);
    res.send().await.unwrap().status().as_u16()
}

async fn create_at(app: &TestApp, base: &str, m: &Merchant, body: Value) -> (u16, Value) {
    let body = body.to_string();
    let ts = crate::helpers::now_ts();
    let res = app.signed_at(base, Method::POST, "/v1/payments", &body, m, &ts);
    let res = res.send().await.unwrap();
    (
        res.status().as_u16(),
        res.json().await.unwrap_or(Value::Null),
    )
}

fn crypto(order: &str) -> Value {
    json!({ "amount": "12.00", "currency": "USD", "order_id": order, "method": "crypto" })
}

async fn calls(app: &TestApp, provider: &str, kind: &str) -> i64 {
    app.sim_stats_of(provider).await["calls"][kind]
        .as_i64()
        .unwrap()
}

async fn open_circuits(app: &TestApp, base: &str) -> Vec<Value> {
    let res = app.client.get(format!("{base}/readyz")).send().await;
    let ready: Value = res.unwrap().json().await.unwrap();
    ready["open_circuits"].as_array().unwrap().clone()
}

#[tokio::test]
async fn postgres_only_three_instances_answer_exactly_the_recheck_budget() {
    if !on_postgres() {
        return;
    }
    let app = spawn_app_with(|s| {
        s.recheck.per_minute = 1;
        s.recheck.burst = 6;
    })
    .await;
    let (bases, clocks) = three(&app).await;
    let m = app.merchant_with_psc().await;
    let p = app.create_payment(&m, json!({})).await;
    let id = p["id"].as_str().unwrap();
    let queries = calls(&app, "paystablecoin", "query").await;
    let mut answered = Vec::new();
    for i in 0..24 {
        answered.push(recheck_at(&app, &bases[i % 3], &m, id).await);
    }
    let ok = answered.iter().filter(|s| **s == 200).count();
    let limited = answered.iter().filter(|s| **s == 429).count();
    assert_eq!((ok, limited), (6, 18), "{answered:?}");
    // A minute later the bucket holds one token again, for all three together.
    advance(&clocks, 60);
    let mut later = Vec::new();
    for base in &bases {
        later.push(recheck_at(&app, base, &m, id).await);
    }
    assert_eq!(later.iter().filter(|s| **s == 200).count(), 1, "{later:?}");
    assert_eq!(
        calls(&app, "paystablecoin", "query").await - queries,
        7,
        "the gateway was asked exactly the budget"
    );
    // Once the bucket is full again its row says nothing: the clean-up deletes it.
    assert_eq!(app.count("rate_buckets").await, 1);
    let cleaner = crate::delivery::worker(&app).await;
    cleaner.clock.advance(chrono::Duration::seconds(60));
    assert_eq!(cleaner.clean_up_expired().await.unwrap().shared_limits, 0);
    cleaner.clock.advance(chrono::Duration::minutes(10));
    assert_eq!(cleaner.clean_up_expired().await.unwrap().shared_limits, 1);
    assert_eq!(app.count("rate_buckets").await, 0);
}

#[tokio::test]
async fn postgres_only_returns_share_one_budget_per_payment_across_instances() {
    if !on_postgres() {
        return;
    }
    let app = spawn_app_with(|s| {
        s.recheck.returns_per_minute = 1;
        s.recheck.returns_burst = 2;
    })
    .await;
    let (bases, _clocks) = three(&app).await;
    let m = app.merchant_with_psc().await;
    let p = app.create_payment(&m, json!({})).await;
    let back = app.sim_checkout(&p, "pay").await.headers()["location"]
        .to_str()
        .unwrap()
        .to_owned();
    let path = back.strip_prefix(&app.address).unwrap().to_owned();
    let queries = calls(&app, "paystablecoin", "query").await;
    for i in 0..6 {
        let url = format!("{}{path}", bases[i % 3]);
        assert_eq!(app.client.get(url).send().await.unwrap().status(), 303);
    }
    assert_eq!(
        calls(&app, "paystablecoin", "query").await - queries,
        2,
        "only the burst asked the gateway, whichever instance the customer reached"
    );
}

#[tokio::test]
async fn postgres_only_a_circuit_one_instance_opens_is_open_on_every_instance() {
    if !on_postgres() {
        return;
    }
    let app = spawn_app_with(|_| {}).await;
    let (bases, clocks) = three(&app).await;
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let m = two_crypto_gateways(&app, format!("http://{closed}/paystablecoin")).await;
    let tried_psc = |kinds: Vec<String>| kinds.iter().any(|k| k == "attempt.not_sent");
    // Three refusals seen by the first instance open the circuit (threshold 3).
    for i in 0..3 {
        let (status, p) = create_at(&app, &bases[0], &m, crypto(&format!("A-{i}"))).await;
        assert_eq!(status, 201, "{p}");
        assert!(tried_psc(
            timeline_kinds(&app, &m, p["id"].as_str().unwrap()).await
        ));
    }
    for (i, base) in bases.iter().enumerate() {
        let (status, p) = create_at(&app, base, &m, crypto(&format!("B-{i}"))).await;
        assert_eq!((status, p["provider"].as_str()), (201, Some("paymento")));
        let kinds = timeline_kinds(&app, &m, p["id"].as_str().unwrap()).await;
        assert!(!tried_psc(kinds), "instance {i} skipped the open circuit");
        let open = open_circuits(&app, base).await;
        assert_eq!(open.len(), 1, "instance {i}: {open:?}");
        assert_eq!(open[0]["provider"], "paystablecoin");
    }
    let metrics = app.client.get(format!("{}/metrics", bases[2])).send().await;
    let metrics = metrics.unwrap().text().await.unwrap();
    assert!(
        metrics.contains(r#"provider="paystablecoin"} 1"#),
        "{metrics}"
    );
    // Past the cool-down one instance probes (and fails); the others still skip it.
    advance(&clocks, 31);
    let (_, probe) = create_at(&app, &bases[1], &m, crypto("C-1")).await;
    assert!(tried_psc(
        timeline_kinds(&app, &m, probe["id"].as_str().unwrap()).await
    ));
    for (i, base) in [&bases[0], &bases[2]].into_iter().enumerate() {
        let (_, p) = create_at(&app, base, &m, crypto(&format!("C-{}", i + 2))).await;
        let kinds = timeline_kinds(&app, &m, p["id"].as_str().unwrap()).await;
        assert!(!tried_psc(kinds), "only one probe between the instances");
    }
}

#[tokio::test]
async fn postgres_only_a_429_with_retry_after_holds_every_instance_back() {
    if !on_postgres() {
        return;
    }
    let app = spawn_app_with(|_| {}).await;
    let (bases, clocks) = three(&app).await;
    let m = app.merchant_with_psc().await;
    let open_payment = app.create_payment(&m, json!({})).await;
    let open_id = open_payment["id"].as_str().unwrap();
    app.sim_fault(json!({ "mode": "rate_limited", "retry_after_secs": 120 }))
        .await;
    let body = |order: &str| json!({ "amount": "5.00", "currency": "USD", "order_id": order, "provider": "paystablecoin" });
    let (status, _) = create_at(&app, &bases[0], &m, body("T-0")).await;
    assert_eq!(status, 502, "the gateway throttled the first instance");
    let (creates, queries) = (
        calls(&app, "paystablecoin", "create").await,
        calls(&app, "paystablecoin", "query").await,
    );
    for (i, base) in bases.iter().enumerate() {
        let (status, err) = create_at(&app, base, &m, body(&format!("T-{}", i + 1))).await;
        assert_eq!(status, 502, "{err}");
        assert_ne!(recheck_at(&app, base, &m, open_id).await, 200);
        let open = open_circuits(&app, base).await;
        assert_eq!(open.len(), 1, "instance {i}: {open:?}");
    }
    assert_eq!(calls(&app, "paystablecoin", "create").await, creates);
    assert_eq!(calls(&app, "paystablecoin", "query").await, queries);
    // Once the gateway's Retry-After has passed, a call goes through and closes it for all.
    advance(&clocks, 121);
    let (status, p) = create_at(&app, &bases[1], &m, body("T-9")).await;
    assert_eq!(status, 201, "{p}");
    for base in &bases {
        assert!(open_circuits(&app, base).await.is_empty());
    }
}
