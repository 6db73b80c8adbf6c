//! The payment endpoints: answers key for key, idempotent replays, validation, reads, faults,
//! and the call counters.

use actix_web::test::{init_service, TestRequest};
use actix_web::App;
use serde_json::{json, Value};
use std::sync::Arc;

use super::super::state::Account;
use super::support::{create_body, send, send_json, signed, PAYMENTS};
use super::super::{configure, HimoSoftSim};

macro_rules! app {
    ($sim:expr) => {
        init_service(App::new().configure(|c| configure(c, &$sim, ""))).await
    };
}

fn sim() -> Arc<HimoSoftSim> {
    Arc::new(HimoSoftSim::new(reqwest::Client::new()))
}

#[actix_web::test]
async fn create_answers_like_the_doc_and_replays_an_idempotency_key_byte_for_byte() {
    let sim = sim();
    let app = app!(sim);
    let body = create_body(
        "1500.00",
        "att_A",
        Some("https://shop.example/hook"),
        Some("att_A"),
    );
    let (status, first) = send(&app, signed("POST", PAYMENTS, &body).to_request()).await;
    assert_eq!(status, 200);
    let text = String::from_utf8(first.clone()).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    let id = v["id"].as_str().unwrap();
    assert!(id.starts_with("pay_") && id.len() == 16, "{id}");
    let expected = format!(
        r#"{{"id":"{id}","status":"pending","amount":"1500.00","checkout_url":"http://localhost:8080/himosoft/checkout/{}"}}"#,
        &id[4..]
    );
    assert_eq!(text, expected);
    // Same key (even with other parameters): the cached answer, byte for byte.
    let other = create_body("99.00", "att_B", None, Some("att_A"));
    let (status, again) = send(&app, signed("POST", PAYMENTS, &other).to_request()).await;
    assert_eq!((status, again), (200, first.clone()));
    // No key: a new payment each time.
    let no_key = create_body("1500.00", "att_A", None, None);
    let (_, third) = send(&app, signed("POST", PAYMENTS, &no_key).to_request()).await;
    assert_ne!(third, first);
    let stats = serde_json::to_value(sim.stats()).unwrap();
    assert_eq!(
        stats["calls"],
        json!({"create": 3, "query": 0, "refund": 0, "cancel": 0})
    );
    assert_eq!(
        stats["by_reference"]["att_A"],
        json!({"create": 2, "query": 0})
    );
    assert_eq!(
        stats["by_reference"]["att_B"],
        json!({"create": 1, "query": 0})
    );
}

#[actix_web::test]
async fn invalid_requests_are_400_in_the_envelope() {
    let app = app!(sim());
    let invalid =
        json!({"error": "invalid_request", "message": "Missing parameters or malformed payload."});
    for body in [
        "not json".to_owned(),
        "[]".to_owned(),
        json!({"currency": "BDT"}).to_string(),
        json!({"amount": 1500, "currency": "BDT"}).to_string(),
        json!({"amount": "15.001", "currency": "BDT"}).to_string(),
        json!({"amount": "0.00", "currency": "BDT"}).to_string(),
        json!({"amount": "-1.00", "currency": "BDT"}).to_string(),
        json!({"amount": "1e3", "currency": "BDT"}).to_string(),
        json!({"amount": "10.00"}).to_string(),
        json!({"amount": "10.00", "currency": "EUR"}).to_string(),
        json!({"amount": "10.00", "currency": "BDT", "callback_url": "ftp://x"}).to_string(),
        json!({"amount": "10.00", "currency": "BDT", "order_id": 5}).to_string(),
    ] {
        assert_eq!(
            send_json(&app, signed("POST", PAYMENTS, &body).to_request()).await,
            (400, invalid.clone()),
            "{body}"
        );
    }
    let usd = json!({"amount": "10.00", "currency": "USD"}).to_string();
    assert_eq!(
        send_json(&app, signed("POST", PAYMENTS, &usd).to_request())
            .await
            .0,
        200
    );
}

