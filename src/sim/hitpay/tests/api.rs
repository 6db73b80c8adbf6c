//! The API routes in-process: HitPay's authentication and error answers, validation, records,
//! call counting. (Refunds and faults: `faults`.) The labels T1–T10: docs/gateways/hitpay.md.

use std::sync::Arc;

use actix_web::test::{self, TestRequest};
use actix_web::App;
use serde_json::{json, Value};

use super::super::{configure, HitPaySim};

pub(super) const KEY: &str = "hitpay_test_api_key";
pub(super) const FORM: &str = "application/x-www-form-urlencoded";

pub(super) fn create_form(reference: &str) -> String {
    format!("amount=25.00&currency=SGD&reference_number={reference}&redirect_url=https%3A%2F%2Fshop.example%2Freturn%3Ft%3Dabc&webhook=https%3A%2F%2Fshop.example%2Fhook&email=a%40b.sg&payment_methods%5B%5D=card")
}

pub(super) fn post(path: &str, key: Option<&str>, ct: &str, body: String) -> TestRequest {
    let mut req = TestRequest::post()
        .uri(path)
        .insert_header(("Content-Type", ct))
        .set_payload(body);
    if let Some(k) = key {
        req = req.insert_header(("X-BUSINESS-API-KEY", k));
    }
    req
}

pub(super) fn get(path: &str, key: &str) -> TestRequest {
    TestRequest::get()
        .uri(path)
        .insert_header(("X-BUSINESS-API-KEY", key))
}

macro_rules! app {
    ($sim:expr) => {{
        let sim = $sim.clone();
        test::init_service(App::new().configure(move |cfg| configure(cfg, &sim, "/sandbox"))).await
    }};
}

/// Sends a `TestRequest`; a future of (status, JSON body or null).
macro_rules! call {
    ($app:expr, $req:expr) => {
        async {
            let resp = test::call_service($app, $req.to_request()).await;
            let status = resp.status().as_u16();
            let body = test::read_body(resp).await;
            (
                status,
                serde_json::from_slice::<Value>(&body).unwrap_or(Value::Null),
            )
        }
    };
}

pub(super) use {app, call};

#[actix_web::test]
async fn authentication_is_refused_the_laravel_way() {
    let sim = Arc::new(HitPaySim::new(reqwest::Client::new()));
    let app = app!(sim);
    let unauth = json!({"message": "Unauthenticated."});
    for key in [None, Some("wrong"), Some("")] {
        let (s, b) = call!(
            &app,
            post(
                "/sandbox/hitpay/v1/payment-requests",
                key,
                FORM,
                create_form("R1")
            )
        )
        .await;
        assert_eq!((s, b), (401, unauth.clone()), "{key:?}");
    }
    let (s, b) = call!(&app, get("/sandbox/hitpay/v1/refund/x", "wrong")).await;
    assert_eq!((s, b), (401, unauth));
    assert!(sim.lock().requests.is_empty());
    assert_eq!(sim.stats().calls.create, 3, "refused calls still count");
}

#[actix_web::test]
async fn validation_answers_are_422_with_errors() {
    let sim = Arc::new(HitPaySim::new(reqwest::Client::new()));
    let app = app!(sim);
    let cases = [
        (
            "amount=25.00",
            "currency",
            "The currency field is required.",
        ),
        ("currency=SGD", "amount", "The amount field is required."),
        (
            "amount=0.29&currency=SGD",
            "amount",
            "The amount must be between 0.3 and 999999999.99.",
        ),
        (
            "amount=abc&currency=SGD",
            "amount",
            "The amount must be a number.",
        ),
        (
            "amount=1.00&currency=XXX",
            "currency",
            "The selected currency is invalid.",
        ),
        (
            "amount=1.00&currency=SGD&payment_methods[]=bitcoin",
            "payment_methods",
            "The selected payment methods is invalid.",
        ),
        (
            "amount=1.00&currency=SGD&expiry_date=2020-01-01+00%3A00%3A00",
            "expiry_date",
            "The expiry date must be a date after now.",
        ),
        (
            "amount=1.00&currency=SGD&redirect_url=notaurl",
            "redirect_url",
            "The redirect url format is invalid.",
        ),
    ];
    for (body, field, message) in cases {
        let (s, b) = call!(
            &app,
            post(
                "/sandbox/hitpay/v1/payment-requests",
                Some(KEY),
                FORM,
                body.into()
            )
        )
        .await;
        assert_eq!(
            (s, b),
            (
                422,
                json!({"message": message, "errors": {field: [message]}})
            ),
            "{body}"
        );
    }
    assert!(sim.lock().requests.is_empty());
}

