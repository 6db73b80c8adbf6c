//! Checkout and webhook tests: outcomes, the synchronous signed webhook to a real local receiver,
//! the re-send control, and a timed-out create resumed over real HTTP via `serve` (the labels
//! S1–S10: docs/gateways/paystablecoin.md).

use actix_web::test::{init_service, TestRequest};
use actix_web::App;
use serde_json::{json, Value};

use super::super::signing::{sign, verify, webhook_string_a, webhook_string_b};
use super::support::{create_body, got as inbox, now_ms, receiver, send, send_json, signed};
use super::support::{KEY, ORDERS, SECRET};
use crate::sim::{configure, serve, Simulators};

macro_rules! app {
    ($sims:expr) => {
        init_service(App::new().configure(|c| configure(c, &$sims, ""))).await
    };
}

fn create(id: &str, value: &str, callback: &str) -> TestRequest {
    let body = create_body(id, value, Some(callback));
    signed("POST", "/paystablecoin", ORDERS, "", &body, &now_ms())
}

fn outcome(acq: &str, what: &str) -> TestRequest {
    TestRequest::post().uri(&format!("/paystablecoin/checkout/{acq}/{what}"))
}

#[actix_web::test]
async fn checkout_pay_sends_signed_webhook_then_redirects() {
    let (base, received, handle) = receiver();
    let sims = Simulators::new(reqwest::Client::new());
    let app = app!(sims);
    let callback = format!("{base}/webhook/payment");
    let (_, v) = send_json(
        &app,
        create("ORDER_CHECKOUT_0001", "99.99", &callback).to_request(),
    )
    .await;
    let acq = v["data"]["acquiringOrderId"].as_str().unwrap().to_owned();

    let (status, html) = send(
        &app,
        TestRequest::get()
            .uri(&format!("/paystablecoin/checkout/{acq}"))
            .to_request(),
    )
    .await;
    let html = String::from_utf8(html).unwrap();
    assert_eq!(status, 200);
    assert!(
        html.contains("99.99 USD") && html.contains(&acq) && html.contains(">INIT<"),
        "{html}"
    );
    assert!(html.contains(&format!("action=\"{acq}/pay\"")), "{html}");

    let resp = actix_web::test::call_service(&app, outcome(&acq, "pay").to_request()).await;
    assert_eq!(resp.status().as_u16(), 303);
    assert_eq!(
        resp.headers().get("Location").unwrap(),
        "https://shop.example/return"
    );

    // Sent synchronously: already there when the redirect arrived.
    let got = inbox(&received);
    assert_eq!(got.len(), 1);
    let hook = &got[0];
    assert_eq!(hook.path, "/webhook/payment");
    assert_eq!(hook.header("content-type"), "application/json");
    let ts: i64 = hook.header("x-timestamp").parse().unwrap();
    assert!((chrono::Utc::now().timestamp_millis() - ts).abs() < 60_000);
    let msg = webhook_string_b(hook.header("x-timestamp"), "/webhook/payment", &hook.body);
    assert_eq!(hook.header("x-signature"), sign(SECRET, &msg));
    assert!(!verify(
        SECRET,
        &webhook_string_a(hook.header("x-timestamp"), &hook.body),
        hook.header("x-signature")
    ));

    let body: Value = hook.json();
    assert_eq!(body["acquiringOrderId"], acq.as_str());
    assert_eq!(body["merchantOrderId"], "ORDER_CHECKOUT_0001");
    assert_eq!(body["status"], "SUCCEEDED");
    assert_eq!(
        body["orderAmount"],
        json!({"value": "99.99", "currency": "USD"})
    );
    assert_eq!(
        body["cryptoPaidAmount"],
        json!({"value": "99.99", "currency": "USDT"})
    );
    assert!(body["paidTime"].as_str().unwrap().ends_with('Z'));
    let keys: Vec<&str> = std::str::from_utf8(&hook.body)
        .unwrap()
        .split("\":")
        .map(|s| s.rsplit('"').next().unwrap())
        .collect();
    assert_eq!(
        &keys[..keys.len() - 1],
        [
            "acquiringOrderId",
            "paymentOrderId",
            "merchantOrderId",
            "status",
            "orderAmount",
            "value",
            "currency",
            "cryptoPaymentAmount",
            "value",
            "currency",
            "cryptoPaidAmount",
            "value",
            "currency",
            "createdTime",
            "paidTime"
        ]
    );

    // Finished: no further change, no further webhook.
    let (status, _) = send(&app, outcome(&acq, "fail").to_request()).await;
    assert_eq!(status, 409);
    let (_, s) = send_json(
        &app,
        TestRequest::get()
            .uri("/paystablecoin/_sim/stats")
            .to_request(),
    )
    .await;
    assert_eq!(s["webhooks_sent"], 1);
    assert_eq!(inbox(&received).len(), 1);
    handle.stop(false).await;
}

