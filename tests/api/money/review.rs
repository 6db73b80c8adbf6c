//! Ops settle review cases through the admin API: a payment held for a double payment, and a
//! refund the gateway never confirmed. Settled duplicates never bring the payment back to
//! review; refused settlements change nothing.

use super::{checkout, create, hitpay_merchant, id, recheck, refunds, retrieve};
use crate::delivery::worker;
use crate::helpers::spawn_app;
use chrono::Duration;
use serde_json::json;

#[tokio::test]
async fn ops_settle_a_double_payment_and_its_duplicate_never_reopens_the_review() {
    let app = spawn_app().await;
    let m = hitpay_merchant(&app).await;
    let p = create(&app, &m, "hitpay", "30.00", "SGD").await;
    checkout(&app, &p, "pay").await;
    let request = p["checkout_url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let res = app
        .client
        .post(format!(
            "{}/hitpay/_sim/checkout/{request}/charge",
            app.sim_address
        ))
        .json(&json!({ "status": "succeeded" }))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success());
    assert_eq!(retrieve(&app, &m, id(&p)).await["status"], "needs_review");

    // Not in review, a bad body, no token: refused, nothing changes.
    let (status, err) = app
        .resolve("payments", id(&p), json!({ "settle_as": "done" }))
        .await;
    assert_eq!(
        (status, &err["error"]),
        (400, &json!("invalid_request")),
        "{err}"
    );
    let anonymous = app
        .client
        .post(format!(
            "{}/v1/admin/payments/{}/resolve",
            app.address,
            id(&p)
        ))
        .json(&json!({ "settle_as": "paid" }))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);

    let (status, settled) = app
        .resolve(
            "payments",
            id(&p),
            json!({ "settle_as": "paid", "note": "duplicate refunded in HitPay's dashboard" }),
        )
        .await;
    assert_eq!(
        (status, &settled["status"]),
        (200, &json!("completed")),
        "{settled}"
    );
    let (_, events) = app
        .get(&format!("/v1/payments/{}/events", id(&p)), &m)
        .await;
    let last_change = events
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|e| e["to_status"] == "completed")
        .unwrap()
        .clone();
    assert_eq!(last_change["source"], "admin");
    // The duplicate is still on the request: rechecks see it, and it stays settled.
    recheck(&app, &m, id(&p)).await;
    assert_eq!(retrieve(&app, &m, id(&p)).await["status"], "completed");
    let (status, again) = app
        .resolve("payments", id(&p), json!({ "settle_as": "paid" }))
        .await;
    assert_eq!((status, &again["error"]), (409, &json!("invalid_state")));
}

#[tokio::test]
async fn ops_settle_a_refund_the_gateway_never_confirmed() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    let p = app.create_payment(&m, json!({})).await;
    app.sim_checkout(&p, "pay").await;
    // The refund request never reaches PayStableCoin's books, and every lookup fails for a day.
    super::fault(&app, "paystablecoin", "http_500", 1).await;
    let (_, r) = app
        .post(&format!("/v1/payments/{}/refunds", id(&p)), "{}", &m)
        .await;
    super::fault(&app, "paystablecoin", "http_500", 1000).await;
    let orch = worker(&app).await;
    orch.clock.advance(Duration::hours(25));
    orch.reconcile_due().await.unwrap();
    super::fault(&app, "paystablecoin", "none", 0).await;
    assert_eq!(refunds(&app, &m, id(&p)).await[0]["status"], "needs_review");

    let refund_id = r["id"].as_str().unwrap();
    let (status, settled) = app
        .resolve(
            "refunds",
            refund_id,
            json!({ "settle_as": "failed", "note": "not in PayStableCoin's ledger" }),
        )
        .await;
    assert_eq!(
        (status, &settled["status"]),
        (200, &json!("failed")),
        "{settled}"
    );
    assert!(settled["status_detail"]
        .as_str()
        .unwrap()
        .starts_with("settled by ops"));
    // Refundable again, and a settled refund cannot be settled twice.
    let (status, _) = app
        .resolve("refunds", refund_id, json!({ "settle_as": "completed" }))
        .await;
    assert_eq!(status, 409);
    let (status, second) = app
        .post(
            &format!("/v1/payments/{}/refunds", id(&p)),
            r#"{"reason":"again"}"#,
            &m,
        )
        .await;
    assert_eq!(status, 201, "{second}");
}
