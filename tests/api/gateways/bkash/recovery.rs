//! When the customer does not come back: the reconciler executes an approved payment, expires one
//! never approved (or approved too late), and a merchant's cancel never executes.

use super::*;
use crate::delivery::worker;
use crate::helpers::spawn_app;
use chrono::Duration;
use reqwest::Method;

#[tokio::test]
async fn an_approval_whose_customer_closed_the_browser_is_executed_by_the_reconciler() {
    let app = spawn_app().await;
    let m = merchant(&app, CREDENTIALS[0], json!({})).await;
    let p = create(&app, &m, "BK-R1").await;
    let id = p["id"].as_str().unwrap();
    on_page(&app, &p, "authorise").await; // and never follows the redirect
    assert_eq!(app.status_of(id, &m).await, "pending");

    let orch = worker(&app).await;
    orch.clock.advance(Duration::seconds(61));
    let report = orch.reconcile_due().await.unwrap();
    assert_eq!((report.checked, report.changed), (1, 1));
    assert_eq!(app.status_of(id, &m).await, "completed");
    let (_, events) = app.get(&format!("/v1/payments/{id}/events/"), &m).await;
    let completed = events
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == "payment.completed");
    assert_eq!(completed.unwrap()["source"], "reconciler");
    assert_eq!(stats(&app).await["executed"], 1);
    assert_eq!(at_bkash(&app, id).await["paid"], "100.00");

    // The customer comes back after all: nothing more is executed.
    let back = format!("{}/checkout/return/bkash", app.address);
    let account: String = sqlx::query_scalar("SELECT id FROM provider_accounts")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let external = p["external_id"].as_str().unwrap();
    let late = format!("{back}/{account}?paymentID={external}&status=success");
    assert!(follow(&app, &late).await.ends_with("status=completed"));
    assert_eq!(stats(&app).await["executes"], 1);
}

#[tokio::test]
async fn a_payment_never_approved_or_approved_too_late_expires_unexecuted() {
    let app = spawn_app().await;
    let m = merchant(&app, CREDENTIALS[0], json!({})).await;
    let never = create(&app, &m, "BK-R2").await;
    let late = create(&app, &m, "BK-R3").await;
    let orch = worker(&app).await;
    // Past the window (15 min by default) and the grace (an hour): Payrail gives up on both.
    orch.clock.advance(Duration::hours(3));
    on_page(&app, &late, "authorise").await;
    let report = orch.reconcile_due().await.unwrap();
    assert_eq!((report.checked, report.expired), (2, 2), "{report:?}");
    for p in [&never, &late] {
        assert_eq!(
            app.status_of(p["id"].as_str().unwrap(), &m).await,
            "expired"
        );
    }
    let s = stats(&app).await;
    assert_eq!(
        (&s["executes"], &s["executed"]),
        (&json!(0), &json!(0)),
        "{s}"
    );
    // The customer's late return finds it expired, and still executes nothing.
    let back = on_page(&app, &never, "authorise").await;
    assert!(follow(&app, &back).await.ends_with("status=expired"));
    assert_eq!(stats(&app).await["executes"], 0);
}

#[tokio::test]
async fn a_merchant_cancel_of_an_approved_payment_never_executes_it() {
    let app = spawn_app().await;
    let m = merchant(&app, CREDENTIALS[0], json!({})).await;
    let p = create(&app, &m, "BK-R4").await;
    let id = p["id"].as_str().unwrap();
    let back = on_page(&app, &p, "authorise").await;
    let (status, cancelled) = app.post(&format!("/v1/payments/{id}/cancel"), "", &m).await;
    assert_eq!(
        (status, &cancelled["status"]),
        (200, &json!("cancelled")),
        "{cancelled}"
    );
    assert!(follow(&app, &back).await.ends_with("status=cancelled"));
    let orch = worker(&app).await;
    orch.clock.advance(Duration::seconds(61));
    orch.reconcile_due().await.unwrap();
    assert_eq!(app.status_of(id, &m).await, "cancelled");
    let s = stats(&app).await;
    assert_eq!(
        (&s["executes"], &s["executed"]),
        (&json!(0), &json!(0)),
        "{s}"
    );
    assert_eq!(at_bkash(&app, id).await["paid"], "0.00");
}

/// bKash throttles the execute (HTTP 429, `Retry-After`) of a recheck whose query found the
/// approval: the confirm shares the throttle as a query would, so nothing calls the account again
/// before `Retry-After`; after it, the reconciler executes the approval.
#[tokio::test]
async fn a_throttled_execute_holds_the_account_back_until_its_retry_after() {
    let app = spawn_app().await;
    let m = merchant(&app, CREDENTIALS[0], json!({})).await;
    let p = create(&app, &m, "BK-R9").await;
    let id = p["id"].as_str().unwrap();
    on_page(&app, &p, "authorise").await; // and never follows the redirect
    let throttle = json!({ "mode": "rate_limited", "after": 1, "retry_after_secs": 120 });
    sim(&app, "faults", throttle).await;

    // Two rechecks, each signed at its own second (a signature is single-use): both from one
    // clock reading, so the second can never land on the first's second.
    let recheck = format!("/v1/payments/{id}/recheck");
    let now = chrono::Utc::now().timestamp();
    let signed = |ts: i64| {
        app.signed_at(
            &app.address,
            Method::POST,
            &recheck,
            "",
            &m,
            &ts.to_string(),
        )
    };
    let first = signed(now).send().await.unwrap();
    assert_eq!(first.status(), 502, "{}", first.text().await.unwrap());
    assert_eq!(stats(&app).await["executed"], 0);
    assert_eq!(app.status_of(id, &m).await, "pending");
    let calls = stats(&app).await["calls"].clone();
    // The merchant asks again.
    assert_eq!(signed(now - 1).send().await.unwrap().status(), 502);
    assert_eq!(
        stats(&app).await["calls"],
        calls,
        "bKash was called before its Retry-After"
    );

    let orch = worker(&app).await;
    orch.clock.advance(Duration::seconds(121));
    orch.reconcile_due().await.unwrap();
    assert_eq!(app.status_of(id, &m).await, "completed");
    assert_eq!(stats(&app).await["executed"], 1);
}
