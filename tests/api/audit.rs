//! The store audit (`payrail::audit`, `payrail audit`, `GET /v1/admin/audit`): a normal store is
//! clean, and each kind of hand-made corruption is caught by its check with the id of the row
//! concerned (`corruption`), through every way in (`surfaces`). Every corruption is undone
//! before the test ends: the teardown audit checks that too.

mod corruption;
mod surfaces;

use crate::helpers::{spawn_app, Merchant, TestApp};
use payrail::audit::{AuditOptions, AuditReport, Check};
use serde_json::json;
use std::collections::BTreeSet;
use surfaces::{admin_audit, cli};

/// A PayStableCoin payment paid in full, then refunded in full: (payment id, refund id).
pub(super) async fn paid_and_refunded(app: &TestApp, m: &Merchant) -> (String, String) {
    let id = app.paid_payment(m, "ORDER-1").await;
    let (status, refund) = app.post(&format!("/v1/payments/{id}/refunds"), "", m).await;
    assert_eq!(status, 201, "{refund}");
    let (status, _) = app.post(&format!("/v1/payments/{id}/recheck"), "", m).await;
    assert_eq!(status, 200);
    assert_eq!(app.status_of(&id, m).await, "refunded");
    (id, refund["id"].as_str().unwrap().to_owned())
}

pub(super) async fn audit_with(app: &TestApp, batch_size: u32) -> AuditReport {
    let db = payrail::store::Db::connect(&app.db_url, 1).await.unwrap();
    payrail::audit::report(&db, &AuditOptions { batch_size }, 1000)
        .await
        .unwrap()
}

pub(super) async fn audit(app: &TestApp) -> AuditReport {
    audit_with(app, 500).await
}

/// (check, id) of every finding.
pub(super) fn found(report: &AuditReport) -> BTreeSet<(String, String)> {
    assert_eq!(report.violations, report.findings.len() as u64);
    report
        .findings
        .iter()
        .map(|f| (f.check.as_str().to_owned(), f.id.clone()))
        .collect()
}

pub(super) fn set(items: &[(Check, &str)]) -> BTreeSet<(String, String)> {
    items
        .iter()
        .map(|(c, id)| (c.as_str().to_owned(), (*id).to_owned()))
        .collect()
}

pub(super) async fn exec(app: &TestApp, sql: &str) {
    sqlx::query(sql).execute(&app.pool).await.unwrap();
}

/// Sets a row aside in a table of its own (so it can be put back), then deletes it. The stash
/// is named after the table: SQLite connections of the pool that saw an earlier `stash` of
/// another table's shape could otherwise read the new one with the old columns.
pub(super) async fn stash(app: &TestApp, table: &str, id: &str) {
    exec(
        app,
        &format!("CREATE TABLE stash_{table} AS SELECT * FROM {table} WHERE id = '{id}'"),
    )
    .await;
    exec(app, &format!("DELETE FROM {table} WHERE id = '{id}'")).await;
}

pub(super) async fn unstash(app: &TestApp, table: &str) {
    exec(
        app,
        &format!("INSERT INTO {table} SELECT * FROM stash_{table}"),
    )
    .await;
    exec(app, &format!("DROP TABLE stash_{table}")).await;
}

pub(super) async fn outbox_id(app: &TestApp, payment_id: &str, sequence: i64) -> String {
    sqlx::query_scalar("SELECT id FROM outbox_events WHERE payment_id = $1 AND sequence = $2")
        .bind(payment_id)
        .bind(sequence)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_paid_and_refunded_store_is_clean() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    paid_and_refunded(&app, &m).await;
    let report = audit(&app).await;
    assert!(report.clean, "{:?}", report.findings);
    let c = report.checked;
    assert_eq!((c.payments, c.refunds, c.attempts), (1, 1, 1));
    assert_eq!(
        c.events, 3,
        "payment.completed, payment.refunded, refund.completed"
    );
    let body = admin_audit(&app, "").await;
    assert_eq!(body["clean"], true, "{body}");
    assert_eq!(body["violations"], 0);
    assert_eq!(body["findings"], json!([]));
    assert_eq!(body["truncated"], false);
    assert_eq!(body["checked"]["payments"], 1);
    assert_eq!(body["checked"]["events"], 3);
    let (code, stdout, _) = cli(&app).await;
    assert_eq!(code, 0, "{stdout}");
    assert!(
        stdout.starts_with("audit: clean (payments 1, refunds 1, events 3"),
        "{stdout}"
    );
}

#[test]
fn openapi_lists_every_check() {
    let spec =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.yaml")).unwrap();
    let section = spec.split("    AuditCheck:").nth(1).unwrap();
    let listed: Vec<&str> = section
        .split("      enum:\n")
        .nth(1)
        .unwrap()
        .lines()
        .map_while(|l| l.strip_prefix("        - "))
        .collect();
    let names: Vec<&str> = Check::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(listed, names);
}

/// The teardown audit fails a test that leaves the store inconsistent…
#[tokio::test]
#[should_panic(expected = "the store fails the audit on teardown (2 violations)")]
async fn the_teardown_audit_fails_a_test_that_breaks_the_store() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    let id = app.paid_payment(&m, "ORDER-1").await;
    exec(
        &app,
        &format!("UPDATE payments SET status = 'refunded' WHERE id = '{id}'"),
    )
    .await;
}

/// …unless the test says it does so on purpose.
#[tokio::test]
async fn a_test_may_say_it_leaves_violations() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    let id = app.paid_payment(&m, "ORDER-1").await;
    exec(
        &app,
        &format!("UPDATE payments SET status = 'refunded' WHERE id = '{id}'"),
    )
    .await;
    app.expect_audit_violations();
}
