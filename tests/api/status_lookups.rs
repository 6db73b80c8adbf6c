//! Verify's coalesced lookups (`store::lookups`): on Postgres, lookups made at the same time
//! share queries, and each still gets its own merchant's answer; a lookup dropped half way
//! strands no one. Retrieve's, the same mechanism over the whole row: `payment_lookups.rs`.

use crate::helpers::{on_postgres, spawn_app, Merchant, TestApp};
use futures_util::future::join_all;
use futures_util::FutureExt;
use payrail::metrics::LookupCounters;
use payrail::store::lookups::{
    batch_pool, StatusLookups, BATCH_APPLICATION_NAME, BATCH_CONNECTIONS,
};
use payrail::store::Db;
use prometheus::IntCounter;
use serde_json::{json, Value};
use std::time::Duration;

/// Two merchants; `a` has a completed and a pending payment, `b` a pending one.
pub async fn two_merchants_three_payments(app: &TestApp) -> (Merchant, Merchant, Vec<Value>) {
    let a = app.merchant_with_psc().await;
    let b = app.merchant_with_psc().await;
    let paid = app.create_payment(&a, json!({ "order_id": "A-1" })).await;
    assert_eq!(app.sim_checkout(&paid, "pay").await.status(), 303);
    let pending = app.create_payment(&a, json!({ "order_id": "A-2" })).await;
    let other = app.create_payment(&b, json!({ "order_id": "B-1" })).await;
    (a, b, vec![paid, pending, other])
}

/// The payment a case asks for, its owner and its status: `k` in 0..4, the last one missing.
pub fn case<'a>(
    a: &'a Merchant,
    b: &'a Merchant,
    payments: &'a [Value],
    k: usize,
) -> (&'a str, &'a Merchant, Option<&'static str>) {
    match k {
        0 => (payments[0]["id"].as_str().unwrap(), a, Some("completed")),
        1 => (payments[1]["id"].as_str().unwrap(), a, Some("pending")),
        2 => (payments[2]["id"].as_str().unwrap(), b, Some("pending")),
        _ => ("pay_01JBZZZZZZZZZZZZZZZZZZZZZZ", a, None),
    }
}

pub fn fresh_counters() -> LookupCounters {
    LookupCounters {
        lookups: IntCounter::new("lookups", "test").unwrap(),
        queries: IntCounter::new("queries", "test").unwrap(),
        slow_batches: IntCounter::new("slow", "test").unwrap(),
    }
}

/// The app's database, with a pool of its own.
pub async fn db_of(app: &TestApp) -> Db {
    Db::connect(&app.settings.database_url(), 4).await.unwrap()
}

async fn lookups_on(app: &TestApp, counters: LookupCounters) -> StatusLookups {
    let db = db_of(app).await;
    StatusLookups::new(db.clone(), batch_pool(&db), counters)
}

#[tokio::test]
async fn lookups_made_together_share_queries_and_each_gets_its_own_merchants_answer() {
    let app = spawn_app().await;
    let (a, b, payments) = two_merchants_three_payments(&app).await;
    let counters = fresh_counters();
    let lookups = lookups_on(&app, counters.clone()).await;

    // 100 lookups: each merchant asks for each payment, and for one that does not exist.
    let cases: Vec<(&Merchant, &str, Option<&str>)> = (0..100)
        .map(|i| {
            let m = [&a, &b][i % 2];
            let (id, owner, status) = case(&a, &b, &payments, i / 2 % 4);
            (m, id, status.filter(|_| std::ptr::eq(m, owner)))
        })
        .collect();
    let answers = join_all(
        cases
            .iter()
            .map(|(m, id, _)| lookups.for_merchant(&m.id, id)),
    )
    .await;
    for ((m, id, expected), answer) in cases.iter().zip(answers) {
        let row = answer.expect("the lookup succeeds");
        assert_eq!(
            row.as_ref().map(|r| r.status.as_str()),
            *expected,
            "{} asking for {id}",
            m.id
        );
        if let Some(row) = row {
            assert_eq!(row.id, *id);
        }
    }
    assert!(
        cases.iter().any(|c| c.2.is_none()) && cases.iter().any(|c| c.2.is_some()),
        "the cases mix found and absent"
    );

    if on_postgres() {
        assert_eq!(counters.lookups.get(), 100);
        // Each query carries every lookup queued while the ones before it were out, up to 64.
        assert!(
            counters.queries.get() <= 10,
            "100 lookups made together took {} queries",
            counters.queries.get()
        );
    } else {
        assert_eq!(counters.queries.get(), 0, "SQLite answers each on its own");
    }
}