#[actix_web::test]
async fn outcomes_follow_s9_and_variant_a_accounts_sign_the_body() {
    let (base, received, handle) = receiver();
    let sims = Simulators::new(reqwest::Client::new());
    let app = app!(sims);
    let account = json!({"merchant_id": "2000", "api_key": "KEY_A", "api_secret": "secret-a", "webhook_variant": "body"});
    let add = TestRequest::post()
        .uri("/paystablecoin/_sim/accounts")
        .set_json(account);
    assert_eq!(send(&app, add.to_request()).await.0, 200);

    let body = create_body(
        "ORDER_VARIANT_A_01",
        "10.00",
        Some(&format!("{base}/hook?src=psc")),
    );
    let path = "/api/v1/merchants/2000/orders";
    let ts = now_ms();
    let to_sign = super::super::signing::request_string_to_sign(&ts, "POST", path, "", body.as_bytes());
    let req = TestRequest::post()
        .uri(&format!("/paystablecoin{path}"))
        .insert_header(("X-Api-Key", "KEY_A"))
        .insert_header(("X-Timestamp", ts.as_str()))
        .insert_header(("X-Signature", sign("secret-a", to_sign.as_bytes())))
        .set_payload(body);
    let (_, v) = send_json(&app, req.to_request()).await;
    assert_eq!(v["code"], "00000", "{v}");
    let acq = v["data"]["acquiringOrderId"].as_str().unwrap().to_owned();

    assert_eq!(
        send(&app, outcome(&acq, "process").to_request()).await.0,
        303
    );
    assert_eq!(
        send(&app, outcome(&acq, "underpay").to_request()).await.0,
        303
    );
    let got = inbox(&received);
    assert_eq!(got.len(), 2);
    for hook in &got {
        assert_eq!(
            hook.header("x-signature"),
            sign("secret-a", &webhook_string_a(hook.header("x-timestamp"), &hook.body))
        );
    }
    let first: Value = got[0].json();
    assert_eq!(
        (first["status"].as_str(), first["paidTime"].is_null()),
        (Some("PROCESSING"), true)
    );
    let second: Value = got[1].json();
    assert_eq!(second["status"], "SUCCEEDED");
    assert_eq!(second["cryptoPaymentAmount"]["value"], "10.00");
    assert_eq!(second["cryptoPaidAmount"]["value"], "5.00");

    // FAILED and CLOSED send no hosted webhook (S9), but still redirect.
    for what in ["fail", "cancel", "expire"] {
        let id = format!("ORDER_NO_HOOK_{what}_1");
        let (_, v) = send_json(
            &app,
            create(&id, "1.00", &format!("{base}/hook")).to_request(),
        )
        .await;
        let acq = v["data"]["acquiringOrderId"].as_str().unwrap().to_owned();
        assert_eq!(send(&app, outcome(&acq, what).to_request()).await.0, 303);
    }
    assert_eq!(inbox(&received).len(), 2);

    assert_eq!(
        send(&app, outcome("ORD_NOPE", "pay").to_request()).await.0,
        404
    );
    assert_eq!(
        send(&app, outcome(&acq, "refund").to_request()).await.0,
        400
    );
    handle.stop(false).await;
}

