//! API tests through `actix_web::test`: authentication refusals, validation, verify's answers,
//! IPN settings, call counters and faults. The labels P1–P10: docs/gateways/paymento.md.

use actix_web::test::{init_service, TestRequest};
use actix_web::App;
use serde_json::{json, Value};

use super::support::{create_body, post, send, send_json, KEY};
use crate::sim::{configure, Simulators};

const RETURN: &str = "https://shop.example/return";

macro_rules! app {
    ($sims:expr) => {
        init_service(App::new().configure(|c| configure(c, &$sims, ""))).await
    };
}

fn sims() -> Simulators {
    Simulators::new(reqwest::Client::new())
}

#[actix_web::test]
async fn auth_refusals_on_every_api_route() {
    let sims = sims();
    let app = app!(sims);
    for path in [
        "/v1/payment/request",
        "/v1/payment/verify",
        "/v1/payment/settings",
    ] {
        let bare = TestRequest::post()
            .uri(&format!("/paymento{path}"))
            .set_payload("{}")
            .to_request();
        let (status, body) = send(&app, bare).await;
        assert_eq!(status, 400, "{path}");
        assert!(body.contains("API_KEY_MISSING"), "{path}: {body}");
        let wrong = post(path, "{}")
            .insert_header(("api-key", "nope"))
            .to_request();
        let (status, v) = send_json(&app, wrong).await;
        assert_eq!(status, 401, "{path}");
        assert_eq!(
            v,
            json!({"success": false, "message": "Invalid API key", "body": null})
        );
    }
    let get = TestRequest::get()
        .uri("/paymento/v1/payment/settings")
        .to_request();
    assert_eq!(send(&app, get).await.0, 400);
    assert_eq!(sims.get::<crate::sim::paymento::PaymentoSim>().stats().calls.create, 2);
}

#[actix_web::test]
async fn create_answers_a_token_and_validates_like_the_gateway() {
    let sims = sims();
    let app = app!(sims);
    let (status, v) = send_json(
        &app,
        post("/v1/payment/request", &create_body("att_1", 1, RETURN)).to_request(),
    )
    .await;
    assert_eq!(
        (status, &v["success"], &v["message"]),
        (200, &json!(true), &json!(""))
    );
    let token = v["body"].as_str().unwrap();
    assert_eq!(token.len(), 32);
    assert!(token
        .bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));

    let refused = |body: Value, message: &str| {
        (
            400,
            json!({"success": false, "message": message, "body": null}),
            body,
        )
    };
    let base = json!({"fiatAmount": "25.00", "fiatCurrency": "USD", "returnUrl": RETURN, "orderId": "att_2"});
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    for (status, expected, body) in [
        refused(with("fiatAmount", json!("ten")), "Invalid fiat amount"),
        refused(with("fiatAmount", json!("0")), "Invalid fiat amount"),
        refused(with("fiatCurrency", json!("XYZ")), "Invalid fiat currency"),
        refused(
            with("returnUrl", json!("http://shop.example/r")),
            "Only HTTPS URLs are allowed. Provided scheme: http",
        ),
        refused(
            with("returnUrl", json!("ftp://shop.example/r")),
            "Invalid return URL",
        ),
        refused(with("returnUrl", json!(null)), "ReturnUrl is required"),
        refused(with("riskSpeed", json!(2)), "Invalid risk speed"),
        refused(json!([1]), "Invalid request"),
    ] {
        let (s, v) = send_json(
            &app,
            post("/v1/payment/request", &body.to_string()).to_request(),
        )
        .await;
        assert_eq!((s, &v), (status, &expected), "{body}");
    }
    // Loopback http is allowed; docs' PascalCase and old aliases bind (P4); numbers too.
    for body in [
        with(
            "returnUrl",
            json!("http://127.0.0.1:8080/checkout/pay_1/return?t=x"),
        ),
        with("returnUrl", json!("http://localhost/r")),
        json!({"FiatAmount": 10.5, "FiatCurrency": "EUR", "ReturnUrl": RETURN, "OrderId": "att_3", "Speed": 0}),
    ] {
        let (s, v) = send_json(
            &app,
            post("/v1/payment/request", &body.to_string()).to_request(),
        )
        .await;
        assert_eq!((s, &v["success"]), (200, &json!(true)), "{body}: {v}");
    }
    let stats = sims.get::<crate::sim::paymento::PaymentoSim>().stats();
    assert_eq!(stats.calls.create, 12);
    assert_eq!(stats.by_reference["att_2"].create, 9);
}

