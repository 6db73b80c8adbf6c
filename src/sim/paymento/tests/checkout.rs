//! Checkout tests: the page, every outcome's walk through Paymento's statuses, the synchronous
//! signed IPN to a real local receiver, the 303 with Paymento's query, re-sends and retries.

use std::sync::Arc;
use std::time::Duration;

use actix_web::test::{init_service, TestRequest};
use actix_web::{web, App};
use serde_json::{json, Value};

use super::super::signing::ipn_signature;
use super::support::{create_body, post, send, send_json, Receiver, SECRET};
use super::super::{configure, PaymentoConfig, PaymentoSim};

const RETURN: &str = "http://127.0.0.1:8080/checkout/pay_1/return?t=abc";

macro_rules! app {
    ($sim:expr) => {{
        let sim = $sim.clone();
        init_service(App::new().configure(move |c: &mut web::ServiceConfig| configure(c, &sim, "")))
            .await
    }};
}

fn sim_with(delays: Vec<Duration>) -> Arc<PaymentoSim> {
    let config = PaymentoConfig {
        ipn_retry_delays: delays,
        ..PaymentoConfig::default()
    };
    Arc::new(PaymentoSim::with_config(reqwest::Client::new(), config))
}

macro_rules! setup {
    ($app:expr, $ipn:expr, $order_id:expr, $risk:expr) => {{
        let settings = json!({"IPN_Url": $ipn, "IPN_Method": 1}).to_string();
        assert_eq!(send(&$app, post("/v1/payment/settings", &settings).to_request()).await.0, 200);
        let body = create_body($order_id, $risk, RETURN);
        let (_, v) = send_json(&$app, post("/v1/payment/request", &body).to_request()).await;
        v["body"].as_str().unwrap().to_owned()
    }};
}

fn choose(token: &str, outcome: &str) -> TestRequest {
    TestRequest::post().uri(&format!("/paymento/checkout/{token}/{outcome}"))
}

fn ipn(token: &str, order_id: &str, status: u8) -> String {
    let payment_id = 20_001;
    format!(
        r#"{{"Token":"{token}","PaymentId":{payment_id},"OrderId":"{order_id}","OrderStatus":{status},"AdditionalData":[]}}"#
    )
}

#[actix_web::test]
async fn pay_sends_the_signed_ipn_then_redirects_with_paymentos_query() {
    let mut receiver = Receiver::start(&[]);
    let sim = sim_with(vec![]);
    let app = app!(sim);
    let token = setup!(
        app,
        format!("{}/v1/webhooks/paymento/acc_1/", receiver.base),
        "att_pay",
        1
    );

    let resp = actix_web::test::call_service(&app, choose(&token, "pay").to_request()).await;
    assert_eq!(resp.status().as_u16(), 303);
    assert_eq!(
        resp.headers().get("location").unwrap().to_str().unwrap(),
        format!("{RETURN}&token={token}&orderId=att_pay&status=7")
    );
    // Sent synchronously: already there when the redirect arrived.
    let got = receiver.got();
    assert_eq!(got.len(), 1);
    let hook = &got[0];
    assert_eq!(
        (hook.method.as_str(), hook.path.as_str()),
        ("POST", "/v1/webhooks/paymento/acc_1/")
    );
    assert_eq!(hook.header("content-type"), "application/json");
    assert_eq!(
        hook.text(),
        ipn(&token, "att_pay", 7)
    );
    assert_eq!(hook.header("x-hmac-sha256-signature"), ipn_signature(SECRET, &hook.body));
    assert!(hook
        .header("x-hmac-sha256-signature")
        .bytes()
        .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase()));
    assert_eq!(sim.stats().webhooks_sent, 1);

    // Finished: the page shows no buttons and another outcome is refused.
    let (status, _) = send(&app, choose(&token, "fail").to_request()).await;
    assert_eq!(status, 409);
    receiver.until(1).await;
    receiver.stop().await;
}

#[actix_web::test]
async fn every_outcome_walks_paymentos_statuses() {
    let receiver = Receiver::start(&[]);
    let sim = sim_with(vec![]);
    let app = app!(sim);
    let url = format!("{}/ipn", receiver.base);
    let mut expected = Vec::new();
    for (outcome, risk, statuses) in [
        ("pay", 0, vec![3, 7]),
        ("process", 1, vec![3]),
        ("underpay", 1, vec![2]),
        ("fail", 1, vec![9]),
        ("cancel", 1, vec![5]),
        ("expire", 1, vec![4]),
    ] {
        let order_id = format!("att_{outcome}");
        let token = setup!(app, url, &order_id, risk);
        let resp = actix_web::test::call_service(&app, choose(&token, outcome).to_request()).await;
        assert_eq!(resp.status().as_u16(), 303, "{outcome}");
        let last = statuses.last().unwrap();
        assert!(
            resp.headers()
                .get("location")
                .unwrap()
                .to_str()
                .unwrap()
                .ends_with(&format!("&status={last}")),
            "{outcome}"
        );
        expected.extend(statuses.iter().map(|s| ipn(&token, &order_id, *s)));
    }
    let bodies: Vec<String> = receiver
        .got()
        .iter()
        .map(|r| r.text().to_owned())
        .collect();
    // Payment ids are sequential from 20001: compare with them normalised.
    let strip = |s: &String| {
        s.split("\"PaymentId\":")
            .map(|p| p.trim_start_matches(char::is_numeric))
            .collect::<Vec<_>>()
            .join("")
    };
    assert_eq!(
        bodies.iter().map(strip).collect::<Vec<_>>(),
        expected.iter().map(strip).collect::<Vec<_>>()
    );
    // A partial payment is not final: the customer may still pay the rest.
    let token = setup!(app, url, "att_partial", 1);
    assert_eq!(
        send(&app, choose(&token, "underpay").to_request()).await.0,
        303
    );
    assert_eq!(send(&app, choose(&token, "pay").to_request()).await.0, 303);
    let (_, order) = send_json(
        &app,
        TestRequest::get()
            .uri(&format!("/paymento/_sim/orders/{token}"))
            .to_request(),
    )
    .await;
    assert_eq!(
        (&order["order_status"], &order["status_name"]),
        (&json!(7), &json!("Paid"))
    );
    assert_eq!(
        send(&app, choose(&token, "refund").to_request()).await.0,
        400
    );
    assert_eq!(send(&app, choose("nope", "pay").to_request()).await.0, 404);
    receiver.stop().await;
}