#[actix_web::test]
async fn resend_control_duplicates_and_tampers() {
    let (base, received, handle) = receiver();
    let sims = Simulators::new(reqwest::Client::new());
    let app = app!(sims);
    let (_, v) = send_json(
        &app,
        create("ORDER_RESEND_00001", "3.00", &format!("{base}/wh")).to_request(),
    )
    .await;
    let acq = v["data"]["acquiringOrderId"].as_str().unwrap().to_owned();
    let resend = |b: Value| {
        TestRequest::post()
            .uri(&format!("/paystablecoin/_sim/checkout/{acq}/webhook"))
            .set_json(b)
    };
    assert_eq!(
        send(&app, resend(json!({})).to_request()).await.0,
        404,
        "nothing sent yet"
    );
    send(&app, outcome(&acq, "pay").to_request()).await;

    let (status, v) = send_json(&app, resend(json!({"copies": 2})).to_request()).await;
    assert_eq!(
        (status, v),
        (200, json!({"sent": 2, "statuses": [200, 200]}))
    );
    let (_, _) = send_json(&app, resend(json!({"tamper": true})).to_request()).await;
    let got = inbox(&received);
    assert_eq!(got.len(), 4);
    let ok = |h: &super::support::Received| {
        verify(
            SECRET,
            &webhook_string_b(h.header("x-timestamp"), "/wh", &h.body),
            h.header("x-signature"),
        )
    };
    assert_eq!(
        got.iter().map(ok).collect::<Vec<_>>(),
        [true, true, true, false]
    );
    assert!(got.iter().all(|h| h.body == got[0].body));
    let (_, s) = send_json(
        &app,
        TestRequest::get()
            .uri("/paystablecoin/_sim/stats")
            .to_request(),
    )
    .await;
    assert_eq!(s["webhooks_sent"], 4);
    handle.stop(false).await;
}

#[actix_web::test]
async fn timeout_fault_processes_so_a_client_can_resume_over_real_http() {
    let sims = Simulators::new(reqwest::Client::new());
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}/paystablecoin", listener.local_addr().unwrap());
    let server = serve(listener, sims.clone()).unwrap();
    let handle = server.handle();
    actix_web::rt::spawn(server);
    let client = reqwest::Client::new();
    client
        .post(format!("{base}/_sim/faults"))
        .json(&json!({"mode": "timeout", "count": 1, "delay_ms": 1500}))
        .send()
        .await
        .unwrap();

    let body = create_body("ORDER_TIMEOUT_0001", "7.00", None);
    let post = |ts: String| {
        let s = super::super::signing::request_string_to_sign(&ts, "POST", ORDERS, "", body.as_bytes());
        client
            .post(format!("{base}{ORDERS}"))
            .header("X-Api-Key", KEY)
            .header("X-Timestamp", ts)
            .header("X-Signature", sign(SECRET, s.as_bytes()))
            .header("Content-Type", "application/json")
            .body(body.clone())
            .timeout(std::time::Duration::from_millis(300))
    };
    let first = post(now_ms()).send().await;
    assert!(first.unwrap_err().is_timeout());
    let again: Value = post(now_ms()).send().await.unwrap().json().await.unwrap();
    assert_eq!(again["code"], "20001");

    let ts = now_ms();
    let qpath = format!("{ORDERS}/ORDER_TIMEOUT_0001");
    let s = super::super::signing::request_string_to_sign(&ts, "GET", &qpath, "", b"");
    let q: Value = client
        .get(format!("{base}{qpath}"))
        .header("X-Api-Key", KEY)
        .header("X-Timestamp", ts)
        .header("X-Signature", sign(SECRET, s.as_bytes()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(q["code"], "00000");
    let acq = q["data"]["acquiringOrderId"].as_str().unwrap();
    assert_eq!(q["data"]["checkoutUrl"], format!("{base}/checkout/{acq}"));
    assert_eq!(sims.get::<crate::sim::paystablecoin::PscSim>().stats().calls.create, 2);
    handle.stop(false).await;
}
