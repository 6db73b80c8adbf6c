//! Item 1: once money settled on a HitPay charge, news about another charge of the same payment
//! request is evidence about that charge only. A late failure is noted and changes nothing; a
//! second charge that took money is a duplicate payment (review). Refunds keep going to the
//! charge that settled the payment.

use super::{checkout, create, hitpay_merchant, id, recheck, retrieve, timeline_types};
use crate::helpers::{spawn_app, TestApp};
use serde_json::{json, Value};

async fn another_charge(app: &TestApp, p: &Value, status: &str) {
    let res = app
        .client
        .post(format!(
            "{}/hitpay/_sim/checkout/{}/charge",
            app.sim_address,
            TestApp::sim_order_id(p)
        ))
        .json(&json!({ "status": status }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
}

async fn charge_of(app: &TestApp, payment_id: &str) -> Option<String> {
    sqlx::query_scalar("SELECT charge_id FROM attempts WHERE payment_id = $1")
        .bind(payment_id)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_late_failure_of_another_charge_changes_nothing_and_refunds_reach_the_paid_charge() {
    let app = spawn_app().await;
    let m = hitpay_merchant(&app).await;
    let p = create(&app, &m, "hitpay", "30.00", "SGD").await;
    checkout(&app, &p, "pay").await;
    let paid_charge = charge_of(&app, id(&p))
        .await
        .expect("the paid charge is known");

    another_charge(&app, &p, "failed").await;
    assert_eq!(
        charge_of(&app, id(&p)).await.as_deref(),
        Some(paid_charge.as_str())
    );
    let still = retrieve(&app, &m, id(&p)).await;
    assert_eq!(still["status"], "completed", "{still}");
    assert!(timeline_types(&app, &m, id(&p))
        .await
        .contains(&"charge.reported".to_string()));

    let (status, r) = app
        .post(
            &format!("/v1/payments/{}/refunds", id(&p)),
            r#"{"amount":"10.00"}"#,
            &m,
        )
        .await;
    assert_eq!((status, &r["status"]), (201, &json!("completed")), "{r}");
    assert_eq!(
        retrieve(&app, &m, id(&p)).await["status"],
        "partially_refunded"
    );
}

#[tokio::test]
async fn a_second_charge_that_took_money_is_a_duplicate_payment_for_review_flagged_once() {
    let app = spawn_app().await;
    let m = hitpay_merchant(&app).await;
    let p = create(&app, &m, "hitpay", "30.00", "SGD").await;
    checkout(&app, &p, "pay").await;
    let paid_charge = charge_of(&app, id(&p)).await.unwrap();

    another_charge(&app, &p, "succeeded").await;
    let review = retrieve(&app, &m, id(&p)).await;
    assert_eq!(review["status"], "needs_review", "{review}");
    assert!(review["status_detail"]
        .as_str()
        .unwrap()
        .starts_with("duplicate_payment"));
    assert_eq!(charge_of(&app, id(&p)).await, Some(paid_charge));
    // A recheck sees both charges on the request: still one duplicate, one review event.
    recheck(&app, &m, id(&p)).await;
    let duplicates: i64 =
        sqlx::query_scalar("SELECT count(*) FROM duplicate_charges WHERE payment_id = $1")
            .bind(id(&p))
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(duplicates, 1);
    let reviews: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM outbox_events WHERE payment_id = $1 AND type = 'payment.needs_review'",
    )
    .bind(id(&p))
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(reviews, 1);
}

#[tokio::test]
async fn a_duplicate_learnt_only_from_a_recheck_goes_to_review_too() {
    let app = spawn_app().await;
    let m = hitpay_merchant(&app).await;
    let p = create(&app, &m, "hitpay", "30.00", "SGD").await;
    checkout(&app, &p, "pay").await;
    // The duplicate's webhook is lost.
    let res = app
        .client
        .post(format!("{}/hitpay/_sim/webhooks", app.sim_address))
        .json(&json!({ "drop": 1 }))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success());
    another_charge(&app, &p, "succeeded").await;
    assert_eq!(retrieve(&app, &m, id(&p)).await["status"], "completed");
    let checked = recheck(&app, &m, id(&p)).await;
    assert_eq!(checked["status"], "needs_review", "{checked}");
}
