//! Refund validation and fault injection on the API routes.

use std::sync::Arc;

use actix_web::test::{self, TestRequest};
use actix_web::App;
use serde_json::{json, Value};

use super::api::{app, call, create_form, post, FORM, KEY};
use super::super::{configure, HitPaySim};

#[actix_web::test]
async fn refunds_need_a_payment_id() {
    let sim = Arc::new(HitPaySim::new(reqwest::Client::new()));
    let app = app!(sim);
    let (_, created) = call!(
        &app,
        post(
            "/sandbox/hitpay/v1/payment-requests",
            Some(KEY),
            FORM,
            create_form("att_2")
        )
    )
    .await;
    let id = created["id"].as_str().unwrap();
    let (s, b) = call!(
        &app,
        post(
            "/sandbox/hitpay/v1/refund",
            Some(KEY),
            FORM,
            format!("amount=1&payment_id={id}")
        )
    )
    .await;
    assert_eq!(
        (s, b),
        (
            404,
            json!({"message": format!("No query results for model [App\\Business\\Charge] {id}")})
        )
    );
    let (s, b) = call!(
        &app,
        post(
            "/sandbox/hitpay/v1/refund",
            Some(KEY),
            FORM,
            "amount=1".into()
        )
    )
    .await;
    assert_eq!(
        (s, &b["errors"]["payment_id"][0]),
        (422, &json!("The payment id field is required."))
    );
}

#[actix_web::test]
async fn faults_apply_to_the_next_api_calls() {
    let sim = Arc::new(HitPaySim::new(reqwest::Client::new()));
    let app = app!(sim);
    let arm = |mode: &str, count: u32| {
        TestRequest::post()
            .uri("/sandbox/hitpay/_sim/faults")
            .set_json(json!({"mode": mode, "count": count, "delay_ms": 10}))
    };
    assert_eq!(call!(&app, arm("http_500", 1)).await.0, 200);
    let (s, b) = call!(
        &app,
        post(
            "/sandbox/hitpay/v1/payment-requests",
            Some(KEY),
            FORM,
            create_form("att_3")
        )
    )
    .await;
    assert_eq!((s, b), (500, json!({"message": "Server Error"})));
    assert!(sim.lock().requests.is_empty(), "http_500 does not process");
    call!(&app, arm("malformed", 1)).await;
    let resp = test::call_service(
        &app,
        post(
            "/sandbox/hitpay/v1/payment-requests",
            Some(KEY),
            FORM,
            create_form("att_3"),
        )
        .to_request(),
    )
    .await;
    let body = test::read_body(resp).await;
    assert!(serde_json::from_slice::<Value>(&body).is_err());
    assert_eq!(sim.lock().requests.len(), 1, "malformed processes");
    call!(&app, arm("refuse", 1)).await;
    let resp = test::call_service(
        &app,
        post(
            "/sandbox/hitpay/v1/payment-requests",
            Some(KEY),
            FORM,
            create_form("att_3"),
        )
        .to_request(),
    )
    .await;
    assert_eq!(resp.status(), 503);
    call!(&app, arm("slow", 1)).await;
    let (s, _) = call!(
        &app,
        post(
            "/sandbox/hitpay/v1/payment-requests",
            Some(KEY),
            FORM,
            create_form("att_3")
        )
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(sim.lock().requests.len(), 2);
    assert_eq!(sim.stats().by_reference["att_3"].create, 4);
    let bad = TestRequest::post()
        .uri("/sandbox/hitpay/_sim/faults")
        .set_json(json!({"mode": "explode"}));
    assert_eq!(call!(&app, bad).await.0, 400);
}
