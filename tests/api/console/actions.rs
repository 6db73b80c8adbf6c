//! The console's actions on a payment: each needs the CSRF token and the confirmation, goes
//! through the orchestration use case (the payment's status changes only by the transition
//! table), and lands in the timeline naming the operator. Every test's teardown audits the store
//! (`helpers`), so the money invariants hold after the actions.

use super::{location, Console};
use crate::helpers::{spawn_app, TestApp};
use serde_json::{json, Value};

/// The payment's timeline entries: (type, source, detail).
async fn timeline(app: &TestApp, id: &str) -> Vec<(String, String, Value)> {
    let rows: Vec<(String, String, Option<String>)> = sqlx::query_as(
        "SELECT type, source, detail FROM payment_events WHERE payment_id = $1 ORDER BY created_at, id",
    )
    .bind(id)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    rows.into_iter()
        .map(|(t, s, d)| {
            (
                t,
                s,
                serde_json::from_str(&d.unwrap_or_default()).unwrap_or_default(),
            )
        })
        .collect()
}

/// The `console.<action>` entry, which names the operator.
async fn console_entry(app: &TestApp, id: &str, action: &str) -> Option<Value> {
    timeline(app, id)
        .await
        .into_iter()
        .find(|(t, _, _)| *t == format!("console.{action}"))
        .map(|(_, source, d)| {
            assert_eq!(source, "admin");
            assert_eq!(d["operator"], "console");
            d
        })
}

/// Posts an action confirmed; expects the 303 back to the payment.
async fn act(console: &Console<'_>, id: &str, action: &str, fields: &[(&str, &str)]) {
    let mut all = fields.to_vec();
    all.push(("confirm", "on"));
    let res = console
        .post(&format!("/console/payments/{id}/{action}"), &all)
        .await;
    let status = res.status();
    let to = location(&res);
    assert_eq!(status, 303, "{action}: {}", res.text().await.unwrap());
    assert_eq!(to, format!("/console/payments/{id}?done={action}"));
}

#[tokio::test]
async fn an_action_without_csrf_or_confirmation_does_nothing() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    let p = app.create_payment(&m, json!({})).await;
    let id = p["id"].as_str().unwrap();
    let console = Console::sign_in(&app).await;
    let path = format!("/console/payments/{id}/cancel");
    let res = console.post_raw(&path, &[("confirm", "on")]).await;
    assert_eq!(res.status(), 403);
    let res = console
        .post_raw(&path, &[("confirm", "on"), ("csrf", "forged")])
        .await;
    assert_eq!(res.status(), 403);
    let res = console.post(&path, &[]).await;
    assert_eq!(res.status(), 400, "unconfirmed");
    assert_eq!(app.status_of(id, &m).await, "pending");
    assert!(console_entry(&app, id, "cancel").await.is_none());
}

#[tokio::test]
async fn recheck_and_cancel_go_through_the_use_cases_and_name_the_operator() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    let p = app.create_payment(&m, json!({})).await;
    let id = p["id"].as_str().unwrap();
    let console = Console::sign_in(&app).await;
    let (_, page) = console.get(&format!("/console/payments/{id}")).await;
    assert!(
        page.contains("/recheck\"") && page.contains("/cancel\""),
        "{page}"
    );
    assert!(
        !page.contains("/refund\""),
        "a pending payment has no refund"
    );

    act(&console, id, "recheck", &[]).await;
    let entry = console_entry(&app, id, "recheck").await.expect("noted");
    assert_eq!(
        (&entry["previous"], &entry["current"]),
        (&json!("pending"), &json!("pending"))
    );

    act(&console, id, "cancel", &[]).await;
    assert_eq!(app.status_of(id, &m).await, "cancelled");
    let change = timeline(&app, id)
        .await
        .into_iter()
        .find(|(t, _, _)| t == "payment.cancelled");
    let (_, source, detail) = change.expect("the status change's entry");
    assert_eq!(
        (source.as_str(), &detail["operator"]),
        ("admin", &json!("console"))
    );
    assert!(console_entry(&app, id, "cancel").await.is_some());

    let (_, page) = console
        .get(&format!("/console/payments/{id}?done=cancel"))
        .await;
    assert!(
        page.contains("Cancelled.") && page.contains("console.cancel"),
        "{page}"
    );
}

#[tokio::test]
async fn refund_and_redeliver_from_the_console() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    let id = app.paid_payment(&m, "PAID-1").await;
    let console = Console::sign_in(&app).await;
    let res = console
        .post(
            &format!("/console/payments/{id}/cancel"),
            &[("confirm", "on")],
        )
        .await;
    assert_eq!(res.status(), 409, "a paid payment is not cancelled");
    assert_eq!(app.status_of(&id, &m).await, "completed");
    act(
        &console,
        &id,
        "refund",
        &[("amount", ""), ("reason", "customer asked")],
    )
    .await;
    let entry = console_entry(&app, &id, "refund").await.expect("noted");
    assert_eq!(entry["reason"], "customer asked");
    assert_eq!(app.count("refunds").await, 1);
    let refund: String = sqlx::query_scalar("SELECT status FROM refunds")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(
        ["pending", "completed"].contains(&refund.as_str()),
        "{refund}"
    );

    let event: String = sqlx::query_scalar(
        "SELECT id FROM outbox_events WHERE payment_id = $1 ORDER BY sequence LIMIT 1",
    )
    .bind(&id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    act(&console, &id, "redeliver", &[("event_id", &event)]).await;
    assert_eq!(
        console_entry(&app, &id, "redeliver").await.unwrap()["event_id"],
        event.as_str()
    );
    let res = console
        .post(
            &format!("/console/payments/{id}/redeliver"),
            &[
                ("confirm", "on"),
                ("event_id", "evt_01KAQ3C4XW00000000A200000001"),
            ],
        )
        .await;
    assert_eq!(res.status(), 404, "another payment's or no event");
    let (_, page) = console.get(&format!("/console/payments/{id}")).await;
    for section in [
        "Attempts",
        "Timeline",
        "Refunds",
        "Merchant deliveries",
        "customer asked",
    ] {
        assert!(page.contains(section), "{section}");
    }
}

#[tokio::test]
async fn a_review_case_is_queued_then_settled_with_a_note() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    let p = app.create_payment(&m, json!({})).await;
    let id = p["id"].as_str().unwrap();
    app.sim_checkout(&p, "underpay").await;
    assert_eq!(app.status_of(id, &m).await, "needs_review");
    let console = Console::sign_in(&app).await;
    let (_, queue) = console.get("/console/reviews").await;
    assert!(
        queue.contains(&format!("/console/payments/{id}")),
        "{queue}"
    );
    assert!(
        queue.contains("underpaid") || queue.contains("under"),
        "the reason: {queue}"
    );

    let res = console
        .post(
            &format!("/console/payments/{id}/resolve"),
            &[("confirm", "on"), ("settle_as", "failed")],
        )
        .await;
    assert_eq!(res.status(), 400, "a note is required");
    act(
        &console,
        id,
        "resolve",
        &[
            ("settle_as", "failed"),
            ("note", "customer never paid the rest"),
        ],
    )
    .await;
    assert_eq!(app.status_of(id, &m).await, "failed");
    let entry = console_entry(&app, id, "resolve").await.expect("noted");
    assert_eq!(entry["note"], "customer never paid the rest");
    let (_, queue) = console.get("/console/reviews").await;
    assert!(queue.contains("Nothing to review."));
}
