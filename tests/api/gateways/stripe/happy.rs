//! Stripe paying paths: a session per payment, pay, the signed event applied, the return through
//! Payrail; a delayed method settling either way; and JPY, a zero-decimal currency, end to end.

use super::{attempt, checkout, create, journal, merchant, sim_session};
use crate::helpers::spawn_app;
use serde_json::json;

#[tokio::test]
async fn pay_at_stripe_completes_by_its_event_and_the_return_goes_to_the_merchant() {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    let p = create(&app, &m, "ST-1", "25.00", "SGD").await;
    let id = p["id"].as_str().unwrap();
    let session_id = p["external_id"].as_str().unwrap();
    assert!(session_id.starts_with("cs_"), "{p}");
    assert_eq!(
        (&p["status"], &p["provider"]),
        (&json!("pending"), &json!("stripe"))
    );
    assert_eq!(
        p["checkout_url"],
        format!("{}/stripe/checkout/{session_id}", app.sim_address)
    );
    let (reference, external, _) = attempt(&app).await;
    assert_eq!(external.as_deref(), Some(session_id));
    let held = sim_session(&app, session_id).await;
    assert_eq!(
        (
            &held["client_reference_id"],
            &held["amount_total"],
            &held["currency"],
            &held["mode"]
        ),
        (
            &json!(reference),
            &json!(2500),
            &json!("sgd"),
            &json!("payment")
        )
    );
    let success = held["success_url"].as_str().unwrap();
    assert!(
        success.starts_with(&format!("{}/checkout/{id}/return?t=", app.address)),
        "{success}"
    );
    assert!(
        success.ends_with("&session_id={CHECKOUT_SESSION_ID}"),
        "{success}"
    );
    assert!(held["cancel_url"]
        .as_str()
        .unwrap()
        .ends_with("&intent=cancel"));

    let (status, back) = checkout(&app, &p, "pay").await;
    let back = back.unwrap();
    assert_eq!(status, 303);
    assert!(
        back.ends_with(&format!("&session_id={session_id}")),
        "{back}"
    );
    assert_eq!(app.status_of(id, &m).await, "completed");
    let (_, full) = app.get(&format!("/v1/payments/{id}"), &m).await;
    assert_eq!(full["provider_status"], "checkout.session.completed");
    assert_eq!(journal(&app).await, [(true, Some("applied".into()))]);
    let intent = attempt(&app)
        .await
        .2
        .expect("the PaymentIntent kept from the event");
    assert_eq!(
        json!(intent),
        sim_session(&app, session_id).await["payment_intent"]["id"]
    );

    let res = app.client.get(&back).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(
        res.headers()["location"],
        format!("https://shop.example/thanks?payment_id={id}&status=completed").as_str()
    );
    // The return rechecked the session: its own words now.
    let (_, full) = app.get(&format!("/v1/payments/{id}"), &m).await;
    assert_eq!(full["provider_status"], "complete/paid");
}

#[tokio::test]
async fn a_delayed_method_is_processing_until_stripe_settles_it_either_way() {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    let good = create(&app, &m, "ST-2", "25.00", "SGD").await;
    let bad = create(&app, &m, "ST-3", "25.00", "SGD").await;
    for p in [&good, &bad] {
        assert_eq!(checkout(&app, p, "process").await.0, 303);
        assert_eq!(
            app.status_of(p["id"].as_str().unwrap(), &m).await,
            "processing"
        );
    }
    assert_eq!(checkout(&app, &good, "async_succeed").await.0, 200);
    assert_eq!(checkout(&app, &bad, "async_fail").await.0, 200);
    assert_eq!(
        app.status_of(good["id"].as_str().unwrap(), &m).await,
        "completed"
    );
    assert_eq!(
        app.status_of(bad["id"].as_str().unwrap(), &m).await,
        "failed"
    );
    // A recheck agrees with the events: the session and its intent say the same.
    let bid = bad["id"].as_str().unwrap();
    let (status, r) = app
        .post(&format!("/v1/payments/{bid}/recheck"), "", &m)
        .await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(
        (&r["status"], &r["provider_status"], &r["changed"]),
        (
            &json!("failed"),
            &json!("complete/unpaid/requires_payment_method"),
            &json!(false)
        )
    );
}

#[tokio::test]
async fn jpy_is_charged_in_whole_yen_and_refunded_in_part() {
    let app = spawn_app().await;
    let m = merchant(&app).await;
    let p = create(&app, &m, "ST-JPY", "1500", "JPY").await;
    let id = p["id"].as_str().unwrap();
    let session_id = p["external_id"].as_str().unwrap();
    let held = sim_session(&app, session_id).await;
    assert_eq!(
        (&held["amount_total"], &held["currency"]),
        (&json!(1500), &json!("jpy")),
        "¥1500 is 1500, not 150000"
    );
    checkout(&app, &p, "pay").await;
    assert_eq!(app.status_of(id, &m).await, "completed");
    let (_, full) = app.get(&format!("/v1/payments/{id}"), &m).await;
    assert_eq!(
        (&full["amount"], &full["currency"]),
        (&json!("1500"), &json!("JPY"))
    );

    let (status, r) = app
        .post(
            &format!("/v1/payments/{id}/refunds"),
            r#"{"amount":"500"}"#,
            &m,
        )
        .await;
    assert_eq!(status, 201, "{r}");
    assert_eq!(
        (&r["amount"], &r["status"]),
        (&json!("500"), &json!("completed"))
    );
    let charge = &sim_session(&app, session_id).await["payment_intent"]["latest_charge"];
    assert_eq!(charge["amount_refunded"], 500);
    let (_, full) = app.get(&format!("/v1/payments/{id}"), &m).await;
    assert_eq!(
        (&full["status"], &full["refunded_amount"]),
        (&json!("partially_refunded"), &json!("500"))
    );
    let (status, e) = app
        .post(
            &format!("/v1/payments/{id}/refunds"),
            r#"{"amount":"0.5"}"#,
            &m,
        )
        .await;
    assert_eq!(status, 400, "half a yen is refused before Stripe: {e}");
}
