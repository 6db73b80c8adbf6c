//! A refund that completed and then failed at Stripe (R14): the money Payrail counts as refunded
//! went back to the merchant, so the payment goes to review (news never undoes a completed
//! refund). Told by `refund.updated` for Payrail's own refund; for a dashboard refund, which no
//! event names, by a live read once the refund is older than a gateway's lag. Ops then confirm
//! the refund `reversed`, which gives its money back to the payment, and settle the review.

use super::{merchant, paid, sim};
use crate::console::{location, Console};
use crate::delivery::worker;
use crate::helpers::{spawn_app, Merchant, TestApp};
use chrono::Duration;
use payrail::domain::status::Source;
use serde_json::{json, Value};

/// (status, status_detail, refunded_amount) as the merchant reads them.
async fn money(app: &TestApp, m: &Merchant, id: &str) -> (Value, String, Value) {
    let (_, p) = app.get(&format!("/v1/payments/{id}"), m).await;
    let detail = p["status_detail"].as_str().unwrap_or_default().to_owned();
    (p["status"].clone(), detail, p["refunded_amount"].clone())
}

/// How many times the payment went to review.
async fn reviews(app: &TestApp, m: &Merchant, id: &str) -> usize {
    let (_, events) = app.get(&format!("/v1/payments/{id}/events/"), m).await;
    let events = events.as_array().unwrap();
    events
        .iter()
        .filter(|e| e["to_status"] == "needs_review")
        .count()
}

/// The payment's refunds as (status, origin), oldest first.
async fn refund_origins(app: &TestApp, id: &str) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT status, origin FROM refunds WHERE payment_id = $1 ORDER BY created_at, id",
    )
    .bind(id)
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

/// A paid 25.00 payment with a 10.00 refund that completed and then failed at Stripe: the
/// payment in review for it. Answers the payment and the refund.
async fn reversed_at_stripe(app: &TestApp, m: &Merchant, order: &str) -> (Value, Value) {
    let p = paid(app, m, order, "25.00").await;
    let id = p["id"].as_str().unwrap();
    let (status, refund) = app.refund(m, id, json!({ "amount": "10.00" })).await;
    assert_eq!((status, &refund["status"]), (201, &json!("completed")));
    let session_id = p["external_id"].as_str().unwrap();
    let path = format!("checkout/{session_id}/refund_fails");
    sim(app, &path, Some(json!({}))).await;
    assert_eq!(money(app, m, id).await.0, json!("needs_review"));
    (p, refund)
}

/// Ops settle a review case through the admin API, saying they checked Stripe.
async fn resolve(app: &TestApp, what: &str, id: &str, settle_as: &str) -> (u16, Value) {
    let body = json!({ "settle_as": settle_as, "note": "Stripe shows the refund failed" });
    app.resolve(what, id, body).await
}

#[tokio::test]
async fn ops_confirm_a_reversed_refund_and_the_merchant_can_refund_that_money_again() {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    let (p, refund) = reversed_at_stripe(&app, &m, "SV-3").await;
    let (id, refund_id) = (p["id"].as_str().unwrap(), refund["id"].as_str().unwrap());

    let (status, reversed) = resolve(&app, "refunds", refund_id, "reversed").await;
    assert_eq!(
        (status, &reversed["status"]),
        (200, &json!("reversed")),
        "{reversed}"
    );
    let (status, _, refunded) = money(&app, &m, id).await;
    assert_eq!((status, refunded), (json!("needs_review"), json!("0.00")));
    // The merchant hears of it once, in the payment's event sequence.
    let types: Vec<String> = sqlx::query_scalar(
        "SELECT type FROM outbox_events WHERE payment_id = $1 AND type LIKE 'refund.%' ORDER BY sequence",
    )
    .bind(id)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(types, ["refund.completed", "refund.reversed"]);
    // Only once: it is settled now.
    let (status, again) = resolve(&app, "refunds", refund_id, "reversed").await;
    assert_eq!((status, &again["error"]), (409, &json!("invalid_state")));

    // Ops settle the payment: none of its money is refunded now.
    let (status, settled) = resolve(&app, "payments", id, "paid").await;
    assert_eq!(
        (status, &settled["status"]),
        (200, &json!("completed")),
        "{settled}"
    );
    // (A body of its own: the first refund's, signed in the same second, would be a replay.)
    let again = json!({ "amount": "10.00", "reason": "the reversed refund, made again" });
    let (status, second) = app.refund(&m, id, again).await;
    assert_eq!(
        (status, &second["status"]),
        (201, &json!("completed")),
        "{second}"
    );
    let (status, _, refunded) = money(&app, &m, id).await;
    assert_eq!(
        (status, refunded),
        (json!("partially_refunded"), json!("10.00"))
    );
}

