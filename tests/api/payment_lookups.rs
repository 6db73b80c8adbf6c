//! Retrieve's coalesced lookups (`store::lookups`, the payment view): a batched row answers what
//! a query of its own reads, byte for byte; concurrent retrieves answer as they do one at a time;
//! and a slow batch does not hold up the lookups queued behind it.

use crate::helpers::{on_postgres, spawn_app};
use crate::status_lookups::{case, db_of, fresh_counters, two_merchants_three_payments};
use futures_util::future::join_all;
use payrail::domain::money::Currency;
use payrail::orchestration::list_json::write_payment;
use payrail::orchestration::views;
use payrail::store::lookups::{
    batch_pool, LookupKind, Payment, PaymentLookups, Retrieved, BATCH_APPLICATION_NAME,
    MAX_IN_FLIGHT,
};
use payrail::store::payments::{self, ListedPayment, PaymentRow};
use serde_json::json;
use sqlx::Connection;
use std::time::Duration;

#[tokio::test]
async fn a_batched_row_is_the_row_a_query_of_its_own_reads() {
    let app = spawn_app().await;
    let (a, b, payments) = two_merchants_three_payments(&app).await;
    let db = db_of(&app).await;
    let counters = fresh_counters();
    let lookups = PaymentLookups::new(db.clone(), batch_pool(&db), counters.clone());

    // Each merchant asks for each payment (and one that does not exist), several times at once.
    let asks: Vec<(&str, &str)> = (0..40)
        .map(|i| {
            (
                [&a, &b][i % 2].id.as_str(),
                case(&a, &b, &payments, i / 2 % 4).0,
            )
        })
        .collect();
    let batched = join_all(asks.iter().map(|(m, id)| lookups.for_merchant(m, id))).await;
    let mut conn = db.acquire().await.unwrap();
    for ((m, id), batched) in asks.iter().zip(batched) {
        let own = payments::get_for_merchant(&mut conn, m, id).await.unwrap();
        // The same answer, byte for byte: a batch's row written straight from Postgres's bytes,
        // a query's own through serde (another merchant's reads as absent in both).
        assert_eq!(
            batched.expect("the lookup succeeds").as_ref().map(rendered),
            own.as_ref().map(through_serde),
            "{m} asking for {id}"
        );
    }
    let expected = if on_postgres() { 40 } else { 0 };
    assert_eq!(counters.lookups.get(), expected);
}

/// A retrieved row as retrieve writes it (without actions).
fn rendered(r: &Retrieved) -> String {
    match r {
        Retrieved::Kept(kept) => {
            let p = ListedPayment::decode(&kept.row, true).unwrap();
            let mut buf = Vec::new();
            let currency = Currency::parse(p.currency.as_str());
            write_payment(&mut buf, &p, &[], currency);
            String::from_utf8(buf).unwrap()
        }
        Retrieved::Decoded(p) => through_serde(p),
    }
}

fn through_serde(p: &PaymentRow) -> String {
    serde_json::to_string(&views::payment_full(p, &[])).unwrap()
}

#[tokio::test]
async fn concurrent_retrieves_answer_what_each_answers_alone() {
    let app = spawn_app().await;
    let (a, b, payments) = two_merchants_three_payments(&app).await;
    let mut alone = Vec::new();
    for k in 0..3 {
        let (id, owner, _) = case(&a, &b, &payments, k);
        let (code, body) = app.get(&format!("/v1/payments/{id}"), owner).await;
        assert_eq!(code, 200, "{body}");
        alone.push(body);
    }

    let requests = (0..60).map(|i| {
        let m = [&a, &b][i % 2];
        let k = i / 2 % 4;
        let (id, owner, _) = case(&a, &b, &payments, k);
        let expected = alone.get(k).filter(|_| std::ptr::eq(m, owner));
        let app = &app;
        async move {
            let (code, body) = app.get(&format!("/v1/payments/{id}"), m).await;
            match expected {
                Some(alone) => assert_eq!((code, &body), (200, alone)),
                None => assert_eq!((code, &body["error"]), (404, &json!("not_found"))),
            }
        }
    });
    join_all(requests).await;

    let metrics = app.text_of("/metrics").await;
    let expected = if on_postgres() { 63 } else { 0 };
    assert!(
        metrics.contains(&format!("payrail_payment_lookups_total {expected}\n")),
        "{metrics}"
    );
}

/// Batch backends of this database waiting for a lock.
async fn blocked_batches(conn: &mut sqlx::PgConnection) -> i64 {
    sqlx::query_scalar(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() \
         AND application_name = $1 AND wait_event_type = 'Lock'",
    )
    .bind(BATCH_APPLICATION_NAME)
    .fetch_one(conn)
    .await
    .unwrap()
}

#[tokio::test]
async fn postgres_only_lookups_queued_behind_slow_batches_go_out_without_them() {
    if !on_postgres() {
        // SQLite: one query per lookup, nothing to queue behind.
        return;
    }
    let app = spawn_app().await;
    let (a, _, payments) = two_merchants_three_payments(&app).await;
    let id = payments[0]["id"].as_str().unwrap().to_owned();
    let db = db_of(&app).await;
    let counters = fresh_counters();
    let lookups = PaymentLookups::new(db.clone(), batch_pool(&db), counters.clone());

    // A lock on the table makes every batch slow, as disk reads would.
    let url = app.settings.database_url();
    let mut locker = sqlx::PgConnection::connect(&url).await.unwrap();
    let mut watcher = sqlx::PgConnection::connect(&url).await.unwrap();
    let mut tx = locker.begin().await.unwrap();
    sqlx::query("LOCK TABLE payments IN ACCESS EXCLUSIVE MODE")
        .execute(&mut *tx)
        .await
        .unwrap();

    // One lookup after another, each once the ones before are out: with every slot held by a
    // slow batch, the one after MAX_IN_FLIGHT still goes out.
    let mut answers = Vec::new();
    for n in 1..=MAX_IN_FLIGHT as i64 + 1 {
        let (lookups, merchant, id) = (lookups.clone(), a.id.clone(), id.clone());
        answers.push(tokio::spawn(async move {
            lookups.for_merchant(&merchant, &id).await
        }));
        let out = tokio::time::timeout(Duration::from_secs(10), async {
            while blocked_batches(&mut watcher).await < n {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
        .await;
        assert!(
            out.is_ok(),
            "lookup {n} was left queued behind slow batches"
        );
    }
    assert!(counters.slow_batches.get() >= 1);

    // Once the rows can be read, every lookup gets its row.
    tx.commit().await.unwrap();
    for answer in answers {
        let row = answer.await.unwrap().expect("the lookup succeeds");
        let row = row.expect("a's own payment");
        assert_eq!(<Payment as LookupKind>::id(&row), id);
    }
}