#[actix_web::test]
async fn the_page_is_served_at_both_urls_with_everything_escaped() {
    let sim = sim_with(vec![]);
    let app = app!(sim);
    let body = create_body("<script>alert(1)</script>", 1, RETURN);
    let (_, v) = send_json(&app, post("/v1/payment/request", &body).to_request()).await;
    let token = v["body"].as_str().unwrap().to_owned();
    for (uri, action) in [
        (
            format!("/paymento/gateway?token={token}"),
            format!("checkout/{token}/"),
        ),
        (format!("/paymento/checkout/{token}"), format!("{token}/")),
    ] {
        let (status, html) = send(&app, TestRequest::get().uri(&uri).to_request()).await;
        assert_eq!(status, 200, "{uri}");
        assert!(
            html.contains("25.00 USD") && html.contains(">Initialize<"),
            "{html}"
        );
        assert!(
            html.contains("&lt;script&gt;") && !html.contains("<script>"),
            "{html}"
        );
        for outcome in ["pay", "process", "underpay", "fail", "cancel", "expire"] {
            assert!(
                html.contains(&format!("action=\"{action}{outcome}\"")),
                "{html}"
            );
        }
    }
    let (status, _) = send(
        &app,
        TestRequest::get()
            .uri("/paymento/gateway?token=nope")
            .to_request(),
    )
    .await;
    assert_eq!(status, 404);
}

#[actix_web::test]
async fn no_ipn_url_means_no_ipn_and_put_is_used_for_method_2() {
    let receiver = Receiver::start(&[]);
    let sim = sim_with(vec![]);
    let app = app!(sim);
    let body = create_body("att_quiet", 1, RETURN);
    let (_, v) = send_json(&app, post("/v1/payment/request", &body).to_request()).await;
    let quiet = v["body"].as_str().unwrap().to_owned();
    assert_eq!(send(&app, choose(&quiet, "pay").to_request()).await.0, 303);
    assert_eq!(sim.stats().webhooks_sent, 0);

    let settings =
        json!({"IPN_Url": format!("{}/ipn", receiver.base), "IPN_Method": 2}).to_string();
    send(&app, post("/v1/payment/settings", &settings).to_request()).await;
    let body = create_body("att_put", 1, RETURN);
    let (_, v) = send_json(&app, post("/v1/payment/request", &body).to_request()).await;
    let token = v["body"].as_str().unwrap().to_owned();
    send(&app, choose(&token, "fail").to_request()).await;
    assert_eq!(receiver.got()[0].method, "PUT");
    receiver.stop().await;
}

#[actix_web::test]
async fn resend_duplicates_or_tampers_the_last_ipn() {
    let receiver = Receiver::start(&[]);
    let sim = sim_with(vec![]);
    let app = app!(sim);
    let token = setup!(app, format!("{}/ipn", receiver.base), "att_re", 1);
    send(&app, choose(&token, "process").to_request()).await;
    let resend = |b: Value| {
        TestRequest::post()
            .uri(&format!("/paymento/_sim/checkout/{token}/webhook"))
            .set_json(b)
            .to_request()
    };
    let (status, v) = send_json(&app, resend(json!({"copies": 2}))).await;
    assert_eq!(
        (status, &v),
        (200, &json!({"sent": 2, "statuses": [200, 200]}))
    );
    send_json(&app, resend(json!({"tamper": true}))).await;
    let got = receiver.got();
    assert_eq!(got.len(), 4);
    assert!(got.iter().all(|r| r.body == got[0].body));
    let good = ipn_signature(SECRET, &got[0].body);
    assert_eq!([got[1].header("x-hmac-sha256-signature"), got[2].header("x-hmac-sha256-signature")], [good.as_str(), good.as_str()]);
    assert_ne!(got[3].header("x-hmac-sha256-signature"), good);
    assert_eq!(got[3].header("x-hmac-sha256-signature").len(), 64);
    assert_eq!(sim.stats().webhooks_sent, 4);
    let missing = TestRequest::post()
        .uri("/paymento/_sim/checkout/nope/webhook")
        .to_request();
    assert_eq!(send(&app, missing).await.0, 404);
    receiver.stop().await;
}

#[actix_web::test]
async fn a_refused_ipn_is_retried_until_it_is_taken() {
    let mut receiver = Receiver::start(&[500, 503]);
    let sim = sim_with(vec![Duration::ZERO, Duration::ZERO, Duration::ZERO]);
    let app = app!(sim);
    let token = setup!(app, format!("{}/ipn", receiver.base), "att_retry", 1);
    assert_eq!(send(&app, choose(&token, "pay").to_request()).await.0, 303);
    let got = receiver.until(3).await;
    assert!(got
        .iter()
        .all(|r| r.body == got[0].body && r.header("x-hmac-sha256-signature") == got[0].header("x-hmac-sha256-signature")));
    assert_eq!(sim.stats().webhooks_sent, 3);
    receiver.stop().await;
}
