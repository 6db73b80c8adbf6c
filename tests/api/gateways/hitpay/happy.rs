//! HitPay paying paths: pay, signed webhook, completed; a refund by the webhook's charge id.

use super::{attempt, checkout, create, merchant, sim, sim_request, API_KEY, SALT};
use crate::helpers::spawn_app;
use payrail::providers::{AccountContext, Outcome, ProviderAdapter, RefundRequest, RefundStatus};
use rust_decimal::Decimal;
use serde_json::json;

#[tokio::test]
async fn pay_at_hitpay_webhook_completes_and_the_return_goes_to_the_merchant() {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    let p = create(&app, &m, "SG-1").await;
    let id = p["id"].as_str().unwrap();
    let request_id = p["external_id"].as_str().unwrap();
    assert_eq!(
        (&p["status"], &p["provider"]),
        (&json!("pending"), &json!("hitpay"))
    );
    assert_eq!(
        p["checkout_url"],
        format!("{}/hitpay/checkout/{request_id}", app.sim_address)
    );
    let (reference, external, _) = attempt(&app).await;
    assert_eq!(external.as_deref(), Some(request_id));
    let held = sim_request(&app, request_id).await;
    assert_eq!(
        (
            &held["reference_number"],
            &held["amount"],
            &held["currency"]
        ),
        (&json!(reference), &json!("25.00"), &json!("sgd"))
    );
    assert!(held["redirect_url"]
        .as_str()
        .unwrap()
        .starts_with(&format!("{}/checkout/{id}/return?t=", app.address)));

    let back = checkout(&app, &p, "pay").await;
    assert!(
        back.starts_with(&format!("{}/checkout/{id}/return?t=", app.address)),
        "{back}"
    );
    assert!(
        back.ends_with(&format!("&reference={request_id}&status=completed")),
        "{back}"
    );
    assert_eq!(app.status_of(id, &m).await, "completed");
    assert_eq!(app.journal().await, [(true, Some("applied".into()))]);
    let charge = attempt(&app)
        .await
        .2
        .expect("payment_id kept from the webhook");
    assert_eq!(
        json!(charge),
        sim_request(&app, request_id).await["payments"][0]["id"]
    );

    let res = app.client.get(&back).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(
        res.headers()["location"],
        format!("https://shop.example/thanks?payment_id={id}&status=completed").as_str()
    );
    let (_, full) = app.get(&format!("/v1/payments/{id}"), &m).await;
    assert_eq!(full["provider_status"], "completed");
}

#[tokio::test]
async fn the_adapter_refunds_by_the_charge_id_from_the_webhook() {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    let p = create(&app, &m, "SG-12").await;
    checkout(&app, &p, "pay").await;
    let (_, external, charge) = attempt(&app).await;
    let adapter = payrail::providers::hitpay::HitPay::new(reqwest::Client::new());
    let account = AccountContext {
        account_id: "acc".into(),
        credentials: json!({ "api_key": API_KEY, "salt": SALT }),
        base_url: format!("{}/hitpay", app.sim_address),
        webhook_url: String::new(),
    };
    let refund = RefundRequest {
        reference: "rfd_1".into(),
        payment_external_id: external.unwrap(),
        payment_charge_id: charge,
        amount: Decimal::new(500, 2),
        currency: "SGD".into(),
        reason: None,
    };
    match adapter.refund(&account, &refund).await {
        Outcome::Succeeded(r) => assert_eq!(
            (r.status, r.provider_status.as_str()),
            (RefundStatus::Completed, "succeeded")
        ),
        other => panic!("{other:?}"),
    }
    let held = sim_request(&app, p["external_id"].as_str().unwrap()).await;
    assert_eq!(
        (
            &held["payments"][0]["status"],
            &held["payments"][0]["refunded_amount"]
        ),
        (&json!("partially_refunded"), &json!("5.00"))
    );
    assert_eq!(sim(&app, "stats", None).await["calls"]["refund"], 1);
}