#[tokio::test]
async fn a_lookup_dropped_while_its_batch_is_out_strands_no_one() {
    let app = spawn_app().await;
    let (a, _, payments) = two_merchants_three_payments(&app).await;
    let id = payments[0]["id"].as_str().unwrap();
    let lookups = lookups_on(&app, fresh_counters()).await;

    // Queue ten lookups (the first ones take both in-flight slots), then hang up on all of them.
    let mut dropped: Vec<_> = (0..10)
        .map(|_| Box::pin(lookups.for_merchant(&a.id, id)))
        .collect();
    for lookup in &mut dropped {
        let answered_at_once = lookup.now_or_never().is_some();
        // On Postgres it queues for a batch; SQLite's own query may already be done.
        assert!(!(on_postgres() && answered_at_once), "waits for its batch");
    }
    drop(dropped);

    // The slots come back: later lookups, alone and together, are answered.
    for round in 0..3 {
        let answers = tokio::time::timeout(
            Duration::from_secs(10),
            join_all((0..5).map(|_| lookups.for_merchant(&a.id, id))),
        )
        .await
        .unwrap_or_else(|_| panic!("round {round}: a lookup was left waiting"));
        for answer in answers {
            assert_eq!(answer.unwrap().unwrap().status, "completed");
        }
    }
}

#[tokio::test]
async fn concurrent_verifies_over_http_each_answer_their_own_payment() {
    let app = spawn_app().await;
    let (a, b, payments) = two_merchants_three_payments(&app).await;
    let requests = (0..60).map(|i| {
        // Every merchant and payment pairing, several times over.
        let m = [&a, &b][i % 2];
        let (id, owner, status) = case(&a, &b, &payments, i / 2 % 4);
        let expected = status.filter(|_| std::ptr::eq(m, owner));
        let app = &app;
        async move {
            let (code, body) = app.get(&format!("/v1/payments/{id}/verify"), m).await;
            match expected {
                Some(status) => {
                    assert_eq!(code, 200, "{body}");
                    assert_eq!(body["id"], id);
                    assert_eq!(body["status"], status);
                }
                None => assert_eq!((code, &body["error"]), (404, &json!("not_found"))),
            }
        }
    });
    join_all(requests).await;

    let metrics = app.text_of("/metrics").await;
    let expected = if on_postgres() { 60 } else { 0 };
    assert!(
        metrics.contains(&format!("payrail_status_lookups_total {expected}\n")),
        "{metrics}"
    );
}

#[tokio::test]
async fn postgres_only_batches_run_on_their_own_few_connections_with_a_generic_plan() {
    let app = spawn_app().await;
    let (a, _, payments) = two_merchants_three_payments(&app).await;
    let id = payments[0]["id"].as_str().unwrap();
    let lookups = lookups_on(&app, fresh_counters()).await;
    let Some(pool) = lookups.batch_pool() else {
        assert!(!on_postgres(), "Postgres batches on a pool of its own");
        return;
    };

    // Postgres would re-plan `= ANY($1)` at every execution otherwise.
    let mut conn = pool.acquire().await.unwrap();
    let (mode, name): (String, String) = sqlx::query_as(
        "SELECT current_setting('plan_cache_mode'), current_setting('application_name')",
    )
    .fetch_one(&mut *conn)
    .await
    .unwrap();
    assert_eq!(
        (mode.as_str(), name.as_str()),
        ("force_generic_plan", BATCH_APPLICATION_NAME)
    );
    drop(conn);

    // Many lookups at once still open no more than BATCH_CONNECTIONS of them.
    for answer in join_all((0..200).map(|_| lookups.for_merchant(&a.id, id))).await {
        assert_eq!(answer.unwrap().unwrap().status, "completed");
    }
    assert!(
        pool.size() <= BATCH_CONNECTIONS,
        "{} batch connections",
        pool.size()
    );
    let backends: Vec<String> = sqlx::query_scalar(
        "SELECT query FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1",
    )
    .bind(BATCH_APPLICATION_NAME)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert!(
        (1..=BATCH_CONNECTIONS as usize).contains(&backends.len())
            && backends.iter().any(|q| q.contains("WHERE id = ANY($1)")),
        "the batch backends and their last queries: {backends:?}"
    );
}
