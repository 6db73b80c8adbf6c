//! The chaos controls: a late payment walks a closed order as `pay` does, with every signed IPN,
//! and the oracle reports what arrived; neither counts as an API call.

use std::sync::Arc;

use actix_web::test::{init_service, TestRequest};
use actix_web::{web, App};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

use super::support::{create_body, post, send, send_json, Received, Receiver, SECRET};
use super::super::{configure, PaymentoConfig, PaymentoSim};

const RETURN: &str = "http://127.0.0.1:8080/checkout/pay_1/return?t=abc";

macro_rules! app {
    ($sim:expr) => {{
        let sim = $sim.clone();
        init_service(App::new().configure(move |c: &mut web::ServiceConfig| configure(c, &sim, "")))
            .await
    }};
}

/// Points the account's IPNs at `ipn`, creates an order and returns its token.
macro_rules! order {
    ($app:expr, $ipn:expr, $order_id:expr, $risk:expr) => {{
        let settings = json!({"IPN_Url": $ipn, "IPN_Method": 1}).to_string();
        let (status, _) = send(&$app, post("/v1/payment/settings", &settings).to_request()).await;
        assert_eq!(status, 200);
        let body = create_body($order_id, $risk, RETURN);
        let (_, v) = send_json(&$app, post("/v1/payment/request", &body).to_request()).await;
        v["body"].as_str().unwrap().to_owned()
    }};
}

fn sim() -> Arc<PaymentoSim> {
    let config = PaymentoConfig {
        ipn_retry_delays: vec![],
        ..PaymentoConfig::default()
    };
    Arc::new(PaymentoSim::with_config(reqwest::Client::new(), config))
}

fn control(token: &str, what: &str) -> TestRequest {
    TestRequest::post().uri(&format!("/paymento/_sim/checkout/{token}/{what}"))
}

fn choose(token: &str, outcome: &str) -> TestRequest {
    TestRequest::post().uri(&format!("/paymento/checkout/{token}/{outcome}"))
}

fn oracle(reference: &str) -> TestRequest {
    TestRequest::get().uri(&format!("/paymento/_sim/orders?reference={reference}"))
}

/// The IPN signature of docs/gateways/paymento.md ("Webhook (IPN)") checked here: upper-case hex
/// HMAC-SHA256 of the raw body with the secret key.
fn signed_right(ipn: &Received) -> bool {
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(&ipn.body);
    ipn.header("x-hmac-sha256-signature") == hex::encode_upper(mac.finalize().into_bytes())
}

fn ipn_body(token: &str, payment_id: u32, order_id: &str, status: u8) -> String {
    format!(
        r#"{{"Token":"{token}","PaymentId":{payment_id},"OrderId":"{order_id}","OrderStatus":{status},"AdditionalData":[]}}"#
    )
}

