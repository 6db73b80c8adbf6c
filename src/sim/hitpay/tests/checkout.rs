//! The checkout page and its outcomes: record changes, the webhooks a real receiver gets (v1 form,
//! signed), the redirect, re-sends and lost webhooks. (Background retries are not tested: they
//! could only be observed by waiting.) The labels T1–T10: docs/gateways/hitpay.md.

use std::sync::Arc;

use actix_web::test::{self, TestRequest};
use actix_web::App;
use serde_json::{json, Value};

use super::super::signing::v1_hmac;
use super::super::{configure, HitPayConfig, HitPaySim};
use crate::sim::common::test_receiver::receiver;

const KEY: &str = "hitpay_test_api_key";
fn create(hook: &str, extra: &str) -> TestRequest {
    let hook = url::form_urlencoded::byte_serialize(hook.as_bytes()).collect::<String>();
    TestRequest::post()
        .uri("/hitpay/v1/payment-requests")
        .insert_header(("X-BUSINESS-API-KEY", KEY))
        .insert_header(("Content-Type", "application/x-www-form-urlencoded"))
        .set_payload(format!("amount=25.00&currency=SGD&reference_number=att_9&phone=%2B6591234567&redirect_url=https%3A%2F%2Fpay.example%2Fback%3Ft%3Dabc&webhook={hook}{extra}"))
}

macro_rules! setup {
    ($config:expr, $status:expr) => {{
        let sim = Arc::new(HitPaySim::with_config(reqwest::Client::new(), $config));
        let (hook, inbox, _) = receiver($status);
        let s = sim.clone();
        let app = test::init_service(App::new().configure(move |cfg| configure(cfg, &s, ""))).await;
        (sim, app, hook, inbox)
    }};
}

macro_rules! json_of {
    ($app:expr, $req:expr) => {{
        let resp = test::call_service($app, $req.to_request()).await;
        let status = resp.status().as_u16();
        (
            status,
            serde_json::from_slice::<Value>(&test::read_body(resp).await).unwrap_or(Value::Null),
        )
    }};
}

/// Runs `outcome` on a fresh request; returns (request id, HTTP status, Location).
macro_rules! outcome {
    ($app:expr, $hook:expr, $outcome:expr) => {{
        let (_, created) = json_of!($app, create(&$hook, ""));
        let id = created["id"].as_str().unwrap().to_owned();
        let resp = test::call_service(
            $app,
            TestRequest::post()
                .uri(&format!("/hitpay/checkout/{id}/{}", $outcome))
                .to_request(),
        )
        .await;
        let location = resp
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_owned());
        (id, resp.status().as_u16(), location.unwrap_or_default())
    }};
}

macro_rules! read {
    ($app:expr, $id:expr) => {
        json_of!(
            $app,
            TestRequest::get()
                .uri(&format!("/hitpay/v1/payment-requests/{}", $id))
                .insert_header(("X-BUSINESS-API-KEY", KEY))
        )
        .1
    };
}

fn signed_fields(body: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect()
}

#[actix_web::test]
async fn pay_sends_the_signed_v1_form_then_redirects_with_reference_and_status() {
    let (sim, app, hook, inbox) = setup!(HitPayConfig::default(), 200);
    let (id, status, location) = outcome!(&app, hook, "pay");
    assert_eq!(status, 303);
    assert_eq!(
        location,
        format!("https://pay.example/back?t=abc&reference={id}&status=completed")
    );
    let got = inbox.lock().unwrap().clone();
    assert_eq!(got.len(), 1, "delivered before the redirect");
    assert_eq!(got[0].header("content-type"), "application/x-www-form-urlencoded");
    let fields = signed_fields(got[0].text());
    let names: Vec<&str> = fields.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        names,
        [
            "payment_id",
            "payment_request_id",
            "reference_number",
            "phone",
            "amount",
            "currency",
            "status",
            "hmac"
        ]
    );
    let state = read!(&app, id);
    let payment_id = state["payments"][0]["id"].as_str().unwrap();
    assert_eq!(&fields[0].1, payment_id);
    assert_eq!(
        fields[1..7]
            .iter()
            .map(|(_, v)| v.as_str())
            .collect::<Vec<_>>(),
        [
            id.as_str(),
            "att_9",
            "+6591234567",
            "25.00",
            "SGD",
            "completed"
        ]
    );
    assert_eq!(fields[7].1, v1_hmac("hitpay_test_salt", &fields[..7]));
    assert_eq!(
        (&state["status"], &state["payments"][0]["status"]),
        (&json!("completed"), &json!("succeeded"))
    );
    assert_eq!(sim.stats().webhooks_sent, 1);
}

