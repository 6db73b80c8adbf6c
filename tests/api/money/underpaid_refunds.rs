//! An underpaid payment is refunded at most what its gateway took, never the amount it was due:
//! "everything left" asks the gateway only for money it holds, an explicit amount above it is
//! `refund_exceeds_payment` before the gateway is called, and refunded ≤ paid holds as the
//! gateway counts it (docs/money.md, "Refunds").

use super::{checkout, create, hitpay_merchant, id, recheck, refunds, retrieve};
use crate::helpers::{spawn_app, Merchant, TestApp};
use serde_json::json;

/// A PayStableCoin payment of 25.00 USD the customer paid half of (the simulator's `underpay`).
async fn underpaid_psc(app: &TestApp, m: &Merchant) -> String {
    let p = app
        .create_payment(m, json!({ "order_id": "SHORT-1" }))
        .await;
    let res = app.sim_checkout(&p, "underpay").await;
    assert_eq!(res.status(), 303);
    let id = p["id"].as_str().unwrap().to_owned();
    let held = retrieve(app, m, &id).await;
    assert_eq!(held["status"], "needs_review", "{held}");
    assert!(held["status_detail"]
        .as_str()
        .unwrap()
        .starts_with("underpaid"));
    id
}

#[tokio::test]
async fn an_underpaid_paystablecoin_payment_is_refunded_what_arrived_not_what_was_due() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    let id = underpaid_psc(&app, &m).await;

    // More than arrived: refused before the gateway is asked.
    let (status, err) = app.refund(&m, &id, json!({ "amount": "25.00" })).await;
    assert_eq!(
        (status, err["error"].as_str()),
        (422, Some("refund_exceeds_payment")),
        "{err}"
    );
    assert_eq!(app.sim_stats().await["calls"]["refund"], 0);

    // Everything left is the 12.50 that arrived (PayStableCoin refunds in full only).
    let (status, r) = app.refund(&m, &id, json!({ "reason": "short" })).await;
    assert_eq!(status, 201, "{r}");
    assert_eq!(r["amount"], "12.50");
    recheck(&app, &m, &id).await;
    let rows = refunds(&app, &m, &id).await;
    assert_eq!(
        (&rows[0]["status"], &rows[0]["amount"]),
        (&json!("completed"), &json!("12.50"))
    );
    let after = retrieve(&app, &m, &id).await;
    assert_eq!(
        (&after["status"], &after["refunded_amount"]),
        (&json!("needs_review"), &json!("12.50")),
        "{after}"
    );
    // Nothing is left.
    let (status, err) = app.refund(&m, &id, json!({})).await;
    assert_eq!(
        (status, err["error"].as_str()),
        (422, Some("refund_exceeds_payment"))
    );
    assert_eq!(app.sim_stats().await["calls"]["refund"], 1);
}

#[tokio::test]
async fn an_underpaid_hitpay_payment_is_refunded_in_part_up_to_what_arrived() {
    let app = spawn_app().await;
    let m = hitpay_merchant(&app).await;
    let p = create(&app, &m, "hitpay", "30.00", "SGD").await;
    checkout(&app, &p, "underpay").await;
    assert_eq!(retrieve(&app, &m, id(&p)).await["status"], "needs_review");

    // 20.00 is within the 30.00 due but beyond the 15.00 HitPay took.
    let (status, err) = app.refund(&m, id(&p), json!({ "amount": "20.00" })).await;
    assert_eq!(
        (status, err["error"].as_str()),
        (422, Some("refund_exceeds_payment")),
        "{err}"
    );
    assert_eq!(app.sim_stats_of("hitpay").await["calls"]["refund"], 0);

    let (status, part) = app.refund(&m, id(&p), json!({ "amount": "5.00" })).await;
    assert_eq!((status, &part["amount"]), (201, &json!("5.00")), "{part}");
    let (status, rest) = app.refund(&m, id(&p), json!({})).await;
    assert_eq!((status, &rest["amount"]), (201, &json!("10.00")), "{rest}");
    recheck(&app, &m, id(&p)).await;
    let after = retrieve(&app, &m, id(&p)).await;
    assert_eq!(after["refunded_amount"], "15.00", "{after}");
    let (status, _) = app.refund(&m, id(&p), json!({ "amount": "0.01" })).await;
    assert_eq!(status, 422);
}

#[tokio::test]
async fn a_payment_in_review_whose_received_money_is_unknown_is_refunded_only_after_a_recheck() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    let id = underpaid_psc(&app, &m).await;
    // As a payment held before Payrail recorded what arrived.
    sqlx::query("UPDATE payments SET received_minor = NULL WHERE id = $1")
        .bind(&id)
        .execute(&app.pool)
        .await
        .unwrap();
    let (status, err) = app.refund(&m, &id, json!({})).await;
    assert_eq!(
        (status, err["error"].as_str()),
        (409, Some("invalid_state")),
        "{err}"
    );
    assert_eq!(app.sim_stats().await["calls"]["refund"], 0);
    // The recheck learns what arrived from the gateway's record.
    recheck(&app, &m, &id).await;
    let (status, r) = app
        .refund(&m, &id, json!({ "reason": "after recheck" }))
        .await;
    assert_eq!((status, &r["amount"]), (201, &json!("12.50")), "{r}");
}