macro_rules! create {
    ($app:expr, $order_id:expr) => {{
        let body = create_body($order_id, 1, RETURN);
        let (_, v) = send_json(&$app, post("/v1/payment/request", &body).to_request()).await;
        v["body"].as_str().unwrap().to_owned()
    }};
}

#[actix_web::test]
async fn verify_reports_then_approves_a_paid_order() {
    let sims = sims();
    let app = app!(sims);
    let token = create!(app, "att_v");
    let verify =
        |t: &str| post("/v1/payment/verify", &json!({"token": t}).to_string()).to_request();

    let (status, v) = send_json(&app, verify(&token)).await;
    assert_eq!(status, 200);
    assert_eq!(
        v,
        json!({"success": false, "message": "Payment is not approved. Order status: Initialize", "body": {
            "token": token, "orderId": "att_v", "orderStatus": 0, "additionalData": [],
            "settlement": {"expectedCryptoAmount": 25.00, "requestedFiatAmount": 25.00,
                           "receivedCryptoAmount": 0, "pendingTxHash": "", "coin": "USDT"}}})
    );
    let (_, raw) = send(&app, verify(&token)).await;
    assert!(
        raw.contains(r#""requestedFiatAmount":25.00,"#),
        "exact digits: {raw}"
    );

    sims.get::<crate::sim::paymento::PaymentoSim>().lock().orders.get_mut(&token).unwrap().status = super::super::state::Status::Paid;
    for _ in 0..2 {
        let (_, v) = send_json(&app, verify(&token)).await;
        assert_eq!(
            (&v["success"], &v["message"], &v["body"]["orderStatus"]),
            (&json!(true), &json!(""), &json!(8))
        );
    }
    let invalid = json!({"success": false, "message": "Invalid Token", "body": null});
    assert_eq!(
        send_json(&app, verify("0123456789abcdef0123456789abcdef")).await,
        (200, invalid.clone())
    );
    assert_eq!(
        send_json(&app, post("/v1/payment/verify", "{}").to_request()).await,
        (200, invalid.clone())
    );
    // Another merchant's token is as unknown as a made-up one.
    sims.get::<crate::sim::paymento::PaymentoSim>().add_account("other_key", "other_secret");
    let other = post("/v1/payment/verify", &json!({"Token": token}).to_string())
        .insert_header(("Api-Key", "other_key"))
        .to_request();
    assert_eq!(send_json(&app, other).await, (200, invalid));

    let stats = sims.get::<crate::sim::paymento::PaymentoSim>().stats();
    assert_eq!(
        (stats.calls.query, stats.by_reference["att_v"].query),
        (7, 5)
    );
}

#[actix_web::test]
async fn ipn_settings_are_stored_per_account_in_any_spelling() {
    let sims = sims();
    let app = app!(sims);
    for (body, url) in [
        (
            r#"{"IPN_Url":"https://payrail.example/v1/webhooks/paymento/acc_1/","IPN_Method":1}"#,
            "https://payrail.example/v1/webhooks/paymento/acc_1/",
        ),
        (
            r#"{"ipN_URL":"http://127.0.0.1:9/ipn","ipN_Method":2}"#,
            "http://127.0.0.1:9/ipn",
        ),
        (
            r#"{"IPN_Url ":"https://x.example/ipn"}"#,
            "https://x.example/ipn",
        ),
    ] {
        let (status, v) = send_json(&app, post("/v1/payment/settings", body).to_request()).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(v["body"]["ipN_URL"], url);
    }
    let get = TestRequest::get()
        .uri("/paymento/v1/payment/settings")
        .insert_header(("Api-Key", KEY))
        .to_request();
    let (_, raw) = send(&app, get).await;
    assert_eq!(
        raw,
        r#"{"success":true,"message":"","body":{"ipN_URL":"https://x.example/ipn","ipN_Method":1}}"#
    );
    for (body, message) in [
        (r#"{"IPN_Url":"not a url"}"#, "Invalid IPN URL"),
        (
            r#"{"IPN_Url":"https://x/ipn","IPN_Method":5}"#,
            "Invalid IPN method",
        ),
    ] {
        let (status, v) = send_json(&app, post("/v1/payment/settings", body).to_request()).await;
        assert_eq!((status, &v["message"]), (400, &json!(message)));
    }
    let (_, all) = send_json(
        &app,
        TestRequest::get()
            .uri("/paymento/_sim/settings")
            .to_request(),
    )
    .await;
    assert_eq!(
        all[KEY],
        json!({"ipn_url": "https://x.example/ipn", "ipn_method": 1, "updates": 3})
    );
}

#[actix_web::test]
async fn faults_apply_to_the_next_api_calls() {
    let sims = sims();
    let app = app!(sims);
    let fault = |f: Value| {
        TestRequest::post()
            .uri("/paymento/_sim/faults")
            .set_json(f)
            .to_request()
    };
    let create_req = || post("/v1/payment/request", &create_body("att_f", 1, RETURN)).to_request();

    send(&app, fault(json!({"mode": "http_500", "count": 2}))).await;
    for _ in 0..2 {
        let (status, body) = send(&app, create_req()).await;
        assert_eq!(
            (status, body.as_str()),
            (
                500,
                r#"{"success":false,"message":"Internal server error","body":null}"#
            )
        );
    }
    assert!(
        sims.get::<crate::sim::paymento::PaymentoSim>().lock().orders.is_empty(),
        "a 500 processes nothing"
    );
    send(&app, fault(json!({"mode": "refuse"}))).await;
    let resp = actix_web::test::call_service(&app, create_req()).await;
    assert_eq!(resp.status().as_u16(), 503);
    assert_eq!(resp.headers().get("connection").unwrap(), "close");
    send(&app, fault(json!({"mode": "malformed"}))).await;
    let (status, body) = send(&app, create_req()).await;
    assert_eq!(status, 200);
    assert!(serde_json::from_str::<Value>(&body).is_err(), "{body}");
    assert!(body.starts_with(r#"{"success":true"#), "{body}");
    assert_eq!(sims.get::<crate::sim::paymento::PaymentoSim>().lock().orders.len(), 1, "malformed processes");
    send(&app, fault(json!({"mode": "timeout", "delay_ms": 20}))).await;
    let (status, v) = send_json(&app, create_req()).await;
    assert_eq!((status, &v["success"]), (200, &json!(true)));
    assert_eq!(sims.get::<crate::sim::paymento::PaymentoSim>().lock().orders.len(), 2);
    assert_eq!(send(&app, create_req()).await.0, 200, "faults used up");
    let (status, v) = send_json(&app, fault(json!({"mode": "sometimes"}))).await;
    assert_eq!(
        (status, &v["error"]),
        (
            400,
            &json!("mode must be timeout, http_500, malformed, slow, queued, refuse, rate_limited or none")
        )
    );

    let (_, stats) = send_json(
        &app,
        TestRequest::get().uri("/paymento/_sim/stats").to_request(),
    )
    .await;
    assert_eq!(
        stats,
        json!({"calls": {"create": 6, "query": 0, "refund": 0, "cancel": 0},
               "by_reference": {"att_f": {"create": 6, "query": 0}}, "webhooks_sent": 0})
    );
    send(
        &app,
        TestRequest::post().uri("/paymento/_sim/reset").to_request(),
    )
    .await;
    assert_eq!(sims.get::<crate::sim::paymento::PaymentoSim>().stats().calls.create, 0);
    assert!(sims.get::<crate::sim::paymento::PaymentoSim>().lock().orders.is_empty());
}