#[actix_web::test]
async fn create_read_delete_and_not_found() {
    let sim = Arc::new(HitPaySim::new(reqwest::Client::new()));
    let app = app!(sim);
    let (s, created) = call!(
        &app,
        post(
            "/sandbox/hitpay/v1/payment-requests",
            Some(KEY),
            FORM,
            create_form("att_1")
        )
    )
    .await;
    assert_eq!(s, 200, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(id.len(), 36);
    assert_eq!(
        (
            &created["amount"],
            &created["currency"],
            &created["status"],
            &created["reference_number"]
        ),
        (
            &json!("25.00"),
            &json!("sgd"),
            &json!("pending"),
            &json!("att_1")
        )
    );
    assert_eq!(
        created["url"],
        format!("http://localhost:8080/sandbox/hitpay/checkout/{id}")
    );
    assert_eq!(created["payment_methods"], json!(["card"]));
    assert!(created.get("payments").is_none());
    // JSON bodies are accepted too (T4); numbers and strings alike.
    let (s, j) = call!(
        &app,
        post(
            "/sandbox/hitpay/v1/payment-requests/",
            Some(KEY),
            "application/json",
            json!({"amount": 10.5, "currency": "usd"}).to_string()
        )
    )
    .await;
    assert_eq!(
        (s, &j["amount"], &j["currency"]),
        (200, &json!("10.50"), &json!("usd"))
    );

    let (s, read) = call!(
        &app,
        get(&format!("/sandbox/hitpay/v1/payment-requests/{id}"), KEY)
    )
    .await;
    assert_eq!((s, &read["payments"]), (200, &json!([])));
    sim.add_account(super::super::state::Account {
        api_key: "other".into(),
        salt: "s".into(),
        event_salt: None,
    });
    let missing = json!({"message": format!("No query results for model [App\\Business\\PaymentRequest] {id}")});
    assert_eq!(
        call!(
            &app,
            get(
                &format!("/sandbox/hitpay/v1/payment-requests/{id}"),
                "other"
            )
        )
        .await,
        (404, missing)
    );

    let delete = |k: &str| {
        TestRequest::delete()
            .uri(&format!("/sandbox/hitpay/v1/payment-requests/{id}"))
            .insert_header(("X-BUSINESS-API-KEY", k.to_owned()))
    };
    assert_eq!(
        call!(&app, delete(KEY)).await,
        (200, json!({"success": true}))
    );
    let (_, after) = call!(
        &app,
        get(&format!("/sandbox/hitpay/v1/payment-requests/{id}"), KEY)
    )
    .await;
    assert_eq!(after["status"], "canceled");
    sim.lock().requests.get_mut(&id).unwrap().status = super::super::state::RequestStatus::Completed;
    assert_eq!(
        call!(&app, delete(KEY)).await,
        (
            400,
            json!({"message": "A completed payment request cannot be deleted."})
        )
    );
    let stats = serde_json::to_value(sim.stats()).unwrap();
    assert_eq!(
        stats["calls"],
        json!({"create": 2, "query": 3, "refund": 0, "cancel": 2})
    );
    assert_eq!(
        stats["by_reference"]["att_1"],
        json!({"create": 1, "query": 3, "refund": 0, "cancel": 2})
    );
}
