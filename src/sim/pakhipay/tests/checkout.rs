//! Checkout and webhook tests: every outcome, the synchronous signed webhook to a real local
//! receiver, K6 return parameters, K7 tries, and the re-send control (the labels K1–K7:
//! docs/gateways/pakhipay.md).

use actix_web::test::{init_service, TestRequest};
use actix_web::App;
use serde_json::{json, Value};

use super::super::signing::hmac_hex;
use super::super::state::Account;
use super::support::{
    create_body, inbox, post, receiver, send, send_text, CREATE, KEY, VERIFY,
};
use crate::sim::{configure, Simulators};

macro_rules! app {
    ($sims:expr) => {
        init_service(App::new().configure(|c| configure(c, &$sims, ""))).await
    };
}

/// Creates a link (as `key`) and returns its sim id.
macro_rules! create {
    ($app:expr, $key:expr, $order:expr, $amount:expr, $callback:expr) => {{
        let body = create_body($order, $amount, $callback);
        let (_, text) = send_text(&$app, post(CREATE, $key, &body).to_request()).await;
        let v: Value = serde_json::from_str(&text).unwrap();
        v["payment_url"]
            .as_str()
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap()
            .to_owned()
    }};
}

fn outcome(id: &str, what: &str) -> TestRequest {
    TestRequest::post().uri(&format!("/pakhipay/checkout/{id}/{what}"))
}

fn location(headers: &actix_web::http::header::HeaderMap) -> &str {
    headers.get("location").unwrap().to_str().unwrap()
}

