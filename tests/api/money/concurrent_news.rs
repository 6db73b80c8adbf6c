//! Two pieces of news about one refund at once (the answer to Payrail's refund call and the
//! gateway's webhook, say) settle it once. Each reads the refund, then waits for the payment's
//! row lock; the one that waits must read the refund again under the lock, or it settles a
//! refund the other already settled and counts its money twice (seen once in CI-like load as
//! `refunded_amount` 1000 for a ¥500 Stripe refund). Postgres only: the two must really wait on
//! the row lock, which this test holds until both are queued behind it.

use super::{checkout, create, fault, hitpay_merchant, id, refunds, retrieve};
use crate::delivery::worker;
use crate::helpers::{on_postgres, spawn_app};
use payrail::domain::status::Source;
use payrail::providers::{RefundReport, RefundStatus, ReportedAmount};
use rust_decimal::Decimal;
use serde_json::json;
use sqlx::Connection;

/// Sessions of this database waiting for a row lock now.
async fn lock_waiters(conn: &mut sqlx::PgConnection) -> i64 {
    sqlx::query_scalar(
        "SELECT count(*) FROM pg_stat_activity \
         WHERE datname = current_database() AND wait_event_type = 'Lock'",
    )
    .fetch_one(conn)
    .await
    .unwrap()
}

#[tokio::test]
async fn postgres_only_two_settlements_of_one_refund_at_once_count_its_money_once() {
    if !on_postgres() {
        return;
    }
    let app = spawn_app().await;
    let m = hitpay_merchant(&app).await;
    let p = create(&app, &m, "hitpay", "30.00", "SGD").await;
    checkout(&app, &p, "pay").await;
    // A 500 on the refund call: its outcome is unknown, so the refund stays pending.
    fault(&app, "hitpay", "http_500", 1).await;
    let body = json!({ "amount": "10.00" }).to_string();
    let (status, r) = app
        .post(&format!("/v1/payments/{}/refunds", id(&p)), &body, &m)
        .await;
    assert_eq!((status, &r["status"]), (201, &json!("pending")), "{r}");
    let refund_id = r["id"].as_str().unwrap().to_owned();

    let mut holder = sqlx::PgConnection::connect(&app.db_url).await.unwrap();
    let mut watcher = sqlx::PgConnection::connect(&app.db_url).await.unwrap();
    let mut held = holder.begin().await.unwrap();
    sqlx::query("SELECT id FROM payments WHERE id = $1 FOR UPDATE")
        .bind(id(&p))
        .execute(&mut *held)
        .await
        .unwrap();

    let orch = worker(&app).await;
    let news = RefundReport {
        reference: None,
        external_id: Some("ref_gw_1".into()),
        provider_status: "succeeded".into(),
        status: RefundStatus::Completed,
        payment_external_id: None,
        amount: Some(ReportedAmount {
            value: Decimal::new(1000, 2),
            currency: "SGD".into(),
        }),
    };
    let settle = |source| {
        let (orch, news, refund_id) = (orch.clone(), news.clone(), refund_id.clone());
        tokio::spawn(async move { orch.apply_refund_report(&refund_id, &news, source).await })
    };
    let answer = settle(Source::Api);
    let webhook = settle(Source::ProviderWebhook);
    // Both have read the refund and wait behind the lock (an event, polled; no fixed sleep).
    for _ in 0..200 {
        if lock_waiters(&mut watcher).await >= 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert_eq!(
        lock_waiters(&mut watcher).await,
        2,
        "both settlements wait on the lock"
    );
    held.rollback().await.unwrap();
    answer.await.unwrap().unwrap();
    webhook.await.unwrap().unwrap();

    let after = retrieve(&app, &m, id(&p)).await;
    assert_eq!(
        (&after["status"], &after["refunded_amount"]),
        (&json!("partially_refunded"), &json!("10.00")),
        "{after}"
    );
    let rows = refunds(&app, &m, id(&p)).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["status"], "completed");
}
