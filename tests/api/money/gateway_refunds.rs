//! Item 3: refunds made at the gateway, outside Payrail (its dashboard), appear as refund rows
//! marked `origin: gateway`; the payment's refunded amount is always the sum of its completed
//! rows; nothing beyond the paid amount is ever refunded, by Payrail or by the simulator.

use super::{checkout, create, hitpay_merchant, id, recheck, refunds, retrieve};
use crate::helpers::{spawn_app, Merchant, TestApp};
use serde_json::{json, Value};

/// A refund in the gateway's dashboard (the simulator's control); its answer's status.
async fn dashboard_refund(app: &TestApp, provider: &str, sim_id: &str, body: Value) -> u16 {
    app.client
        .post(format!(
            "{}/{provider}/_sim/checkout/{sim_id}/refund",
            app.sim_address
        ))
        .json(&body)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn paid_hitpay(app: &TestApp, m: &Merchant) -> Value {
    let p = create(app, m, "hitpay", "30.00", "SGD").await;
    checkout(app, &p, "pay").await;
    p
}

#[tokio::test]
async fn a_full_refund_in_hitpays_dashboard_is_a_gateway_refund_row_and_nothing_more_can_go_back() {
    let app = spawn_app().await;
    let m = hitpay_merchant(&app).await;
    let p = paid_hitpay(&app, &m).await;
    assert_eq!(
        dashboard_refund(&app, "hitpay", &TestApp::sim_order_id(&p), json!({})).await,
        200
    );

    let after = retrieve(&app, &m, id(&p)).await;
    assert_eq!(
        (&after["status"], &after["refunded_amount"]),
        (&json!("refunded"), &json!("30.00")),
        "{after}"
    );
    let rows = refunds(&app, &m, id(&p)).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(
        (&rows[0]["amount"], &rows[0]["status"], &rows[0]["origin"]),
        (&json!("30.00"), &json!("completed"), &json!("gateway"))
    );
    let (status, err) = app.refund(&m, id(&p), json!({})).await;
    assert_eq!(
        (status, &err["error"]),
        (422, &json!("refund_exceeds_payment"))
    );
    assert_eq!(app.sim_stats_of("hitpay").await["calls"]["refund"], 0);
}

#[tokio::test]
async fn a_partial_dashboard_refund_leaves_the_rest_refundable_through_payrail() {
    let app = spawn_app().await;
    let m = hitpay_merchant(&app).await;
    let p = paid_hitpay(&app, &m).await;
    assert_eq!(
        dashboard_refund(
            &app,
            "hitpay",
            &TestApp::sim_order_id(&p),
            json!({ "amount": "10.00" })
        )
        .await,
        200
    );
    let after = retrieve(&app, &m, id(&p)).await;
    assert_eq!(
        (&after["status"], &after["refunded_amount"]),
        (&json!("partially_refunded"), &json!("10.00"))
    );
    let (status, r) = app.refund(&m, id(&p), json!({})).await;
    assert_eq!(
        (status, &r["amount"], &r["status"]),
        (201, &json!("20.00"), &json!("completed")),
        "{r}"
    );
    let done = retrieve(&app, &m, id(&p)).await;
    assert_eq!(
        (&done["status"], &done["refunded_amount"]),
        (&json!("refunded"), &json!("30.00"))
    );
    // A redelivered dashboard webhook changes nothing.
    let res = app
        .client
        .post(format!(
            "{}/hitpay/_sim/checkout/{}/webhook",
            app.sim_address,
            TestApp::sim_order_id(&p)
        ))
        .json(&json!({ "copies": 2 }))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success());
    assert_eq!(refunds(&app, &m, id(&p)).await.len(), 2);
}

#[tokio::test]
async fn a_dashboard_refund_whose_webhook_was_lost_is_learnt_by_a_recheck_and_the_simulator_refuses_an_over_refund(
) {
    let app = spawn_app().await;
    let m = hitpay_merchant(&app).await;
    let p = paid_hitpay(&app, &m).await;
    let lose = app
        .client
        .post(format!("{}/hitpay/_sim/webhooks", app.sim_address))
        .json(&json!({ "drop": 1 }))
        .send()
        .await
        .unwrap();
    assert!(lose.status().is_success());
    assert_eq!(
        dashboard_refund(
            &app,
            "hitpay",
            &TestApp::sim_order_id(&p),
            json!({ "amount": "25.00" })
        )
        .await,
        200
    );
    assert_eq!(retrieve(&app, &m, id(&p)).await["status"], "completed");
    // Payrail does not know yet and asks for 20.00 of the 5.00 left: HitPay refuses.
    let (status, err) = app.refund(&m, id(&p), json!({ "amount": "20.00" })).await;
    assert_eq!(
        (status, &err["error"]),
        (422, &json!("provider_rejected")),
        "{err}"
    );
    let checked = recheck(&app, &m, id(&p)).await;
    assert_eq!(checked["status"], "partially_refunded", "{checked}");
    let after = retrieve(&app, &m, id(&p)).await;
    assert_eq!(after["refunded_amount"], "25.00");
    let rows = refunds(&app, &m, id(&p)).await;
    let kinds: Vec<(&Value, &Value)> = rows.iter().map(|r| (&r["status"], &r["origin"])).collect();
    assert_eq!(
        kinds,
        vec![
            (&json!("failed"), &json!("api")),
            (&json!("completed"), &json!("gateway"))
        ]
    );
}

#[tokio::test]
async fn a_refund_in_paystablecoins_dashboard_is_a_gateway_refund_row() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    let p = app.create_payment(&m, json!({})).await;
    app.sim_checkout(&p, "pay").await;
    let order = TestApp::sim_order_id(&p);
    assert_eq!(
        dashboard_refund(&app, "paystablecoin", &order, json!({})).await,
        200
    );
    let after = retrieve(&app, &m, id(&p)).await;
    assert_eq!(
        (&after["status"], &after["refunded_amount"]),
        (&json!("refunded"), &json!("25.00")),
        "{after}"
    );
    let rows = refunds(&app, &m, id(&p)).await;
    assert_eq!((rows.len(), &rows[0]["origin"]), (1, &json!("gateway")));
    // A second refund in the dashboard is refused by the gateway itself.
    assert_eq!(
        dashboard_refund(&app, "paystablecoin", &order, json!({})).await,
        409
    );
    let (status, _) = app.refund(&m, id(&p), json!({})).await;
    assert_eq!(status, 422);
}
