//! An underpaid payment that ops settle as paid: its status and the actions offered count what
//! its gateway took, not the amount it was due (`domain::paid_money`). Once everything that
//! arrived went back it is `refunded`, with no refund on offer, in retrieve and in the list
//! alike; and if the gateway then changes its word on what arrived, the payment goes to review
//! rather than silently disagreeing with its money.

use super::{
    checkout, create, hitpay_merchant, id, recheck, retrieve, timeline_types, HITPAY_SALT,
};
use crate::helpers::{spawn_app, Merchant, TestApp};
use serde_json::{json, Value};

/// A HitPay payment of 30.00 SGD the customer paid 15.00 of, all 15.00 refunded while in
/// review.
async fn short_payment_refunded_in_review(app: &TestApp, m: &Merchant) -> Value {
    let p = create(app, m, "hitpay", "30.00", "SGD").await;
    checkout(app, &p, "underpay").await;
    let (status, r) = app.refund(m, id(&p), json!({ "reason": "short" })).await;
    assert_eq!((status, &r["amount"]), (201, &json!("15.00")), "{r}");
    recheck(app, m, id(&p)).await;
    assert_held_with_15_refunded(&retrieve(app, m, id(&p)).await);
    p
}

fn assert_held_with_15_refunded(p: &Value) {
    assert_eq!(
        (&p["status"], &p["refunded_amount"]),
        (&json!("needs_review"), &json!("15.00")),
        "{p}"
    );
}

/// The same payment, then settled as paid by ops.
async fn short_payment_refunded_and_settled(app: &TestApp, m: &Merchant) -> Value {
    let p = short_payment_refunded_in_review(app, m).await;
    let (status, settled) = app
        .resolve(
            "payments",
            id(&p),
            json!({ "settle_as": "paid", "note": "short payment, what arrived went back" }),
        )
        .await;
    assert_eq!(status, 200, "{settled}");
    p
}

#[tokio::test]
async fn a_short_payment_settled_as_paid_is_refunded_once_what_arrived_went_back() {
    let app = spawn_app().await;
    let m = hitpay_merchant(&app).await;
    let p = short_payment_refunded_and_settled(&app, &m).await;

    let after = retrieve(&app, &m, id(&p)).await;
    assert_eq!(
        (&after["status"], &after["available_actions"]),
        (&json!("refunded"), &json!(["recheck"])),
        "{after}"
    );
    let (status, page) = app.get("/v1/payments?limit=5", &m).await;
    assert_eq!(status, 200, "{page}");
    let listed = &page["data"][0];
    assert_eq!(
        (
            &listed["id"],
            &listed["status"],
            &listed["available_actions"]
        ),
        (&p["id"], &json!("refunded"), &json!(["recheck"])),
        "{listed}"
    );
    // Nothing is left to give back, and asking is refused before HitPay is called.
    let (status, err) = app.refund(&m, id(&p), json!({})).await;
    assert_eq!(
        (status, err["error"].as_str()),
        (422, Some("refund_exceeds_payment"))
    );
    assert_eq!(app.sim_stats_of("hitpay").await["calls"]["refund"], 1);
    // A recheck finds the same money and changes nothing.
    recheck(&app, &m, id(&p)).await;
    assert_eq!(retrieve(&app, &m, id(&p)).await["status"], "refunded");
}

#[tokio::test]
async fn a_gateway_that_changes_its_word_on_what_arrived_sends_the_payment_to_review() {
    let app = spawn_app().await;
    let m = hitpay_merchant(&app).await;
    let p = short_payment_refunded_and_settled(&app, &m).await;
    assert_eq!(retrieve(&app, &m, id(&p)).await["status"], "refunded");

    // HitPay now says, in a correctly signed event, that the whole 30.00 arrived on the charge.
    assert_eq!(whole_amount_arrived(&app, &p).await, 200);

    let held = retrieve(&app, &m, id(&p)).await;
    assert_held_with_15_refunded(&held);
    let detail = held["status_detail"].as_str().unwrap();
    assert!(
        detail.starts_with("received_changed: the gateway now says 30.00 arrived (15.00 before)"),
        "{detail}"
    );
    let types = timeline_types(&app, &m, id(&p)).await;
    assert_eq!(
        types.last().map(String::as_str),
        Some("payment.needs_review")
    );
    // The same word again changes nothing more: one change, one event.
    assert_eq!(whole_amount_arrived(&app, &p).await, 200);
    assert_eq!(timeline_types(&app, &m, id(&p)).await, types);
}

#[tokio::test]
async fn the_full_amount_reported_after_the_short_payment_went_back_leaves_it_to_ops() {
    let app = spawn_app().await;
    let m = hitpay_merchant(&app).await;
    let p = short_payment_refunded_in_review(&app, &m).await;
    let types = timeline_types(&app, &m, id(&p)).await;

    // HitPay now says the whole 30.00 arrived. What went back answered the short payment, so
    // ops decide (as after a top-up once money went back, `report_plan::tops_up`): no change,
    // no event, and never a pass through `completed` on the way.
    assert_eq!(whole_amount_arrived(&app, &p).await, 200);
    assert_held_with_15_refunded(&retrieve(&app, &m, id(&p)).await);
    assert_eq!(
        timeline_types(&app, &m, id(&p)).await,
        types,
        "no change, no event"
    );

    // Ops settle it as paid: 15.00 of the 30.00 that arrived went back.
    let (status, settled) = app
        .resolve(
            "payments",
            id(&p),
            json!({ "settle_as": "paid", "note": "topped up after the refund" }),
        )
        .await;
    assert_eq!(
        (status, &settled["status"]),
        (200, &json!("partially_refunded")),
        "{settled}"
    );
}

/// HitPay's signed charge event saying the whole 30.00 arrived on the payment's one attempt.
async fn whole_amount_arrived(app: &TestApp, p: &Value) -> u16 {
    let (reference, charge): (String, String) =
        sqlx::query_as("SELECT reference, charge_id FROM attempts WHERE payment_id = $1")
            .bind(id(p))
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let request_id = p["external_id"].as_str().unwrap();
    charge_event(app, &charge, request_id, &reference, "30.00").await
}

/// A HitPay v2 charge event about `charge`, signed with the account's salt as HitPay signs it.
async fn charge_event(
    app: &TestApp,
    charge: &str,
    request_id: &str,
    reference: &str,
    amount: &str,
) -> u16 {
    let body = json!({
        "id": charge, "status": "succeeded", "amount": amount, "currency": "SGD",
        "payment_request_id": request_id, "reference_number": reference,
    })
    .to_string();
    let signature = crate::helpers::sign(HITPAY_SALT, "", body.as_bytes());
    let res = app
        .webhook_post("hitpay")
        .await
        .header("Hitpay-Signature", signature)
        .header("Hitpay-Event-Object", "charge")
        .header("Hitpay-Event-Type", "completed")
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .await;
    res.unwrap().status().as_u16()
}
