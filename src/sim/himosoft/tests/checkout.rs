//! Checkout outcomes: the synchronous signed callback to a real local receiver, the redirect to
//! the account's return URL (or the "done" page), and the re-send / drop / retry controls.

use actix_web::test::{init_service, TestRequest};
use actix_web::App;
use serde_json::{json, Value};
use std::sync::Arc;

use super::super::signing::sign;
use super::super::state::{Account, DEFAULT_API_KEY, DEFAULT_SECRET};
use super::support::{
    create_body, receiver, send, send_json, signed, got as inbox, PAYMENTS,
};
use super::super::{configure, HimoSoftSim};

macro_rules! app {
    ($sim:expr) => {
        init_service(App::new().configure(|c| configure(c, &$sim, ""))).await
    };
}

fn outcome(token: &str, what: &str) -> actix_web::test::TestRequest {
    TestRequest::post().uri(&format!("/himosoft/checkout/{token}/{what}"))
}

fn with_return(sim: &HimoSoftSim, url: &str) {
    sim.add_account(Account {
        secret: DEFAULT_SECRET.into(),
        api_key: Some(DEFAULT_API_KEY.into()),
        return_url: Some(url.into()),
    });
}

#[actix_web::test]
async fn pay_sends_the_signed_callback_then_redirects_to_the_accounts_return_url() {
    let (base, received, handle) = receiver(200);
    let sim = Arc::new(HimoSoftSim::new(reqwest::Client::new()));
    let app = app!(sim);
    with_return(&sim, "https://payrail.example/checkout/pay_1/return?t=abc");
    let body = create_body("1500.00", "att_<b>", Some(&format!("{base}/hook/")), None);
    let (_, created) = send_json(&app, signed("POST", PAYMENTS, &body).to_request()).await;
    let id = created["id"].as_str().unwrap().to_owned();
    let token = &id[4..];

    let (status, html) = send(
        &app,
        TestRequest::get()
            .uri(&format!("/himosoft/checkout/{token}"))
            .to_request(),
    )
    .await;
    let html = String::from_utf8(html).unwrap();
    assert_eq!(status, 200);
    assert!(
        html.contains("1500.00 BDT") && html.contains("att_&lt;b&gt;") && !html.contains("att_<b>"),
        "{html}"
    );
    assert!(html.contains(&format!("action=\"{token}/pay\"")), "{html}");

    let resp = actix_web::test::call_service(&app, outcome(token, "pay").to_request()).await;
    assert_eq!(resp.status().as_u16(), 303);
    assert_eq!(
        resp.headers().get("Location").unwrap().to_str().unwrap(),
        format!("https://payrail.example/checkout/pay_1/return?t=abc&id={id}&status=completed")
    );
    let got = inbox(&received);
    assert_eq!(got.len(), 1, "sent before the redirect");
    let hook = &got[0];
    assert_eq!(
        (hook.path.as_str(), hook.header("content-type")),
        ("/hook/", "application/json")
    );
    assert_eq!(
        hook.header("x-hmac-signature"),
        sign(DEFAULT_SECRET, hook.header("x-timestamp"), &hook.body)
    );
    assert!((chrono::Utc::now().timestamp() - hook.header("x-timestamp").parse::<i64>().unwrap()).abs() < 60);
    let v: Value = hook.json();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "id",
            "status",
            "order_id",
            "amount",
            "currency",
            "external_id"
        ]
    );
    assert_eq!(
        (
            &v["id"],
            &v["status"],
            &v["order_id"],
            &v["amount"],
            &v["currency"]
        ),
        (
            &json!(id),
            &json!("completed"),
            &json!("att_<b>"),
            &json!("1500.00"),
            &json!("BDT")
        )
    );
    assert!(v["external_id"].as_str().unwrap().starts_with("ch_sim_"));
    // Final: no more buttons, no second outcome.
    let (status, _) = send(&app, outcome(token, "fail").to_request()).await;
    assert_eq!(status, 409);
    assert_eq!(sim.stats().webhooks_sent, 1);
    handle.stop(false).await;
}

#[actix_web::test]
async fn each_outcome_sets_its_word_and_without_a_return_url_shows_a_done_page() {
    let (base, received, handle) = receiver(200);
    let sim = Arc::new(HimoSoftSim::new(reqwest::Client::new()));
    let app = app!(sim);
    let cases = [
        ("fail", "failed", "1500.00"),
        ("cancel", "cancelled", "1500.00"),
        ("expire", "expired", "1500.00"),
        ("underpay", "completed", "750.00"),
        ("process", "pending", "1500.00"),
    ];
    for (i, (what, word, amount)) in cases.into_iter().enumerate() {
        let body = create_body(
            "1500.00",
            &format!("att_{i}"),
            Some(&format!("{base}/hook/")),
            None,
        );
        let (_, created) = send_json(&app, signed("POST", PAYMENTS, &body).to_request()).await;
        let id = created["id"].as_str().unwrap().to_owned();
        let (status, html) = send(&app, outcome(&id[4..], what).to_request()).await;
        assert_eq!(status, 200, "{what}");
        assert!(
            String::from_utf8(html)
                .unwrap()
                .contains(&format!(">{word}<")),
            "{what}"
        );
        let hook: Value = serde_json::from_slice(&inbox(&received)[i].body).unwrap();
        assert_eq!(
            (&hook["status"], &hook["amount"]),
            (&json!(word), &json!(amount)),
            "{what}"
        );
        let (_, v) = send_json(
            &app,
            signed("GET", &format!("{PAYMENTS}{id}/recheck/"), "").to_request(),
        )
        .await;
        assert_eq!(
            (&v["status"], &v["amount"]),
            (&json!(word), &json!(amount)),
            "{what}"
        );
    }
    let (status, _) = send(&app, outcome("nothing", "pay").to_request()).await;
    assert_eq!(status, 404);
    handle.stop(false).await;
}