#[tokio::test]
async fn a_dashboard_refund_made_while_the_reversed_one_still_counted_is_recorded_on_confirming() {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    let (p, refund) = reversed_at_stripe(&app, &m, "SV-7").await;
    let (id, refund_id) = (p["id"].as_str().unwrap(), refund["id"].as_str().unwrap());
    // 5.00 refunded in Stripe's dashboard: its total (5.00) is below the 10.00 Payrail still
    // counts, so it explains nothing yet.
    let session_id = p["external_id"].as_str().unwrap();
    let path = format!("checkout/{session_id}/refund");
    sim(&app, &path, Some(json!({ "amount": "5.00" }))).await;
    assert_eq!(money(&app, &m, id).await.2, json!("10.00"));

    // Confirming the reversal reads Stripe again: now the 5.00 is a refund of its own.
    let (status, _) = resolve(&app, "refunds", refund_id, "reversed").await;
    assert_eq!(status, 200);
    let (status, _, refunded) = money(&app, &m, id).await;
    assert_eq!((status, refunded), (json!("needs_review"), json!("5.00")));
    let origins = refund_origins(&app, id).await;
    assert_eq!(
        origins,
        [
            ("reversed".to_owned(), "api".to_owned()),
            ("completed".to_owned(), "gateway".to_owned())
        ]
    );
    let (status, settled) = resolve(&app, "payments", id, "paid").await;
    assert_eq!(
        (status, &settled["status"]),
        (200, &json!("partially_refunded"))
    );
}