#[actix_web::test]
async fn a_late_payment_walks_a_timed_out_order_to_paid_with_every_ipn() {
    let receiver = Receiver::start(&[]);
    let sim = sim();
    let app = app!(sim);
    let token = order!(app, format!("{}/ipn", receiver.base), "att_late_1", 0);
    assert_eq!(
        send(&app, choose(&token, "expire").to_request()).await.0,
        303
    );
    assert_eq!(send(&app, choose(&token, "pay").to_request()).await.0, 409);

    let (status, v) = send_json(&app, control(&token, "late_payment").to_request()).await;
    assert_eq!(
        (status, v),
        (
            200,
            json!({"ok": true, "status": "7", "charge_id": "20001"})
        )
    );
    let got = receiver.got();
    let bodies: Vec<String> = got
        .iter()
        .map(|r| r.text().to_owned())
        .collect();
    assert_eq!(
        bodies,
        [
            ipn_body(&token, 20_001, "att_late_1", 4),
            ipn_body(&token, 20_001, "att_late_1", 3),
            ipn_body(&token, 20_001, "att_late_1", 7),
        ],
        "the expiry's IPN, then pay's walk on risk speed 0, each awaited"
    );
    assert!(got.iter().all(signed_right));
    assert!(got.iter().all(|r| r.path == "/ipn" && r.method == "POST"));

    let (status, _) = send_json(&app, control(&token, "late_payment").to_request()).await;
    assert_eq!(status, 409, "already paid");
    assert_eq!(receiver.got().len(), 3);
    let missing = control("0123456789abcdef0123456789abcdef", "late_payment");
    assert_eq!(send(&app, missing.to_request()).await.0, 404);
    let resend = control(&token, "webhook");
    assert_eq!(send(&app, resend.to_request()).await.0, 200);
    assert_eq!(receiver.got()[3].body, got[2].body, "the last IPN is 7's");

    // Verify approves it as it would any paid order; then it is still paid.
    let verify = json!({"token": token}).to_string();
    let (_, v) = send_json(&app, post("/v1/payment/verify", &verify).to_request()).await;
    assert_eq!(
        (&v["success"], &v["body"]["orderStatus"]),
        (&json!(true), &json!(8))
    );
    let (status, _) = send_json(&app, control(&token, "late_payment").to_request()).await;
    assert_eq!(status, 409);

    // Risk speed 1 after a cancel: straight to 7. An open order: as pay.
    let ipn = format!("{}/ipn", receiver.base);
    let canceled = order!(app, ipn, "att_late_2", 1);
    send(&app, choose(&canceled, "cancel").to_request()).await;
    let (_, v) = send_json(&app, control(&canceled, "late_payment").to_request()).await;
    assert_eq!(v["status"], "7");
    let open = order!(app, ipn, "att_late_3", 1);
    let (_, v) = send_json(&app, control(&open, "late_payment").to_request()).await;
    assert_eq!(v, json!({"ok": true, "status": "7", "charge_id": "20003"}));
    let tail: Vec<Value> = receiver.got()[4..]
        .iter()
        .map(|r| r.json())
        .collect();
    let statuses: Vec<&Value> = tail.iter().map(|b| &b["OrderStatus"]).collect();
    assert_eq!(statuses, [&json!(5), &json!(7), &json!(7)]);

    let stats = serde_json::to_value(sim.stats()).unwrap();
    assert_eq!(
        stats["calls"],
        json!({"create": 3, "query": 1, "refund": 0, "cancel": 0}),
        "controls are not API calls"
    );
    receiver.stop().await;
}

#[actix_web::test]
async fn the_oracle_reports_what_arrived_by_order_id_and_reset_clears_it() {
    let receiver = Receiver::start(&[]);
    let sim = sim();
    let app = app!(sim);
    let ipn = format!("{}/ipn", receiver.base);
    let short = order!(app, ipn, "att_oracle", 1);
    let waiting = order!(app, ipn, "att_oracle", 1);
    send(&app, choose(&short, "underpay").to_request()).await;
    send(&app, choose(&waiting, "process").to_request()).await;
    let (status, o) = send_json(&app, oracle("att_oracle").to_request()).await;
    assert_eq!(status, 200);
    assert_eq!(
        o,
        json!({"orders": [
            {"id": short, "external_id": short, "reference": "att_oracle", "status": "2",
             "amount": "25.00", "currency": "USD", "paid": "12.50", "paid_charges": 1,
             "charge_ids": ["20001"], "refunded": "0.00", "underpaid": true},
            {"id": waiting, "external_id": waiting, "reference": "att_oracle", "status": "3",
             "amount": "25.00", "currency": "USD", "paid": "0.00", "paid_charges": 0,
             "charge_ids": [], "refunded": "0.00", "underpaid": false},
        ]})
    );
    let (_, none) = send_json(&app, oracle("att_nothing").to_request()).await;
    assert_eq!(none, json!({"orders": []}));
    let bare = TestRequest::get().uri("/paymento/_sim/orders");
    assert_eq!(send(&app, bare.to_request()).await.0, 400);
    let reset = TestRequest::post().uri("/paymento/_sim/reset");
    assert_eq!(send(&app, reset.to_request()).await.0, 200);
    let (_, o) = send_json(&app, oracle("att_oracle").to_request()).await;
    assert_eq!(o, json!({"orders": []}));
    receiver.stop().await;
}
