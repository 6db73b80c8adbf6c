//! Corruption made by hand, each caught by its check with the id of the row concerned.

use super::{audit, audit_with, exec, found, outbox_id, paid_and_refunded, set, stash, unstash};
use crate::helpers::{on_postgres, spawn_app};
use payrail::audit::Check;
use serde_json::json;

#[tokio::test]
async fn a_completed_payment_marked_refunded_without_refunds_is_caught() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    let id = app.paid_payment(&m, "ORDER-1").await;
    assert!(audit(&app).await.clean);
    exec(
        &app,
        &format!("UPDATE payments SET status = 'refunded' WHERE id = '{id}'"),
    )
    .await;
    let report = audit(&app).await;
    assert_eq!(
        found(&report),
        set(&[(Check::StatusMoney, &id), (Check::StatusChain, &id)])
    );
    assert_eq!(report.findings[0].payment_id.as_deref(), Some(id.as_str()));
    exec(
        &app,
        &format!("UPDATE payments SET status = 'completed' WHERE id = '{id}'"),
    )
    .await;
}

#[tokio::test]
async fn a_changed_refunded_amount_or_refund_status_is_caught() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    let (id, refund) = paid_and_refunded(&app, &m).await;
    assert!(audit(&app).await.clean);

    exec(
        &app,
        &format!("UPDATE payments SET refunded_minor = 1000 WHERE id = '{id}'"),
    )
    .await;
    let report = audit(&app).await;
    assert_eq!(
        found(&report),
        set(&[(Check::RefundedSum, &id), (Check::StatusMoney, &id)])
    );
    exec(
        &app,
        &format!("UPDATE payments SET refunded_minor = 2500 WHERE id = '{id}'"),
    )
    .await;

    exec(
        &app,
        &format!("UPDATE refunds SET status = 'failed' WHERE id = '{refund}'"),
    )
    .await;
    let report = audit(&app).await;
    // The money no longer adds up, and the refund's events say completed, not failed.
    assert_eq!(
        found(&report),
        set(&[(Check::RefundedSum, &id), (Check::RefundEvents, &refund)])
    );
    exec(
        &app,
        &format!("UPDATE refunds SET status = 'completed' WHERE id = '{refund}'"),
    )
    .await;
    assert!(audit(&app).await.clean);
}

#[tokio::test]
async fn refunds_beyond_what_the_gateway_took_are_caught() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    let (id, _) = paid_and_refunded(&app, &m).await;
    // The paid report recorded what PayStableCoin took: all 25.00.
    assert!(audit(&app).await.clean);
    let received =
        |minor: i64| format!("UPDATE payments SET received_minor = {minor} WHERE id = '{id}'");
    exec(&app, &received(1250)).await;
    let report = audit(&app).await;
    assert_eq!(found(&report), set(&[(Check::RefundedBound, &id)]));
    exec(&app, &received(2500)).await;
    assert!(audit(&app).await.clean);
}

#[tokio::test]
async fn a_deleted_merchant_event_or_timeline_entry_is_caught() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    let (id, _) = paid_and_refunded(&app, &m).await;
    assert!(audit(&app).await.clean);

    // The gap: sequence 1 (payment.completed) leaves the outbox; its timeline entry stays.
    let event = outbox_id(&app, &id, 1).await;
    let entry: String =
        sqlx::query_scalar("SELECT id FROM payment_events WHERE payment_id = $1 AND sequence = 1")
            .bind(&id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    stash(&app, "outbox_events", &event).await;
    let report = audit(&app).await;
    assert_eq!(
        found(&report),
        set(&[(Check::EventSequence, &id), (Check::EventTimeline, &entry)])
    );
    unstash(&app, "outbox_events").await;

    // The timeline entry of that event goes instead: the chain now starts at `completed`.
    stash(&app, "payment_events", &entry).await;
    let report = audit(&app).await;
    assert_eq!(
        found(&report),
        set(&[(Check::EventTimeline, &event), (Check::StatusChain, &id)])
    );
    unstash(&app, "payment_events").await;
    assert!(audit(&app).await.clean);
}