#[actix_web::test]
async fn resend_tamper_drop_and_retries() {
    let (base, received, handle) = receiver(200);
    let sim = Arc::new(HimoSoftSim::new(reqwest::Client::new()));
    let app = app!(sim);
    let body = create_body("10.00", "att_W", Some(&format!("{base}/hook/")), None);
    let (_, created) = send_json(&app, signed("POST", PAYMENTS, &body).to_request()).await;
    let id = created["id"].as_str().unwrap().to_owned();
    let drop = TestRequest::post()
        .uri("/himosoft/_sim/webhooks/drop")
        .set_json(json!({"count": 1}));
    assert_eq!(send(&app, drop.to_request()).await.0, 200);
    assert_eq!(
        send(&app, outcome(&id[4..], "process").to_request())
            .await
            .0,
        200
    );
    assert!(inbox(&received).is_empty(), "dropped");
    let resend = |copies: u32, tamper: bool| {
        TestRequest::post()
            .uri(&format!("/himosoft/_sim/checkout/{id}/webhook"))
            .set_json(json!({"copies": copies, "tamper": tamper}))
            .to_request()
    };
    let (status, v) = send_json(&app, resend(2, false)).await;
    assert_eq!(
        (status, v),
        (200, json!({"sent": 2, "statuses": [[200], [200]]}))
    );
    let (_, v) = send_json(&app, resend(1, true)).await;
    assert_eq!(v, json!({"sent": 1, "statuses": [[200]]}));
    let got = inbox(&received);
    assert_eq!(got.len(), 3);
    assert_eq!(got[0].body, got[1].body);
    assert_eq!(
        got[1].header("x-hmac-signature"),
        sign(DEFAULT_SECRET, got[1].header("x-timestamp"), &got[1].body)
    );
    assert_ne!(
        got[2].header("x-hmac-signature"),
        sign(DEFAULT_SECRET, got[2].header("x-timestamp"), &got[2].body)
    );
    assert_eq!(sim.stats().webhooks_sent, 3);
    let unknown = TestRequest::post()
        .uri("/himosoft/_sim/checkout/pay_none/webhook")
        .to_request();
    assert_eq!(send(&app, unknown).await.0, 404);
    handle.stop(false).await;

    // A receiver that answers 500 gets three tries.
    let (base, received, handle) = receiver(500);
    let body = create_body("10.00", "att_X", Some(&format!("{base}/hook/")), None);
    let (_, created) = send_json(&app, signed("POST", PAYMENTS, &body).to_request()).await;
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(
        send(&app, outcome(&id[4..], "pay").to_request()).await.0,
        200
    );
    assert_eq!(inbox(&received).len(), 3);
    assert_eq!(sim.stats().webhooks_sent, 6);
    handle.stop(false).await;
}

#[actix_web::test]
async fn controls_accounts_stats_reset() {
    let sim = Arc::new(HimoSoftSim::new(reqwest::Client::new()));
    let app = app!(sim);
    let add = |v: Value| {
        TestRequest::post()
            .uri("/himosoft/_sim/accounts")
            .set_json(v)
            .to_request()
    };
    assert_eq!(
        send(
            &app,
            add(json!({"secret": "s2", "api_key": "k2", "return_url": "https://x.example/r"}))
        )
        .await
        .0,
        200
    );
    assert_eq!(send(&app, add(json!({"secret": ""}))).await.0, 400);
    assert_eq!(
        send(&app, add(json!({"secret": "s", "return_url": "nope"})))
            .await
            .0,
        400
    );
    assert_eq!(send(&app, add(json!({"api_key": "k"}))).await.0, 400);
    assert_eq!(
        sim.lock().accounts["k2"].return_url.as_deref(),
        Some("https://x.example/r")
    );
    let body = create_body("10.00", "att_S", None, None);
    send(&app, signed("POST", PAYMENTS, &body).to_request()).await;
    let (status, stats) = send_json(
        &app,
        TestRequest::get().uri("/himosoft/_sim/stats").to_request(),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        stats,
        json!({"calls": {"create": 1, "query": 0, "refund": 0, "cancel": 0}, "by_reference": {"att_S": {"create": 1, "query": 0}}, "webhooks_sent": 0})
    );
    assert_eq!(
        send(
            &app,
            TestRequest::post().uri("/himosoft/_sim/reset").to_request()
        )
        .await
        .0,
        200
    );
    assert!(sim.lock().payments.is_empty());
    assert_eq!(sim.stats().calls.create, 0);
    assert!(
        sim.lock().accounts.contains_key("k2"),
        "accounts survive a reset"
    );
    assert_eq!(
        super::super::default_credentials(),
        json!({"secret": "himo_sk_test_123", "api_key": "himo_pk_test_123"})
    );
}