#[tokio::test]
async fn ops_confirm_a_reversed_refund_from_the_console() {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    let (p, refund) = reversed_at_stripe(&app, &m, "SV-5").await;
    let (id, refund_id) = (p["id"].as_str().unwrap(), refund["id"].as_str().unwrap());
    let console = Console::sign_in(&app).await;
    let action = format!("/console/payments/{id}/refunds/{refund_id}/resolve");
    let (_, page) = console.get(&format!("/console/payments/{id}")).await;
    assert!(page.contains(&action), "the refund offers a settlement");
    assert!(page.contains(r#"<option value="reversed">"#), "{page}");

    let res = console
        .post(&action, &[("confirm", "on"), ("settle_as", "reversed")])
        .await;
    assert_eq!(res.status(), 400, "a note is required");
    // Through another payment's page, the refund is not found.
    let other = paid(&app, &m, "SV-6", "5.00").await;
    let elsewhere = action.replace(id, other["id"].as_str().unwrap());
    let fields = [
        ("confirm", "on"),
        ("settle_as", "reversed"),
        ("note", "Stripe shows the refund failed"),
    ];
    assert_eq!(console.post(&elsewhere, &fields).await.status(), 404);
    assert_eq!(money(&app, &m, id).await.2, json!("10.00"));

    let res = console.post(&action, &fields).await;
    assert_eq!(res.status(), 303);
    let back = location(&res);
    assert_eq!(back, format!("/console/payments/{id}?done=resolve_refund"));
    assert_eq!(money(&app, &m, id).await.2, json!("0.00"));
    let (_, page) = console.get(&back).await;
    assert!(page.contains("The refund is settled."));
    assert!(
        !page.contains(&action),
        "a reversed refund settles no further"
    );
}

#[tokio::test]
async fn only_a_completed_refund_of_a_payment_in_review_can_be_reversed() {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    let p = paid(&app, &m, "SV-4", "25.00").await;
    let id = p["id"].as_str().unwrap();
    let (_, refund) = app.refund(&m, id, json!({ "amount": "10.00" })).await;
    let refund_id = refund["id"].as_str().unwrap();
    // The payment is not in review: Stripe never said the refund failed.
    let (status, err) = resolve(&app, "refunds", refund_id, "reversed").await;
    assert_eq!(
        (status, &err["error"]),
        (409, &json!("invalid_state")),
        "{err}"
    );
    let (status, _, refunded) = money(&app, &m, id).await;
    assert_eq!(
        (status, refunded),
        (json!("partially_refunded"), json!("10.00"))
    );
    // The console offers what the rule allows: nothing for this refund.
    let console = Console::sign_in(&app).await;
    let (_, page) = console.get(&format!("/console/payments/{id}")).await;
    let action = format!("/console/payments/{id}/refunds/{refund_id}/resolve");
    assert!(page.contains(refund_id), "the page lists the refund");
    assert!(!page.contains(&action), "{page}");
    let (status, err) = resolve(&app, "refunds", refund_id, "undone").await;
    assert_eq!(
        (status, &err["error"]),
        (400, &json!("invalid_request")),
        "{err}"
    );
}

#[tokio::test]
async fn a_refund_of_payrails_that_fails_after_completing_sends_the_payment_to_review() {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    let (p, _) = reversed_at_stripe(&app, &m, "SV-1").await;
    let id = p["id"].as_str().unwrap();
    let (status, detail, refunded) = money(&app, &m, id).await;
    assert_eq!((status, refunded), (json!("needs_review"), json!("10.00")));
    assert!(detail.starts_with("refund_reversed"), "{detail}");
    let (refund_status,): (String,) = sqlx::query_as("SELECT status FROM refunds")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(
        refund_status, "completed",
        "a completed refund is never undone"
    );
    assert_eq!(reviews(&app, &m, id).await, 1);
}

#[tokio::test]
async fn a_dashboard_refund_that_fails_later_is_found_by_a_live_read_past_the_settle_window() {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    let p = paid(&app, &m, "SV-2", "25.00").await;
    let id = p["id"].as_str().unwrap();
    let session_id = p["external_id"].as_str().unwrap();
    let refund = Some(json!({ "amount": "5.00" }));
    sim(&app, &format!("checkout/{session_id}/refund"), refund).await;
    assert_eq!(money(&app, &m, id).await.2, json!("5.00"));

    // Its failure names no Payrail refund, and a read right after may be a lagging total.
    sim(
        &app,
        &format!("checkout/{session_id}/refund_fails"),
        Some(json!({})),
    )
    .await;
    let (status, _) = app
        .post(&format!("/v1/payments/{id}/recheck"), "", &m)
        .await;
    assert_eq!(status, 200);
    assert_eq!(money(&app, &m, id).await.0, json!("partially_refunded"));

    // Past the settle window a live read shows the total below Payrail's: review, once.
    let orch = worker(&app).await;
    orch.clock.advance(Duration::seconds(601));
    for _ in 0..2 {
        orch.recheck(None, id, Source::Recheck, false)
            .await
            .unwrap();
    }
    let (status, detail, refunded) = money(&app, &m, id).await;
    assert_eq!((status, refunded), (json!("needs_review"), json!("5.00")));
    assert!(
        detail.contains("refunded total (0 minor units)"),
        "{detail}"
    );
    assert_eq!(reviews(&app, &m, id).await, 1);
}

#[tokio::test]
async fn the_refunds_own_news_arriving_after_its_reversal_was_confirmed_changes_nothing() {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    let p = paid(&app, &m, "SV-8", "25.00").await;
    let id = p["id"].as_str().unwrap();
    // Stripe holds back the refund's two events (`charge.refunded`, its total 10.00, and
    // `refund.created`): they arrive after everything below, as Stripe may deliver them.
    sim(&app, "webhooks", Some(json!({ "hold": 2 }))).await;
    let (status, refund) = app.refund(&m, id, json!({ "amount": "10.00" })).await;
    assert_eq!((status, &refund["status"]), (201, &json!("completed")));
    let session_id = p["external_id"].as_str().unwrap();
    let path = format!("checkout/{session_id}/refund_fails");
    sim(&app, &path, Some(json!({}))).await;
    assert_eq!(money(&app, &m, id).await.0, json!("needs_review"));
    let refund_id = refund["id"].as_str().unwrap();
    assert_eq!(resolve(&app, "refunds", refund_id, "reversed").await.0, 200);
    assert_eq!(money(&app, &m, id).await.2, json!("0.00"));

    let released = sim(&app, "webhooks/release", Some(json!({}))).await;
    assert_eq!(released["released"], 2);
    // A total from before the reversal is not a refund made in Stripe's dashboard since.
    let (status, _, refunded) = money(&app, &m, id).await;
    assert_eq!((status, refunded), (json!("needs_review"), json!("0.00")));
    let refunds = refund_origins(&app, id).await;
    assert_eq!(refunds, [("reversed".to_owned(), "api".to_owned())]);
}