#[tokio::test]
async fn a_second_paid_attempt_outside_review_is_caught() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    let id = app.paid_payment(&m, "ORDER-1").await;
    let second = "att_01KZZZZZZZZZZZZZZZZZZZZZZZ";
    exec(&app, &format!(
        "INSERT INTO attempts (id, payment_id, account_id, provider, reference, state, charge_id, created_at, updated_at)
         SELECT '{second}', payment_id, account_id, provider, '{second}', 'double_paid', 'ch_2', created_at, updated_at
         FROM attempts WHERE payment_id = '{id}'"
    ))
    .await;
    exec(
        &app,
        &format!(
            "INSERT INTO duplicate_charges (attempt_id, charge_id, payment_id, created_at)
         SELECT '{second}', 'ch_3', '{id}', created_at FROM attempts WHERE id = '{second}'"
        ),
    )
    .await;
    let report = audit(&app).await;
    assert_eq!(
        found(&report),
        set(&[
            (Check::OnePaidAttempt, second),
            (Check::OnePaidAttempt, &id)
        ])
    );
    // In review, both are what review is for.
    exec(
        &app,
        &format!("UPDATE payments SET status = 'needs_review' WHERE id = '{id}'"),
    )
    .await;
    let report = audit(&app).await;
    assert_eq!(found(&report), set(&[(Check::StatusChain, &id)]));
    exec(
        &app,
        &format!("UPDATE payments SET status = 'completed' WHERE id = '{id}'"),
    )
    .await;
    exec(
        &app,
        &format!("DELETE FROM duplicate_charges WHERE attempt_id = '{second}'"),
    )
    .await;
    exec(&app, &format!("DELETE FROM attempts WHERE id = '{second}'")).await;
}

/// Orphaned refunds before, between and after the real payments, found by each batch's range
/// whatever the batch size. Both engines enforce the foreign key, so the rows are written with
/// it off: SQLite's `foreign_keys` pragma, Postgres's `session_replication_role` (which needs
/// the superuser the test cluster has).
#[tokio::test]
async fn orphaned_refunds_are_caught_in_every_batch_range() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    let (first, refund) = paid_and_refunded(&app, &m).await;
    let second = app.paid_payment(&m, "ORDER-2").await;
    assert!(first < second);
    let between = format!("{first}0");
    let ghosts = [
        "pay_00000000000000000000000000",
        between.as_str(),
        "pay_ZZZZZZZZZZZZZZZZZZZZZZZZZZ",
    ];
    let (off, on) = if on_postgres() {
        (
            "SET session_replication_role = replica",
            "RESET session_replication_role",
        )
    } else {
        ("PRAGMA foreign_keys = OFF", "PRAGMA foreign_keys = ON")
    };
    let mut conn = app.pool.acquire().await.unwrap();
    sqlx::query(off).execute(&mut *conn).await.unwrap();
    for (i, ghost) in ghosts.iter().enumerate() {
        sqlx::query(&format!(
            "INSERT INTO refunds (id, payment_id, merchant_id, attempt_id, amount_minor, currency, status,
                reference, created_at, updated_at, origin)
             SELECT 'rfd_orphan{i}', '{ghost}', merchant_id, attempt_id, amount_minor, currency, status,
                'orphan{i}', created_at, updated_at, origin FROM refunds WHERE id = '{refund}'"
        ))
        .execute(&mut *conn)
        .await
        .unwrap();
    }
    sqlx::query(on).execute(&mut *conn).await.unwrap();
    let mut expected = set(&[
        (Check::RefundRefs, "rfd_orphan0"),
        (Check::RefundRefs, "rfd_orphan1"),
        (Check::RefundRefs, "rfd_orphan2"),
    ]);
    if on_postgres() {
        // The replica role skips triggers too, so the stats rollup never counted the orphans:
        // the audit says that as well.
        let hour: String = sqlx::query_scalar(
            "SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:00Z') FROM refunds WHERE id = 'rfd_orphan0'",
        )
        .fetch_one(&mut *conn)
        .await
        .unwrap();
        let cell = format!("refunds {hour} {}/-/-/USD/done", m.id);
        expected.insert((Check::StatRollup.as_str().to_owned(), cell));
    }
    for batch_size in [1, 2, 500] {
        let report = audit_with(&app, batch_size).await;
        assert_eq!(found(&report), expected, "batch size {batch_size}");
        assert_eq!(report.checked.refunds, 4);
        assert_eq!(report.checked.payments, 2);
    }
    sqlx::query(off).execute(&mut *conn).await.unwrap();
    sqlx::query("DELETE FROM refunds WHERE id LIKE 'rfd_orphan%'")
        .execute(&mut *conn)
        .await
        .unwrap();
    sqlx::query(on).execute(&mut *conn).await.unwrap();
}