/// The K1 (1) check, done here from the wire bytes: drop `,"signature":"…"` and sign the rest.
fn check_signature(body: &str) -> String {
    let at = body
        .find(r#","signature":""#)
        .expect("signature is the last member");
    let unsigned = format!("{}}}", &body[..at]);
    let sig = &body[at + 14..body.len() - 2];
    assert_eq!(hmac_hex(KEY, unsigned.as_bytes()), sig, "{body}");
    unsigned
}

#[actix_web::test]
async fn pay_sends_the_signed_webhook_then_redirects_to_success() {
    let (base, received, handle) = receiver(200);
    let sims = Simulators::new(reqwest::Client::new());
    let app = app!(sims);
    let callback = format!("{base}/v1/webhooks/pakhipay/acc_1/");
    let id = create!(
        app,
        KEY,
        "att_01JD3ZK2Q4X8V9N6B5M7C1T0RA",
        "100.00",
        Some(&callback)
    );
    let (status, headers, _) = send(&app, outcome(&id, "pay").to_request()).await;
    assert_eq!(status, 303);
    assert_eq!(
        location(&headers),
        "https://shop.example/success?ref=1",
        "K6: nothing appended"
    );
    let got = inbox(&received);
    assert_eq!(got.len(), 1, "delivered before the redirect");
    assert_eq!(got[0].path, "/v1/webhooks/pakhipay/acc_1/");
    assert_eq!(got[0].header("content-type"), "application/json");
    let tx = sims.get::<crate::sim::pakhipay::PakhiPaySim>().lock().payments[&id]
        .transaction_id
        .clone()
        .unwrap();
    assert!(tx.starts_with("TRX") && tx.len() == 15, "{tx}");
    assert_eq!(
        check_signature(got[0].text()),
        format!(
            r#"{{"status":"completed","transaction_id":"{tx}","amount":"100.00","order_id":"att_01JD3ZK2Q4X8V9N6B5M7C1T0RA"}}"#
        )
    );
    // A finished payment takes no other outcome; its page shows no buttons.
    let (status, _, _) = send(&app, outcome(&id, "fail").to_request()).await;
    assert_eq!(status, 409);
    let (_, page) = send_text(
        &app,
        TestRequest::get()
            .uri(&format!("/pakhipay/checkout/{id}"))
            .to_request(),
    )
    .await;
    assert!(
        page.contains(">completed<") && !page.contains("<form"),
        "{page}"
    );
    let stats = serde_json::to_value(sims.get::<crate::sim::pakhipay::PakhiPaySim>().stats()).unwrap();
    assert_eq!(stats["webhooks_sent"], 1);
    handle.stop(false).await;
}

#[actix_web::test]
async fn underpay_sends_a_short_amount_that_verify_refuses_at_the_asked_amount() {
    let (base, received, handle) = receiver(200);
    let sims = Simulators::new(reqwest::Client::new());
    let app = app!(sims);
    let id = create!(app, KEY, "O-U", "25.01", Some(&format!("{base}/hook")));
    let (status, _, _) = send(&app, outcome(&id, "underpay").to_request()).await;
    assert_eq!(status, 303);
    let tx = sims.get::<crate::sim::pakhipay::PakhiPaySim>().lock().payments[&id]
        .transaction_id
        .clone()
        .unwrap();
    let got = inbox(&received);
    assert_eq!(
        check_signature(got[0].text()),
        format!(
            r#"{{"status":"completed","transaction_id":"{tx}","amount":"12.50","order_id":"O-U"}}"#
        )
    );
    let verify = |amount: &str| {
        post(
            VERIFY,
            KEY,
            &format!(r#"{{"transaction_id":"{tx}","amount":{amount}}}"#),
        )
        .to_request()
    };
    let (_, text) = send_text(&app, verify("25.01")).await;
    assert_eq!(text, r#"{"status":0,"message":"Amount mismatch"}"#);
    let (_, text) = send_text(&app, verify("12.50")).await;
    assert_eq!(text, r#"{"status":1,"message":"completed"}"#);
    handle.stop(false).await;
}

#[actix_web::test]
async fn unpaid_outcomes_send_no_webhook_and_go_where_the_gateway_sends_them() {
    let (base, received, handle) = receiver(200);
    let sims = Simulators::new(reqwest::Client::new());
    sims.get::<crate::sim::pakhipay::PakhiPaySim>().add_account(Account {
        append_transaction_id: true,
        ..Account::new("pk_append")
    });
    let app = app!(sims);
    let cb = format!("{base}/hook");
    for (key, what, goes_to, word) in [
        (
            KEY,
            "process",
            "https://shop.example/success?ref=1",
            "pending",
        ),
        (KEY, "fail", "https://shop.example/cancel", "failed"),
        (KEY, "cancel", "https://shop.example/cancel", "cancelled"),
        (KEY, "expire", "https://shop.example/cancel", "expired"),
        (
            "pk_append",
            "process",
            "https://shop.example/success?ref=1&transaction_id=",
            "pending",
        ),
        (
            "pk_append",
            "fail",
            "https://shop.example/cancel?transaction_id=",
            "failed",
        ),
        (
            "pk_append",
            "cancel",
            "https://shop.example/cancel",
            "cancelled",
        ),
    ] {
        let id = create!(app, key, "O-N", "10.00", Some(&cb));
        let (status, headers, _) = send(&app, outcome(&id, what).to_request()).await;
        assert_eq!(status, 303);
        let p = sims.get::<crate::sim::pakhipay::PakhiPaySim>().lock().payments[&id].clone();
        assert_eq!(p.status.as_str(), word);
        let expected = match &p.transaction_id {
            Some(tx) if goes_to.ends_with('=') => format!("{goes_to}{tx}"),
            _ => goes_to.to_owned(),
        };
        assert_eq!(location(&headers), expected.as_str(), "{key} {what}");
        if let Some(tx) = &p.transaction_id {
            let body = format!(r#"{{"transaction_id":"{tx}","amount":10.00}}"#);
            let (_, text) = send_text(&app, post(VERIFY, key, &body).to_request()).await;
            assert_eq!(text, json!({"status": 1, "message": word}).to_string());
        }
    }
    assert!(
        inbox(&received).is_empty(),
        "webhooks only for completed payments"
    );
    let (status, _, _) = send(&app, outcome("pp_missing", "pay").to_request()).await;
    assert_eq!(status, 404);
    handle.stop(false).await;
}

#[actix_web::test]
async fn pay_with_the_transaction_id_switch_appends_it_to_the_success_url() {
    let sims = Simulators::new(reqwest::Client::new());
    sims.get::<crate::sim::pakhipay::PakhiPaySim>().add_account(Account {
        append_transaction_id: true,
        send_webhooks: false,
        ..Account::new("pk_lost")
    });
    let app = app!(sims);
    let id = create!(
        app,
        "pk_lost",
        "O-L",
        "10.00",
        Some("http://127.0.0.1:9/unreachable")
    );
    let (_, headers, _) = send(&app, outcome(&id, "pay").to_request()).await;
    let tx = sims.get::<crate::sim::pakhipay::PakhiPaySim>().lock().payments[&id]
        .transaction_id
        .clone()
        .unwrap();
    assert_eq!(
        location(&headers),
        format!("https://shop.example/success?ref=1&transaction_id={tx}").as_str()
    );
    let stats = serde_json::to_value(sims.get::<crate::sim::pakhipay::PakhiPaySim>().stats()).unwrap();
    assert_eq!(stats["webhooks_sent"], 0, "send_webhooks: false");
    // Kept for a late delivery by the re-send control.
    let kept = sims.get::<crate::sim::pakhipay::PakhiPaySim>().lock().last_webhook[&id].clone();
    assert_eq!(kept.url, "http://127.0.0.1:9/unreachable");
    assert!(String::from_utf8(kept.body).unwrap().contains(&tx));
}

#[actix_web::test]
async fn non_2xx_answers_are_retried_and_resend_duplicates_or_tampers() {
    let (base, received, handle) = receiver(500);
    let sims = Simulators::new(reqwest::Client::new());
    let app = app!(sims);
    let id = create!(app, KEY, "O-R", "10.00", Some(&format!("{base}/hook")));
    send(&app, outcome(&id, "pay").to_request()).await;
    assert_eq!(inbox(&received).len(), 3, "K7: three tries");
    let first = inbox(&received)[0].body.clone();
    assert!(inbox(&received).iter().all(|r| r.body == first));

    let resend = |body: Value| {
        TestRequest::post()
            .uri(&format!("/pakhipay/_sim/checkout/{id}/webhook"))
            .set_json(body)
            .to_request()
    };
    sims.get::<crate::sim::pakhipay::PakhiPaySim>().add_account(Account {
        webhook_attempts: 1,
        ..Account::new(KEY)
    });
    let (status, text) = send_text(&app, resend(json!({"copies": 2}))).await;
    assert_eq!(
        (status, text.as_str()),
        (200, r#"{"sent":2,"statuses":[500,500]}"#)
    );
    send_text(&app, resend(json!({"tamper": true}))).await;
    let got = inbox(&received);
    assert_eq!(got.len(), 6);
    assert_eq!(got[4].body, first);
    let tampered = got[5].text();
    assert_ne!(tampered.as_bytes(), first.as_slice());
    assert_eq!(tampered.len(), first.len());
    let at = tampered.find(r#","signature":""#).unwrap();
    assert_eq!(&tampered[..at], std::str::from_utf8(&first[..at]).unwrap());
    let stats = serde_json::to_value(sims.get::<crate::sim::pakhipay::PakhiPaySim>().stats()).unwrap();
    assert_eq!(stats["webhooks_sent"], 6);
    let (status, _) = send_text(
        &app,
        TestRequest::post()
            .uri("/pakhipay/_sim/checkout/pp_none/webhook")
            .to_request(),
    )
    .await;
    assert_eq!(status, 404);
    handle.stop(false).await;
}

#[actix_web::test]
async fn the_page_escapes_what_the_merchant_sent() {
    let sims = Simulators::new(reqwest::Client::new());
    let app = app!(sims);
    let body = create_body("<o>", "10.00", None).replace("John Doe", "<script>x</script>");
    let (_, text) = send_text(&app, post(CREATE, KEY, &body).to_request()).await;
    let v: Value = serde_json::from_str(&text).unwrap();
    let id = v["payment_url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let (status, page) = send_text(
        &app,
        TestRequest::get()
            .uri(&format!("/pakhipay/checkout/{id}"))
            .to_request(),
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        !page.contains("<script>") && page.contains("&lt;script&gt;"),
        "{page}"
    );
    assert!(page.contains("&lt;o&gt;"), "{page}");
    for what in ["pay", "process", "underpay", "fail", "cancel", "expire"] {
        assert!(page.contains(&format!("action=\"{id}/{what}\"")), "{what}");
    }
    let (status, _) = send_text(
        &app,
        TestRequest::post()
            .uri(&format!("/pakhipay/checkout/{id}/steal"))
            .to_request(),
    )
    .await;
    assert_eq!(status, 400);
}
