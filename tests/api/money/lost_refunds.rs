//! Item 2: a refund whose answer was lost (timeout, 5xx) is settled from what the gateway does
//! know, is never sent twice, and never stays pending without bound.

use super::{checkout, create, fault, hitpay_merchant, id, recheck, refunds, retrieve};
use crate::delivery::worker;
use crate::helpers::{spawn_app, Merchant, TestApp};
use chrono::Duration;
use serde_json::{json, Value};

async fn refund(app: &TestApp, m: &Merchant, payment_id: &str, body: Value) -> (u16, Value) {
    app.post(
        &format!("/v1/payments/{payment_id}/refunds"),
        &body.to_string(),
        m,
    )
    .await
}

async fn paid_hitpay(app: &TestApp, m: &Merchant) -> Value {
    let p = create(app, m, "hitpay", "30.00", "SGD").await;
    checkout(app, &p, "pay").await;
    assert_eq!(retrieve(app, m, id(&p)).await["status"], "completed");
    p
}

#[tokio::test]
async fn a_hitpay_refund_whose_answer_timed_out_is_completed_from_the_requests_refunded_amount() {
    let app = spawn_app().await;
    let m = hitpay_merchant(&app).await;
    let p = paid_hitpay(&app, &m).await;
    // HitPay refunds, but its answer never arrives.
    fault(&app, "hitpay", "timeout", 1).await;
    let (status, r) = refund(&app, &m, id(&p), json!({ "amount": "10.00" })).await;
    assert_eq!((status, &r["status"]), (201, &json!("pending")), "{r}");

    let checked = recheck(&app, &m, id(&p)).await;
    assert_eq!(checked["status"], "partially_refunded", "{checked}");
    let rows = refunds(&app, &m, id(&p)).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(
        (&rows[0]["id"], &rows[0]["status"], &rows[0]["origin"]),
        (&r["id"], &json!("completed"), &json!("api"))
    );
    let after = retrieve(&app, &m, id(&p)).await;
    assert_eq!(after["refunded_amount"], "10.00");
    // Asked once, never sent again.
    assert_eq!(app.sim_stats_of("hitpay").await["calls"]["refund"], 1);
}

#[tokio::test]
async fn a_hitpay_refund_the_gateway_never_made_fails_once_its_record_shows_it_absent() {
    let app = spawn_app().await;
    let m = hitpay_merchant(&app).await;
    let p = paid_hitpay(&app, &m).await;
    // A 500 before HitPay processed anything: the outcome is unknown to Payrail.
    fault(&app, "hitpay", "http_500", 1).await;
    let (status, r) = refund(&app, &m, id(&p), json!({ "amount": "10.00" })).await;
    assert_eq!((status, &r["status"]), (201, &json!("pending")), "{r}");
    // Right away, HitPay's record says nothing yet that could not still change: kept pending.
    recheck(&app, &m, id(&p)).await;
    assert_eq!(refunds(&app, &m, id(&p)).await[0]["status"], "pending");

    let orch = worker(&app).await;
    orch.clock.advance(Duration::minutes(11));
    let report = orch.reconcile_due().await.unwrap();
    assert_eq!(report.refunds_checked, 1, "{report:?}");
    let rows = refunds(&app, &m, id(&p)).await;
    assert_eq!(rows[0]["status"], "failed", "{rows:?}");
    assert!(rows[0]["status_detail"]
        .as_str()
        .unwrap()
        .starts_with("not_at_gateway"));
    let after = retrieve(&app, &m, id(&p)).await;
    assert_eq!(
        (&after["status"], &after["refunded_amount"]),
        (&json!("completed"), &json!("0.00"))
    );
    // The merchant may refund again; the first was never sent twice.
    let (status, second) = refund(&app, &m, id(&p), json!({ "amount": "30.00" })).await;
    assert_eq!(
        (status, &second["status"]),
        (201, &json!("completed")),
        "{second}"
    );
    assert_eq!(app.sim_stats_of("hitpay").await["calls"]["refund"], 2);
}

#[tokio::test]
async fn a_paystablecoin_refund_whose_answer_was_lost_is_looked_up_by_its_reference() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    let p = app.create_payment(&m, json!({})).await;
    app.sim_checkout(&p, "pay").await;
    assert_eq!(app.status_of(id(&p), &m).await, "completed");
    fault(&app, "paystablecoin", "timeout", 1).await;
    let (status, r) = refund(&app, &m, id(&p), json!({})).await;
    assert_eq!((status, &r["status"]), (201, &json!("pending")), "{r}");

    let checked = recheck(&app, &m, id(&p)).await;
    assert_eq!(checked["status"], "refunded", "{checked}");
    assert_eq!(refunds(&app, &m, id(&p)).await[0]["status"], "completed");
    assert_eq!(app.sim_stats().await["calls"]["refund"], 1);
}

#[tokio::test]
async fn a_refund_the_gateway_never_settles_goes_to_review_after_the_documented_time() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    let p = app.create_payment(&m, json!({})).await;
    app.sim_checkout(&p, "pay").await;
    fault(&app, "paystablecoin", "timeout", 1).await;
    let (_, r) = refund(&app, &m, id(&p), json!({})).await;
    assert_eq!(r["status"], "pending", "{r}");

    // The gateway answers nothing readable for a day.
    let orch = worker(&app).await;
    fault(&app, "paystablecoin", "http_500", 1000).await;
    orch.clock.advance(Duration::hours(2));
    orch.reconcile_due().await.unwrap();
    assert_eq!(refunds(&app, &m, id(&p)).await[0]["status"], "pending");
    orch.clock.advance(Duration::hours(23));
    let report = orch.reconcile_due().await.unwrap();
    assert_eq!(report.refunds_reviewed, 1, "{report:?}");
    fault(&app, "paystablecoin", "none", 0).await;

    let rows = refunds(&app, &m, id(&p)).await;
    assert_eq!(rows[0]["status"], "needs_review", "{rows:?}");
    assert!(rows[0]["status_detail"]
        .as_str()
        .unwrap()
        .starts_with("unconfirmed"));
    // Still promised back: nothing more can be refunded meanwhile.
    let (status, err) = refund(&app, &m, id(&p), json!({})).await;
    assert_eq!(
        (status, &err["error"]),
        (422, &json!("refund_exceeds_payment"))
    );
    let kinds: Vec<String> = sqlx::query_scalar(
        "SELECT type FROM outbox_events WHERE payment_id = $1 ORDER BY sequence",
    )
    .bind(id(&p))
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(kinds.last().unwrap(), "refund.needs_review", "{kinds:?}");
    // Later evidence from the gateway still settles it.
    recheck(&app, &m, id(&p)).await;
    assert_eq!(refunds(&app, &m, id(&p)).await[0]["status"], "completed");
    assert_eq!(retrieve(&app, &m, id(&p)).await["status"], "refunded");
}