#[tokio::test]
async fn an_idempotency_record_naming_another_payment_is_caught() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    let p = app
        .create_payment(&m, json!({ "idempotency_key": "k-1" }))
        .await;
    let id = p["id"].as_str().unwrap();
    let report = audit(&app).await;
    assert!(report.clean, "{:?}", report.findings);
    assert_eq!(report.checked.idempotency_keys, 1);
    exec(&app, "UPDATE idempotency_keys SET payment_id = 'pay_GONE'").await;
    let key = format!("{}/k-1", m.id);
    let report = audit(&app).await;
    assert_eq!(found(&report), set(&[(Check::IdempotencyRefs, &key)]));
    assert_eq!(
        report.violations, 2,
        "the record's payment, and the stored answer's"
    );
    exec(
        &app,
        &format!("UPDATE idempotency_keys SET payment_id = '{id}'"),
    )
    .await;
}

#[tokio::test]
async fn a_stats_rollup_that_disagrees_with_the_rows_is_caught() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    paid_and_refunded(&app, &m).await;
    let folded = crate::delivery::worker(&app)
        .await
        .fold_stat_deltas()
        .await
        .unwrap();
    assert!(
        folded >= 2,
        "the payment's and the refund's deltas: {folded}"
    );
    assert!(audit(&app).await.clean, "folded, the rollup agrees");

    exec(
        &app,
        "UPDATE stat_hours SET count = count + 1 WHERE kind = 'payment' AND done",
    )
    .await;
    let report = audit(&app).await;
    assert_eq!(report.findings.len(), 1, "{:?}", report.findings);
    let f = &report.findings[0];
    assert_eq!(f.check, Check::StatRollup);
    assert!(f.id.starts_with("payments "), "{}", f.id);
    assert!(
        f.id.contains(&format!(" {}/paystablecoin/", m.id)),
        "{}",
        f.id
    );
    assert!(f.id.ends_with("/USD/done"), "{}", f.id);
    assert!(
        f.message.starts_with("the rollup counts 2 ("),
        "{}",
        f.message
    );
    assert!(f.message.contains("the rows 1 ("), "{}", f.message);
    exec(
        &app,
        "UPDATE stat_hours SET count = count - 1 WHERE kind = 'payment' AND done",
    )
    .await;

    // A delta no row accounts for (e.g. a row deleted with triggers disabled).
    exec(
        &app,
        "INSERT INTO stat_deltas VALUES ('refund', 0, 'mch_gone', '', '', 'USD', false, true, 1, 500)",
    )
    .await;
    assert_eq!(
        found(&audit(&app).await),
        set(&[(
            Check::StatRollup,
            "refunds 1970-01-01T00:00Z mch_gone/-/-/USD/done"
        )])
    );
    exec(
        &app,
        "DELETE FROM stat_deltas WHERE merchant_id = 'mch_gone'",
    )
    .await;
    assert!(audit(&app).await.clean);
}