#[actix_web::test]
async fn the_other_outcomes() {
    let (_sim, app, hook, inbox) = setup!(HitPayConfig::default(), 200);
    let (id, _, _) = outcome!(&app, hook, "underpay");
    assert_eq!(signed_fields(inbox.lock().unwrap()[0].text())[4].1, "12.50");
    assert_eq!(read!(&app, id)["status"], "completed");

    let (id, _, location) = outcome!(&app, hook, "fail");
    assert!(location.ends_with(&format!("&reference={id}&status=canceled")));
    assert_eq!(signed_fields(inbox.lock().unwrap()[1].text())[6].1, "failed");
    assert_eq!(read!(&app, id)["status"], "failed");

    for (word, status) in [("cancel", "canceled"), ("expire", "expired")] {
        let (id, code, location) = outcome!(&app, hook, word);
        assert_eq!(code, 303);
        assert!(location.ends_with("&status=canceled"), "{location}");
        assert_eq!(read!(&app, id)["status"], status);
    }
    assert_eq!(
        inbox.lock().unwrap().len(),
        2,
        "cancel and expire send no webhook"
    );

    let (id, _, location) = outcome!(&app, hook, "process");
    assert!(location.ends_with("&status=completed"));
    assert_eq!(
        inbox.lock().unwrap().len(),
        2,
        "T8: no pending webhook by default"
    );
    let waiting = read!(&app, id);
    assert_eq!(
        (&waiting["status"], &waiting["payments"][0]["status"]),
        (&json!("pending"), &json!("pending"))
    );
    let resp = test::call_service(
        &app,
        TestRequest::post()
            .uri(&format!("/hitpay/checkout/{id}/pay"))
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), 303);
    let done = read!(&app, id);
    assert_eq!(done["payments"].as_array().unwrap().len(), 1);
    assert_eq!(
        done["payments"][0]["id"], waiting["payments"][0]["id"],
        "the pending payment settled"
    );
    let again = test::call_service(
        &app,
        TestRequest::post()
            .uri(&format!("/hitpay/checkout/{id}/fail"))
            .to_request(),
    )
    .await;
    assert_eq!(again.status(), 409);
    let odd = test::call_service(
        &app,
        TestRequest::post()
            .uri(&format!("/hitpay/checkout/{id}/refund"))
            .to_request(),
    )
    .await;
    assert_eq!(odd.status(), 400);
}

#[actix_web::test]
async fn the_page_escapes_what_the_merchant_sent() {
    let (_sim, app, hook, _inbox) = setup!(HitPayConfig::default(), 200);
    let (_, created) = json_of!(
        &app,
        create(&hook, "&purpose=%3Cscript%3Ealert(1)%3C%2Fscript%3E")
    );
    let id = created["id"].as_str().unwrap();
    let resp = test::call_service(
        &app,
        TestRequest::get()
            .uri(&format!("/hitpay/checkout/{id}"))
            .to_request(),
    )
    .await;
    let html = String::from_utf8(test::read_body(resp).await.to_vec()).unwrap();
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !html.contains("<script>"));
    for o in ["pay", "fail", "cancel", "expire", "underpay", "process"] {
        assert!(html.contains(&format!("action=\"{id}/{o}\"")), "{o}");
    }
}

#[actix_web::test]
async fn resend_duplicates_or_tampers_and_lost_webhooks_are_never_sent() {
    let (sim, app, hook, inbox) = setup!(HitPayConfig::default(), 200);
    let (id, _, _) = outcome!(&app, hook, "pay");
    let resend = |tamper: bool| {
        TestRequest::post()
            .uri(&format!("/hitpay/_sim/checkout/{id}/webhook"))
            .set_json(json!({"copies": 2, "tamper": tamper}))
    };
    assert_eq!(
        json_of!(&app, resend(false)),
        (200, json!({"sent": 2, "statuses": [200, 200]}))
    );
    json_of!(&app, resend(true));
    let got = inbox.lock().unwrap().clone();
    assert_eq!(got.len(), 5);
    assert_eq!(got[1].text(), got[0].text(), "a duplicate is the same bytes");
    assert_ne!(got[3].text(), got[0].text());
    assert_eq!(
        signed_fields(got[3].text())[..7],
        signed_fields(got[0].text())[..7],
        "only the hmac is broken"
    );

    let (s, _) = json_of!(
        &app,
        TestRequest::post()
            .uri("/hitpay/_sim/webhooks")
            .set_json(json!({"drop": 1}))
    );
    assert_eq!(s, 200);
    outcome!(&app, hook, "pay");
    assert_eq!(inbox.lock().unwrap().len(), 5);
    assert_eq!(sim.stats().webhooks_sent, 5);
    let missing = test::call_service(
        &app,
        TestRequest::post()
            .uri("/hitpay/_sim/checkout/nope/webhook")
            .to_request(),
    )
    .await;
    assert_eq!(missing.status(), 404);
}
