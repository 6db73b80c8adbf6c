//! API tests: authentication refusals, create and verify answers, validation, faults, controls
//! (the labels K1–K7: docs/gateways/pakhipay.md).

use actix_web::test::{init_service, TestRequest};
use actix_web::App;
use serde_json::{json, Value};

use super::support::{create_body, post, send, send_text, CREATE, KEY, VERIFY};
use crate::sim::{configure, Simulators};

macro_rules! app {
    ($sims:expr) => {
        init_service(App::new().configure(|c| configure(c, &$sims, ""))).await
    };
}

fn sims() -> Simulators {
    Simulators::new(reqwest::Client::new())
}

#[actix_web::test]
async fn a_missing_or_wrong_api_key_is_refused_with_401() {
    let sims = sims();
    let app = app!(sims);
    let body = create_body("ORDER-1", "100.00", None);
    for key in ["", "pk_wrong", "PK_TEST_API_KEY_123"] {
        let (status, text) = send_text(&app, post(CREATE, key, &body).to_request()).await;
        assert_eq!(
            (status, text.as_str()),
            (401, r#"{"status":0,"message":"Invalid API key"}"#),
            "{key:?}"
        );
        let verify = r#"{"transaction_id":"TRX1","amount":100.00}"#;
        let (status, text) = send_text(&app, post(VERIFY, key, verify).to_request()).await;
        assert_eq!(
            (status, text.as_str()),
            (401, r#"{"status":0,"message":"Invalid API key"}"#)
        );
    }
    assert!(sims.get::<crate::sim::pakhipay::PakhiPaySim>().lock().payments.is_empty());
    // Refused calls still reached the API and are counted.
    let stats = serde_json::to_value(sims.get::<crate::sim::pakhipay::PakhiPaySim>().stats()).unwrap();
    assert_eq!(
        stats["calls"],
        json!({"create": 3, "query": 3, "refund": 0, "cancel": 0})
    );
}

#[actix_web::test]
async fn create_answers_a_payment_url_on_the_checkout_page() {
    let sims = sims();
    let app = app!(sims);
    let body = create_body("att_01JD3ZK2Q4X8V9N6B5M7C1T0RA", "100.00", None);
    let (status, text) = send_text(&app, post(CREATE, KEY, &body).to_request()).await;
    assert_eq!(status, 200);
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v.as_object().unwrap().len(), 2, "{text}");
    assert_eq!(v["status"], 1);
    let url = v["payment_url"].as_str().unwrap();
    let id = url
        .strip_prefix("http://localhost:8080/pakhipay/checkout/")
        .unwrap();
    assert_eq!((id.len(), &id[..2]), (18, "pp"));
    let (status, page) = send_text(
        &app,
        TestRequest::get()
            .uri(&format!("/pakhipay/checkout/{id}"))
            .to_request(),
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        page.contains("100.00 BDT") && page.contains(">pending<"),
        "{page}"
    );
    // A second create with the same order_id is another link (no documented dedupe).
    let (_, again) = send_text(&app, post(CREATE, KEY, &body).to_request()).await;
    assert_ne!(again, text);
    let stats = serde_json::to_value(sims.get::<crate::sim::pakhipay::PakhiPaySim>().stats()).unwrap();
    assert_eq!(
        stats["by_reference"]["att_01JD3ZK2Q4X8V9N6B5M7C1T0RA"],
        json!({"create": 2, "query": 0})
    );
}

#[actix_web::test]
async fn invalid_requests_get_status_0_and_the_field() {
    let sims = sims();
    let app = app!(sims);
    let good: Value = serde_json::from_str(&create_body("O1", "100.00", None)).unwrap();
    let cases: Vec<(Value, &str)> = vec![
        (json!({"cus_name": null}), "cus_name is required"),
        (json!({"cus_email": ""}), "cus_email is required"),
        (json!({"cus_email": "nobody"}), "cus_email is invalid"),
        (json!({"amount": null}), "amount is invalid"),
        (json!({"amount": 0}), "amount is invalid"),
        (json!({"amount": -5}), "amount is invalid"),
        (json!({"amount": "1.005"}), "amount is invalid"),
        (json!({"amount": "abc"}), "amount is invalid"),
        (
            json!({"success_url": "ftp://x/y"}),
            "success_url is invalid",
        ),
        (json!({"cancel_url": 5}), "cancel_url is required"),
        (json!({"order_id": 5}), "order_id is invalid"),
        (
            json!({"callback_url": "not a url"}),
            "callback_url is invalid",
        ),
    ];
    for (patch, message) in cases {
        let mut body = good.clone();
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (status, text) =
            send_text(&app, post(CREATE, KEY, &body.to_string()).to_request()).await;
        assert_eq!(
            (status, text),
            (200, json!({"status": 0, "message": message}).to_string()),
            "{patch}"
        );
    }
    let mut no_amount = good.clone();
    no_amount.as_object_mut().unwrap().remove("amount");
    let (_, text) = send_text(&app, post(CREATE, KEY, &no_amount.to_string()).to_request()).await;
    assert_eq!(text, r#"{"status":0,"message":"amount is required"}"#);
    let (_, text) = send_text(&app, post(CREATE, KEY, "not json").to_request()).await;
    assert_eq!(text, r#"{"status":0,"message":"Invalid JSON body"}"#);
    // A numeric string is accepted for amount (K4).
    let mut string_amount = good.clone();
    string_amount["amount"] = json!("100.5");
    let (_, text) = send_text(
        &app,
        post(CREATE, KEY, &string_amount.to_string()).to_request(),
    )
    .await;
    assert!(text.starts_with(r#"{"status":1,"#), "{text}");
    assert_eq!(sims.get::<crate::sim::pakhipay::PakhiPaySim>().lock().payments.len(), 1);
}

#[actix_web::test]
async fn verify_knows_only_its_own_transactions_at_their_exact_amount() {
    let sims = sims();
    let app = app!(sims);
    let verify = |tx: &str, amount: &str| {
        post(
            VERIFY,
            KEY,
            &format!(r#"{{"transaction_id":"{tx}","amount":{amount}}}"#),
        )
    };
    let (_, text) = send_text(&app, verify("TRX404", "100.00").to_request()).await;
    assert_eq!(text, r#"{"status":0,"message":"Invalid transaction"}"#);
    let (_, text) = send_text(&app, post(VERIFY, KEY, r#"{"amount":1}"#).to_request()).await;
    assert_eq!(
        text,
        r#"{"status":0,"message":"transaction_id is required"}"#
    );

    let (_, created) = send_text(
        &app,
        post(CREATE, KEY, &create_body("O-V", "100.00", None)).to_request(),
    )
    .await;
    let url: Value = serde_json::from_str(&created).unwrap();
    let id = url["payment_url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let (status, _, _) = send(
        &app,
        TestRequest::post()
            .uri(&format!("/pakhipay/checkout/{id}/pay"))
            .to_request(),
    )
    .await;
    assert_eq!(status, 303);
    let tx = sims.get::<crate::sim::pakhipay::PakhiPaySim>().lock().payments[&id]
        .transaction_id
        .clone()
        .unwrap();
    for (amount, answer) in [
        ("100.00", r#"{"status":1,"message":"completed"}"#),
        ("100", r#"{"status":1,"message":"completed"}"#),
        ("\"100.0\"", r#"{"status":1,"message":"completed"}"#),
        ("99.99", r#"{"status":0,"message":"Amount mismatch"}"#),
    ] {
        let (status, text) = send_text(&app, verify(&tx, amount).to_request()).await;
        assert_eq!((status, text.as_str()), (200, answer), "{amount}");
    }
    // Another brand's key does not see this transaction.
    sims.get::<crate::sim::pakhipay::PakhiPaySim>()
        .add_account(super::super::state::Account::new("pk_other"));
    let other = post(
        VERIFY,
        "pk_other",
        &format!(r#"{{"transaction_id":"{tx}","amount":100.00}}"#),
    );
    let (_, text) = send_text(&app, other.to_request()).await;
    assert_eq!(text, r#"{"status":0,"message":"Invalid transaction"}"#);
    let stats = serde_json::to_value(sims.get::<crate::sim::pakhipay::PakhiPaySim>().stats()).unwrap();
    assert_eq!(
        stats["by_reference"]["O-V"],
        json!({"create": 1, "query": 5})
    );
}

#[actix_web::test]
async fn faults_apply_to_the_next_calls_only() {
    let sims = sims();
    let app = app!(sims);
    let arm = |mode: &str, count: u32, delay: u64| {
        TestRequest::post()
            .uri("/pakhipay/_sim/faults")
            .set_json(json!({"mode": mode, "count": count, "delay_ms": delay}))
            .to_request()
    };
    let create = || post(CREATE, KEY, &create_body("O-F", "10.00", None)).to_request();
    assert_eq!(send(&app, arm("http_500", 1, 0)).await.0, 200);
    let (status, text) = send_text(&app, create()).await;
    assert_eq!(
        (status, text.as_str()),
        (500, "<h1>Server Error (500)</h1>")
    );
    assert!(
        sims.get::<crate::sim::pakhipay::PakhiPaySim>().lock().payments.is_empty(),
        "500 does not process"
    );

    send(&app, arm("refuse", 1, 0)).await;
    let (status, headers, _) = send(&app, create()).await;
    assert_eq!(status, 503);
    assert_eq!(headers.get("connection").unwrap(), "close");
    assert!(
        sims.get::<crate::sim::pakhipay::PakhiPaySim>().lock().payments.is_empty(),
        "refuse does not process"
    );

    send(&app, arm("malformed", 1, 0)).await;
    let (status, text) = send_text(&app, create()).await;
    assert_eq!(status, 200);
    assert!(serde_json::from_str::<Value>(&text).is_err(), "{text}");
    assert_eq!(
        sims.get::<crate::sim::pakhipay::PakhiPaySim>().lock().payments.len(),
        1,
        "malformed processes"
    );

    send(&app, arm("slow", 1, 50)).await;
    let started = std::time::Instant::now();
    let (status, text) = send_text(&app, create()).await;
    assert!(started.elapsed() >= std::time::Duration::from_millis(50));
    assert!(
        status == 200 && text.starts_with(r#"{"status":1"#),
        "{text}"
    );
    assert_eq!(sims.get::<crate::sim::pakhipay::PakhiPaySim>().lock().payments.len(), 2, "slow processes");

    let (_, text) = send_text(&app, create()).await;
    assert!(
        text.starts_with(r#"{"status":1"#),
        "faults are used up: {text}"
    );
    let (_, text) = send_text(&app, arm("sideways", 1, 0)).await;
    assert!(text.contains("mode must be"), "{text}");
}

#[actix_web::test]
async fn account_controls_stats_and_reset() {
    let sims = sims();
    let app = app!(sims);
    let control = |path: &str, body: Value| {
        TestRequest::post()
            .uri(&format!("/pakhipay/_sim/{path}"))
            .set_json(body)
            .to_request()
    };
    let (status, _) = send_text(&app, control("accounts", json!({"api_key": "pk_x y"}))).await;
    assert_eq!(status, 400);
    let (status, _) = send_text(
        &app,
        control(
            "accounts",
            json!({"api_key": "pk_x", "signature_style": "perl"}),
        ),
    )
    .await;
    assert_eq!(status, 400);
    let (status, _) = send_text(
        &app,
        control("accounts", json!({"api_key": "pk_x", "nope": 1})),
    )
    .await;
    assert_eq!(status, 400);
    let (status, _) = send_text(
        &app,
        control(
            "accounts",
            json!({"api_key": "pk_x", "append_transaction_id": true, "webhook_attempts": 1}),
        ),
    )
    .await;
    assert_eq!(status, 200);
    let account = sims.get::<crate::sim::pakhipay::PakhiPaySim>().lock().accounts["pk_x"].clone();
    assert!(
        account.append_transaction_id && account.send_webhooks && account.webhook_attempts == 1
    );
    let (_, text) = send_text(
        &app,
        post(CREATE, "pk_x", &create_body("O-X", "5.00", None)).to_request(),
    )
    .await;
    assert!(text.starts_with(r#"{"status":1"#), "{text}");
    send(&app, control("reset", json!({}))).await;
    let (_, stats) = send_text(
        &app,
        TestRequest::get().uri("/pakhipay/_sim/stats").to_request(),
    )
    .await;
    assert_eq!(
        stats,
        r#"{"calls":{"create":0,"query":0,"refund":0,"cancel":0},"by_reference":{},"webhooks_sent":0}"#
    );
    assert!(
        sims.get::<crate::sim::pakhipay::PakhiPaySim>().lock().accounts.contains_key("pk_x"),
        "accounts survive a reset"
    );
}