#[actix_web::test]
async fn reads_recheck_verify_and_retrieve() {
    let sim = sim();
    let app = app!(sim);
    let body = create_body("1500.00", "att_R", None, None);
    let (_, created) = send_json(&app, signed("POST", PAYMENTS, &body).to_request()).await;
    let id = created["id"].as_str().unwrap().to_owned();
    let (status, v) = send_json(
        &app,
        signed("GET", &format!("{PAYMENTS}{id}/recheck/"), "").to_request(),
    )
    .await;
    assert_eq!(status, 200);
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "id",
            "status",
            "reconciled",
            "external_id",
            "recheck_time",
            "amount",
            "currency"
        ]
    );
    assert_eq!(
        (
            &v["id"],
            &v["status"],
            &v["reconciled"],
            &v["external_id"],
            &v["amount"]
        ),
        (
            &json!(id),
            &json!("pending"),
            &json!(true),
            &Value::Null,
            &json!("1500.00")
        )
    );
    let (_, v) = send_json(
        &app,
        signed("POST", &format!("{PAYMENTS}{id}/verify/"), "").to_request(),
    )
    .await;
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["id", "status", "external_id", "verification_time"]);
    let (_, v) = send_json(
        &app,
        signed("GET", &format!("{PAYMENTS}{id}/"), "").to_request(),
    )
    .await;
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["id", "status", "amount", "currency", "created_at"]);
    assert_eq!(
        (&v["amount"], &v["currency"]),
        (&json!("1500.00"), &json!("BDT"))
    );

    let not_found = json!({"error": "not_found", "message": "Transaction not found."});
    for uri in [
        format!("{PAYMENTS}pay_nothing/recheck/"),
        format!("{PAYMENTS}{}/recheck/", &id[4..]),
    ] {
        assert_eq!(
            send_json(&app, signed("GET", &uri, "").to_request()).await,
            (404, not_found.clone())
        );
    }
    // Another account's payment is not found either.
    sim.add_account(Account {
        secret: "himo_sk_b".into(),
        api_key: Some("himo_pk_b".into()),
        return_url: None,
    });
    let ts = super::support::now_s();
    let req = TestRequest::get()
        .uri(&format!("{PAYMENTS}{id}/recheck/"))
        .insert_header(("X-API-Key", "himo_pk_b"))
        .insert_header(("X-Timestamp", ts.as_str()))
        .insert_header((
            "X-HMAC-Signature",
            super::super::signing::sign("himo_sk_b", &ts, b"").as_str(),
        ));
    assert_eq!(send_json(&app, req.to_request()).await, (404, not_found));
    let stats = serde_json::to_value(sim.stats()).unwrap();
    assert_eq!(stats["calls"]["query"], 6);
    assert_eq!(
        stats["by_reference"]["att_R"],
        json!({"create": 1, "query": 5})
    );
}

#[actix_web::test]
async fn faults_apply_to_the_next_api_calls() {
    let sim = sim();
    let app = app!(sim);
    let fault = |mode: &str, count: u32| {
        TestRequest::post()
            .uri("/himosoft/_sim/faults")
            .set_json(json!({"mode": mode, "count": count, "delay_ms": 10}))
            .to_request()
    };
    let body = create_body("10.00", "att_F", None, Some("k-F"));
    assert_eq!(send(&app, fault("http_500", 1)).await.0, 200);
    let (status, answer) = send(&app, signed("POST", PAYMENTS, &body).to_request()).await;
    assert_eq!(
        (status, answer),
        (
            500,
            br#"{"error":"server_error","message":"Internal server error."}"#.to_vec()
        )
    );
    assert!(sim.lock().payments.is_empty(), "a 500 processes nothing");
    assert_eq!(send(&app, fault("refuse", 1)).await.0, 200);
    assert_eq!(
        send(&app, signed("POST", PAYMENTS, &body).to_request())
            .await
            .0,
        503
    );
    assert!(sim.lock().payments.is_empty());
    assert_eq!(send(&app, fault("malformed", 1)).await.0, 200);
    let (status, garbage) = send(&app, signed("POST", PAYMENTS, &body).to_request()).await;
    assert_eq!(status, 200);
    assert!(serde_json::from_slice::<Value>(&garbage).is_err());
    assert_eq!(
        sim.lock().payments.len(),
        1,
        "malformed processes, then garbles"
    );
    assert_eq!(send(&app, fault("timeout", 1)).await.0, 200);
    let (status, late) = send(&app, signed("POST", PAYMENTS, &body).to_request()).await;
    let (_, normal) = send(&app, signed("POST", PAYMENTS, &body).to_request()).await;
    assert_eq!(
        (status, &late),
        (200, &normal),
        "the replay after the timeout is the same answer"
    );
    assert_eq!(sim.lock().payments.len(), 1);
    assert_eq!(send(&app, fault("bogus", 1)).await.0, 400);
    assert_eq!(sim.stats().calls.create, 5);
}
